"""What the offline engine tells the server about speculative answers (no model needed)."""

from __future__ import annotations

from dataclasses import replace

from desktop_assistant.server.engines.base import EngineRequest, Image, SessionConfig, UserTurn
from desktop_assistant.server.engines.offline.engine import OfflineEngine

CONFIG = SessionConfig(model="offline")
SPEECH = UserTurn(audio=b"\1\0" * 16_000, speech_s=1.0)
SPECULATED = EngineRequest(SPEECH, (), 0, CONFIG)


def test_the_engine_speculates_and_waits_for_a_pause_between_sentences() -> None:
    engine = OfflineEngine()
    assert engine.speculative
    assert engine.default_silence_ms == 600.0


def test_a_video_frame_in_the_pause_does_not_spoil_the_speculation() -> None:
    session = OfflineEngine().open_session(CONFIG)
    frame = Image("image/jpeg", b"\xff\xd8 a frame")
    with_frame = replace(SPECULATED, input=replace(SPEECH, images=(frame,)))
    assert session.can_reuse(SPECULATED, with_frame)  # this engine never looks at images


def test_anything_else_that_changed_spoils_it() -> None:
    session = OfflineEngine().open_session(CONFIG)
    longer = replace(SPECULATED, input=replace(SPEECH, audio=SPEECH.audio * 2))
    later = replace(SPECULATED, turn_index=1)
    told = replace(SPECULATED, config=replace(CONFIG, system_instruction="Be brief."))
    for final in (longer, later, told):
        assert not session.can_reuse(SPECULATED, final)
    assert session.can_reuse(SPECULATED, replace(SPECULATED))


def test_discarding_an_answer_that_never_started_changes_nothing() -> None:
    session = OfflineEngine().open_session(CONFIG)
    session.discard(SPECULATED)  # cancelled before the engine took its first step
    assert session.exchanges == ()
    assert session.waiting_calls == ()
