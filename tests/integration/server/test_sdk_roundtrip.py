"""The unmodified SDK against the local server: every message type, round trip."""

from __future__ import annotations

import json

import pytest
from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.server.live import (
    HALF_CASCADE,
    audio_config,
    auto_activity,
    duration_s,
    live,
    manual_activity,
    next_message,
    receive_turn,
    silence,
    stream_audio,
)
from tests.support.fixtures import speech

pytestmark = pytest.mark.asyncio

WEATHER = types.FunctionDeclaration(
    name="get_weather",
    description="The weather in a city.",
    parameters=types.Schema(
        type=types.Type.OBJECT, properties={"cityName": types.Schema(type=types.Type.STRING)}
    ),
)


async def test_text_turn_gets_speech_transcript_and_usage(server: LocalLiveServer) -> None:
    async with live(server) as session:
        assert session.setup_complete is not None
        await session.send_realtime_input(text="hello there")
        turn = await receive_turn(session)

    assert turn.output_transcript.strip() == "You said: hello there"
    parts = turn.audio_parts
    assert parts
    assert all(p.mime_type == "audio/pcm;rate=24000" for p in parts)
    # 24 kHz 16-bit mono in 20-100 ms frames; a whole reply of plausible length.
    assert all(960 <= len(p.data or b"") <= 4800 for p in parts[:-1])
    assert duration_s(turn.audio, 24_000) > 0.5
    flags = [
        "generation_complete"
        if c.generation_complete
        else "turn_complete"
        if c.turn_complete
        else ""
        for c in turn.content()
    ]
    assert [f for f in flags if f] == ["generation_complete", "turn_complete"]
    usage = turn.usage
    assert usage is not None
    assert usage.total_token_count
    assert {d.modality for d in usage.response_tokens_details or []} == {types.MediaModality.AUDIO}


async def test_usage_is_cumulative_across_turns(server: LocalLiveServer) -> None:
    async with live(server) as session:
        await session.send_realtime_input(text="one")
        first = await receive_turn(session)
        await session.send_realtime_input(text="two")
        second = await receive_turn(session)
    assert first.usage
    assert second.usage
    assert second.usage.prompt_token_count > first.usage.prompt_token_count
    assert second.usage.total_token_count > first.usage.total_token_count


async def test_transcriptions_only_when_configured(server: LocalLiveServer) -> None:
    config = types.LiveConnectConfig(
        response_modalities=["AUDIO"],
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(disabled=True)
        ),
    )
    async with live(server, config) as session:
        await session.send_realtime_input(activity_start=types.ActivityStart())
        await stream_audio(session, speech("en_time").pcm16())
        await session.send_realtime_input(activity_end=types.ActivityEnd())
        turn = await receive_turn(session)
    assert turn.audio
    assert not any(c.output_transcription or c.input_transcription for c in turn.content())


async def test_manual_activity_turn_measures_the_speech(server: LocalLiveServer) -> None:
    pcm = speech("en_weather").pcm16()
    async with live(server, manual_activity()) as session:
        await session.send_realtime_input(activity_start=types.ActivityStart())
        await stream_audio(session, pcm)
        await session.send_realtime_input(activity_end=types.ActivityEnd())
        turn = await receive_turn(session)
    assert f"I heard {duration_s(pcm, 16_000):.1f} seconds of speech." in turn.output_transcript
    assert turn.input_transcript


async def test_audio_stream_end_flushes_the_turn(server: LocalLiveServer) -> None:
    pcm = speech("en_time").pcm16()[: 16_000 * 2 * 2]  # cut mid-sentence: no trailing silence
    async with live(server, auto_activity()) as session:
        await stream_audio(session, pcm)
        await session.send_realtime_input(audio_stream_end=True)
        turn = await receive_turn(session)
    assert "seconds of speech" in turn.output_transcript


async def test_client_content_seeds_history_then_completes_a_turn(tmp_path) -> None:
    script = tmp_path / "s.json"
    script.write_text(
        json.dumps({"turns": ["History {history_len}, before: {previous_user_text}."]})
    )
    async with LocalLiveServer(ServerOptions(engine=f"script:{script}", speed=50)) as server:
        async with live(server) as session:
            await session.send_client_content(
                turns=[
                    types.Content(role="user", parts=[types.Part(text="What is 2+2?")]),
                    types.Content(role="model", parts=[types.Part(text="4")]),
                ],
                turn_complete=False,
            )
            await session.send_client_content(
                turns=types.Content(role="user", parts=[types.Part(text="And 3+3?")])
            )
            turn = await receive_turn(session)
    assert turn.output_transcript.strip() == "History 2, before: What is 2+2?."


async def test_video_frames_reach_the_turn(server: LocalLiveServer) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"\0" * 64 + b"\xff\xd9"
    async with live(server) as session:
        await session.send_realtime_input(video=types.Blob(data=jpeg, mime_type="image/jpeg"))
        await session.send_realtime_input(text="what do you see?")
        turn = await receive_turn(session)
    assert "I saw 1 image." in turn.output_transcript


async def test_text_modality_on_a_half_cascade_model(server: LocalLiveServer) -> None:
    config = types.LiveConnectConfig(response_modalities=["TEXT"])
    async with live(server, config, model=HALF_CASCADE) as session:
        await session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text="ping")])
        )
        turn = await receive_turn(session)
    assert turn.text.strip() == "You said: ping"
    assert not turn.audio


async def test_blocking_tool_call_waits_for_the_matching_response(server: LocalLiveServer) -> None:
    config = audio_config(tools=[types.Tool(function_declarations=[WEATHER])])
    async with live(server, config) as session:
        await session.send_realtime_input(text='call get_weather {"cityName": "Paris"}')
        before = await receive_turn(session, until_tool_call=True)
        (call,) = before.tool_calls
        assert call.name == "get_weather"
        assert call.args == {"cityName": "Paris"}
        assert call.id
        assert not before.has("turn_complete")
        await session.send_tool_response(
            function_responses=types.FunctionResponse(
                id=call.id, name=call.name, response={"Sky_State": "sunny"}
            )
        )
        after = await receive_turn(session)
    assert 'The tool get_weather answered {"Sky_State": "sunny"}.' in after.output_transcript
    assert after.has("generation_complete")
    assert after.has("turn_complete")


async def test_context_update_changes_the_instruction(tmp_path) -> None:
    script = tmp_path / "s.json"
    script.write_text(json.dumps({"turns": ["Told: {system_instruction}"]}))
    async with LocalLiveServer(ServerOptions(engine=f"script:{script}", speed=50)) as server:
        config = audio_config(system_instruction="Be kind.")
        async with live(server, config) as session:
            await session.send_realtime_input(text="a")
            first = await receive_turn(session)
            await session.send_context_update(system_instruction="Be terse.")
            await session.send_realtime_input(text="b")
            second = await receive_turn(session)
    assert first.output_transcript.strip() == "Told: Be kind."
    assert second.output_transcript.strip() == "Told: Be terse."


async def test_resumption_updates_only_when_asked(server: LocalLiveServer) -> None:
    async with live(server) as session:
        await session.send_realtime_input(text="no handles")
        turn = await receive_turn(session)
        await session.send_realtime_input(text="next")
        following = await receive_turn(session)
    assert not turn.resumption_updates
    assert not following.resumption_updates

    config = audio_config(session_resumption=types.SessionResumptionConfig())
    async with live(server, config) as session:
        await session.send_realtime_input(text="handles")
        turn = await receive_turn(session)
        update = (await next_message(session)).session_resumption_update
    # Not resumable while the model is answering; a fresh handle once the turn is complete.
    assert [u.resumable for u in turn.resumption_updates] == [False]
    assert update is not None
    assert update.resumable
    assert update.new_handle


async def test_silence_before_speech_is_not_a_turn(server: LocalLiveServer) -> None:
    async with live(server, auto_activity()) as session:
        await stream_audio(session, silence(1.0) + speech("en_weather").pcm16() + silence(1.0))
        turn = await receive_turn(session)
    assert "seconds of speech" in turn.output_transcript
