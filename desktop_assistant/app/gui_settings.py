"""Settings and first-run help for the window: the settings file, and the key in the keychain.

``StoreSettings`` is the ``ui.controllers.SettingsController``: it saves what the user applies
(never the one-run overrides from the command line) and restarts a running conversation when the
change needs a new connection. ``KeychainSetup`` is the ``ui.controllers.BackendSetup``: it checks
a pasted key by opening a real Live session with it before the keychain keeps it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from desktop_assistant.app.gui_backend import Backends
from desktop_assistant.config.capabilities import Platform
from desktop_assistant.config.persistence import SettingsStore
from desktop_assistant.config.secrets import Secret, SecretStoreError
from desktop_assistant.config.settings import Settings
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    SessionErrored,
    SessionStarted,
)
from desktop_assistant.session.connection import Endpoint, StaticCredential
from desktop_assistant.session.genai_session import GenaiLiveSession

log = logging.getLogger(__name__)

KEY_CHECK_TIMEOUT_S = 20.0


class StoreSettings:
    """``settings`` are the saved ones; ``overrides`` (sections) apply on top for this run."""

    def __init__(
        self,
        store: SettingsStore | None,
        settings: Settings,
        *,
        locked: frozenset[str] = frozenset(),
        overrides: Mapping[str, Any] | None = None,
        restart: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._store = store
        self._saved = settings
        self._overrides = dict(overrides or {})
        self._launched = settings.updated(self._overrides) if self._overrides else settings
        self._settings = self._launched
        self._locked = locked
        self.restart = restart
        self.on_applied: Callable[[Settings], None] | None = None
        """Pushes the settings a running conversation takes without reconnecting."""

    def current(self) -> Settings:
        return self._settings

    def locked(self) -> frozenset[str]:
        return self._locked

    async def apply(self, settings: Settings, *, reconnect: bool) -> None:
        self._settings = settings
        if self.on_applied is not None:
            self.on_applied(settings)
        if self._store is not None:
            to_save = self._without_overrides(settings)
            await asyncio.get_running_loop().run_in_executor(None, self._store.save, to_save)
        if reconnect and self.restart is not None:
            await self.restart()

    def _without_overrides(self, settings: Settings) -> Settings:
        """A command-line override (``--backend local``) lasts one run: keep the saved value.

        A section the user changed in the window since the launch is theirs, and is saved.
        """
        if not self._overrides:
            return settings
        data = settings.model_dump(mode="json")
        launched = self._launched.model_dump(mode="json")
        saved = self._saved.model_dump(mode="json")
        for section in self._overrides:
            if data.get(section) == launched.get(section):
                data[section] = saved[section]
        return Settings.model_validate(data)


class KeychainSetup:
    def __init__(self, backends: Backends, settings: Callable[[], Settings]) -> None:
        self._backends = backends
        self._settings = settings

    def stored_key_hint(self) -> str:
        try:
            key = self._backends.secrets.api_key()
        except SecretStoreError:
            return ""
        return key.secret.masked if key is not None else ""

    async def validate_api_key(self, key: str) -> str:
        """Open a Live session with ``key``; ``""`` once the service has accepted it."""
        settings = self._settings().updated(
            {"backend": {"kind": "gemini"}, "connection": {"reconnect_attempts": 0}}
        )
        backend = settings.backend
        endpoint = Endpoint(
            platform=Platform.GEMINI_API,
            base_url=backend.base_url,
            api_version=backend.api_version,
            ca_file=backend.ca_file,
        )
        session = GenaiLiveSession(
            settings, endpoint=endpoint, credentials=StaticCredential(Secret(key.strip()))
        )
        try:
            async with asyncio.timeout(KEY_CHECK_TIMEOUT_S):
                async for event in session.events():
                    if isinstance(event, SessionStarted):
                        return ""
                    if isinstance(event, SessionErrored):
                        return event.message
                    if (
                        isinstance(event, ConnectionStateChanged)
                        and event.state is ConnectionState.FAILED
                    ):
                        return event.detail or "The service could not be reached to check the key."
        except TimeoutError:
            return "The service did not answer in time; check the network and try again."
        finally:
            await session.aclose()
        return "The service closed the connection before accepting the key."

    async def store_api_key(self, key: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._backends.secrets.set_api_key, key)
        except SecretStoreError as error:
            raise ValueError(str(error)) from None
