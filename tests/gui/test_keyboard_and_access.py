"""Everything by keyboard, and every control has a name a screen reader can say."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QSpinBox,
    QWidget,
)

from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    ToolApprovalRequested,
    ToolCallRequested,
)
from desktop_assistant.ui.controllers import VideoSourceKind
from tests.gui.fixtures_window import Rig
from tests.gui.helpers import wait_until

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QSlider, QSpinBox)


@pytest.mark.asyncio
async def test_start_mute_talk_and_video_by_keyboard(rig: Rig, qtbot) -> None:
    window = rig.window
    qtbot.keyClick(window, Qt.Key.Key_F5)
    await wait_until(lambda: rig.model.session.running, what="the conversation to start")
    assert window.start_button.text() == "Stop"
    rig.conversation.emit(ConnectionStateChanged(ConnectionState.LIVE))

    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    await wait_until(lambda: ("set_muted", True) in rig.conversation.calls)
    assert window.mute_button.isChecked()
    assert window.mute_button.text() == "Unmute"

    # Automatic turns have no push-to-talk; the user switches to it in Settings first.
    qtbot.keyPress(window.conversation.view, Qt.Key.Key_F9)
    assert ("push_to_talk", True) not in rig.conversation.calls
    panel = window.settings_panel
    assert panel is not None
    window.tabs.setCurrentWidget(panel)
    qtbot.mouseClick(panel.turn_section.push_to_talk, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    await wait_until(lambda: bool(rig.settings.applied), what="the settings to apply")
    assert window.ptt_button.isEnabled()

    qtbot.keyPress(window.conversation.view, Qt.Key.Key_F9)
    await wait_until(lambda: ("push_to_talk", True) in rig.conversation.calls)
    assert window.ptt_button.text() == "Talking…"
    qtbot.keyRelease(window.conversation.view, Qt.Key.Key_F9)
    await wait_until(lambda: ("push_to_talk", False) in rig.conversation.calls)

    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert rig.model.media.video_source is VideoSourceKind.SCREEN
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert rig.model.media.paused

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.conversation.input.hasFocus()
    qtbot.keyClicks(window.conversation.input, "hello")
    qtbot.keyClick(window.conversation.input, Qt.Key.Key_Return)
    await wait_until(lambda: ("send_text", "hello") in rig.conversation.calls)

    qtbot.keyClick(window, Qt.Key.Key_F5)
    await wait_until(lambda: not rig.model.session.running, what="the conversation to stop")


def _unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        interactive = isinstance(widget, CONTROLS) or (
            isinstance(widget, QAbstractScrollArea) and widget.objectName()
        )
        if not interactive or not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QAbstractButton) and widget.text() and not widget.accessibleName():
            continue  # a button's own text is its accessible name
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_control_has_an_accessible_name(rig: Rig) -> None:
    rig.conversation.emit(
        ToolCallRequested("c1", "send_note", {"to": "team"}),
        ToolApprovalRequested("c1", "send_note", {"to": "team"}),
    )
    for index in range(rig.window.tabs.count()):
        rig.window.tabs.setCurrentIndex(index)
        assert _unnamed(rig.window) == []
