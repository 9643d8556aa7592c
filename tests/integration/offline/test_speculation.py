"""The offline engine answers from the first short pause, through the SDK, without cutting in.

The server starts the engine at a tentative end of speech (224 ms of silence) and holds the
answer until the end-of-turn silence (the engine's default, 600 ms) has passed: a pause between
sentences keeps the turn whole, and what the client receives is what it would without
speculation.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.engines.base import (
    AudioOut,
    EngineRequest,
    FunctionDeclaration,
    SessionConfig,
    ToolCalls,
    UserTurn,
)
from desktop_assistant.server.engines.offline import info
from desktop_assistant.server.engines.offline.engine import OfflineEngine, OfflineSession
from desktop_assistant.server.engines.offline.loader import Models
from tests.integration.offline.conftest import espeak_pcm
from tests.integration.server.live import (
    audio_config,
    duration_s,
    live,
    receive_turn,
    silence,
    speech_bounds,
    stream_audio,
)
from tests.support.fixtures import speech

pytestmark = pytest.mark.asyncio


class PlainOfflineEngine(OfflineEngine):
    """The same engine, answering only once the turn has ended."""

    speculative = False


@pytest_asyncio.fixture
async def speculative(offline_models: Models) -> AsyncIterator[LocalLiveServer]:
    async with LocalLiveServer(ServerOptions(engine="offline", speed=math.inf)) as running:
        yield running


@pytest_asyncio.fixture
async def plain(offline_models: Models) -> AsyncIterator[LocalLiveServer]:
    engine = PlainOfflineEngine()
    async with LocalLiveServer(ServerOptions(engine=engine, speed=math.inf)) as running:
        yield running


class Outcomes(logging.Handler):
    """The server's own account of each speculation, and the engine's first-audio lines."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.kinds: list[str] = []
        self.first_audio = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.name.endswith("server.speculation"):
            self.kinds.append(text.rsplit(" ", 1)[-1])
        elif "first audio after" in text:
            self.first_audio.set()


@pytest.fixture
def outcomes() -> Any:
    handler = Outcomes()
    loggers = [
        logging.getLogger("desktop_assistant.server.speculation"),
        logging.getLogger("desktop_assistant.server.engines.offline.engine"),
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield handler
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


async def processed(server: LocalLiveServer, seconds: float) -> None:
    await server.wait_for(lambda: server.stats.audio_in_s >= seconds - 1e-6, within_s=20)


def vad_kinds(server: LocalLiveServer) -> list[str]:
    return [kind for kind, _ in server.connections[-1].vad_events]


def outline(messages: list[types.LiveServerMessage]) -> list[Any]:
    """What the client got, in order; runs of audio frames count as one (the voice's timing
    varies from run to run, its words do not)."""
    out: list[Any] = []
    for message in messages:
        content = message.server_content
        if message.tool_call:
            out.append(
                ("toolCall", [(c.name, c.args) for c in message.tool_call.function_calls or []])
            )
        if content is not None:
            if content.input_transcription:
                out.append(("input", content.input_transcription.text))
            if content.output_transcription:
                out.append(("output", content.output_transcription.text))
            if content.model_turn and (not out or out[-1] != "audio"):
                out.append("audio")
            for flag in ("interrupted", "generation_complete", "turn_complete"):
                if getattr(content, flag):
                    out.append(flag)
        if message.usage_metadata:
            out.append(("prompt tokens", message.usage_metadata.prompt_token_count))
    return out


async def interrupt_turn(server: LocalLiveServer) -> list[types.LiveServerMessage]:
    pcm = speech("en_interrupt").pcm16()  # "Wait, stop. Tell me about Paris instead."
    async with live(server) as session:
        await stream_audio(session, pcm + silence(1.5))
        turn = await receive_turn(session)
        await processed(server, duration_s(pcm, 16_000) + 1.5)
    return turn.messages


async def test_pauses_between_sentences_stay_in_the_turn_and_the_wire_is_unchanged(
    speculative: LocalLiveServer, plain: LocalLiveServer, outcomes: Outcomes
) -> None:
    assert OfflineEngine.default_silence_ms == info.RECOMMENDED_SILENCE_MS == 600
    held = await interrupt_turn(speculative)
    # Its pauses of ~0.3 s and ~0.45 s are tentative ends, not ends: one turn, Paris in it.
    kinds = vad_kinds(speculative)
    assert kinds.count("end") == 1
    assert kinds.count("pause") >= 2
    assert speculative.connections[-1].turns_completed == 1
    heard = "".join(m[1] for m in outline(held) if m[0] == "input")
    assert "Paris" in heard
    assert "stop" in heard.lower()
    assert outcomes.kinds[-1] == "committed"
    assert outcomes.kinds.count("cancelled") == kinds.count("resume")
    # The same turn without speculation: the same messages in the same order.
    assert outline(held) == outline(await interrupt_turn(plain))
    assert plain.connections[-1].vad_events == [
        e for e in speculative.connections[-1].vad_events if e[0] in ("start", "end")
    ]


async def test_speaking_again_after_a_pause_cancels_the_answer_in_progress(
    speculative: LocalLiveServer, offline_models: Models, outcomes: Outcomes
) -> None:
    first = espeak_pcm("Tell me about the moon.", tail_s=0.0)
    second = espeak_pcm("And how far away is it from us?", lead_s=0.0, tail_s=1.5)
    _, end = speech_bounds(first)
    first = first[: 2 * int(end * 16_000)] + silence(0.35)  # the pause so far: 350 of 400 ms
    resumed = silence(0.05) + second[: 2 * 8_000]
    rest = second[2 * 8_000 :]
    async with live(speculative, audio_config()) as session:
        await stream_audio(session, first)
        await processed(speculative, duration_s(first, 16_000))
        assert vad_kinds(speculative) == ["start", "pause"]
        # The engine answers the first sentence: its first clause is spoken, and held.
        async with asyncio.timeout(20):
            await outcomes.first_audio.wait()
        assert speculative.connections[-1].frames_out == 1  # setupComplete only
        await stream_audio(session, resumed)
        await processed(speculative, duration_s(first + resumed, 16_000))
        assert vad_kinds(speculative) == ["start", "pause", "resume"]
        assert outcomes.kinds == ["started", "cancelled"]
        # Its language model and voice stopped at once: both workers are free again.
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(5):
            await loop.run_in_executor(offline_models.voice_pool, lambda: None)
            await loop.run_in_executor(offline_models.think_pool, lambda: None)
        assert not offline_models.voice.is_running()
        assert speculative.connections[-1].frames_out == 1
        await stream_audio(session, rest)
        turn = await receive_turn(session)
        await processed(speculative, duration_s(first + resumed + rest, 16_000))
    # One turn with both sentences in it, and one answer.
    assert vad_kinds(speculative).count("end") == 1
    assert speculative.connections[-1].turns_completed == 1
    assert "moon" in turn.input_transcript.lower()
    assert "far" in turn.input_transcript.lower()
    assert turn.output_transcript.strip()
    assert len(turn.audio) > 24_000 * 2 * 0.5
    assert outcomes.kinds[-1] == "committed"


async def test_a_dropped_answer_leaves_nothing_behind_in_the_conversation(
    offline_models: Models,
) -> None:
    engine = OfflineEngine()
    tools = (FunctionDeclaration("get_current_time", "The current time, in a time zone"),)
    config = SessionConfig(model="offline", tools=tools)
    session = engine.open_session(config)
    assert isinstance(session, OfflineSession)
    told = EngineRequest(UserTurn(text="Tell me about the moon."), (), 0, config)
    async with asyncio.timeout(30):
        items = [item async for item in session.respond(told)]
    assert any(isinstance(item, AudioOut) for item in items)
    kept = session.exchanges
    assert [e.user for e in kept] == ["Tell me about the moon."]
    # A speculation stopped after its first spoken clause, then dropped.
    dropped = EngineRequest(UserTurn(text="Tell me a long story about a dragon."), (), 1, config)
    answer = session.respond(dropped)
    async with asyncio.timeout(30):
        async for item in answer:
            if isinstance(item, AudioOut):
                break
    await answer.aclose()
    session.discard(dropped)
    assert session.exchanges == kept
    # One that had asked for the client's tool, dropped before the client saw the call.
    asked = EngineRequest(UserTurn(text="What time is it in Tokyo?"), (), 1, config)
    async with asyncio.timeout(30):
        calls = [item async for item in session.respond(asked) if isinstance(item, ToolCalls)]
    assert len(calls) == 1
    assert session.waiting_calls == (calls[0].calls[0].id,)
    session.discard(asked)
    assert session.waiting_calls == ()
    assert session.exchanges == kept
    # Only the answer just dropped can be undone; an older one stays.
    session.discard(told)
    assert session.exchanges == kept
