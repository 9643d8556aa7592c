"""The conversation panel: the live transcript, a text box into the same session, copy and export.

In translation mode bilingual captions sit above the transcript.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.ui.export import ExportFormat
from desktop_assistant.ui.resources import icon
from desktop_assistant.ui.viewmodels.session_vm import SessionViewModel
from desktop_assistant.ui.viewmodels.transcript_vm import TranscriptViewModel
from desktop_assistant.ui.widgets.captions_view import CaptionsView
from desktop_assistant.ui.widgets.transcript_view import TranscriptView


class ConversationPanel(QWidget):
    exported = Signal(str)  # path written
    export_failed = Signal(str)  # what to tell the user

    def __init__(
        self,
        transcript: TranscriptViewModel,
        session: SessionViewModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = transcript
        self._session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        header = QHBoxLayout()
        title = QLabel(self.tr("Conversation"))
        title.setObjectName("panelTitle")
        header.addWidget(title)
        header.addStretch(1)
        self.copy_button = QToolButton()
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setIcon(icon("copy"))
        self.copy_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.copy_button.setAccessibleName(self.tr("Copy the transcript"))
        self.copy_button.setToolTip(self.tr("Copy the transcript as text (Ctrl+Shift+C)"))
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export") + " ▾")
        self.export_button.setIcon(icon("export"))
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button.setAccessibleName(self.tr("Export the transcript"))
        self.export_button.setToolTip(self.tr("Save as Markdown, JSON or SRT subtitles (Ctrl+S)"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for fmt, label in (
            (ExportFormat.MARKDOWN, self.tr("Markdown (.md)")),
            (ExportFormat.JSON, self.tr("JSON (.json)")),
            (ExportFormat.SRT, self.tr("Subtitles (.srt)")),
        ):
            action = menu.addAction(label)
            action.triggered.connect(lambda _=False, f=fmt: self.export_dialog(f))
        self.export_button.setMenu(menu)
        header.addWidget(self.copy_button)
        header.addWidget(self.export_button)
        layout.addLayout(header)

        self.captions = CaptionsView(transcript)
        self.captions.hide()
        layout.addWidget(self.captions)
        self.view = TranscriptView(transcript)
        layout.addWidget(self.view, 1)

        row = QHBoxLayout()
        self.input = QLineEdit()
        self.input.setObjectName("messageInput")
        self.input.setPlaceholderText(self.tr("Type a message… (Enter sends, Ctrl+L focuses)"))
        self.input.setAccessibleName(self.tr("Message to send"))
        self.input.setClearButtonEnabled(True)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setIcon(icon("send"))
        self.send_button.setAccessibleName(self.tr("Send the message"))
        self.send_button.setToolTip(self.tr("Send into the conversation (Enter)"))
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        layout.addLayout(row)

        self.input.returnPressed.connect(self.send)
        self.send_button.clicked.connect(self.send)
        self.input.textChanged.connect(self._update_send)
        self.copy_button.clicked.connect(self.copy)
        session.running_changed.connect(self._update_send)
        self._update_send()

    def _update_send(self, *_: object) -> None:
        live = self._session.running
        self.send_button.setEnabled(live and bool(self.input.text().strip()))
        if not live:
            self.input.setPlaceholderText(self.tr("Start the conversation to send messages (F5)"))
        else:
            self.input.setPlaceholderText(self.tr("Type a message… (Enter sends, Ctrl+L focuses)"))

    def send(self) -> None:
        if self._vm.send_text(self.input.text()):
            self.input.clear()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._vm.plain_text())

    def set_translation_mode(self, enabled: bool, source: str = "", target: str = "") -> None:
        self.captions.set_languages(source, target)
        self.captions.setVisible(enabled)

    def export_to(self, path: Path, fmt: ExportFormat | None = None) -> Path | None:
        """Write the transcript to ``path`` (format from the suffix unless given).

        Returns the path written, or ``None`` after telling the user why nothing was written.
        """
        fmt = fmt or ExportFormat.from_suffix(path.suffix or ".md")
        if path.suffix.lower() != fmt.suffix:
            path = path.with_suffix(fmt.suffix)
        try:
            path.write_text(self._vm.export_text(fmt), encoding="utf-8")
        except OSError as error:
            reason = error.strerror or str(error)
            self.export_failed.emit(
                self.tr("The transcript could not be saved to {0}: {1}.").format(path, reason)
            )
            return None
        self.exported.emit(str(path))
        return path

    def export_dialog(self, fmt: ExportFormat = ExportFormat.MARKDOWN) -> None:
        """Ask where to save, without a modal loop: the dialog reports back when it is done."""
        dialog = QFileDialog(self, self.tr("Export the transcript"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(
            [
                self.tr("Markdown (*.md)"),
                self.tr("JSON (*.json)"),
                self.tr("Subtitles (*.srt)"),
            ]
        )
        dialog.selectNameFilter(
            {
                ExportFormat.MARKDOWN: self.tr("Markdown (*.md)"),
                ExportFormat.JSON: self.tr("JSON (*.json)"),
                ExportFormat.SRT: self.tr("Subtitles (*.srt)"),
            }[fmt]
        )
        dialog.setDefaultSuffix(fmt.value)
        dialog.selectFile("conversation" + fmt.suffix)

        def chosen(path: str) -> None:
            suffix = Path(path).suffix
            try:
                chosen_fmt = ExportFormat.from_suffix(suffix) if suffix else fmt
            except ValueError:
                chosen_fmt = fmt
            self.export_to(Path(path), chosen_fmt)

        dialog.fileSelected.connect(chosen)
        dialog.open()
