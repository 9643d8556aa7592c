"""Stopping the server mid-turn: sockets close with 1001, and nothing of the server lives on."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from google.genai import errors, types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.engines.base import (
    AudioOut,
    Engine,
    EngineRequest,
    EngineSession,
    OutputItem,
    SessionConfig,
)
from desktop_assistant.server.engines.script import tone
from tests.integration.server.live import (
    auto_activity,
    live,
    receive_turn,
    silence,
    stream_audio,
)
from tests.integration.server.test_interruptions import receive_until_audio
from tests.support.fixtures import speech

pytestmark = pytest.mark.asyncio


class LongTalk(EngineSession):
    def __init__(self, engine: LongTalkEngine) -> None:
        self._engine = engine

    async def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        try:
            # A minute of speech, paced in real time: the turn is mid-audio when the server stops.
            yield AudioOut(tone(220, 60.0), transcript="This will take a while to say. ")
        finally:
            self._engine.generations_ended += 1

    async def aclose(self) -> None:
        self._engine.sessions_closed += 1


class LongTalkEngine(Engine):
    name = "long-talk"

    def __init__(self) -> None:
        self.generations_ended = 0
        self.sessions_closed = 0
        self.closed = False

    def open_session(self, config: SessionConfig) -> EngineSession:
        return LongTalk(self)

    async def aclose(self) -> None:
        self.closed = True


def other_tasks() -> list[asyncio.Task[object]]:
    current = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not current and not t.done()]


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_stopping_mid_turn_goes_away_and_leaves_nothing_running(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    engine = LongTalkEngine()
    async with LocalLiveServer(ServerOptions(engine=engine, speed=1.0)) as server:
        async with live(server) as session:
            await session.send_realtime_input(text="talk to me")
            await receive_until_audio(session)  # the model is speaking, paced in real time
            await server.stop()  # what leaving `async with` does
            server_tasks = other_tasks()
            with pytest.raises(errors.APIError) as closed:
                await receive_turn(session)
    assert closed.value.code == 1001  # going away, as a restarting service says
    assert server_tasks == []  # generation, pacing and timers ended before stop() returned
    assert engine.generations_ended == 1
    assert engine.sessions_closed == 1
    assert engine.closed
    (info,) = server.connections
    assert info.closed
    assert server.stats.connections_active == 0
    assert errors_logged(caplog) == []
    assert other_tasks() == []


async def test_stopping_while_the_user_speaks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with LocalLiveServer(ServerOptions(engine="echo", speed=1.0)) as server:
        async with live(server, auto_activity()) as session:
            pcm = speech("en_weather").pcm16()
            await stream_audio(session, silence(0.3) + pcm[: len(pcm) // 2])
            await server.wait_for(lambda: bool(server.connections[0].vad_events))
            await server.stop()
            server_tasks = other_tasks()
            with pytest.raises(errors.APIError) as closed:
                await receive_turn(session)
    assert closed.value.code == 1001
    assert [kind for kind, _ in server.connections[0].vad_events] == ["start"]  # mid-speech
    assert server_tasks == []
    assert errors_logged(caplog) == []
    assert other_tasks() == []


async def test_stopping_while_a_turn_is_queued(caplog: pytest.LogCaptureFixture) -> None:
    """NO_INTERRUPTION queues the next turn behind the one being spoken; stop drops both."""
    caplog.set_level(logging.INFO)
    config = auto_activity(activity_handling=types.ActivityHandling.NO_INTERRUPTION)
    async with LocalLiveServer(ServerOptions(engine="echo", speed=1.0)) as server:
        async with live(server, config) as session:
            await session.send_realtime_input(text="one two three four five six seven eight")
            await receive_until_audio(session)
            await session.send_realtime_input(text="and then")
            await server.wait_for(lambda: server.connections[0].frames_in >= 3)
            await server.stop()
            server_tasks = other_tasks()
            with pytest.raises(errors.APIError) as closed:
                await receive_turn(session)
    assert closed.value.code == 1001
    assert server_tasks == []
    assert errors_logged(caplog) == []
    assert other_tasks() == []


async def test_a_server_that_cannot_listen_frees_what_it_started(tmp_path: Path) -> None:
    engine = LongTalkEngine()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        options = ServerOptions(engine=engine, port=port, state_dir=tmp_path)
        with pytest.raises(OSError, match="in use"):
            async with LocalLiveServer(options):
                pass
    assert engine.closed  # the engine started, then the port was taken: it is closed again
    assert other_tasks() == []
