"""Bilingual captions for translation mode: what was said on the left, its translation on the right.

Shows the latest few utterances of each side in large type; the full record stays in the
transcript.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from desktop_assistant.ui.theme import colors
from desktop_assistant.ui.transcript import EntryKind
from desktop_assistant.ui.viewmodels.transcript_vm import TranscriptViewModel

LINES_PER_SIDE = 3


class CaptionsView(QFrame):
    def __init__(self, vm: TranscriptViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setObjectName("captions")
        self.setAccessibleName(self.tr("Bilingual captions"))
        layout = QGridLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.source_title = QLabel(self.tr("Original"))
        self.target_title = QLabel(self.tr("Translation"))
        for title in (self.source_title, self.target_title):
            title.setObjectName("captionTitle")
        self.source = QLabel()
        self.target = QLabel()
        for label, name in (
            (self.source, self.tr("Original")),
            (self.target, self.tr("Translation")),
        ):
            label.setObjectName("caption")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
            label.setAccessibleName(name)
            label.setMinimumHeight(72)
        layout.addWidget(self.source_title, 0, 0)
        layout.addWidget(self.target_title, 0, 1)
        layout.addWidget(self.source, 1, 0)
        layout.addWidget(self.target, 1, 1)
        layout.setColumnStretch(0, 1)
        layout.setColumnStretch(1, 1)
        vm.entry_added.connect(self.refresh)
        vm.entry_changed.connect(self.refresh)
        vm.cleared.connect(self.refresh)
        self.set_languages("", "")
        self.refresh()

    def set_languages(self, source: str, target: str) -> None:
        self.source_title.setText(source or self.tr("Original"))
        self.target_title.setText(target or self.tr("Translation"))

    def lines(self, kind: EntryKind) -> list[str]:
        entries = [e for e in self._vm.transcript.entries if e.kind is kind and e.text.strip()]
        return [e.heard_text.strip() for e in entries[-LINES_PER_SIDE:]]

    def refresh(self, *_: object) -> None:
        c = colors()
        for label, kind in ((self.source, EntryKind.USER), (self.target, EntryKind.MODEL)):
            lines = self.lines(kind)
            rendered = []
            for index, line in enumerate(lines):
                tone = c.text if index == len(lines) - 1 else c.muted
                rendered.append(f'<span style="color:{tone}">{html.escape(line)}</span>')
            label.setText("<br>".join(rendered))
