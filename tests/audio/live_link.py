"""The unmodified google-genai SDK talking to the local Live server, with our real devices.

This is the media layer tested on its own, below the Assistant: microphone blocks go out as
``realtimeInput`` audio, model audio goes into the speaker with its turn number, and
``interrupted`` calls ``speaker.interrupt()`` at once, as the Assistant does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.genai import types

from desktop_assistant.media.audio.capture import MicrophoneCapture
from desktop_assistant.media.audio.playback import SpeakerPlayback
from desktop_assistant.server import LocalLiveServer, ServerOptions

MODEL = "gemini-2.5-flash-native-audio-preview-09-2025"


@contextlib.asynccontextmanager
async def scripted_server(
    tmp_path: Path, turns: list[Any], after_last: str = "silent", **options: Any
) -> AsyncIterator[LocalLiveServer]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"turns": turns, "after_last": after_last}), encoding="utf-8")
    async with LocalLiveServer(ServerOptions(engine=f"script:{script}", **options)) as server:
        yield server


@contextlib.asynccontextmanager
async def connect(server: LocalLiveServer) -> AsyncIterator[Any]:
    client = server.genai_client()
    config = types.LiveConnectConfig(response_modalities=["AUDIO"])
    async with asyncio.timeout(30):
        connecting = client.aio.live.connect(model=MODEL, config=config)
        session = await connecting.__aenter__()
    try:
        yield session
    finally:
        await connecting.__aexit__(None, None, None)


@dataclass
class MediaLink:
    session: Any
    mic: MicrophoneCapture | None
    speaker: SpeakerPlayback
    turn: int = 1
    interrupted_at: list[float] = field(default_factory=list)
    """``time.monotonic()`` when each ``interrupted`` arrived (before the speaker is cut)."""
    audio_at: dict[int, float] = field(default_factory=dict)
    """Model turn -> arrival time of its first audio frame."""
    received: dict[int, bytearray] = field(default_factory=dict)
    sent_blocks: int = 0
    send_times: list[tuple[float, float]] = field(default_factory=list)
    """(captured_at, handed to the socket) per microphone block."""
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._downlink(), name="link-downlink"))
        if self.mic is not None:
            self._tasks.append(asyncio.create_task(self._uplink(), name="link-uplink"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, EOFError):
                await task
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    async def say_to_model(self, text: str) -> None:
        await self.session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text=text)]), turn_complete=True
        )

    async def _uplink(self) -> None:
        assert self.mic is not None
        while True:
            block = await self.mic.read()
            await self.session.send_realtime_input(
                audio=types.Blob(data=block.pcm, mime_type="audio/pcm;rate=16000")
            )
            self.sent_blocks += 1
            self.send_times.append((block.captured_at, time.monotonic()))

    async def _downlink(self) -> None:
        while True:
            async for message in self.session.receive():
                content = message.server_content
                if content is not None and content.interrupted:
                    # Interruption first, before anything else in the message.
                    self.interrupted_at.append(time.monotonic())
                    self.speaker.interrupt()
                    self.turn += 1
                    continue
                if message.data:
                    now = time.monotonic()
                    self.audio_at.setdefault(self.turn, now)
                    self.received.setdefault(self.turn, bytearray()).extend(message.data)
                    self.speaker.write(message.data, self.turn)
                if content is not None and content.turn_complete:
                    self.turn += 1
