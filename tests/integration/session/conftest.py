"""The real SDK against the local server over TLS: fixtures and an event recorder that waits.

Every wait is on a condition (an event arrived, the server's state changed) with a timeout; no
test sleeps on the clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import pytest_asyncio

from desktop_assistant.config.secrets import Secret
from desktop_assistant.config.settings import Settings
from desktop_assistant.core.ports import AudioBlock
from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.session.connection import Endpoint, StaticCredential
from desktop_assistant.session.genai_session import GenaiLiveSession

WAIT_S = 30.0  # generous: CI machines are small and shared

E = TypeVar("E")

FAST_RECONNECT = {
    "connection": {
        "backoff_initial_s": 0.0,
        "backoff_max_s": 0.0,
        "handover_margin_s": 0.5,
        "connect_timeout_s": 10.0,
    }
}


@pytest_asyncio.fixture
async def server() -> AsyncIterator[LocalLiveServer]:
    async with LocalLiveServer(ServerOptions(engine="echo", speed=50.0, espeak=None)) as running:
        yield running


def local_settings(**changes: Any) -> Settings:
    base = Settings().updated({"backend": {"kind": "local"}, **FAST_RECONNECT})
    return base.updated(changes) if changes else base


def endpoint_for(server: LocalLiveServer) -> Endpoint:
    return Endpoint(
        base_url=server.base_url, ssl_context=server.client_ssl_context(), use_system_proxy=False
    )


def session_for(
    server: LocalLiveServer, settings: Settings | None = None, **kwargs: Any
) -> GenaiLiveSession:
    key = kwargs.pop("api_key", server.api_key)
    return GenaiLiveSession(
        settings or local_settings(),
        endpoint=kwargs.pop("endpoint", None) or endpoint_for(server),
        credentials=kwargs.pop("credentials", None) or StaticCredential(Secret(key)),
        **kwargs,
    )


class Recorder:
    """Collects a LiveSession's events in a task; ``wait`` returns once a condition holds."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.events: list[object] = []
        self.listeners: list[Callable[[object], None]] = []
        self._changed = asyncio.Event()
        self.ended = asyncio.Event()
        self._task = asyncio.ensure_future(self._pump())

    async def _pump(self) -> None:
        try:
            async for event in self.session.events():
                self.events.append(event)
                for listener in self.listeners:
                    listener(event)
                self._changed.set()
        finally:
            self.ended.set()
            self._changed.set()

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    def count(self, kind: type) -> int:
        return len(self.of(kind))

    async def wait(self, condition: Callable[[], bool], within_s: float = WAIT_S) -> None:
        async with asyncio.timeout(within_s):
            while not condition():
                if self.ended.is_set():
                    raise AssertionError(f"the session ended first; events: {self.names()[-15:]}")
                self._changed.clear()
                await self._changed.wait()

    async def wait_for(self, kind: type[E], count: int = 1, within_s: float = WAIT_S) -> E:
        await self.wait(lambda: self.count(kind) >= count, within_s)
        return self.of(kind)[count - 1]

    def names(self) -> list[str]:
        return [type(e).__name__ for e in self.events]

    async def close(self) -> None:
        await self.session.aclose()
        async with asyncio.timeout(WAIT_S):
            await self._task


def blocks_of(pcm: bytes, block_ms: int = 20) -> list[AudioBlock]:
    size = 16 * block_ms * 2
    return [AudioBlock(pcm[i : i + size], captured_at=float(i)) for i in range(0, len(pcm), size)]
