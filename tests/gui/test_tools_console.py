"""The tool console: a card per call, approve / deny for side-effecting tools, cancellation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_assistant.core.events import (
    ToolApprovalRequested,
    ToolCallCancelled,
    ToolCallFinished,
    ToolCallRequested,
)
from desktop_assistant.ui.transcript import ToolState
from tests.gui.fixtures_window import Rig
from tests.gui.helpers import wait_until


def _ask(r: Rig, call_id: str = "c1", name: str = "send_note") -> None:
    args = {"to": "team", "text": "hi"}
    r.conversation.emit(ToolCallRequested(call_id, name, args))
    r.conversation.emit(ToolApprovalRequested(call_id, name, args, reason="sends a message"))


@pytest.mark.asyncio
async def test_approving_a_call_answers_the_controller(rig: Rig, qtbot) -> None:
    _ask(rig)
    window = rig.window
    assert window.tabs.currentWidget() is window.tools  # the call that waits comes into view
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Tools (1)"
    card = window.tools.console.cards["c1"]
    assert card.approve.isVisible()
    assert card.deny.isVisible()
    assert "waiting for your approval" in card.state.text()
    assert '"to": "team"' in card.args.text()
    assert "c1" in card.call_id.text()

    rig.clock.advance(0.25)
    qtbot.mouseClick(card.approve, Qt.MouseButton.LeftButton)
    await wait_until(lambda: ("resolve_tool_call", ("c1", True)) in rig.conversation.calls)
    assert not card.approve.isVisible()
    assert window.tabs.tabText(window.tabs.indexOf(window.tools)) == "Tools"

    rig.conversation.emit(ToolCallFinished("c1", "send_note", "ok", {"output": "sent"}, 310.0))
    assert rig.model.tools.calls["c1"].info.state is ToolState.OK
    assert card.elapsed.text() == "310 ms"
    assert '"output": "sent"' in card.result.text()


@pytest.mark.asyncio
async def test_denying_a_call_answers_the_controller(rig: Rig, qtbot) -> None:
    _ask(rig, "c2")
    card = rig.window.tools.console.cards["c2"]
    qtbot.mouseClick(card.deny, Qt.MouseButton.LeftButton)
    await wait_until(lambda: ("resolve_tool_call", ("c2", False)) in rig.conversation.calls)
    assert rig.model.tools.calls["c2"].info.state is ToolState.DENIED
    rig.conversation.emit(ToolCallFinished("c2", "send_note", "denied", {"error": "denied"}, 5.0))
    assert "denied" in card.state.text()
    inline = rig.window.conversation.view.entries[0].body.text()
    assert "denied" in inline


def test_running_calls_count_up_and_cancellation_shows(rig: Rig) -> None:
    rig.conversation.emit(ToolCallRequested("c3", "slow_lookup", {"q": "x"}))
    card = rig.window.tools.console.cards["c3"]
    rig.clock.advance(1.5)
    card.refresh_elapsed()
    assert card.elapsed.text() == "1500 ms"
    rig.conversation.emit(ToolCallCancelled(("c3",)))
    assert rig.model.tools.calls["c3"].info.state is ToolState.CANCELLED
    assert "cancelled" in card.state.text()
    assert "cancelled" in rig.window.conversation.view.entries[0].body.text()
    rig.clock.advance(5.0)
    card.refresh_elapsed()
    assert card.elapsed.text() == "1500 ms"  # the clock stopped at the cancellation
