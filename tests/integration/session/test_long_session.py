"""Thirty minutes of conversation with a GoAway every minute, time-compressed 30x.

The local server's connections live 2 s (one "minute" at 30x) with a GoAway 1.6 s before the end,
its model speaks 30x faster than real time, and the microphone plays a spoken question followed by
silence, over and over, 30x faster too. Through ~30 handovers the conversation must keep one
transcript, every microphone block must reach the service, and memory must stay flat.
"""

from __future__ import annotations

import asyncio
import tracemalloc

import numpy as np
import pytest

from desktop_assistant.core.assistant import Assistant, AssistantOptions
from desktop_assistant.core.conversation import Role
from desktop_assistant.core.events import GoAwayReceived, Reconnected, SessionErrored, TurnCompleted
from desktop_assistant.media.audio.wav_io import WavFileSink, WavFileSource, write_wav
from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.session.genai_session import CONNECTION_LOST
from tests.integration.session.conftest import local_settings, session_for
from tests.support.fixtures import speech

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

SPEED = 30.0
VIRTUAL_MINUTES = 30
CYCLE_S = 10.0  # a question of about 3 s, then silence: one exchange every 10 s of session time


async def test_thirty_minutes_with_a_goaway_every_minute(tmp_path):
    question = np.frombuffer(speech("en_weather").pcm16(), dtype="<i2")
    cycle = np.zeros(int(16_000 * CYCLE_S), dtype="<i2")
    cycle[: question.size] = question
    wav = tmp_path / "cycle.wav"
    write_wav(wav, cycle.tobytes(), 16_000)
    rounds = int(VIRTUAL_MINUTES * 60 / CYCLE_S)

    options = ServerOptions(
        engine="echo",
        speed=SPEED,
        espeak=None,
        connection_lifetime_s=60 / SPEED,
        goaway_notice_s=48 / SPEED,
    )
    async with LocalLiveServer(options) as server:
        session = session_for(server, local_settings(connection={"handover_margin_s": 0.2}))
        source = WavFileSource(wav, block_ms=40, speed=SPEED, repeat=rounds)
        assistant = Assistant(
            session,
            source=source,
            sink=WavFileSink(None, speed=SPEED),
            # 30x time: the uplink must hold as much *time* as it would at 1x, not more blocks' worth.
            options=AssistantOptions(uplink_queue_blocks=int(10 * SPEED)),
        )
        session.history_provider = assistant.conversation.history
        counts = {"goaway": 0, "reconnected": 0, "turns": 0, "cut": 0}
        errors: list[SessionErrored] = []

        def on_event(event: object) -> None:
            if isinstance(event, GoAwayReceived):
                counts["goaway"] += 1
            elif isinstance(event, Reconnected):
                counts["reconnected"] += 1
            elif isinstance(event, TurnCompleted):
                counts["turns"] += 1
                counts["cut"] += event.reason == CONNECTION_LOST
            elif isinstance(event, SessionErrored):
                errors.append(event)

        assistant.subscribe(on_event)
        tracemalloc.start()
        try:
            await assistant.start()
            # A third of the way in, the steady state: everything is warmed up.
            while source.blocks_read < rounds * CYCLE_S / 0.04 / 3:
                await asyncio.wait_for(asyncio.shield(_next_turn(assistant)), 60)
            early, _ = tracemalloc.get_traced_memory()
            await asyncio.wait_for(assistant.microphone_ended.wait(), 600)
            late, _ = tracemalloc.get_traced_memory()
            # The last question's answer: wait for its turn to end.
            await asyncio.wait_for(_quiet(assistant), 60)
        finally:
            tracemalloc.stop()
            await assistant.stop()

        blocks = source.blocks_read
        assert blocks == rounds * CYCLE_S / 0.04
        # Every block reached the service, none dropped, across every handover.
        assert assistant.stats.blocks_dropped_uplink == 0
        assert session.stats.audio_blocks_dropped == 0
        assert session.stats.audio_blocks_sent == blocks
        assert round(server.stats.audio_in_s / 0.04) == blocks
        # A GoAway every "minute", each one handed over without a failure.
        assert counts["goaway"] >= VIRTUAL_MINUTES - 2
        assert counts["reconnected"] >= VIRTUAL_MINUTES - 2
        assert session.stats.failures == 0
        assert not [e for e in errors if e.action.value != "continue"]
        # One transcript: every question heard and answered, in order.
        entries = assistant.conversation.entries
        users = [e for e in entries if e.role is Role.USER]
        models = [e for e in entries if e.role is Role.MODEL]
        assert len(users) >= rounds * 0.9
        assert len(models) >= rounds * 0.9
        assert all("I heard" in m.text for m in models if not m.interrupted)
        assert counts["cut"] <= 2
        # Flat memory: the last two thirds of the session added less than 2 MB.
        assert late - early < 2 * 2**20, f"memory grew by {(late - early) / 2**20:.1f} MiB"


async def _next_turn(assistant: Assistant) -> None:
    done = asyncio.Event()
    unsubscribe = assistant.subscribe(
        lambda e: done.set() if isinstance(e, TurnCompleted) else None
    )
    try:
        await done.wait()
    finally:
        unsubscribe()


async def _quiet(assistant: Assistant) -> None:
    while (
        assistant.conversation.current_model_entry is not None
        or assistant.conversation.pending_tool_calls()
    ):
        await _next_turn(assistant)
