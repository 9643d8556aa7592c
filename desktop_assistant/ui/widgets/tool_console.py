"""The tool console: one card per call, with Approve / Deny on calls that wait for the user.

A card shows the name, arguments, id, state, elapsed time and result.
"""

from __future__ import annotations

import html
import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.ui.theme import colors
from desktop_assistant.ui.transcript import ToolState
from desktop_assistant.ui.viewmodels.tools_vm import ToolCallRecord, ToolsViewModel
from desktop_assistant.ui.widgets.transcript_view import tool_state_mark, tool_state_text

ELAPSED_REFRESH_MS = 100
MAX_RESULT_CHARS = 600


def _json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=1, default=str)
    return text if len(text) <= MAX_RESULT_CHARS else text[: MAX_RESULT_CHARS - 1] + "…"


class ToolCallCard(QFrame):
    def __init__(
        self, vm: ToolsViewModel, record: ToolCallRecord, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self.record = record
        self.setObjectName("toolCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.state = QLabel()
        self.state.setObjectName("toolState")
        self.elapsed = QLabel()
        self.elapsed.setObjectName("toolElapsed")
        top.addWidget(self.title, 1)
        top.addWidget(self.state)
        top.addWidget(self.elapsed)
        layout.addLayout(top)
        self.call_id = QLabel()
        self.call_id.setObjectName("toolId")
        self.call_id.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.call_id)
        self.args = QLabel()
        self.args.setObjectName("toolArgs")
        self.args.setWordWrap(True)
        self.args.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.args)
        self.reason = QLabel()
        self.reason.setObjectName("toolReason")
        self.reason.setWordWrap(True)
        layout.addWidget(self.reason)
        self.result = QLabel()
        self.result.setObjectName("toolResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        name = record.info.name
        self.approve = QPushButton(self.tr("Approve"))
        self.approve.setObjectName("approve")
        self.approve.setAccessibleName(self.tr("Approve {0}").format(name))
        self.deny = QPushButton(self.tr("Deny"))
        self.deny.setObjectName("deny")
        self.deny.setAccessibleName(self.tr("Deny {0}").format(name))
        buttons.addWidget(self.deny)
        buttons.addWidget(self.approve)
        layout.addLayout(buttons)
        call_id = record.info.call_id
        self.approve.clicked.connect(lambda: vm.approve(call_id))
        self.deny.clicked.connect(lambda: vm.deny(call_id))
        self.refresh()

    def refresh(self) -> None:
        c = colors()
        info = self.record.info
        name = html.escape(info.name)
        self.title.setText(f'<span style="color:{c.tool}">⚙</span> <b>{name}</b>')
        self.state.setText(f"{tool_state_mark(info.state)} {tool_state_text(info.state)}")
        self.state.setProperty("toolState", info.state.value)
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
        self.call_id.setText(self.tr("id {0}").format(info.call_id))
        self.args.setText(self.tr("arguments: {0}").format(_json(dict(info.args))))
        if info.result is not None:
            self.result.setText(self.tr("result: {0}").format(_json(dict(info.result))))
            self.result.show()
        else:
            self.result.hide()
        waiting = info.state is ToolState.AWAITING_APPROVAL
        if waiting:
            why = self.record.reason or self.tr("it changes something outside the app")
            self.reason.setText(self.tr("Asks for your approval: {0}.").format(why))
        self.reason.setVisible(waiting)
        self.approve.setVisible(waiting)
        self.deny.setVisible(waiting)
        self.refresh_elapsed()
        self.setAccessibleName(
            self.tr("Tool call {0}: {1}").format(info.name, tool_state_text(info.state))
        )

    def refresh_elapsed(self) -> None:
        self.elapsed.setText(f"{self.record.elapsed_ms(self._vm.now()):.0f} ms")


class ToolConsole(QScrollArea):
    def __init__(self, vm: ToolsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setObjectName("toolConsole")
        self.setAccessibleName(self.tr("Tool console"))
        self.setWidgetResizable(True)
        content = QWidget()
        self._layout = QVBoxLayout(content)
        self._layout.setContentsMargins(6, 6, 6, 6)
        self._layout.setSpacing(6)
        self._empty = QLabel(
            self.tr("No tool calls yet. When the model uses a tool, it shows here.")
        )
        self._empty.setObjectName("placeholder")
        self._empty.setWordWrap(True)
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        self.setWidget(content)
        self.cards: dict[str, ToolCallCard] = {}
        self._ticker = QTimer(self)
        self._ticker.setInterval(ELAPSED_REFRESH_MS)
        self._ticker.timeout.connect(self._tick)
        vm.call_added.connect(self._on_added)
        vm.call_changed.connect(self._on_changed)

    def _on_added(self, call_id: str) -> None:
        record = self._vm.calls[call_id]
        self._empty.hide()
        card = ToolCallCard(self._vm, record)
        # Newest first: the call that needs attention is at the top.
        self._layout.insertWidget(1, card)
        self.cards[call_id] = card
        self._update_ticker()

    def _on_changed(self, call_id: str) -> None:
        card = self.cards.get(call_id)
        if card is None:
            self._on_added(call_id)
        else:
            card.refresh()
        self._update_ticker()

    def _update_ticker(self) -> None:
        running = any(not c.record.info.state.finished for c in self.cards.values())
        if running and not self._ticker.isActive():
            self._ticker.start()
        elif not running:
            self._ticker.stop()

    def _tick(self) -> None:
        for card in self.cards.values():
            if not card.record.info.state.finished:
                card.refresh_elapsed()
