"""The About box says which version is running, and does not block the conversation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_assistant import __version__
from tests.gui.fixtures_window import Rig
from tests.gui.helpers import wait_until


@pytest.mark.asyncio
async def test_f1_opens_an_about_box_with_the_version_beside_the_window(rig: Rig, qtbot) -> None:
    window = rig.window
    qtbot.keyClick(window, Qt.Key.Key_F1)
    await wait_until(lambda: window.about is not None and window.about.isVisible(), what="About")
    about = window.about
    assert about is not None
    assert __version__ in about.version.text()
    assert not about.isModal()
    # The conversation can still be started while the box is open.
    qtbot.keyClick(window, Qt.Key.Key_F5)
    await wait_until(lambda: rig.model.session.running, what="the conversation to start")


@pytest.mark.asyncio
async def test_the_about_button_opens_the_same_box(rig: Rig, qtbot) -> None:
    qtbot.mouseClick(rig.window.about_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: rig.window.about is not None and rig.window.about.isVisible())
