"""The window's transcript: turns of both sides as they stream, plus inline tool calls.

Plain Python (no Qt) so that the exporters and their tests need no display. The transcript view-model
feeds it from core events and tells the widgets which entry changed.

Fragments of transcription are *deltas*: each ``InputTranscribed``/``OutputTranscribed`` carries the
next piece of text, and ``finished`` marks the last piece of that side's turn. Text that is still
streaming is *partial*; it becomes *firm* when its turn finishes. A model turn cut by barge-in keeps
all the text the service sent, split into the part the user heard and the unheard tail.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class EntryKind(enum.Enum):
    USER = "user"
    MODEL = "model"
    TOOL = "tool"


class ToolState(enum.Enum):
    """Where one tool call stands, as the tool console and the transcript show it."""

    AWAITING_APPROVAL = "awaiting_approval"
    RUNNING = "running"
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    DENIED = "denied"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self not in (ToolState.AWAITING_APPROVAL, ToolState.RUNNING)

    @classmethod
    def from_outcome(cls, outcome: str) -> ToolState:
        """Map ``ToolCallFinished.outcome`` (ok, error, timeout, cancelled, denied) to a state."""
        try:
            state = cls(outcome)
        except ValueError:
            return cls.ERROR
        return state if state.finished else cls.ERROR


@dataclass
class ToolCallInfo:
    call_id: str
    name: str
    args: Mapping[str, object]
    state: ToolState = ToolState.RUNNING
    result: Mapping[str, object] | None = None
    elapsed_ms: float | None = None


@dataclass
class TranscriptEntry:
    """One turn of one side (or one tool call), with times relative to the conversation start.

    For a model turn that was interrupted, ``heard_chars`` says how much of ``text`` was played
    before the cut; the rest is the unheard tail. ``None`` means all of it was heard (or it is not
    a model turn).
    """

    kind: EntryKind
    started_s: float
    ended_s: float
    text: str = ""
    interim: str = ""
    """Provisional recognition that the next interim or firm fragment replaces."""
    finished: bool = False
    interrupted: bool = False
    heard_chars: int | None = None
    typed: bool = False
    tool: ToolCallInfo | None = None
    speaker: str = ""
    """Model turns: who answered, when it was not Gemini (the offline engine, a test engine)."""

    @property
    def heard_text(self) -> str:
        """What reached the user's ears (all of it unless the turn was cut)."""
        if self.heard_chars is None:
            return self.text
        return self.text[: self.heard_chars]

    @property
    def unheard_text(self) -> str:
        """The tail the service sent but the user never heard (empty unless cut)."""
        if self.heard_chars is None:
            return ""
        return self.text[self.heard_chars :]


def heard_prefix_length(text: str, fraction: float) -> int:
    """How many characters of ``text`` a listener heard after ``fraction`` of its audio played.

    Speech runs roughly evenly over characters, so the split is proportional, then moved back to
    the last word boundary: greying half a word reads as a glitch, not as "you stopped it here".
    """
    fraction = min(max(fraction, 0.0), 1.0)
    if fraction >= 1.0:
        return len(text)
    cut = round(len(text) * fraction)
    if cut <= 0:
        return 0
    if cut < len(text) and not text[cut].isspace():
        # Mid-word: the whole word goes to the tail, and so does the space before it.
        space = text.rfind(" ", 0, cut)
        cut = space if space >= 0 else 0
    return cut


class Transcript:
    """The ordered entries of one conversation; every mutator returns the index it touched."""

    def __init__(self) -> None:
        self.entries: list[TranscriptEntry] = []
        self._tool_index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def clear(self) -> None:
        self.entries.clear()
        self._tool_index.clear()

    def _open_entry(self, kind: EntryKind) -> int | None:
        """The index of the still-streaming entry of ``kind`` (if it is the newest of its side)."""
        for index in range(len(self.entries) - 1, -1, -1):
            entry = self.entries[index]
            if entry.kind is kind:
                return None if entry.finished else index
        return None

    def add_fragment(
        self, kind: EntryKind, text: str, finished: bool, now_s: float, *, interim: bool = False
    ) -> int:
        """Append a streamed fragment to that side's open turn, or start a new turn.

        An ``interim`` fragment replaces the previous interim text instead of adding to it; a firm
        fragment supersedes whatever interim text was showing.
        """
        index = self._open_entry(kind)
        if index is None:
            self.entries.append(TranscriptEntry(kind=kind, started_s=now_s, ended_s=now_s))
            index = len(self.entries) - 1
        entry = self.entries[index]
        if interim:
            entry.interim = text
        else:
            entry.text = _join(entry.text, text)
            entry.interim = ""
        entry.ended_s = now_s
        if finished:
            self._firm(entry)
        return index

    @staticmethod
    def _firm(entry: TranscriptEntry) -> None:
        # Interim text that was never confirmed is the best record there is of what was said.
        if entry.interim:
            entry.text = _join(entry.text, (" " if entry.text else "") + entry.interim)
            entry.interim = ""
        entry.finished = True

    def add_typed(self, text: str, now_s: float) -> int:
        """A message the user typed: a whole, firm user turn of its own."""
        open_user = self._open_entry(EntryKind.USER)
        if open_user is not None:
            self._firm(self.entries[open_user])
        self.entries.append(
            TranscriptEntry(
                kind=EntryKind.USER,
                started_s=now_s,
                ended_s=now_s,
                text=text,
                finished=True,
                typed=True,
            )
        )
        return len(self.entries) - 1

    def finish(self, kind: EntryKind, now_s: float) -> int | None:
        """Firm up that side's open turn (turn complete); ``None`` if nothing was open."""
        index = self._open_entry(kind)
        if index is None:
            return None
        entry = self.entries[index]
        self._firm(entry)
        entry.ended_s = max(entry.ended_s, now_s)
        return index

    def interrupt(self, heard_fraction: float | None, now_s: float) -> int | None:
        """Barge-in: close the open model turn, keeping what was heard and marking the rest.

        ``heard_fraction`` is the share of the turn's audio that was played (``None`` when unknown,
        in which case all of the text counts as heard: better than greying what may have been said).
        """
        index = self._open_entry(EntryKind.MODEL)
        if index is None:
            return None
        entry = self.entries[index]
        entry.finished = True
        entry.interrupted = True
        entry.ended_s = max(entry.ended_s, now_s)
        if heard_fraction is not None:
            entry.heard_chars = heard_prefix_length(entry.text, heard_fraction)
        return index

    def set_heard(self, heard_fraction: float) -> int | None:
        """Playback reported how much of the interrupted (newest) model turn was heard."""
        for index in range(len(self.entries) - 1, -1, -1):
            entry = self.entries[index]
            if entry.kind is EntryKind.MODEL:
                if not entry.interrupted:
                    return None
                entry.heard_chars = heard_prefix_length(entry.text, heard_fraction)
                return index
        return None

    def append_unheard(self, text: str, now_s: float) -> int | None:
        """Transcription that arrives after the cut belongs to the unheard tail of that turn."""
        for index in range(len(self.entries) - 1, -1, -1):
            entry = self.entries[index]
            if entry.kind is EntryKind.MODEL:
                if not entry.interrupted:
                    return None
                if entry.heard_chars is None:
                    entry.heard_chars = len(entry.text)
                entry.text = _join(entry.text, text)
                entry.ended_s = max(entry.ended_s, now_s)
                return index
        return None

    def add_tool_call(self, call: ToolCallInfo, now_s: float) -> int:
        self.entries.append(
            TranscriptEntry(kind=EntryKind.TOOL, started_s=now_s, ended_s=now_s, tool=call)
        )
        index = len(self.entries) - 1
        self._tool_index[call.call_id] = index
        return index

    def tool_entry(self, call_id: str) -> int | None:
        return self._tool_index.get(call_id)

    def update_tool(self, call_id: str, now_s: float) -> int | None:
        index = self._tool_index.get(call_id)
        if index is None:
            return None
        entry = self.entries[index]
        entry.ended_s = now_s
        entry.finished = entry.tool is not None and entry.tool.state.finished
        return index

    def plain_text(self, you: str = "You", model: str = "Gemini") -> str:
        """The conversation as plain lines, for the clipboard."""
        lines: list[str] = []
        for entry in self.entries:
            if entry.kind is EntryKind.TOOL and entry.tool is not None:
                lines.append(f"[tool] {entry.tool.name} ({entry.tool.state.value})")
            elif entry.text:
                who = you if entry.kind is EntryKind.USER else entry.speaker or model
                text = entry.heard_text.rstrip()
                if entry.interrupted:
                    text += " [interrupted]"
                lines.append(f"{who}: {text}")
        return "\n".join(lines)


def _join(existing: str, fragment: str) -> str:
    """Concatenate transcription deltas; the service includes the spaces it means."""
    if not existing:
        return fragment.lstrip()
    return existing + fragment
