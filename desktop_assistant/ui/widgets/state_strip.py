"""The state strip: who has the floor right now, with the current state lit.

listening · you're speaking · thinking · speaking · interrupted · tool running
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desktop_assistant.core.events import TurnState

# The strip's order reads like a turn: the user talks, the model thinks, then speaks.
STRIP_STATES = (
    TurnState.LISTENING,
    TurnState.USER_SPEAKING,
    TurnState.MODEL_THINKING,
    TurnState.MODEL_SPEAKING,
    TurnState.INTERRUPTED,
    TurnState.TOOL_RUNNING,
)


def state_label(state: TurnState) -> str:
    labels = {
        TurnState.IDLE: QCoreApplication.translate("StateStrip", "not started"),
        TurnState.LISTENING: QCoreApplication.translate("StateStrip", "listening"),
        TurnState.USER_SPEAKING: QCoreApplication.translate("StateStrip", "you're speaking"),
        TurnState.MODEL_THINKING: QCoreApplication.translate("StateStrip", "thinking"),
        TurnState.MODEL_SPEAKING: QCoreApplication.translate("StateStrip", "speaking"),
        TurnState.INTERRUPTED: QCoreApplication.translate("StateStrip", "interrupted"),
        TurnState.TOOL_RUNNING: QCoreApplication.translate("StateStrip", "tool running"),
    }
    return labels[state]


class StateStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stateStrip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._chips: dict[TurnState, QLabel] = {}
        for index, state in enumerate(STRIP_STATES):
            if index:
                dot = QLabel("·")
                dot.setObjectName("stripDot")
                layout.addWidget(dot)
            chip = QLabel(state_label(state))
            chip.setObjectName("stateChip")
            chip.setProperty("state", state.value)
            chip.setProperty("active", False)
            layout.addWidget(chip)
            self._chips[state] = chip
        layout.addStretch(1)
        self.state = TurnState.IDLE
        self.setAccessibleName(self.tr("Turn state"))
        self.set_state(TurnState.IDLE)

    def chip(self, state: TurnState) -> QLabel:
        return self._chips[state]

    def set_state(self, state: TurnState) -> None:
        self.state = state
        for chip_state, chip in self._chips.items():
            active = chip_state is state
            if chip.property("active") != active:
                chip.setProperty("active", active)
                # Dynamic properties only restyle after a re-polish.
                chip.style().unpolish(chip)
                chip.style().polish(chip)
        self.setAccessibleDescription(state_label(state))
        self.setToolTip(self.tr("Now: {0}").format(state_label(state)))
