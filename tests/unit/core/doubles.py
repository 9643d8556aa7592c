"""Small in-memory ports for unit tests of the Assistant (the integration tier uses real ones)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from desktop_assistant.core.events import SessionEvent
from desktop_assistant.core.ports import AudioBlock, Level, ToolResponse


class ScriptedSession:
    """A LiveSession whose events the test feeds and whose sends it records, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []
        self._events: asyncio.Queue[SessionEvent | None] = asyncio.Queue()
        self.closed = False
        self.changed = asyncio.Event()

    def feed(self, *events: SessionEvent) -> None:
        for event in events:
            self._events.put_nowait(event)

    def _record(self, verb: str, payload: object = None) -> None:
        self.sent.append((verb, payload))
        self.changed.set()

    async def send_audio(self, block: AudioBlock) -> None:
        self._record("audio", block)

    async def send_video(self, jpeg: bytes) -> None:
        self._record("video", jpeg)

    async def send_text(self, text: str) -> None:
        self._record("text", text)

    async def send_activity_start(self) -> None:
        self._record("activity_start")

    async def send_activity_end(self) -> None:
        self._record("activity_end")

    async def send_audio_stream_end(self) -> None:
        self._record("audio_stream_end")

    async def send_tool_responses(self, responses: Sequence[ToolResponse]) -> None:
        self._record("tools", list(responses))

    def events(self) -> AsyncIterator[SessionEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[SessionEvent]:
        while True:
            event = await self._events.get()
            if event is None:
                return
            yield event

    async def aclose(self) -> None:
        self.closed = True
        self._record("close")
        self._events.put_nowait(None)

    def verbs(self) -> list[str]:
        return [verb for verb, _ in self.sent]

    async def wait_for(self, condition) -> None:
        async with asyncio.timeout(5):
            while not condition():
                self.changed.clear()
                await self.changed.wait()


class RecordingSink:
    """An AudioSink that logs calls; ``played`` says how much of each turn "reached the device"."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.played: dict[int, int] = {}

    async def start(self) -> None:
        self.calls.append(("start", None))

    async def stop(self) -> None:
        self.calls.append(("stop", None))

    def write(self, pcm: bytes, turn: int) -> None:
        self.calls.append(("write", (turn, len(pcm))))

    def interrupt(self) -> None:
        self.calls.append(("interrupt", None))

    def played_samples(self, turn: int) -> int:
        return self.played.get(turn, 0)

    def level(self) -> Level:
        return Level(-120.0, -120.0)


class QueueSource:
    """An AudioSource the test pushes blocks into; ``finish()`` ends it like a file does."""

    def __init__(self) -> None:
        self._blocks: asyncio.Queue[AudioBlock | None] = asyncio.Queue()
        self.started = False
        self.stopped = False

    def push(self, count: int, start_at: int = 0) -> None:
        for i in range(count):
            self._blocks.put_nowait(
                AudioBlock(bytes([start_at + i % 250]) * 640, captured_at=float(start_at + i))
            )

    def finish(self) -> None:
        self._blocks.put_nowait(None)

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def read(self) -> AudioBlock:
        block = await self._blocks.get()
        if block is None:
            raise EOFError
        return block

    def level(self) -> Level:
        return Level(-120.0, -120.0)
