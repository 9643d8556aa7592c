"""The one banner: a plain sentence, the next action as a button, and a way to dismiss it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from desktop_assistant.ui.viewmodels.banner_vm import BannerAction, BannerViewModel


class Banner(QFrame):
    def __init__(self, vm: BannerViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setObjectName("banner")
        self.setProperty("level", "info")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action = QPushButton()
        self.action.setObjectName("bannerAction")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName(self.tr("Dismiss message"))
        self.close_button.setToolTip(self.tr("Dismiss"))
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action)
        layout.addWidget(self.close_button)
        self.action.clicked.connect(vm.trigger)
        self.close_button.clicked.connect(vm.dismiss)
        vm.changed.connect(self._on_changed)
        self.setAccessibleName(self.tr("Message"))
        self._on_changed()

    def _on_changed(self) -> None:
        message = self._vm.message
        if message is None:
            self.hide()
            return
        self.text.setText(message.text)
        self.setAccessibleDescription(message.text)
        self.setProperty("level", message.level.value)
        self.style().unpolish(self)
        self.style().polish(self)
        has_action = message.action is not BannerAction.NONE and bool(message.action_label)
        self.action.setVisible(has_action)
        self.action.setText(message.action_label)
        self.action.setAccessibleName(message.action_label)
        self.show()
