"""Barge-in, NO_INTERRUPTION, and the scheduling of non-blocking tool results."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.server.live import (
    WAIT_S,
    Turn,
    audio_config,
    live,
    manual_activity,
    receive_turn,
    stream_audio,
)
from tests.support.fixtures import speech

pytestmark = pytest.mark.asyncio

HOLDING = {"steps": [{"say": "Let me tell you a long story."}, {"hold": True}]}


def declarations(non_blocking: bool = False) -> list[types.Tool]:
    behavior = types.Behavior.NON_BLOCKING if non_blocking else None
    return [
        types.Tool(
            function_declarations=[
                types.FunctionDeclaration(name="get_weather", description="d", behavior=behavior)
            ]
        )
    ]


@pytest_asyncio.fixture
async def scripted(tmp_path: Path) -> AsyncIterator[Any]:
    servers: list[LocalLiveServer] = []

    async def start(turns: list[Any]) -> LocalLiveServer:
        path = tmp_path / f"script{len(servers)}.json"
        path.write_text(json.dumps({"turns": turns}))
        server = LocalLiveServer(ServerOptions(engine=f"script:{path}", speed=50))
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


async def receive_until_audio(session: Any) -> Turn:
    """Messages up to the first model audio: the model is speaking."""
    turn = Turn()
    async with asyncio.timeout(WAIT_S):
        async for message in session.receive():
            turn.messages.append(message)
            if message.data:
                break
    return turn


async def speak(session: Any, fixture: str = "en_time") -> None:
    await session.send_realtime_input(activity_start=types.ActivityStart())
    await stream_audio(session, speech(fixture).pcm16())
    await session.send_realtime_input(activity_end=types.ActivityEnd())


async def test_activity_start_interrupts_the_model(scripted: Any) -> None:
    server = await scripted([HOLDING, "Second answer."])
    async with live(server, manual_activity()) as session:
        await session.send_realtime_input(text="tell me a story")
        await receive_until_audio(session)
        await session.send_realtime_input(activity_start=types.ActivityStart())
        cut = await receive_turn(session)
        await stream_audio(session, speech("en_interrupt").pcm16())
        await session.send_realtime_input(activity_end=types.ActivityEnd())
        answer = await receive_turn(session)
    flags = [c for c in cut.content() if c.interrupted or c.turn_complete]
    assert [bool(c.interrupted) for c in flags] == [True, False]
    assert flags[-1].turn_complete
    assert not cut.has("generation_complete")
    assert answer.output_transcript.strip() == "Second answer."
    assert server.connections[0].interruptions == 1


async def test_barge_in_cancels_pending_tool_calls(scripted: Any) -> None:
    turn = {"steps": [{"say": "Checking."}, {"tool_call": {"name": "get_weather", "args": {}}}]}
    server = await scripted([turn, "After."])
    config = manual_activity()
    config.tools = declarations()
    async with live(server, config) as session:
        await session.send_realtime_input(text="weather?")
        before = await receive_turn(session, until_tool_call=True)
        (call,) = before.tool_calls
        await session.send_realtime_input(activity_start=types.ActivityStart())
        cut = await receive_turn(session)
    assert cut.has("interrupted")
    assert cut.cancelled_ids == [call.id]
    assert cut.has("turn_complete")
    assert not cut.has("generation_complete")


async def test_no_interruption_finishes_then_answers(scripted: Any) -> None:
    turn = {"steps": [{"tool_call": {"name": "get_weather", "args": {}}}, {"say": "Sunny."}]}
    server = await scripted([turn, "Your second question."])
    config = manual_activity(activity_handling=types.ActivityHandling.NO_INTERRUPTION)
    config.tools = declarations()
    async with live(server, config) as session:
        await session.send_realtime_input(text="weather?")
        (call,) = (await receive_turn(session, until_tool_call=True)).tool_calls
        await speak(session)  # the user talks while the model waits for the tool
        await session.send_tool_response(
            function_responses=types.FunctionResponse(id=call.id, name=call.name, response={})
        )
        first = await receive_turn(session)
        second = await receive_turn(session)
    assert not first.has("interrupted")
    assert first.output_transcript.strip() == "Sunny."
    assert first.has("generation_complete")
    assert second.output_transcript.strip() == "Your second question."
    assert server.connections[0].interruptions == 0


async def test_client_content_always_interrupts(scripted: Any) -> None:
    server = await scripted([HOLDING, "Noted: {user_text}"])
    config = audio_config(
        realtime_input_config=types.RealtimeInputConfig(
            activity_handling=types.ActivityHandling.NO_INTERRUPTION
        )
    )
    async with live(server, config) as session:
        await session.send_realtime_input(text="story")
        await receive_until_audio(session)
        await session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text="stop")])
        )
        cut = await receive_turn(session)
        answer = await receive_turn(session)
    assert cut.has("interrupted")
    assert answer.output_transcript.strip() == "Noted: stop"


async def test_realtime_text_interrupts(scripted: Any) -> None:
    server = await scripted([HOLDING, "Noted: {user_text}"])
    async with live(server) as session:
        await session.send_realtime_input(text="story")
        await receive_until_audio(session)
        await session.send_realtime_input(text="enough")
        cut = await receive_turn(session)
        answer = await receive_turn(session)
    assert cut.has("interrupted")
    assert answer.output_transcript.strip() == "Noted: enough"


def background_turn(then: list[Any]) -> dict[str, Any]:
    call = {"name": "get_weather", "args": {}, "on_result": [{"say": "Result {result}"}]}
    return {"steps": [{"tool_call": call}, *then]}


async def answer_with(session: Any, call: types.FunctionCall, scheduling: str) -> None:
    await session.send_tool_response(
        function_responses=types.FunctionResponse(
            id=call.id,
            name=call.name,
            response={"sky": "clear"},
            scheduling=types.FunctionResponseScheduling(scheduling),
        )
    )


async def test_non_blocking_result_interrupt_reacts_at_once(scripted: Any) -> None:
    server = await scripted([background_turn([{"say": "Meanwhile."}, {"hold": True}])])
    async with live(server, audio_config(tools=declarations(non_blocking=True))) as session:
        await session.send_realtime_input(text="weather?")
        (call,) = (await receive_turn(session, until_tool_call=True)).tool_calls
        await answer_with(session, call, "INTERRUPT")
        rest = await receive_turn(session)
    assert 'Result {"sky": "clear"}' in rest.output_transcript
    assert not rest.has("interrupted")
    assert rest.has("generation_complete")


async def test_non_blocking_result_when_idle_waits_for_the_turn(scripted: Any) -> None:
    server = await scripted([background_turn([{"say": "Meanwhile I keep talking."}])])
    async with live(server, audio_config(tools=declarations(non_blocking=True))) as session:
        await session.send_realtime_input(text="weather?")
        (call,) = (await receive_turn(session, until_tool_call=True)).tool_calls
        await answer_with(session, call, "WHEN_IDLE")
        current = await receive_turn(session)
        reaction = await receive_turn(session)
    assert current.output_transcript.strip() == "Meanwhile I keep talking."
    assert current.has("generation_complete")
    assert reaction.output_transcript.strip() == 'Result {"sky": "clear"}'


async def test_non_blocking_result_silent_says_nothing(scripted: Any) -> None:
    server = await scripted([background_turn([{"say": "Meanwhile."}]), "Pong."])
    async with live(server, audio_config(tools=declarations(non_blocking=True))) as session:
        await session.send_realtime_input(text="weather?")
        (call,) = (await receive_turn(session, until_tool_call=True)).tool_calls
        await receive_turn(session)
        await answer_with(session, call, "SILENT")
        await session.send_realtime_input(text="ping")
        after = await receive_turn(session)
    assert after.output_transcript.strip() == "Pong."
