"""A window over the recording controllers, for panel-level tests (fixture ``rig`` in conftest)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_assistant.ui.main_window import MainWindow
from desktop_assistant.ui.viewmodels.window_model import WindowModel
from tests.gui.doubles import MemorySettings, RecordingConversation, StaticMedia


class ManualClock:
    """Time that moves only when the test says so: figures like elapsed ms become exact."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Rig:
    conversation: RecordingConversation
    media: StaticMedia
    settings: MemorySettings
    model: WindowModel
    window: MainWindow
    clock: ManualClock
