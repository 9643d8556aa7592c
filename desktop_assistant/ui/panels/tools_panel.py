"""Tools: the console of every call, with approve / deny for the ones that wait for the user."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_assistant.ui.viewmodels.tools_vm import ToolsViewModel
from desktop_assistant.ui.widgets.tool_console import ToolConsole


class ToolsPanel(QWidget):
    def __init__(self, vm: ToolsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.hint = QLabel(
            self.tr("Tools that change something outside the app wait here for your approval.")
        )
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.console = ToolConsole(vm)
        layout.addWidget(self.console, 1)
