"""Where the window's conversations go, chosen from the settings and the keychain.

The Gemini API, an organisation's token service, Vertex AI, or the bundled local server.

With no key at all the app still works: ``auto`` falls back to the local server, started
in-process on loopback the first time a conversation needs it and kept until the app closes. It
runs the offline speech engine when that is installed; the engine loads its models in the
background, and its progress goes to the window as ``BackendProgress`` events.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_assistant.app.backends import (
    BackendError,
    BackendOverrides,
    choose_kind,
    open_backend,
    resolve_local_engine,
)
from desktop_assistant.app.gui_labels import backend_label, progress_of
from desktop_assistant.config.capabilities import Platform
from desktop_assistant.config.secrets import Secret, SecretStore, SecretStoreError
from desktop_assistant.config.settings import BackendKind, Settings
from desktop_assistant.core.ports import HistoryTurn, ToolDeclaration
from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.engines.base import Engine
from desktop_assistant.server.engines.offline import ENGINE_NAME as OFFLINE_ENGINE
from desktop_assistant.server.engines.offline.loader import LoadProgress
from desktop_assistant.session.connection import CredentialProvider, Endpoint, StaticCredential
from desktop_assistant.session.genai_session import GenaiLiveSession
from desktop_assistant.ui.controllers import BackendInUse, BackendLabel

if TYPE_CHECKING:
    from desktop_assistant.server.engines.offline.engine import OfflineEngine

BackendListener = Callable[[object], None]
"""Receives ``BackendInUse`` and ``BackendProgress`` events, on the loop thread."""


class BackendUnavailable(Exception):
    """The chosen backend cannot be used as configured; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Route:
    kind: BackendKind
    endpoint: Endpoint
    credentials: CredentialProvider
    ephemeral: bool = False
    label: BackendLabel | None = None


def _engine_name(engine: str | Engine) -> str:
    return engine if isinstance(engine, str) else engine.name


def _offline_engine() -> OfflineEngine:
    # Imports numpy and the engine's modules (some 0.2 s): called in an executor.
    from desktop_assistant.server.engines.offline.engine import OfflineEngine

    return OfflineEngine()


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
        self.on_event: BackendListener | None = None
        """Where ``BackendInUse`` (a conversation is starting) and the local engine's
        ``BackendProgress`` go: the window, through the app."""
        self._unsubscribe: Callable[[], None] | None = None

    def effective_kind(self, settings: Settings) -> BackendKind:
        try:
            return choose_kind(settings, BackendOverrides(), self.secrets)
        except SecretStoreError:
            return BackendKind.LOCAL  # an unreadable keychain is the same as no key

    def local_engine(self, settings: Settings) -> str:
        """The engine the local server runs, or would run with ``settings``.

        The first call may take half a second (it looks for the offline engine's packages).
        """
        if self._server is not None:
            return _engine_name(self._server.options.engine)
        if self._server_options is not None:
            return resolve_local_engine(_engine_name(self._server_options.engine))
        return resolve_local_engine(settings.backend.local_engine)

    def label(self, kind: BackendKind, settings: Settings) -> BackendLabel:
        """What the window calls backend ``kind`` (resolved, not ``auto``) with ``settings``."""
        engine = self.local_engine(settings) if kind is BackendKind.LOCAL else ""
        return backend_label(kind, settings, engine)

    def label_now(self, settings: Settings) -> BackendLabel:
        """The label of the backend a conversation would use now; reads the keychain (blocks)."""
        return self.label(self.effective_kind(settings), settings)

    async def local_server(self, settings: Settings) -> LocalLiveServer:
        async with self._server_lock:
            if self._server is None:
                options = self._server_options or ServerOptions(
                    engine=resolve_local_engine(settings.backend.local_engine)
                )
                if options.engine == OFFLINE_ENGINE:
                    # The engine object itself, so that the window can follow its loading.
                    loop = asyncio.get_running_loop()
                    try:
                        engine = await loop.run_in_executor(None, _offline_engine)
                    except ImportError:
                        pass  # not installed: the server's own start fails and says why
                    else:
                        self._follow(engine)
                        options = dataclasses.replace(options, engine=engine)
                server = LocalLiveServer(options)
                try:
                    await server.start()
                except BaseException:
                    self._stop_following()
                    raise
                self._server = server
            return self._server

    def _follow(self, engine: OfflineEngine) -> None:
        loop = asyncio.get_running_loop()

        def on_loader_thread(snapshot: LoadProgress) -> None:
            try:
                loop.call_soon_threadsafe(self._progressed, snapshot)
            except RuntimeError:
                pass  # the loop has closed: the app is gone

        self._unsubscribe = engine.add_progress_listener(on_loader_thread)

    def _progressed(self, snapshot: LoadProgress) -> None:
        event = progress_of(snapshot)
        if event is None:
            return
        if self.on_event is not None:
            self.on_event(event)

    def _stop_following(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

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
            return Route(
                kind,
                endpoint,
                StaticCredential(Secret(server.api_key)),
                label=self.label(kind, settings),
            )
        try:
            # Remote backends hold nothing open: the shared resolver's answer is all we need.
            async with open_backend(settings, secrets=self.secrets) as opened:
                return Route(
                    opened.kind,
                    opened.endpoint,
                    opened.credentials,
                    opened.ephemeral,
                    label=self.label(opened.kind, settings),
                )
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
        if self.on_event is not None and route.label is not None:
            self.on_event(BackendInUse(route.label))
        return GenaiLiveSession(
            settings,
            endpoint=route.endpoint,
            credentials=route.credentials,
            tools=tools,
            ephemeral=route.ephemeral,
            initial_history=history,
        )

    async def aclose(self) -> None:
        self._stop_following()
        if self._server is not None and self._own_server:
            await self._server.stop()
            self._server = None


class BackendNames:
    """``ui.controllers.BackendLabels`` over ``Backends``: what the window calls each backend."""

    def __init__(self, backends: Backends) -> None:
        self._backends = backends

    def local(self, settings: Settings) -> BackendLabel:
        return self._backends.label(BackendKind.LOCAL, settings)

    async def in_use(self, settings: Settings) -> BackendLabel:
        # The keychain may answer over D-Bus: off the loop.
        return await asyncio.get_running_loop().run_in_executor(
            None, self._backends.label_now, settings
        )
