"""Speculative answers, through the SDK: held until the turn ends, the wire as without them.

Each test runs one conversation twice, against a server whose engine answers speculatively and
against the same engine without speculation, and compares everything the client received.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.engines.base import Engine
from desktop_assistant.server.engines.echo import EchoEngine
from desktop_assistant.server.engines.script import Script, ScriptEngine
from tests.integration.server.live import (
    audio_config,
    auto_activity,
    duration_s,
    live,
    manual_activity,
    next_message,
    receive_turn,
    silence,
    speech_bounds,
    stream_audio,
)
from tests.integration.server.speculative import (
    Progress,
    SpeculativeEchoEngine,
    SpeculativeScriptEngine,
)
from tests.integration.server.test_interruptions import declarations
from tests.support.fixtures import speech

pytestmark = pytest.mark.asyncio

RESUMABLE = types.SessionResumptionConfig()
WEATHER_SCRIPT: dict[str, Any] = {
    "turns": [
        {
            "input_transcription": "What is the weather? What time is it?",
            "steps": [
                {"say": "Let me check."},
                {"tool_call": {"name": "get_weather", "args": {"city": "Berlin"}}},
                {"say": "It is {result} there."},
            ],
        },
        {"steps": [{"say": "Turn {turn}, after {history_len} entries."}]},
    ]
}

Start = Callable[[Engine], Awaitable[LocalLiveServer]]


@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Start]:
    servers: list[LocalLiveServer] = []

    async def start(engine: Engine) -> LocalLiveServer:
        server = LocalLiveServer(ServerOptions(engine=engine, speed=50))
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


def wire(messages: list[types.LiveServerMessage]) -> list[dict[str, Any]]:
    """The messages as data; resumption handles are random, so only their presence counts."""
    out = []
    for message in messages:
        data = message.model_dump(mode="json", exclude_none=True)
        update = data.get("session_resumption_update")
        if update and update.get("new_handle"):
            update["new_handle"] = "<handle>"
        out.append(data)
    return out


async def processed(server: LocalLiveServer, seconds: float) -> None:
    await server.wait_for(lambda: server.stats.audio_in_s >= seconds - 1e-6)


def vad_kinds(server: LocalLiveServer) -> list[str]:
    return [kind for kind, _ in server.connections[-1].vad_events]


def two_questions(gap_s: float) -> tuple[bytes, bytes, bytes]:
    """'What is the weather ...?', a pause, 'What time is it ...?', in three parts.

    The first part ends 0.1 s before the pause does: long enough a silence for a tentative end
    (0.224 s), too short for the end of the turn (0.6 s). The second has the rest of the pause
    and the first half second of the second question, the third the rest of it.
    """
    spoken = speech("en_weather").pcm16()
    _, end = speech_bounds(spoken)
    first = spoken[: 2 * int(end * 16_000)] + silence(gap_s - 0.1)
    second = speech("en_time").pcm16() + silence(1.2)
    return first, silence(0.1) + second[:16_000], second[16_000:]


async def weather_conversation(
    server: LocalLiveServer, progress: Progress | None
) -> list[types.LiveServerMessage]:
    """Two questions with a pause between them, a blocking tool call, then a second turn."""
    first, resumed, rest = two_questions(gap_s=0.45)
    config = audio_config(tools=declarations(), session_resumption=RESUMABLE)
    messages: list[types.LiveServerMessage] = []
    async with live(server, config) as session:
        await stream_audio(session, first)
        await processed(server, duration_s(first, 16_000))
        assert vad_kinds(server) == ["start"] + (["pause"] if progress else [])
        if progress is not None:
            # The speculation got as far as the tool call, which it holds: nothing went out
            # but setupComplete.
            await progress.wait_for(lambda: progress.tool_calls_yielded == 1)
            assert server.connections[-1].frames_out == 1
        await stream_audio(session, resumed)
        await processed(server, duration_s(first + resumed, 16_000))
        if progress is not None:
            # The user speaks again: the speculation is dropped and forgotten at once.
            assert vad_kinds(server)[:3] == ["start", "pause", "resume"]
            assert progress.discarded == 1
            assert server.connections[-1].frames_out == 1
        await stream_audio(session, rest)
        asked = await receive_turn(session, until_tool_call=True)
        messages += asked.messages
        (call,) = asked.tool_calls
        await session.send_tool_response(
            function_responses=[
                types.FunctionResponse(id=call.id, name=call.name, response={"sky": "clear"})
            ]
        )
        messages += (await receive_turn(session)).messages
        await stream_audio(session, speech("en_time").pcm16() + silence(1.2))
        messages += (await receive_turn(session)).messages
        messages.append(await next_message(session))  # the resumption update after the turn
    return messages


async def test_a_held_tool_call_goes_out_only_when_the_turn_ends(
    serve: Start, tmp_path: Path
) -> None:
    path = tmp_path / "script.json"
    path.write_text(json.dumps(WEATHER_SCRIPT))
    speculative = SpeculativeScriptEngine(Script.load(path))
    plain = await weather_conversation(await serve(ScriptEngine(Script.load(path))), None)
    server = await serve(speculative)
    held = await weather_conversation(server, speculative.progress)
    assert wire(held) == wire(plain)
    # The dropped speculation was forgotten: the call the client saw is the engine's first.
    assert vad_kinds(server).count("end") == 2
    call_ids = [c.id for m in held if m.tool_call for c in m.tool_call.function_calls or []]
    assert call_ids == ["script-call-1"]


async def echo_conversation(
    server: LocalLiveServer, config: types.LiveConnectConfig
) -> list[types.LiveServerMessage]:
    """A sentence with two short pauses, a typed question, then a second spoken turn."""
    messages: list[types.LiveServerMessage] = []
    async with live(server, config) as session:
        await stream_audio(session, speech("en_interrupt").pcm16() + silence(1.5))
        messages += (await receive_turn(session)).messages
        await session.send_realtime_input(text="And in Rome?")
        messages += (await receive_turn(session)).messages
        await stream_audio(session, speech("en_weather").pcm16() + silence(1.5))
        messages += (await receive_turn(session)).messages
        messages.append(await next_message(session))
    return messages


async def test_transcripts_usage_and_resumption_are_as_without_speculation(serve: Start) -> None:
    config = audio_config(session_resumption=RESUMABLE)
    plain = await echo_conversation(await serve(EchoEngine()), config)
    speculative = SpeculativeEchoEngine()
    server = await serve(speculative)
    held = await echo_conversation(server, config)
    assert wire(held) == wire(plain)
    assert vad_kinds(server).count("end") == 2  # "Wait, stop. Tell me about Paris" is one turn
    assert vad_kinds(server).count("pause") >= 2


async def test_no_speculation_while_the_model_keeps_the_floor(serve: Start, tmp_path: Path) -> None:
    # NO_INTERRUPTION: the user speaks while the model waits for its tool; that turn is queued
    # and answered after the model's, and nothing is computed for it ahead.
    turns = [
        {"steps": [{"tool_call": {"name": "get_weather", "args": {}}}, {"say": "Sunny."}]},
        "Your second question.",
    ]
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"turns": turns}))
    config = auto_activity(activity_handling=types.ActivityHandling.NO_INTERRUPTION)
    config.tools = declarations()

    async def conversation(server: LocalLiveServer) -> list[types.LiveServerMessage]:
        async with live(server, config) as session:
            await session.send_realtime_input(text="weather?")
            asked = await receive_turn(session, until_tool_call=True)
            spoken = speech("en_interrupt").pcm16() + silence(1.5)
            await stream_audio(session, spoken)
            await processed(server, duration_s(spoken, 16_000))
            (call,) = asked.tool_calls
            await session.send_tool_response(
                function_responses=types.FunctionResponse(id=call.id, name=call.name, response={})
            )
            first = await receive_turn(session)
            second = await receive_turn(session)
        return asked.messages + first.messages + second.messages

    plain = await conversation(await serve(ScriptEngine(Script.load(path))))
    speculative = SpeculativeScriptEngine(Script.load(path))
    server = await serve(speculative)
    held = await conversation(server)
    assert wire(held) == wire(plain)
    assert "pause" in vad_kinds(server)
    assert speculative.progress.started == 3  # the typed turn, the tool result, the queued turn
    assert speculative.progress.discarded == 0


async def test_manual_activity_is_not_speculated(serve: Start) -> None:
    async def conversation(server: LocalLiveServer) -> list[types.LiveServerMessage]:
        async with live(server, manual_activity()) as session:
            await session.send_realtime_input(activity_start=types.ActivityStart())
            await stream_audio(session, speech("en_interrupt").pcm16())
            await session.send_realtime_input(activity_end=types.ActivityEnd())
            return (await receive_turn(session)).messages

    plain = await conversation(await serve(EchoEngine()))
    speculative = SpeculativeEchoEngine()
    server = await serve(speculative)
    held = await conversation(server)
    assert wire(held) == wire(plain)
    assert server.connections[-1].vad_events == []
    assert speculative.progress.started == 1
