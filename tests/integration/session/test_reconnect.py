"""Reconnects the user does not notice: GoAway handovers, one-time handles, re-seeding, no lost audio."""

from __future__ import annotations

import json

import pytest

from desktop_assistant.core.events import (
    OutputTranscribed,
    Reconnected,
    SessionErrored,
    SessionStarted,
    TurnCompleted,
)
from desktop_assistant.media.audio.wav_io import WavFileSource, write_wav
from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.session.conftest import Recorder, local_settings, session_for
from tests.unit.session.sdk_wire import server_message

pytestmark = pytest.mark.asyncio


def short_lived(lifetime_s: float = 2.0, notice_s: float = 1.5, **options) -> LocalLiveServer:
    return LocalLiveServer(
        ServerOptions(
            engine=options.pop("engine", "echo"),
            speed=50.0,
            espeak=None,
            connection_lifetime_s=lifetime_s,
            goaway_notice_s=notice_s,
            **options,
        )
    )


async def test_goaway_hands_over_to_a_resumed_connection_after_the_old_one_closed():
    async with short_lived(lifetime_s=3.0, notice_s=2.5) as server:
        rec = Recorder(session_for(server))
        active_at_resume = []
        rec.listeners.append(
            lambda e: (
                active_at_resume.append(server.stats.connections_active)
                if isinstance(e, SessionStarted) and e.resumed
                else None
            )
        )
        await rec.session.send_text("before")
        await rec.wait_for(TurnCompleted)
        await rec.wait(lambda: rec.session._resumption.available)
        reconnected = await rec.wait_for(Reconnected)
        assert reconnected.resumed
        assert not reconnected.reseeded
        assert reconnected.reason == "goaway"
        assert active_at_resume == [1]  # the old socket was closed before resuming
        assert not rec.of(SessionErrored)  # a planned handover is not an error
        await rec.session.send_text("after")
        await rec.wait_for(TurnCompleted, 2)
        assert "You said: after" in "".join(e.text for e in rec.of(OutputTranscribed))
        assert server.connections[1].resumed
        assert rec.session.stats.failures == 0
        await rec.close()


async def test_a_handover_waits_for_the_end_of_the_turn(tmp_path):
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"turns": [{"steps": [
        {"text": "Here it comes."}, {"tone": {"hz": 440, "seconds": 1.2}}, {"text": "Done."},
    ]}]}))  # fmt: skip
    options = ServerOptions(
        engine=f"script:{path}",
        speed=1.0,
        espeak=None,
        connection_lifetime_s=4.0,
        goaway_notice_s=3.5,
    )
    async with LocalLiveServer(options) as server:
        rec = Recorder(session_for(server))
        await rec.session.send_text("go")  # the answer plays in real time across the GoAway
        await rec.wait_for(Reconnected)
        names = rec.names()
        turn_end = names.index("TurnCompleted")
        assert names.index("GoAwayReceived") < turn_end < names.index("Reconnected")
        assert rec.of(TurnCompleted)[0].reason is None  # the answer was not cut short
        assert "Done." in "".join(e.text for e in rec.of(OutputTranscribed))
        assert rec.of(Reconnected)[0].resumed  # ...and its handle was waited for
        await rec.close()


async def test_a_handle_is_used_once_and_without_one_the_conversation_is_reseeded(tmp_path):
    path = tmp_path / "history.json"
    # One transcript fragment per answer (not word by word), so each answer is one event.
    path.write_text(
        json.dumps({"transcript": "whole", "turns": ["I remember {history_len} messages."]})
    )
    async with short_lived(lifetime_s=2.0, notice_s=1.5, engine=f"script:{path}") as server:
        rec = Recorder(session_for(server))
        await rec.session.send_text("remember this")
        await rec.wait_for(TurnCompleted)
        first = await rec.wait_for(Reconnected)
        assert first.resumed  # the turn's handle
        second = await rec.wait_for(Reconnected, 2)
        assert not second.resumed
        assert second.reseeded
        assert [c.resumed for c in server.connections[:3]] == [False, True, False]
        await rec.session.send_text("and now?")
        await rec.wait_for(TurnCompleted, 2)
        said = [e.text for e in rec.of(OutputTranscribed)]
        assert "I remember 0 messages." in said[0]
        assert "I remember 0 messages." not in said[-1]  # the re-seeded history reached the model
        await rec.close()


async def test_without_resumption_every_handover_reseeds(tmp_path):
    async with short_lived(lifetime_s=2.0, notice_s=1.5) as server:
        rec = Recorder(session_for(server, local_settings(session_resumption={"enabled": False})))
        await rec.session.send_text("hello")
        await rec.wait_for(TurnCompleted)
        reconnected = await rec.wait_for(Reconnected)
        assert reconnected.reseeded
        assert not reconnected.resumed
        await rec.close()


async def test_events_from_a_stale_connection_are_ignored():
    async with short_lived(lifetime_s=2.0, notice_s=1.5) as server:
        rec = Recorder(session_for(server))
        await rec.wait_for(SessionStarted)
        old_link = rec.session._link
        await rec.wait_for(Reconnected)
        before = len(rec.events)
        late = server_message(
            {"serverContent": {"outputTranscription": {"text": "from the old socket"}}}
        )
        rec.session._dispatch(old_link, late)
        assert rec.session.stats.stale_messages_dropped == 1
        assert len(rec.events) == before
        await rec.close()


async def test_user_audio_captured_during_handovers_is_buffered_and_none_is_lost(tmp_path):
    wav = tmp_path / "silence.wav"
    write_wav(wav, bytes(16_000 * 2 * 6), 16_000)  # 6 s: no speech, so no turns, just audio
    async with short_lived(lifetime_s=1.5, notice_s=1.0) as server:
        rec = Recorder(session_for(server))
        await rec.wait_for(SessionStarted)
        source = WavFileSource(wav, speed=2.0)
        await source.start()
        sent = 0
        while True:
            try:
                block = await source.read()
            except EOFError:
                break
            await rec.session.send_audio(block)
            sent += 1
        await rec.wait(lambda: rec.count(Reconnected) >= 2)
        stats = rec.session.stats
        await server.wait_for(lambda: round(server.stats.audio_in_s * 50) >= sent, within_s=30)
        assert round(server.stats.audio_in_s * 50) == sent == stats.audio_blocks_sent
        assert stats.audio_blocks_dropped == 0
        assert sum(stats.buffered_per_handover) > 0  # some blocks did wait for a new connection
        await rec.close()
