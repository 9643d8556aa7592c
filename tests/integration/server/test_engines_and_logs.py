"""Pluggable engines through the server, other input sample rates, and logs without secrets."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import numpy as np
import pytest
import soxr
from google.genai import errors, types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.engines.base import (
    Engine,
    EngineRequest,
    EngineSession,
    OutputItem,
    SessionConfig,
    TextDelta,
    UserTurn,
)
from tests.integration.server.live import live, manual_activity, receive_turn, stream_audio
from tests.support.fixtures import speech

pytestmark = pytest.mark.asyncio


class Broken(EngineSession):
    async def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        yield TextDelta("about to fail ")
        raise RuntimeError("engine bug")


class Counting(EngineSession):
    def __init__(self, engine: CustomEngine) -> None:
        self._engine = engine

    async def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        assert isinstance(request.input, UserTurn)
        self._engine.inputs.append(request.input)
        yield TextDelta(f"turn {request.turn_index} with {len(request.history)} before")

    async def aclose(self) -> None:
        self._engine.closed += 1


class CustomEngine(Engine):
    name = "custom"

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.started = False
        self.closed = 0
        self.inputs: list[UserTurn] = []

    async def start(self) -> None:
        self.started = True

    def open_session(self, config: SessionConfig) -> EngineSession:
        return Broken() if self.broken else Counting(self)


async def test_an_engine_object_plugs_in() -> None:
    engine = CustomEngine()
    async with LocalLiveServer(ServerOptions(engine=engine, speed=50)) as server:
        assert engine.started
        config = types.LiveConnectConfig(
            response_modalities=["AUDIO"],
            output_audio_transcription=types.AudioTranscriptionConfig(),
        )
        async with live(server, config) as session:
            await session.send_realtime_input(text="a")
            first = await receive_turn(session)
            await session.send_realtime_input(text="b")
            second = await receive_turn(session)
        await server.wait_for(lambda: engine.closed == 1)
    assert first.output_transcript == "turn 0 with 0 before"
    assert second.output_transcript == "turn 1 with 2 before"
    assert [t.text for t in engine.inputs] == ["a", "b"]


async def test_an_engine_failure_closes_1011() -> None:
    async with LocalLiveServer(ServerOptions(engine=CustomEngine(broken=True), speed=50)) as server:
        async with live(server) as session:
            await session.send_realtime_input(text="x")
            with pytest.raises(errors.APIError) as caught:
                await receive_turn(session)
    assert caught.value.code == 1011
    assert "Internal error encountered." in str(caught.value)


async def test_input_at_48_khz_is_resampled_to_16_khz() -> None:
    engine = CustomEngine()
    pcm16k = speech("en_time").pcm16()
    samples = np.frombuffer(pcm16k, dtype="<i2")
    pcm48k = np.asarray(soxr.resample(samples, 16_000, 48_000), dtype="<i2").tobytes()
    async with LocalLiveServer(ServerOptions(engine=engine, speed=50)) as server:
        async with live(server, manual_activity()) as session:
            await session.send_realtime_input(activity_start=types.ActivityStart())
            await stream_audio(session, pcm48k, rate=48_000)
            await session.send_realtime_input(activity_end=types.ActivityEnd())
            await receive_turn(session)
    (turn,) = engine.inputs
    assert turn.audio_s == pytest.approx(len(pcm16k) / 32_000, abs=0.05)


@pytest.mark.filterwarnings("ignore:.*experimental")
async def test_server_logs_hold_no_key_or_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with LocalLiveServer(ServerOptions(speed=50)) as server:
        token = server.mint_token()
        async with live(server) as session:
            await session.send_realtime_input(text="x")
            await receive_turn(session)
        url_key = server.base_url.replace("https", "wss") + "?key=" + server.api_key
        with pytest.raises(errors.APIError):
            async with live(server, api_key="wrong-" + server.api_key):
                pass
        async with live(server, api_key=token, api_version="v1alpha"):
            pass
    server_logs = [r.getMessage() for r in caplog.records if r.name.startswith("desktop_assistant")]
    assert server_logs  # the server did log its connections
    for line in server_logs:
        assert server.api_key not in line
        assert token.removeprefix("auth_tokens/") not in line
        assert url_key not in line
