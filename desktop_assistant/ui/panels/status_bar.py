"""The status bar: connection (with reconnect progress), latency per turn, token usage."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from desktop_assistant.core.events import ConnectionState
from desktop_assistant.ui.viewmodels.session_vm import SessionViewModel
from desktop_assistant.ui.viewmodels.status_vm import StatusViewModel


class StatusBar(QStatusBar):
    def __init__(
        self, vm: StatusViewModel, session: SessionViewModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setSizeGripEnabled(False)
        self.connection = QLabel(vm.connection_text)
        self.connection.setObjectName("connectionStatus")
        self.connection.setAccessibleName(self.tr("Connection"))
        self.latency = QLabel(vm.latency_text)
        self.latency.setAccessibleName(self.tr("Latency"))
        self.usage = QLabel(vm.usage_text)
        self.usage.setAccessibleName(self.tr("Token usage"))
        self.addWidget(self.connection)
        self.addWidget(self.latency)
        self.addPermanentWidget(self.usage)
        vm.connection_text_changed.connect(self.connection.setText)
        vm.latency_text_changed.connect(self._on_latency)
        vm.usage_text_changed.connect(self.usage.setText)
        session.connection_changed.connect(self._on_state)
        self._on_state(session.connection)

    def _on_latency(self, text: str) -> None:
        self.latency.setText(text)
        self.latency.setToolTip(self._vm.latency_details())

    def _on_state(self, state: ConnectionState) -> None:
        self.connection.setProperty("state", state.value)
        self.connection.style().unpolish(self.connection)
        self.connection.style().polish(self.connection)
