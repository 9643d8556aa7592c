"""Where the window's conversations go, chosen from the settings and the keychain.

The Gemini API, an organisation's token service, Vertex AI, or the bundled local server.

With no key at all the app still works: ``auto`` falls back to the local server, started
in-process on loopback the first time a conversation needs it and kept until the app closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_assistant.app.backends import (
    BackendError,
    BackendOverrides,
    choose_kind,
    open_backend,
    resolve_local_engine,
)
from desktop_assistant.config.capabilities import Platform
from desktop_assistant.config.secrets import Secret, SecretStore, SecretStoreError
from desktop_assistant.config.settings import BackendKind, Settings
from desktop_assistant.core.ports import HistoryTurn, ToolDeclaration
from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.session.connection import CredentialProvider, Endpoint, StaticCredential
from desktop_assistant.session.genai_session import GenaiLiveSession


class BackendUnavailable(Exception):
    """The chosen backend cannot be used as configured; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Route:
    kind: BackendKind
    endpoint: Endpoint
    credentials: CredentialProvider
    ephemeral: bool = False


class Backends:
    def __init__(
        self,
        secrets: SecretStore,
        *,
        local_server: LocalLiveServer | None = None,
        local_options: ServerOptions | None = None,
    ) -> None:
        self.secrets = secrets
        self._server = local_server
        self._own_server = local_server is None
        self._server_options = local_options
        self._server_lock = asyncio.Lock()

    def effective_kind(self, settings: Settings) -> BackendKind:
        try:
            return choose_kind(settings, BackendOverrides(), self.secrets)
        except SecretStoreError:
            return BackendKind.LOCAL  # an unreadable keychain is the same as no key

    async def local_server(self, settings: Settings) -> LocalLiveServer:
        async with self._server_lock:
            if self._server is None:
                options = self._server_options or ServerOptions(
                    engine=resolve_local_engine(settings.backend.local_engine)
                )
                server = LocalLiveServer(options)
                await server.start()
                self._server = server
            return self._server

    async def route(self, settings: Settings) -> Route:
        kind = self.effective_kind(settings)
        if kind is BackendKind.LOCAL:
            # One server for the life of the window (not one per conversation, as in the
            # headless runner): a restart after a settings change is then only a reconnect.
            server = await self.local_server(settings)
            endpoint = Endpoint(
                platform=Platform.GEMINI_API,
                base_url=server.base_url,
                ssl_context=server.client_ssl_context(),
                use_system_proxy=False,
                api_version=settings.backend.api_version,
            )
            return Route(kind, endpoint, StaticCredential(Secret(server.api_key)))
        try:
            # Remote backends hold nothing open: the shared resolver's answer is all we need.
            async with open_backend(settings, secrets=self.secrets) as opened:
                return Route(opened.kind, opened.endpoint, opened.credentials, opened.ephemeral)
        except (BackendError, SecretStoreError) as error:
            raise BackendUnavailable(str(error)) from None

    async def open_session(
        self,
        settings: Settings,
        tools: Sequence[ToolDeclaration],
        history: Sequence[HistoryTurn] = (),
    ) -> GenaiLiveSession:
        """A session whose first connection is told ``history`` (the conversation so far)."""
        route = await self.route(settings)
        return GenaiLiveSession(
            settings,
            endpoint=route.endpoint,
            credentials=route.credentials,
            tools=tools,
            ephemeral=route.ephemeral,
            initial_history=history,
        )

    async def aclose(self) -> None:
        if self._server is not None and self._own_server:
            await self._server.stop()
            self._server = None
