"""Turns: the state strip (who has the floor now) over the timeline of the last minute, with counts."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_assistant.core.events import TurnState
from desktop_assistant.ui.viewmodels.turns_vm import TurnsViewModel
from desktop_assistant.ui.widgets.state_strip import StateStrip
from desktop_assistant.ui.widgets.turn_timeline import TurnTimeline

SCROLL_INTERVAL_MS = 200
"""The timeline slides while anything happens; it stands still when the conversation is idle."""


class TurnsPanel(QWidget):
    def __init__(self, vm: TurnsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        top = QHBoxLayout()
        title = QLabel(self.tr("Turns"))
        title.setObjectName("panelTitle")
        top.addWidget(title)
        self.strip = StateStrip()
        top.addWidget(self.strip, 1)
        layout.addLayout(top)
        bottom = QHBoxLayout()
        self.timeline = TurnTimeline()
        self.timeline.setAccessibleName(self.tr("Turn timeline"))
        self.counts = QLabel()
        self.counts.setObjectName("turnCounts")
        self.counts.setAccessibleName(self.tr("Turn counts"))
        bottom.addWidget(self.timeline, 1)
        bottom.addWidget(self.counts)
        layout.addLayout(bottom)
        self._timer = QTimer(self)
        self._timer.setInterval(SCROLL_INTERVAL_MS)
        self._timer.timeout.connect(self._redraw)
        vm.state_changed.connect(self._on_state_changed)
        vm.timeline_changed.connect(self._redraw)
        vm.counts_changed.connect(self._on_counts)
        self._on_counts(vm.model_turns, vm.interruptions)
        self._redraw()

    def _on_state_changed(self, state: TurnState) -> None:
        self.strip.set_state(state)
        if state is TurnState.IDLE:
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start()

    def _on_counts(self, turns: int, interrupted: int) -> None:
        text = self.tr("{0} turns").format(turns) if turns != 1 else self.tr("1 turn")
        if interrupted:
            # The multiplication sign reads "times", as in the window sketch.
            text += " · " + self.tr("interrupted {0}×").format(interrupted)  # noqa: RUF001
        self.counts.setText(text)
        self.timeline.setAccessibleDescription(text)

    def _redraw(self) -> None:
        vm = self._vm
        self.timeline.set_timeline(list(vm.segments), list(vm.cuts), vm.now())
