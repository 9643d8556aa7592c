"""The offline engine through the local server and the unmodified google-genai SDK, over TLS."""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.engines.base import (
    AudioOut,
    EngineRequest,
    SessionConfig,
    TextDelta,
    UserTurn,
)
from desktop_assistant.server.engines.offline.engine import OfflineEngine
from desktop_assistant.server.engines.offline.llm_convert import MANIFEST, converted_dir
from desktop_assistant.server.engines.offline.loader import LoadState, ModelLoader, Models
from desktop_assistant.server.engines.offline.wer import normalise, word_error_rate
from tests.integration.offline.conftest import espeak_pcm
from tests.integration.server.live import (
    HALF_CASCADE,
    audio_config,
    live,
    receive_turn,
    silence,
    stream_audio,
)
from tests.support.fixtures import speech

TIME_TOOL = types.Tool(
    function_declarations=[
        types.FunctionDeclaration(
            name="get_current_time",
            description="The current time, in a time zone",
            parameters=types.Schema(
                type=types.Type.OBJECT,
                properties={"timezone": types.Schema(type=types.Type.STRING)},
            ),
        )
    ]
)


@pytest_asyncio.fixture
async def fast_server(offline_models: Models) -> AsyncIterator[LocalLiveServer]:
    """The offline engine with unpaced model audio (the replies arrive as fast as they are made)."""
    async with LocalLiveServer(ServerOptions(engine="offline", speed=math.inf)) as running:
        yield running


@pytest_asyncio.fixture
async def realtime_server(offline_models: Models) -> AsyncIterator[LocalLiveServer]:
    """Model audio paced at real time, as a speaker plays it: long replies can be interrupted."""
    async with LocalLiveServer(ServerOptions(engine="offline", speed=1.0)) as running:
        yield running


def spoken_time(moment: datetime) -> str:
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


@pytest.mark.asyncio
async def test_spoken_time_question_goes_through_the_clients_time_tool(
    fast_server: LocalLiveServer,
) -> None:
    fixture = speech("en_time")
    async with live(fast_server, audio_config(tools=[TIME_TOOL])) as session:
        await stream_audio(session, fixture.pcm16() + silence(1.0))
        asked = await receive_turn(session, until_tool_call=True)
        assert word_error_rate([fixture.text], [asked.input_transcript]) <= 0.15
        (call,) = asked.tool_calls
        assert call.name == "get_current_time"
        assert call.args == {"timezone": "Asia/Tokyo"}
        await session.send_tool_response(
            function_responses=[
                types.FunctionResponse(
                    id=call.id, name=call.name, response={"time": "2026-12-03T01:05:00+09:00"}
                )
            ]
        )
        answered = await receive_turn(session)
    assert answered.output_transcript == "It's 1:05 AM in Tokyo."
    assert answered.has("turn_complete")
    # The audio is the answer, spoken: recognise it again.
    models = await OfflineEngine().models()
    heard = await asyncio.to_thread(recognise_24k, models, answered.audio)
    assert {"one", "five", "tokyo"} <= set(normalise(heard)), heard


def recognise_24k(models: Models, pcm: bytes) -> str:
    import numpy as np

    from desktop_assistant.server.engines.offline.resample import resample

    audio = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0
    return models.asr.transcribe(resample(audio, 24000, 16000)).text


@pytest.mark.asyncio
async def test_without_a_time_tool_the_clock_answers(fast_server: LocalLiveServer) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    before = datetime.now(tokyo)
    async with live(fast_server) as session:
        await stream_audio(session, speech("en_time").pcm16() + silence(1.0))
        turn = await receive_turn(session)
    after = datetime.now(tokyo)
    possible = {
        f"It's {spoken_time(before + timedelta(minutes=m))} in Tokyo."
        for m in range(int((after - before).total_seconds() // 60) + 2)
    }
    assert turn.output_transcript in possible
    assert len(turn.audio) > 24_000 * 2 * 0.8  # a spoken sentence, not a click
    assert not turn.tool_calls
    assert turn.has("turn_complete")
    usage = turn.usage
    assert usage is not None
    assert (usage.total_token_count or 0) > 0


@pytest.mark.asyncio
async def test_barge_in_stops_the_reply_and_the_next_question_is_answered(
    realtime_server: LocalLiveServer,
) -> None:
    long_question = espeak_pcm("Tell me a long story about a dragon.")
    async with live(realtime_server) as session:
        await stream_audio(session, long_question + silence(1.0))
        cut = [m async for m in until_first_audio(session)]
        # The reply is playing (paced at real time): the user talks over it.
        await stream_audio(session, speech("en_interrupt").pcm16() + silence(1.0))
        rest = await receive_turn(session)
        first = cut + rest.messages
        next_turn = await receive_turn(session)
    flags = [m.server_content for m in first if m.server_content]
    assert any(c.interrupted for c in flags)
    assert not any(c.generation_complete for c in flags)
    played = sum(len(m.data or b"") for m in first) / (24_000 * 2)
    assert played < 8.0  # the dragon story was cut short
    assert "Paris" in next_turn.input_transcript
    assert len(next_turn.audio) > 24_000 * 2 * 0.5
    assert next_turn.output_transcript.strip()
    assert next_turn.has("turn_complete")


async def until_first_audio(session: object) -> AsyncIterator[types.LiveServerMessage]:
    stream = session.receive()  # type: ignore[attr-defined]
    try:
        async with asyncio.timeout(30):
            async for message in stream:
                yield message
                if message.data:
                    return
    finally:
        await stream.aclose()


@pytest.mark.asyncio
async def test_text_modality_gets_a_text_reply(fast_server: LocalLiveServer) -> None:
    config = types.LiveConnectConfig(response_modalities=["TEXT"])
    async with live(fast_server, config, model=HALF_CASCADE) as session:
        await session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text="Who are you?")])
        )
        turn = await receive_turn(session)
    assert "offline" in turn.text.lower()
    assert turn.audio == b""


@pytest.mark.asyncio
async def test_a_free_question_gets_a_fluent_spoken_answer(fast_server: LocalLiveServer) -> None:
    async with live(fast_server) as session:
        await stream_audio(session, espeak_pcm("Can you explain what a black hole is?"))
        await stream_audio(session, silence(1.0))
        turn = await receive_turn(session)
    assert "black hole" in turn.input_transcript.lower()
    words = re.findall(r"[A-Za-z']+", turn.output_transcript)
    assert len(words) >= 5
    assert len(turn.audio) > 24_000 * 2 * 1.0


@pytest.mark.asyncio
async def test_ending_a_reply_early_stops_generation_and_synthesis(offline_models: Models) -> None:
    engine = OfflineEngine()
    session = engine.open_session(SessionConfig(model="offline"))
    request = EngineRequest(
        UserTurn(text="Tell me a long story about a dragon."), (), 0, SessionConfig(model="x")
    )
    items = session.respond(request)
    async with asyncio.timeout(30):
        async for item in items:
            if isinstance(item, AudioOut):
                break
    await items.aclose()  # what the server does on barge-in
    # Both workers are free again at once: nothing of the old reply is still computing.
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(5):
        await loop.run_in_executor(offline_models.think_pool, lambda: None)
        await loop.run_in_executor(offline_models.voice_pool, lambda: None)
    assert not offline_models.voice.is_running()
    # And the next reply runs to its end (the model's lock was released).
    again = session.respond(
        EngineRequest(UserTurn(text="Say hello."), (), 1, SessionConfig(model="x"))
    )
    async with asyncio.timeout(30):
        texts = [i.text async for i in again if isinstance(i, TextDelta)]
    assert "".join(texts).strip()


@pytest.mark.asyncio
async def test_a_damaged_model_is_reported_to_the_user(
    offline_models: Models, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = converted_dir()
    folder.mkdir(parents=True)
    (folder / MANIFEST).write_text(json.dumps({"model_sha256": "0" * 64}), encoding="utf-8")
    loader = ModelLoader()
    seen: list[LoadState] = []
    loader.add_listener(lambda p: seen.append(p.state))
    engine = OfflineEngine(loader)
    async with LocalLiveServer(ServerOptions(engine=engine, speed=math.inf)) as server:
        async with live(server) as session:
            await session.send_realtime_input(text="Hello?")
            turn = await receive_turn(session)
    assert "language model" in turn.output_transcript
    assert "incomplete" in turn.output_transcript
    assert seen[-1] is LoadState.FAILED
    assert loader.progress.state is LoadState.FAILED


@pytest.mark.asyncio
async def test_on_one_free_core_the_model_waits_for_the_voice(offline_models: Models) -> None:
    import dataclasses

    from desktop_assistant.server.engines.offline.threads import plan_threads

    one_core = dataclasses.replace(offline_models, plan=plan_threads(1))
    engine = OfflineEngine(ModelLoader.of(one_core))
    session = engine.open_session(SessionConfig(model="offline"))
    request = EngineRequest(
        UserTurn(text="Can you explain what a black hole is?"), (), 0, SessionConfig(model="x")
    )
    async with asyncio.timeout(60):
        items = [item async for item in session.respond(request)]
    text = "".join(i.text for i in items if isinstance(i, TextDelta))
    audio = [i for i in items if isinstance(i, AudioOut)]
    assert "black hole" in text.lower()
    assert len(audio) >= 2  # clause by clause, each spoken
