"""Automatic voice-activity detection (Silero) on the shared speech fixtures, through the SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.server.live import (
    auto_activity,
    duration_s,
    live,
    receive_turn,
    silence,
    speech_bounds,
    stream_audio,
)
from tests.integration.server.test_interruptions import HOLDING, declarations, receive_until_audio
from tests.support.fixtures import speech

pytestmark = pytest.mark.asyncio

SPOKEN = ["en_weather", "en_time", "de_appointment", "fr_question", "es_question", "it_question"]


async def processed(server: LocalLiveServer, seconds: float) -> None:
    """Wait until the server has taken in ``seconds`` of audio (frames are handled in order)."""
    await server.wait_for(lambda: server.stats.audio_in_s >= seconds - 1e-6)


def events(server: LocalLiveServer, kind: str) -> list[float]:
    return [t for k, t in server.connections[-1].vad_events if k == kind]


@pytest.mark.parametrize("name", SPOKEN)
async def test_one_turn_per_utterance_at_the_right_moments(
    server: LocalLiveServer, name: str
) -> None:
    pcm = speech(name).pcm16()
    lead = 0.7
    start, end = speech_bounds(pcm)
    async with live(server, auto_activity(silence_duration_ms=800)) as session:
        await stream_audio(session, silence(lead) + pcm + silence(1.2))
        turn = await receive_turn(session)
        await processed(server, lead + duration_s(pcm, 16_000) + 1.2)
    (onset,) = events(server, "start")
    (offset,) = events(server, "end")
    # Silero flags voice within a few 32 ms windows of the first loud sample; the end is where
    # the trailing silence begins (espeak's last phoneme fades below the loudness threshold).
    assert lead + start - 0.1 <= onset <= lead + start + 0.25
    assert lead + end - 0.1 <= offset <= lead + end + 0.35
    heard = float(turn.output_transcript.split("I heard ")[1].split(" ")[0])
    assert abs(heard - (offset - onset)) <= 0.05
    assert abs(heard - (end - start)) <= 0.4


@pytest.mark.parametrize("name", ["silence_2s", "noise_2s"])
async def test_silence_and_noise_are_not_speech(server: LocalLiveServer, name: str) -> None:
    pcm = speech(name).pcm16()
    async with live(server, auto_activity()) as session:
        await stream_audio(session, pcm)
        await session.send_realtime_input(audio_stream_end=True)
        await session.send_realtime_input(text="ping")
        turn = await receive_turn(session)
    assert turn.output_transcript.strip() == "You said: ping"
    assert server.connections[0].vad_events == []


async def test_silence_duration_decides_where_a_turn_ends(server: LocalLiveServer) -> None:
    pcm = speech("en_interrupt").pcm16()  # "Wait, stop. Tell me about Paris instead."
    # Pauses of about 0.3 s and 0.5 s: a short setting ends a turn at each, a long one at neither.
    for silence_ms, turns in ((150, 3), (400, 2), (1000, 1)):
        before = server.stats.audio_in_s
        async with live(server, auto_activity(silence_duration_ms=silence_ms)) as session:
            await stream_audio(session, pcm + silence(1.5))
            await processed(server, before + duration_s(pcm, 16_000) + 1.5)
        assert len(events(server, "end")) == turns, silence_ms


async def test_prefix_padding_is_the_speech_needed_to_start(server: LocalLiveServer) -> None:
    pcm = speech("en_time").pcm16()
    async with live(server, auto_activity(prefix_padding_ms=5000)) as session:
        await stream_audio(session, pcm + silence(1.0))
        await session.send_realtime_input(text="ping")
        turn = await receive_turn(session)
    assert turn.output_transcript.strip() == "You said: ping"
    assert server.connections[0].vad_events == []


async def test_low_start_sensitivity_commits_no_earlier(server: LocalLiveServer) -> None:
    pcm = silence(0.5) + speech("fr_question").pcm16() + silence(1.0)
    onsets = []
    for sensitivity in (
        types.StartSensitivity.START_SENSITIVITY_HIGH,
        types.StartSensitivity.START_SENSITIVITY_LOW,
    ):
        async with live(server, auto_activity(start_of_speech_sensitivity=sensitivity)) as session:
            await stream_audio(session, pcm)
            await receive_turn(session)
        onsets.append(events(server, "start")[0])
    assert onsets[1] >= onsets[0]


def scripted(tmp_path: Path, turns: list[Any]) -> LocalLiveServer:
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"turns": turns}))
    return LocalLiveServer(ServerOptions(engine=f"script:{path}", speed=50))


async def test_voice_onset_barges_in(tmp_path: Path) -> None:
    lead = 1.0
    pcm = speech("en_interrupt").pcm16()
    async with scripted(tmp_path, [HOLDING, "Paris it is."]) as server:
        async with live(server, auto_activity()) as session:
            await session.send_realtime_input(text="tell me a story")
            await receive_until_audio(session)
            await stream_audio(session, silence(lead))
            await processed(server, lead)
            assert server.connections[0].interruptions == 0  # silence does not interrupt
            await stream_audio(session, pcm + silence(1.0))
            cut = await receive_turn(session)
            answer = await receive_turn(session)
    assert cut.has("interrupted")
    assert not cut.has("generation_complete")
    (onset,) = [t for k, t in server.connections[0].vad_events if k == "start"][:1]
    assert lead - 0.05 <= onset <= lead + speech_bounds(pcm)[0] + 0.25
    assert answer.output_transcript.strip() == "Paris it is."


async def test_no_interruption_keeps_the_model_talking(tmp_path: Path) -> None:
    turn = {"steps": [{"tool_call": {"name": "get_weather", "args": {}}}, {"say": "Sunny."}]}
    async with scripted(tmp_path, [turn, "Now your question."]) as server:
        config = auto_activity(activity_handling=types.ActivityHandling.NO_INTERRUPTION)
        config.tools = declarations()
        async with live(server, config) as session:
            await session.send_realtime_input(text="weather?")
            (call,) = (await receive_turn(session, until_tool_call=True)).tool_calls
            await stream_audio(session, speech("en_time").pcm16() + silence(1.0))
            await server.wait_for(lambda: len(server.connections[0].vad_events) == 2)
            await session.send_tool_response(
                function_responses=types.FunctionResponse(id=call.id, name=call.name, response={})
            )
            first = await receive_turn(session)
            second = await receive_turn(session)
    assert not first.has("interrupted")
    assert first.output_transcript.strip() == "Sunny."
    assert second.output_transcript.strip() == "Now your question."
