"""GUI tests: real Qt widgets offscreen, with the asyncio loop running on Qt through qasync.

Every async test runs on a fresh ``qasync.QEventLoop`` over the one shared ``QApplication``
(pytest-asyncio's loop-factory hook). Inside a coroutine, never call ``qtbot.waitSignal``,
``waitUntil`` or ``wait``: they spin a nested Qt loop and deadlock the asyncio one. Use the
awaitable helpers in ``tests/gui/helpers.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from desktop_assistant.ui.main_window import MainWindow
from desktop_assistant.ui.theme import ThemeChoice, ThemeManager
from desktop_assistant.ui.viewmodels.window_model import WindowModel
from tests.conftest import running_virtual_audio
from tests.gui.doubles import MemorySettings, RecordingConversation, StaticMedia
from tests.gui.fixtures_window import ManualClock, Rig
from tests.gui.live_app import launch  # noqa: F401 (the end-to-end fixture, shared here)
from tests.support.pulse import VirtualAudio


def _app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(["desktop-assistant-tests"])
    assert isinstance(app, QApplication)
    return app


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    return {"qt": lambda: qasync.QEventLoop(_app())}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session")
def theme() -> Iterator[ThemeManager]:
    """The app's theme, light unless a test switches it (the offscreen platform has no scheme)."""
    manager = ThemeManager(_app(), ThemeChoice.LIGHT)
    yield manager
    manager.set_choice(ThemeChoice.LIGHT)


@pytest.fixture
def rig(qtbot, theme) -> Iterator[Rig]:
    conversation = RecordingConversation()
    media = StaticMedia()
    clock = ManualClock()
    settings = MemorySettings()
    model = WindowModel.build(conversation, media, clock, settings)
    window = MainWindow(model)
    window.show()
    yield Rig(conversation, media, settings, model, window, clock)
    model.media.deactivate()
    model.router.detach()
    window.finish_close()
    window.deleteLater()


@pytest.fixture(scope="package")
def virtual_audio() -> Iterator[VirtualAudio]:
    """The GUI tests that talk by voice get their own PulseAudio server."""
    yield from running_virtual_audio()
