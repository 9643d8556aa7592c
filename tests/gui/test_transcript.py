"""The live transcript: partial text firms up, barge-in greys the unheard tail, tools show inline."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_assistant.core.events import (
    InputTranscribed,
    Interrupted,
    OutputTranscribed,
    PlaybackCut,
    ToolCallFinished,
    ToolCallRequested,
    TurnCompleted,
)
from desktop_assistant.ui.transcript import EntryKind, ToolState
from tests.gui.fixtures_window import Rig
from tests.gui.helpers import wait_until


def _bodies(r: Rig) -> list[str]:
    return [w.body.text() for w in r.window.conversation.view.entries]


def test_partial_user_text_shows_in_italics_then_firms_up(rig: Rig) -> None:
    rig.conversation.emit(InputTranscribed("What's on"))
    entry = rig.model.transcript.transcript.entries[0]
    assert entry.kind is EntryKind.USER
    assert not entry.finished
    assert "<i>What&#x27;s on</i>" in _bodies(rig)[0]

    rig.conversation.emit(InputTranscribed(" my screen?", finished=True))
    assert entry.text == "What's on my screen?"
    assert entry.finished
    body = _bodies(rig)[0]
    assert "<i>" not in body
    assert "What&#x27;s on my screen?" in body
    assert len(rig.window.conversation.view.entries) == 1


def test_interim_recognition_is_replaced_not_appended(rig: Rig) -> None:
    rig.conversation.emit(
        InputTranscribed("wheather", interim=True), InputTranscribed("weather", interim=True)
    )
    entry = rig.model.transcript.transcript.entries[0]
    assert entry.interim == "weather"
    assert entry.text == ""
    rig.conversation.emit(InputTranscribed("The weather?", finished=True))
    assert entry.text == "The weather?"
    assert entry.interim == ""


def test_barge_in_keeps_what_was_heard_and_greys_the_tail(rig: Rig) -> None:
    rig.conversation.emit(
        InputTranscribed("Tell me a story", finished=True),
        OutputTranscribed("Once upon a time there was a fox"),
        OutputTranscribed(" who lived in a very deep forest."),
    )
    rig.conversation.emit(Interrupted(), PlaybackCut(heard_fraction=0.5))
    model_entry = rig.model.transcript.transcript.entries[1]
    assert model_entry.interrupted
    # Half of the audio played: the cut falls on the word boundary nearest the middle.
    assert model_entry.heard_text == "Once upon a time there was a fox"
    assert model_entry.unheard_text == " who lived in a very deep forest."
    widget = rig.window.conversation.view.entries[1]
    assert "cut" in widget.header.text()
    # The tail is drawn in the muted colour, separate from the heard words.
    from desktop_assistant.ui.theme import colors

    assert f'<span style="color:{colors().muted}"> who lived' in widget.body.text()
    assert "not heard" in widget.body.toolTip()

    # Transcription of the cut generation that arrives late joins the unheard tail.
    rig.conversation.emit(OutputTranscribed(" The end."))
    assert model_entry.unheard_text.endswith("The end.")
    assert len(rig.model.transcript.transcript.entries) == 2

    # The user speaks: the next model text is a new turn.
    rig.conversation.emit(
        InputTranscribed("Shorter please", finished=True), OutputTranscribed("A fox. The end.")
    )
    kinds = [e.kind for e in rig.model.transcript.transcript.entries]
    assert kinds == [EntryKind.USER, EntryKind.MODEL, EntryKind.USER, EntryKind.MODEL]


def test_turn_complete_firms_up_the_model_turn(rig: Rig) -> None:
    rig.conversation.emit(OutputTranscribed("Hello there"))
    entry = rig.model.transcript.transcript.entries[0]
    assert not entry.finished
    rig.conversation.emit(TurnCompleted())
    assert entry.finished
    assert not entry.interrupted


def test_tool_calls_show_inline_with_their_outcome(rig: Rig) -> None:
    rig.conversation.emit(ToolCallRequested("c1", "current_time", {"zone": "UTC"}))
    entries = rig.model.transcript.transcript.entries
    assert entries[0].kind is EntryKind.TOOL
    assert entries[0].tool is not None
    assert entries[0].tool.state is ToolState.RUNNING
    assert "current_time(zone=&quot;UTC&quot;)" in _bodies(rig)[0]
    rig.conversation.emit(
        ToolCallFinished("c1", "current_time", "ok", {"output": "12:00"}, elapsed_ms=42.0)
    )
    assert entries[0].tool.state is ToolState.OK
    assert "42 ms" in _bodies(rig)[0]
    assert "done" in _bodies(rig)[0]


@pytest.mark.asyncio
async def test_typed_text_goes_into_the_same_session(rig: Rig, qtbot) -> None:
    await rig.conversation.start()
    rig.model.session._sync_running()
    panel = rig.window.conversation
    qtbot.keyClicks(panel.input, "What time is it?")
    assert panel.send_button.isEnabled()
    qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    await wait_until(lambda: ("send_text", "What time is it?") in rig.conversation.calls)
    assert panel.input.text() == ""
    entry = rig.model.transcript.transcript.entries[-1]
    assert entry.typed
    assert entry.text == "What time is it?"


def test_sending_is_off_until_the_conversation_runs(rig: Rig, qtbot) -> None:
    panel = rig.window.conversation
    qtbot.keyClicks(panel.input, "hello")
    assert not panel.send_button.isEnabled()
    qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    assert rig.conversation.calls == []
    assert panel.input.text() == "hello"  # nothing typed is lost
