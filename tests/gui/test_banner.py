"""One plain-language banner with the next action; errors never become tracebacks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_assistant.core.events import ErrorAction, MediaErrored, SessionErrored
from desktop_assistant.ui.viewmodels.banner_vm import BannerAction
from tests.gui.fixtures_window import Rig
from tests.gui.helpers import wait_signal, wait_until


@pytest.mark.asyncio
async def test_a_refused_key_asks_for_a_new_one(rig: Rig, qtbot) -> None:
    rig.conversation.emit(
        SessionErrored("The API key was refused.", ErrorAction.ASK_FOR_KEY, code=1008)
    )
    banner = rig.window.banner
    assert banner.isVisible()
    assert banner.text.text() == "The API key was refused."
    assert banner.property("level") == "error"
    assert banner.action.isVisible()
    assert banner.action.text() == "Enter a key…"
    pressed = wait_signal(rig.model.banner.action_triggered)
    qtbot.mouseClick(banner.action, Qt.MouseButton.LeftButton)
    (action,) = await pressed
    assert action is BannerAction.ENTER_KEY
    assert not banner.isVisible()


def test_a_missing_device_says_so_and_the_newest_message_wins(rig: Rig) -> None:
    rig.conversation.emit(SessionErrored("Reconnecting after a hiccup.", ErrorAction.RETRY))
    rig.conversation.emit(MediaErrored("camera", "The camera could not be opened.", True))
    banner = rig.window.banner
    assert banner.text.text() == "The camera could not be opened."
    assert banner.action.text() == "Choose a device"
    qtbot_close = banner.close_button
    qtbot_close.click()
    assert not banner.isVisible()


@pytest.mark.asyncio
async def test_a_failing_click_becomes_a_banner_not_a_crash(rig: Rig, qtbot) -> None:
    async def broken_start() -> None:
        raise OSError("device busy")

    rig.conversation.start = broken_start  # type: ignore[method-assign]
    qtbot.mouseClick(rig.window.start_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: rig.window.banner.isVisible(), what="the banner")
    assert rig.window.banner.text.text() == "The conversation could not start."
    assert "device busy" not in rig.window.banner.text.text()
    assert rig.window.start_button.isEnabled()
    assert rig.window.start_button.text() == "Start"
