"""A TLS WebSocket endpoint that records exactly what the SDK sends (path, headers, frames).

It answers ``setupComplete`` and then stays quiet, so every client frame can be checked as it
arrived on the wire. Used where the local server's parsed view is not enough: exact spellings.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

from desktop_assistant.server import tls


@dataclass
class Capture:
    path: str
    headers: dict[str, str]
    frames: list[dict[str, Any]] = field(default_factory=list)

    @property
    def setup(self) -> dict[str, Any]:
        return self.frames[0]["setup"]


class RecordingEndpoint:
    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self.captures: list[Capture] = []
        self._server: Server | None = None
        self._changed = asyncio.Event()

    async def __aenter__(self) -> RecordingEndpoint:
        loop = asyncio.get_running_loop()
        self.files = await loop.run_in_executor(None, tls.generate, self._directory, None)
        self._server = await serve(self._handle, "127.0.0.1", 0, ssl=tls.server_context(self.files))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    def client_ssl_context(self):
        return tls.client_context(self.files.ca_file)

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        capture = Capture(
            ws.request.path, {k.lower(): v for k, v in ws.request.headers.raw_items()}
        )
        self.captures.append(capture)
        first = await ws.recv()
        capture.frames.append(json.loads(first))
        await ws.send(json.dumps({"setupComplete": {}}).encode())
        self._changed.set()
        async for frame in ws:
            capture.frames.append(json.loads(frame))
            self._changed.set()

    async def wait(self, condition, within_s: float = 20.0) -> None:
        async with asyncio.timeout(within_s):
            while not condition():
                self._changed.clear()
                await self._changed.wait()
