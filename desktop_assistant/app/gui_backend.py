"""Where the window's conversations go, chosen from the settings and the keychain.

The Gemini API, an organisation's token service, Vertex AI, or the bundled local server.

With no key at all the app still works: ``auto`` falls back to the local server, started
in-process on loopback the first time a conversation needs it and kept until the app closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_assistant.config.capabilities import Platform, platform_for
from desktop_assistant.config.secrets import ApiKey, Secret, SecretStore, SecretStoreError
from desktop_assistant.config.settings import BackendKind, Settings
from desktop_assistant.core.ports import HistoryTurn, ToolDeclaration
from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.session.connection import CredentialProvider, Endpoint, StaticCredential
from desktop_assistant.session.genai_session import GenaiLiveSession
from desktop_assistant.session.tokens import TokenEndpointProvider


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
        kind = settings.backend.kind
        if kind is BackendKind.AUTO:
            return BackendKind.GEMINI if self._api_key_present() else BackendKind.LOCAL
        return kind

    def _api_key_present(self) -> bool:
        try:
            return self.secrets.api_key() is not None
        except SecretStoreError:
            return False

    async def local_server(self, settings: Settings) -> LocalLiveServer:
        async with self._server_lock:
            if self._server is None:
                options = self._server_options or ServerOptions(
                    engine=settings.backend.local_engine
                )
                server = LocalLiveServer(options)
                await server.start()
                self._server = server
            return self._server

    async def route(self, settings: Settings) -> Route:
        kind = self.effective_kind(settings)
        backend = settings.backend
        if kind is BackendKind.LOCAL:
            server = await self.local_server(settings)
            endpoint = Endpoint(
                platform=Platform.GEMINI_API,
                base_url=server.base_url,
                ssl_context=server.client_ssl_context(),
                use_system_proxy=False,
                api_version=backend.api_version,
            )
            return Route(kind, endpoint, StaticCredential(Secret(server.api_key)))
        endpoint = Endpoint(
            platform=platform_for(kind),
            base_url=backend.base_url,
            api_version=backend.api_version,
            ca_file=backend.ca_file,
            vertex_project=backend.vertex_project,
            vertex_location=backend.vertex_location,
        )
        if kind is BackendKind.EPHEMERAL:
            if not backend.token_endpoint:
                raise BackendUnavailable(
                    "No token service is set: enter your organisation's address in the setup."
                )
            provider = TokenEndpointProvider(
                backend.token_endpoint,
                model=settings.model,
                ca_file=backend.token_endpoint_ca_file,
            )
            return Route(kind, endpoint, provider, ephemeral=True)
        if kind is BackendKind.VERTEX:
            key = self._api_key_or_none()
            return Route(kind, endpoint, StaticCredential(key.secret if key else None))
        key = self._api_key_or_none()
        if key is None:
            raise BackendUnavailable(
                "There is no Gemini API key yet: enter one, or choose the local engine."
            )
        return Route(kind, endpoint, StaticCredential(key.secret))

    def _api_key_or_none(self) -> ApiKey | None:
        try:
            return self.secrets.api_key()
        except SecretStoreError as error:
            raise BackendUnavailable(str(error)) from None

    async def open_session(
        self,
        settings: Settings,
        tools: Sequence[ToolDeclaration],
        history: Sequence[HistoryTurn] = (),
    ) -> GenaiLiveSession:
        route = await self.route(settings)
        turns = tuple(history)
        return GenaiLiveSession(
            settings,
            endpoint=route.endpoint,
            credentials=route.credentials,
            tools=tools,
            ephemeral=route.ephemeral,
            history_provider=(lambda: turns) if turns else None,
        )

    async def aclose(self) -> None:
        if self._server is not None and self._own_server:
            await self._server.stop()
            self._server = None
