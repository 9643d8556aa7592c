"""The conversation as it streams: one block per turn, and tool calls inline.

Partial text shows in italics until it firms up; the unheard tail of a cut model turn is greyed.

Each turn is its own label, so a new fragment re-lays out one turn, not the whole conversation.
The view follows new text while it is scrolled to the bottom and stays put when the user has
scrolled up to read.
"""

from __future__ import annotations

import html
import json

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_assistant.ui.theme import Colors, colors
from desktop_assistant.ui.transcript import EntryKind, ToolState, TranscriptEntry
from desktop_assistant.ui.viewmodels.transcript_vm import TranscriptViewModel

CARET = "▍"
MAX_ARGS_CHARS = 120


def _clock(seconds: float) -> str:
    whole = max(int(seconds), 0)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def tool_state_text(state: ToolState) -> str:
    return {
        ToolState.AWAITING_APPROVAL: QCoreApplication.translate(
            "ToolState", "waiting for your approval"
        ),
        ToolState.RUNNING: QCoreApplication.translate("ToolState", "running"),
        ToolState.OK: QCoreApplication.translate("ToolState", "done"),
        ToolState.ERROR: QCoreApplication.translate("ToolState", "failed"),
        ToolState.TIMEOUT: QCoreApplication.translate("ToolState", "timed out"),
        ToolState.DENIED: QCoreApplication.translate("ToolState", "denied"),
        ToolState.CANCELLED: QCoreApplication.translate("ToolState", "cancelled"),
    }[state]


def tool_state_mark(state: ToolState) -> str:
    return {
        ToolState.AWAITING_APPROVAL: "?",
        ToolState.RUNNING: "…",
        ToolState.OK: "✓",
        ToolState.ERROR: "✗",
        ToolState.TIMEOUT: "✗",
        ToolState.DENIED: "✗",
        ToolState.CANCELLED: "⚡",
    }[state]


def compact_args(args: object) -> str:
    if not isinstance(args, dict):
        return ""
    text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in args.items())
    return text if len(text) <= MAX_ARGS_CHARS else text[: MAX_ARGS_CHARS - 1] + "…"


def header_html(entry: TranscriptEntry, c: Colors) -> str:
    if entry.kind is EntryKind.USER:
        who, tone = QCoreApplication.translate("TranscriptView", "You"), c.user
    else:
        who = entry.speaker or QCoreApplication.translate("TranscriptView", "Gemini")
        tone = c.model
    parts = [f'<b style="color:{tone}">{html.escape(who)}</b>']
    parts.append(f'<span style="color:{c.muted}">{_clock(entry.started_s)}</span>')
    if entry.typed:
        typed = QCoreApplication.translate("TranscriptView", "typed")
        parts.append(f'<span style="color:{c.muted}">⌨ {html.escape(typed)}</span>')
    if entry.interrupted:
        cut = QCoreApplication.translate("TranscriptView", "cut")
        parts.append(f'<b style="color:{c.danger}">⚡ {html.escape(cut)}</b>')
    return " &nbsp; ".join(parts)


def body_html(entry: TranscriptEntry, c: Colors) -> str:
    """The turn's text: heard, then the greyed unheard tail; partial text italic with a caret."""
    if entry.kind is EntryKind.TOOL:
        return tool_html(entry, c)
    heard = html.escape(entry.heard_text)
    tail = html.escape(entry.unheard_text)
    if not entry.finished:
        interim = html.escape(entry.interim)
        if interim:
            interim = f'<span style="color:{c.muted}">{" " if heard else ""}{interim}</span>'
        return f'<i>{heard}{interim}</i><span style="color:{c.muted}">{CARET}</span>'

    out = heard
    if tail:
        out += f'<span style="color:{c.muted}">{tail}</span>'
    return out or f'<span style="color:{c.muted}">…</span>'


def tool_html(entry: TranscriptEntry, c: Colors) -> str:
    call = entry.tool
    if call is None:
        return ""
    ok = call.state is ToolState.OK
    tone = c.ok if ok else (c.danger if call.state.finished else c.tool)
    args = html.escape(compact_args(dict(call.args)))
    elapsed = (
        f' <span style="color:{c.muted}">{call.elapsed_ms:.0f} ms</span>'
        if call.elapsed_ms is not None
        else ""
    )
    return (
        f'<span style="color:{c.tool}">⚙</span> '
        f"<code>{html.escape(call.name)}({args})</code> "
        f'<b style="color:{tone}">{tool_state_mark(call.state)}</b> '
        f'<span style="color:{tone}">{html.escape(tool_state_text(call.state))}</span>{elapsed}'
    )


class EntryWidget(QFrame):
    def __init__(self, entry: TranscriptEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setObjectName("turn")
        self.setProperty("kind", entry.kind.value)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.body = QLabel()
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if entry.kind is not EntryKind.TOOL:
            layout.addWidget(self.header)
        layout.addWidget(self.body)
        self.refresh()

    def refresh(self) -> None:
        c = colors()
        entry = self.entry
        if entry.kind is not EntryKind.TOOL:
            self.header.setText(header_html(entry, c))
        self.body.setText(body_html(entry, c))
        if entry.kind is EntryKind.TOOL:
            self.body.setAccessibleName(QCoreApplication.translate("TranscriptView", "Tool call"))
        elif entry.kind is EntryKind.USER:
            self.body.setAccessibleName(QCoreApplication.translate("TranscriptView", "You said"))
        else:
            self.body.setAccessibleName(
                QCoreApplication.translate("TranscriptView", "{0} said").format(entry.speaker)
                if entry.speaker
                else QCoreApplication.translate("TranscriptView", "Gemini said")
            )
        if entry.unheard_text:
            self.body.setToolTip(
                QCoreApplication.translate(
                    "TranscriptView",
                    "The greyed words were not heard: playback stopped when you interrupted.",
                )
            )
        else:
            self.body.setToolTip("")


class TranscriptView(QScrollArea):
    def __init__(self, vm: TranscriptViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setObjectName("transcript")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName(self.tr("Transcript"))
        self._content = QWidget()
        self._content.setObjectName("transcriptContent")
        self._layout = QVBoxLayout(self._content)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.setSpacing(6)
        self._placeholder = QLabel(
            self.tr(
                "Press Start and speak, or type a message below. The conversation appears here."
            )
        )
        self._placeholder.setObjectName("placeholder")
        self._placeholder.setWordWrap(True)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self._placeholder)
        self._layout.addStretch(1)
        self.setWidget(self._content)
        self.entries: list[EntryWidget] = []
        self._follow = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)
        vm.entry_added.connect(self._on_entry_added)
        vm.entry_changed.connect(self._on_entry_changed)
        vm.cleared.connect(self._on_cleared)

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.verticalScrollBar().maximum() - 8

    def _on_range_changed(self, minimum: int, maximum: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(maximum)

    def _on_entry_added(self, index: int) -> None:
        self._placeholder.hide()
        entries = self._vm.transcript.entries
        while len(self.entries) <= index:
            widget = EntryWidget(entries[len(self.entries)], self._content)
            self._layout.insertWidget(self._layout.count() - 1, widget)
            self.entries.append(widget)

    def _on_entry_changed(self, index: int) -> None:
        if index < len(self.entries):
            self.entries[index].refresh()
        else:
            self._on_entry_added(index)

    def _on_cleared(self) -> None:
        for widget in self.entries:
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.entries.clear()
        self._placeholder.show()

    def refresh_all(self) -> None:
        """Repaint every turn (the theme changed)."""
        for widget in self.entries:
            widget.refresh()
