"""Twenty sessions streaming speech at once: every utterance of every session is served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.server.live import auto_activity, live, silence, stream_audio
from tests.support.fixtures import speech

SESSIONS = 20
STREAM_S = 30.0  # seconds of microphone audio per session (sent as fast as the socket takes it)


@dataclass
class Seen:
    turns_completed: int = 0
    audio_bytes: int = 0
    interrupted: int = 0


@pytest_asyncio.fixture
async def server() -> AsyncIterator[LocalLiveServer]:
    async with LocalLiveServer(ServerOptions(speed=50.0)) as running:
        yield running


def microphone() -> tuple[bytes, int]:
    """Utterances separated by 1.5 s pauses, as much as fits in STREAM_S."""
    utterance = speech("en_weather").pcm16() + silence(1.5)
    count = int(STREAM_S / (len(utterance) / 32_000))
    return utterance * count, count


async def one_session(server: LocalLiveServer, pcm: bytes, utterances: int) -> Seen:
    seen = Seen()
    done = asyncio.Event()
    async with live(server, auto_activity(silence_duration_ms=800)) as session:

        async def read() -> None:
            while True:
                async for message in session.receive():
                    if message.data:
                        seen.audio_bytes += len(message.data)
                    content = message.server_content
                    if content and content.interrupted:
                        seen.interrupted += 1
                    if content and content.turn_complete:
                        seen.turns_completed += 1
                        if seen.turns_completed == utterances:
                            done.set()

        reader = asyncio.create_task(read())
        try:
            await stream_audio(session, pcm)
            async with asyncio.timeout(120):
                await done.wait()
        finally:
            reader.cancel()
    return seen


@pytest.mark.slow
@pytest.mark.asyncio
@pytest.mark.timeout(300)
async def test_twenty_sessions_are_all_served(server: LocalLiveServer) -> None:
    pcm, utterances = microphone()
    results = await asyncio.gather(*(one_session(server, pcm, utterances) for _ in range(SESSIONS)))
    # Every utterance of every session ended a turn (answered, or cut by the next utterance),
    # and every session heard the model speak: nobody was starved.
    assert [r.turns_completed for r in results] == [utterances] * SESSIONS
    assert all(r.audio_bytes > 0 for r in results)
    assert all(r.turns_completed - r.interrupted >= 1 for r in results)
    assert server.stats.sessions_started == SESSIONS
    ends = [sum(1 for kind, _ in c.vad_events if kind == "end") for c in server.connections]
    assert ends == [utterances] * SESSIONS
    assert server.stats.audio_in_s >= SESSIONS * STREAM_S * 0.9
