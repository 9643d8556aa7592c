"""The one way frames leave a connection: encoding, frame kind, stalls and unknown-field faults."""

from __future__ import annotations

import asyncio

from websockets.asyncio.server import ServerConnection

from desktop_assistant.server.stats import ConnectionInfo, ServerStats
from desktop_assistant.server.wire import FrameKind, JsonObject, encode_frame


def with_unknown_fields(message: JsonObject) -> JsonObject:
    """The message plus fields a newer service might send, at the top level and one level down."""
    out: JsonObject = {}
    for key, value in message.items():
        out[key] = {**value, "futureNestedField": {"x": 1}} if isinstance(value, dict) else value
    out["futureTopLevelField"] = {"note": "ignored by clients that do not know it"}
    return out


class Outbox:
    def __init__(
        self, ws: ServerConnection, kind: FrameKind, stats: ServerStats, info: ConnectionInfo
    ) -> None:
        self._ws = ws
        self.kind: FrameKind = kind
        self.unknown_fields = False
        self._stats = stats
        self._info = info
        self._open = asyncio.Event()
        self._open.set()

    async def send(self, message: JsonObject) -> None:
        if self.unknown_fields:
            message = with_unknown_fields(message)
        await self.send_raw(encode_frame(message, self.kind))

    async def send_raw(self, frame: str | bytes) -> None:
        await self._open.wait()
        await self._ws.send(frame)
        self._stats.frames_out += 1
        self._stats.bytes_out += len(frame)
        self._info.frames_out += 1

    def stall(self, seconds: float) -> None:
        """Hold every frame for ``seconds`` (the socket stays up and keeps answering pings)."""
        self._open.clear()
        asyncio.get_running_loop().call_later(seconds, self._open.set)
