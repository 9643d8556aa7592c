"""The status bar: connection, the backend getting ready, latency per turn, token usage.

The connection shows reconnect progress; the backend getting ready is the offline engine loading
its models in the background (a line and a small bar, until it is ready).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from desktop_assistant.core.events import ConnectionState
from desktop_assistant.ui.viewmodels.backend_vm import BackendViewModel
from desktop_assistant.ui.viewmodels.session_vm import SessionViewModel
from desktop_assistant.ui.viewmodels.status_vm import StatusViewModel


class StatusBar(QStatusBar):
    READY_MESSAGE_MS = 5000

    def __init__(
        self,
        vm: StatusViewModel,
        session: SessionViewModel,
        backend: BackendViewModel | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self._backend = backend
        self.setSizeGripEnabled(False)
        self.connection = QLabel(vm.connection_text)
        self.connection.setObjectName("connectionStatus")
        self.connection.setAccessibleName(self.tr("Connection"))
        self.latency = QLabel(vm.latency_text)
        self.latency.setAccessibleName(self.tr("Latency"))
        self.usage = QLabel(vm.usage_text)
        self.usage.setAccessibleName(self.tr("Token usage"))
        self.preparing = QLabel()
        self.preparing.setObjectName("backendProgress")
        self.preparing.setAccessibleName(self.tr("Backend getting ready"))
        self.preparing_bar = QProgressBar()
        self.preparing_bar.setAccessibleName(self.tr("Loading progress"))
        self.preparing_bar.setTextVisible(False)
        self.preparing_bar.setMaximumWidth(96)
        self.preparing_bar.setMaximumHeight(12)
        self.addWidget(self.connection)
        self.addWidget(self.latency)
        # Permanent: a passing message ("Settings applied…") must not cover the loading.
        self.addPermanentWidget(self.preparing)
        self.addPermanentWidget(self.preparing_bar)
        self.addPermanentWidget(self.usage)
        vm.connection_text_changed.connect(self.connection.setText)
        vm.latency_text_changed.connect(self._on_latency)
        vm.usage_text_changed.connect(self.usage.setText)
        session.connection_changed.connect(self._on_state)
        self._on_state(session.connection)
        if backend is not None:
            backend.progress_changed.connect(self._on_progress)
        self._on_progress()

    def _on_progress(self) -> None:
        progress = self._backend.progress if self._backend is not None else None
        loading = progress is not None and progress.loading
        self.preparing.setVisible(loading)
        self.preparing_bar.setVisible(loading)
        if progress is None:
            return
        if loading:
            self.preparing.setText(progress.message)
            self.preparing.setToolTip(progress.detail)
            self.preparing_bar.setRange(0, max(progress.total, 1))
            self.preparing_bar.setValue(progress.done)
            self.preparing_bar.setAccessibleDescription(progress.message)
        elif progress.ready:
            self.showMessage(progress.message, self.READY_MESSAGE_MS)

    def _on_latency(self, text: str) -> None:
        self.latency.setText(text)
        self.latency.setToolTip(self._vm.latency_details())

    def _on_state(self, state: ConnectionState) -> None:
        self.connection.setProperty("state", state.value)
        self.connection.style().unpolish(self.connection)
        self.connection.style().polish(self.connection)
