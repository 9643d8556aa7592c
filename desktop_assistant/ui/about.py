"""The About box: what this is, which version, and what it is built on.

Not modal (the house rule: no modal dialogs during a conversation): it opens beside the window
and the conversation goes on.
"""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop_assistant import APP_NAME, __version__


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About {0}").format(APP_NAME))
        self.setModal(False)
        layout = QVBoxLayout(self)
        self.title = QLabel(f"<h2>{APP_NAME}</h2>")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.version = QLabel(self.tr("Version {0}").format(__version__))
        self.version.setObjectName("aboutVersion")
        self.version.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        blurb = QLabel(
            self.tr(
                "Talk with Gemini in real time, by voice, with your camera or screen in view, "
                "and interrupt it at any moment."
            )
        )
        blurb.setWordWrap(True)
        built = QLabel(
            self.tr("Qt {0} · PySide6 {1} · Python {2}").format(
                qVersion(), pyside_version, platform.python_version()
            )
        )
        licence = QLabel(self.tr("Free software under the MIT licence."))
        for label in (self.title, self.version, blurb, built, licence):
            label.setAccessibleName(label.text())
            layout.addWidget(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
