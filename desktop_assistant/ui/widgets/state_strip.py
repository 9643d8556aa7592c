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
    t = QCoreApplication.translate
    labels = {
        TurnState.IDLE: t("StateStrip", "not started"),
        TurnState.LISTENING: t("StateStrip", "listening"),
        TurnState.USER_SPEAKING: t("StateStrip", "you're speaking"),
        TurnState.MODEL_THINKING: t("StateStrip", "thinking"),
        TurnState.MODEL_SPEAKING: t("StateStrip", "speaking"),
        TurnState.INTERRUPTED: t("StateStrip", "interrupted"),
        TurnState.TOOL_RUNNING: t("StateStrip", "tool running"),
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
