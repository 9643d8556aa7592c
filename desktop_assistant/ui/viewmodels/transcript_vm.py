"""The live transcript: both sides as they stream, barge-in cuts, typed messages, tool calls.

Feeds a plain ``Transcript`` from core events and says which entry changed, so the view redraws
one turn, not the whole conversation, per fragment.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from desktop_assistant.core.events import (
    InputTranscribed,
    Interrupted,
    ModelTextReceived,
    OutputTranscribed,
    PlaybackCut,
    TurnCompleted,
)
from desktop_assistant.ui.controllers import ConversationController
from desktop_assistant.ui.export import ExportFormat, export
from desktop_assistant.ui.tasks import UiTasks
from desktop_assistant.ui.transcript import EntryKind, Transcript
from desktop_assistant.ui.viewmodels.router import EventRouter
from desktop_assistant.ui.viewmodels.tools_vm import ToolsViewModel

Clock = Callable[[], float]


class TranscriptViewModel(QObject):
    entry_added = Signal(int)
    entry_changed = Signal(int)
    cleared = Signal()
    text_sent = Signal(str)

    def __init__(
        self,
        controller: ConversationController,
        router: EventRouter,
        tools: ToolsViewModel,
        tasks: UiTasks,
        clock: Clock = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._tools = tools
        self._tasks = tasks
        self._clock = clock
        self._t0: float | None = None
        # True between a barge-in and the next turn: late transcription of the cut generation
        # belongs to the unheard tail, not to a new model turn.
        self._after_cut = False
        self.transcript = Transcript()
        self.speaker = ""
        """Who answers new model turns when it is not Gemini (set from the backend in use)."""
        router.on(InputTranscribed, self._on_input)
        router.on(OutputTranscribed, self._on_output)
        router.on(ModelTextReceived, self._on_model_text)
        router.on(Interrupted, self._on_interrupted)
        router.on(PlaybackCut, self._on_playback_cut)
        router.on(TurnCompleted, self._on_turn_completed)
        tools.call_added.connect(self._on_tool_added)
        tools.call_changed.connect(self._on_tool_changed)

    # --------------------------------------------------------------------------- helpers

    def _now(self) -> float:
        now = self._clock()
        if self._t0 is None:
            self._t0 = now
        return now - self._t0

    def _touched(self, index: int | None, before: int) -> None:
        if index is None:
            return
        if index >= before:
            self.entry_added.emit(index)
        else:
            self.entry_changed.emit(index)

    # ------------------------------------------------------------------------------ user

    def send_text(self, text: str) -> bool:
        """Send a typed message; False (nothing sent) when it is blank or nothing is running."""
        text = text.strip()
        if not text or not self._controller.running:
            return False
        self._after_cut = False
        before = len(self.transcript)
        self._touched(self.transcript.add_typed(text, self._now()), before)
        self.text_sent.emit(text)
        self._tasks.spawn(
            self._controller.send_text(text),
            name="ui.send_text",
            failure=self.tr("Your message could not be sent."),
        )
        return True

    def clear(self) -> None:
        self.transcript.clear()
        self._t0 = None
        self._after_cut = False
        self.cleared.emit()

    def plain_text(self) -> str:
        return self.transcript.plain_text(you=self.tr("You"), model=self.tr("Gemini"))

    def export_text(self, fmt: ExportFormat) -> str:
        return export(
            self.transcript,
            fmt,
            you=self.tr("You"),
            model=self.tr("Gemini"),
            title=self.tr("Conversation"),
        )

    # ---------------------------------------------------------------------------- events

    def _on_input(self, event: InputTranscribed) -> None:
        self._after_cut = False
        before = len(self.transcript)
        now = self._now()
        index = self.transcript.add_fragment(
            EntryKind.USER, event.text, event.finished, now, interim=event.interim
        )
        self._touched(index, before)

    def _model_fragment(self, text: str, finished: bool) -> None:
        before = len(self.transcript)
        now = self._now()
        if self._after_cut:
            self._touched(self.transcript.append_unheard(text, now), before)
            return
        # The model answering means the user's turn is over, whatever transcription still says.
        self._touched(self.transcript.finish(EntryKind.USER, now), before)
        before = len(self.transcript)
        index = self.transcript.add_fragment(EntryKind.MODEL, text, finished, now)
        if index is not None and index >= before:
            self.transcript.entries[index].speaker = self.speaker  # before the view shows it
        self._touched(index, before)

    def _on_output(self, event: OutputTranscribed) -> None:
        self._model_fragment(event.text, event.finished)

    def _on_model_text(self, event: ModelTextReceived) -> None:
        if not event.thought:
            self._model_fragment(event.text, False)

    def _on_interrupted(self, event: Interrupted) -> None:
        before = len(self.transcript)
        index = self.transcript.interrupt(None, self._now())
        self._after_cut = index is not None
        self._touched(index, before)

    def _on_playback_cut(self, event: PlaybackCut) -> None:
        if event.heard_fraction is None:
            return
        self._touched(self.transcript.set_heard(event.heard_fraction), len(self.transcript))

    def _on_turn_completed(self, event: TurnCompleted) -> None:
        now = self._now()
        before = len(self.transcript)
        self._touched(self.transcript.finish(EntryKind.MODEL, now), before)
        self._after_cut = False

    def _on_tool_added(self, call_id: str) -> None:
        record = self._tools.calls.get(call_id)
        if record is None or self.transcript.tool_entry(call_id) is not None:
            return
        before = len(self.transcript)
        self._touched(self.transcript.add_tool_call(record.info, self._now()), before)

    def _on_tool_changed(self, call_id: str) -> None:
        index = self.transcript.update_tool(call_id, self._now())
        if index is not None:
            self.entry_changed.emit(index)
