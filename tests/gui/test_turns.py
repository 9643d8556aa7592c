"""The state strip says who has the floor; the timeline counts turns and interruptions."""

from __future__ import annotations

from desktop_assistant.core.events import Interrupted, TurnCompleted, TurnState, TurnStateChanged
from tests.gui.fixtures_window import Rig


def _go(r: Rig, *states: TurnState) -> None:
    previous = r.model.turns.state
    for state in states:
        r.clock.advance(1.0)
        r.conversation.emit(TurnStateChanged(state, previous))
        previous = state


def test_the_strip_lights_the_current_state(rig: Rig) -> None:
    strip = rig.window.turns.strip
    _go(rig, TurnState.LISTENING, TurnState.USER_SPEAKING)
    assert strip.chip(TurnState.USER_SPEAKING).property("active") is True
    assert strip.chip(TurnState.LISTENING).property("active") is False
    assert strip.accessibleDescription() == "you're speaking"
    _go(rig, TurnState.MODEL_THINKING, TurnState.MODEL_SPEAKING)
    assert strip.state is TurnState.MODEL_SPEAKING
    assert strip.chip(TurnState.MODEL_SPEAKING).property("active") is True


def test_barge_in_is_counted_once_and_marked_on_the_timeline(rig: Rig) -> None:
    _go(rig, TurnState.LISTENING, TurnState.USER_SPEAKING, TurnState.MODEL_THINKING)
    _go(rig, TurnState.MODEL_SPEAKING)
    rig.conversation.emit(Interrupted())
    _go(rig, TurnState.INTERRUPTED)
    rig.conversation.emit(TurnCompleted())
    _go(rig, TurnState.USER_SPEAKING, TurnState.MODEL_THINKING)
    _go(rig, TurnState.MODEL_SPEAKING, TurnState.TOOL_RUNNING, TurnState.MODEL_SPEAKING)
    _go(rig, TurnState.MODEL_THINKING, TurnState.MODEL_SPEAKING)  # a pause in the answer
    rig.conversation.emit(TurnCompleted())
    _go(rig, TurnState.LISTENING)
    turns = rig.model.turns
    assert turns.interruptions == 1
    assert turns.model_turns == 2  # a tool call or a pause inside an answer is the same turn
    assert len(turns.cuts) == 1
    assert rig.window.turns.counts.text() == "2 turns · interrupted 1×"  # noqa: RUF001
    states = [s.state for s in turns.segments]
    assert states.count(TurnState.MODEL_SPEAKING) == 4
    assert all(s.end is not None for s in list(turns.segments)[:-1])


def test_the_timeline_forgets_what_is_older_than_its_history(rig: Rig) -> None:
    _go(rig, TurnState.LISTENING, TurnState.USER_SPEAKING)
    rig.clock.advance(500.0)
    _go(rig, TurnState.MODEL_THINKING)
    assert [s.state for s in rig.model.turns.segments] == [
        TurnState.USER_SPEAKING,
        TurnState.MODEL_THINKING,
    ]
