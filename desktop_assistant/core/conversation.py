"""The conversation as a person experiences it: who has the floor, and a transcript of turns.

``Conversation`` is fed every event (from the session, and the user's own actions) and answers
with the events it derives: ``TurnStateChanged`` when the floor changes hands. Transcription
arrives in fragments (``" Ca"``, ``"n I"`` ...) and without ordering guarantees relative to the
model's audio; the transcript aggregates fragments into turns and, when the user barges in, marks
the model's turn as interrupted together with how much of it was actually heard (played samples
reported by the sink), so the unheard tail can be shown greyed and left out of re-seeded history.

Pure logic, no I/O: the clock is injected.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    ErrorAction,
    InputTranscribed,
    Interrupted,
    ModelAudioReceived,
    ModelTextReceived,
    OutputTranscribed,
    SessionErrored,
    SessionStarted,
    TextSent,
    ToolCallCancelled,
    ToolCallFinished,
    ToolCallRequested,
    TurnCompleted,
    TurnState,
    TurnStateChanged,
    VoiceActivityChanged,
)
from desktop_assistant.core.ports import HistoryTurn

Clock = Callable[[], float]


class Role(enum.Enum):
    USER = "user"
    MODEL = "model"
    TOOL = "tool"


@dataclass(slots=True)
class TranscriptEntry:
    """One turn of the transcript (mutable while it is being spoken)."""

    role: Role
    started_at: float
    """Seconds since the conversation started."""
    text: str = ""
    source: str = "voice"  # user turns: voice or text
    finished: bool = False
    interrupted: bool = False
    turn: int | None = None
    """Model turns: the number the sink knows this turn's audio by."""
    received_samples: int = 0
    played_samples: int | None = None
    """Model turns: how many samples reached the speaker (set when the turn is cut or ends)."""
    call_id: str | None = None
    tool_name: str | None = None
    tool_args: Mapping[str, object] = field(default_factory=dict)
    tool_outcome: str | None = None
    tool_result: Mapping[str, object] = field(default_factory=dict)
    interim_text: str = ""
    chars_at_cut: int | None = None
    """Interrupted turns: how much text had arrived with the audio when the user cut in."""
    _spoken: list[str] = field(default_factory=list, repr=False)
    _written: list[str] = field(default_factory=list, repr=False)

    @property
    def heard_fraction(self) -> float | None:
        if self.played_samples is None or self.received_samples <= 0:
            return None
        return min(1.0, self.played_samples / self.received_samples)

    @property
    def heard_text(self) -> str:
        """What the user actually heard: all of it, unless the turn was cut.

        A cut turn keeps the share of its text that reached the speaker. When that share is
        unknown (no speaker to ask, as without an output device), it keeps all the text that had
        arrived by the cut: dropping it would make the model forget what it said, and the window
        does not grey any of it either.
        """
        if not self.interrupted:
            return self.text
        fraction = self.heard_fraction
        if fraction is None and not self.received_samples:
            return self.text  # a text answer: all of it was on screen
        # Text that trailed the cut belongs to audio that never arrived: the fraction applies to
        # the text that came with the audio.
        spoken = self.text if self.chars_at_cut is None else self.text[: self.chars_at_cut]
        return spoken if fraction is None else _cut_at_word(spoken, fraction)

    @property
    def unheard_text(self) -> str:
        return self.text[len(self.heard_text) :]

    def _refresh_text(self) -> None:
        # Audio sessions carry the output transcription; text sessions carry text parts. Prefer the
        # transcription so a model that sends both is not shown twice.
        self.text = "".join(self._spoken or self._written).strip()


def _cut_at_word(text: str, fraction: float) -> str:
    if fraction >= 1.0:
        return text
    cut = int(len(text) * fraction)
    if cut <= 0:
        return ""
    if cut < len(text) and not text[cut].isspace():
        space = text.rfind(" ", 0, cut)
        cut = space if space > 0 else cut
    return text[:cut].rstrip()


class Conversation:
    """Turn-state machine + transcript. Call from the loop thread."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._t0 = clock()
        self.state = TurnState.IDLE
        self.entries: list[TranscriptEntry] = []
        self.model_turn = 0
        """The number of the latest model turn (1-based; 0 before the first)."""
        self._model_entry: TranscriptEntry | None = None
        self._user_entry: TranscriptEntry | None = None
        self._cut_entry: TranscriptEntry | None = None
        """The interrupted model turn, until the service closes it (its late text still lands)."""
        self._pending_tools: dict[str, TranscriptEntry] = {}
        self.interruptions = 0

    # ------------------------------------------------------------------------------ queries

    def elapsed(self) -> float:
        return self._clock() - self._t0

    @property
    def accepting_model_audio(self) -> bool:
        """False between a barge-in and the end of the cut turn: late audio must not play."""
        return self._cut_entry is None

    @property
    def current_model_entry(self) -> TranscriptEntry | None:
        return self._model_entry

    def pending_tool_calls(self) -> list[str]:
        return list(self._pending_tools)

    def history(self) -> list[HistoryTurn]:
        """The conversation so far as the user experienced it, for re-seeding a connection."""
        turns: list[HistoryTurn] = []
        for entry in self.entries:
            if entry.role is Role.TOOL:
                continue
            text = entry.heard_text if entry.role is Role.MODEL else entry.text
            if text.strip():
                turns.append(HistoryTurn(entry.role.value, text.strip()))
        return turns

    # ------------------------------------------------------------------------------ updates

    def apply(self, event: object) -> list[TurnStateChanged]:
        """Feed one event; returns the state changes it caused (zero or one)."""
        before = self.state
        match event:
            case ConnectionStateChanged():
                self._on_connection(event)
            case SessionStarted():
                self._on_started(event)
            case InputTranscribed():
                self._on_input(event)
            case TextSent():
                self._on_text_sent(event)
            case VoiceActivityChanged():
                self._on_voice_activity(event)
            case ModelAudioReceived():
                self._on_model_audio(event)
            case ModelTextReceived():
                self._on_model_text(event)
            case OutputTranscribed():
                self._on_output(event)
            case Interrupted():
                self._on_interrupted(event)
            case TurnCompleted():
                self._on_turn_completed(event)
            case ToolCallRequested():
                self._on_tool_requested(event)
            case ToolCallFinished():
                self._on_tool_finished(event)
            case ToolCallCancelled():
                self._on_tool_cancelled(event)
            case SessionErrored():
                self._on_error(event)
        if self.state is before:
            return []
        return [TurnStateChanged(self.state, before)]

    def user_activity(self, speaking: bool) -> list[TurnStateChanged]:
        """The user pressed (True) or released (False) push-to-talk, or muted mid-speech."""
        return self.apply(VoiceActivityChanged(speaking))

    def mark_played(self, turn: int, played_samples: int) -> TranscriptEntry | None:
        """Record how much of model turn ``turn`` reached the speaker."""
        for entry in reversed(self.entries):
            if entry.role is Role.MODEL and entry.turn == turn:
                entry.played_samples = played_samples
                return entry
        return None

    def begin_model_output(self) -> int:
        """The model turn that new output belongs to, starting one if needed."""
        if self._model_entry is None:
            self.model_turn += 1
            self._model_entry = TranscriptEntry(Role.MODEL, self.elapsed(), turn=self.model_turn)
            self.entries.append(self._model_entry)
            # Late input transcription still lands in the user turn this answers.
        return self.model_turn

    # ------------------------------------------------------------ handlers, one per event type

    def _on_connection(self, event: ConnectionStateChanged) -> None:
        if event.state is ConnectionState.LIVE and self.state is TurnState.IDLE:
            self.state = TurnState.LISTENING
        elif event.state in (ConnectionState.DISCONNECTED, ConnectionState.FAILED):
            self.state = TurnState.IDLE

    def _on_started(self, _: SessionStarted) -> None:
        if self.state is TurnState.IDLE:
            self.state = TurnState.LISTENING

    def _on_input(self, event: InputTranscribed) -> None:
        entry = self._user_entry
        if entry is None:
            if not event.text.strip() and not event.interim:
                return
            entry = TranscriptEntry(Role.USER, self.elapsed())
            self._user_entry = entry
            self.entries.append(entry)
        if event.interim:
            entry.interim_text = event.text
        else:
            entry._spoken.append(event.text)
            entry.interim_text = ""
            entry._refresh_text()
        if event.finished:
            entry.finished = True
            self._user_entry = None
        if self.state in (TurnState.LISTENING, TurnState.INTERRUPTED, TurnState.IDLE) and (
            event.text.strip()
        ):
            self.state = TurnState.USER_SPEAKING

    def _on_text_sent(self, event: TextSent) -> None:
        self._close_user_entry()
        self.entries.append(
            TranscriptEntry(Role.USER, self.elapsed(), event.text, source="text", finished=True)
        )
        if self.state is not TurnState.TOOL_RUNNING:
            self.state = TurnState.MODEL_THINKING

    def _on_voice_activity(self, event: VoiceActivityChanged) -> None:
        if event.speaking:
            self.state = TurnState.USER_SPEAKING
        elif self.state is TurnState.USER_SPEAKING:
            self.state = TurnState.MODEL_THINKING

    def _on_model_audio(self, event: ModelAudioReceived) -> None:
        if self._cut_entry is not None:
            return  # late audio of the cut generation: never heard, never counted
        self.begin_model_output()
        assert self._model_entry is not None
        self._model_entry.received_samples += len(event.pcm) // 2
        self._model_speaks()

    def _on_model_text(self, event: ModelTextReceived) -> None:
        if event.thought:
            if self.state in (TurnState.LISTENING, TurnState.USER_SPEAKING):
                self.state = TurnState.MODEL_THINKING
            return
        entry = self._cut_entry or self._model_entry
        if entry is None:
            self.begin_model_output()
            entry = self._model_entry
        assert entry is not None
        entry._written.append(event.text)
        entry._refresh_text()
        if entry is not self._cut_entry:
            self._model_speaks()

    def _on_output(self, event: OutputTranscribed) -> None:
        # Transcription of a cut generation can trail the interruption: it still belongs there.
        entry = self._cut_entry or self._model_entry
        if entry is None:
            self.begin_model_output()
            entry = self._model_entry
        assert entry is not None
        entry._spoken.append(event.text)
        entry._refresh_text()
        if entry is not self._cut_entry:
            self._model_speaks()

    def _model_speaks(self) -> None:
        # The user turn stays open: its transcription may trail the answer (no ordering guarantee).
        if self.state is not TurnState.MODEL_SPEAKING:
            self.state = TurnState.MODEL_SPEAKING

    def _on_interrupted(self, _: Interrupted) -> None:
        self.interruptions += 1
        entry = self._model_entry
        if entry is not None:
            entry.interrupted = True
            entry.finished = True
            entry.chars_at_cut = len(entry.text)
            self._cut_entry = entry
            self._model_entry = None
        else:
            # Nothing of the answer had arrived yet: still a cut, nothing to mark.
            self._cut_entry = TranscriptEntry(Role.MODEL, self.elapsed(), interrupted=True)
        self._user_entry = None  # the barge-in speech is a new user turn
        self.state = TurnState.INTERRUPTED

    def _on_turn_completed(self, _: TurnCompleted) -> None:
        was_cut = self._cut_entry is not None
        if self._model_entry is not None:
            self._model_entry.finished = True
        self._model_entry = None
        self._cut_entry = None
        self._user_entry = None
        if self._pending_tools:
            self.state = TurnState.TOOL_RUNNING
        elif was_cut:
            self.state = TurnState.USER_SPEAKING
        elif self.state is not TurnState.USER_SPEAKING:
            self.state = TurnState.LISTENING

    def _on_tool_requested(self, event: ToolCallRequested) -> None:
        entry = TranscriptEntry(
            Role.TOOL,
            self.elapsed(),
            call_id=event.call_id,
            tool_name=event.name,
            tool_args=dict(event.args),
        )
        self.entries.append(entry)
        self._pending_tools[event.call_id] = entry
        if self.state is not TurnState.MODEL_SPEAKING:
            self.state = TurnState.TOOL_RUNNING

    def _on_tool_finished(self, event: ToolCallFinished) -> None:
        entry = self._pending_tools.pop(event.call_id, None)
        if entry is None:
            return
        entry.tool_outcome = event.outcome
        entry.tool_result = dict(event.result)
        entry.finished = True
        if not self._pending_tools and self.state is TurnState.TOOL_RUNNING:
            # The answer went back (or the call was cancelled): the model has the floor again.
            self.state = (
                TurnState.LISTENING if event.outcome == "cancelled" else TurnState.MODEL_THINKING
            )

    def _on_tool_cancelled(self, event: ToolCallCancelled) -> None:
        for call_id in event.call_ids:
            entry = self._pending_tools.get(call_id)
            if entry is not None:
                entry.tool_outcome = "cancelled"

    def _on_error(self, event: SessionErrored) -> None:
        if event.action is ErrorAction.STOP or event.action is ErrorAction.ASK_FOR_KEY:
            self.state = TurnState.IDLE

    def _close_user_entry(self) -> None:
        if self._user_entry is not None:
            self._user_entry.finished = True
            self._user_entry = None
