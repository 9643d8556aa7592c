from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from desktop_assistant.server import LocalLiveServer, ServerOptions


@pytest_asyncio.fixture
async def server() -> AsyncIterator[LocalLiveServer]:
    """The echo engine, with model audio paced 50x faster than real time."""
    async with LocalLiveServer(ServerOptions(engine="echo", speed=50.0)) as running:
        yield running
