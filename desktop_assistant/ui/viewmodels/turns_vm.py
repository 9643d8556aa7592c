"""Who has the floor, and the recent history of it: the state strip and the turn timeline.

The timeline keeps segments of turn state with their times and the instants of barge-in, for the
last ``HISTORY_S`` seconds; counts cover the whole conversation.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop_assistant.core.events import Interrupted, TurnCompleted, TurnState, TurnStateChanged
from desktop_assistant.ui.controllers import ConversationEnded
from desktop_assistant.ui.viewmodels.router import EventRouter

Clock = Callable[[], float]

HISTORY_S = 90.0
"""How far back the timeline remembers (it draws the most recent minute)."""


@dataclass
class StateSegment:
    state: TurnState
    start: float
    end: float | None = None  # None: still current


class TurnsViewModel(QObject):
    state_changed = Signal(object)  # TurnState
    timeline_changed = Signal()
    counts_changed = Signal(int, int)  # model turns, interrupted turns

    def __init__(
        self, router: EventRouter, clock: Clock = time.monotonic, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        # The session's ``Interrupted`` and the state machine's move to INTERRUPTED describe one
        # cut; count it once per model turn, whichever arrives first.
        self._cut_counted = False
        # A model turn is counted when it completes, if the model spoke in it: pauses, tool calls
        # and thinking in between do not make it several turns.
        self._spoke_this_turn = False
        self.state = TurnState.IDLE
        self.segments: deque[StateSegment] = deque()
        self.cuts: deque[float] = deque()
        self.model_turns = 0
        self.interruptions = 0
        router.on(TurnStateChanged, self._on_state_changed)
        router.on(Interrupted, self._on_interrupted)
        router.on(TurnCompleted, self._on_turn_completed)
        router.on(ConversationEnded, self._on_ended)

    def now(self) -> float:
        return self._clock()

    def _on_state_changed(self, event: TurnStateChanged) -> None:
        now = self._clock()
        if event.state is self.state:
            return
        if self.segments and self.segments[-1].end is None:
            self.segments[-1].end = now
        self.segments.append(StateSegment(event.state, now))
        if event.state is TurnState.MODEL_SPEAKING:
            self._spoke_this_turn = True
            self._cut_counted = False
        if event.state is TurnState.INTERRUPTED:
            self._count_cut(now)
        self.state = event.state
        self._forget(now)
        self.state_changed.emit(event.state)
        self.timeline_changed.emit()

    def _on_turn_completed(self, event: TurnCompleted) -> None:
        if self._spoke_this_turn:
            self._spoke_this_turn = False
            self.model_turns += 1
            self.counts_changed.emit(self.model_turns, self.interruptions)

    def _on_ended(self, event: ConversationEnded) -> None:
        if self.state is not TurnState.IDLE:
            self._on_state_changed(TurnStateChanged(TurnState.IDLE, self.state))

    def _on_interrupted(self, event: Interrupted) -> None:
        if self._count_cut(self._clock()):
            self.timeline_changed.emit()

    def _count_cut(self, now: float) -> bool:
        if self._cut_counted:
            return False
        self._cut_counted = True
        self.cuts.append(now)
        self.interruptions += 1
        self.counts_changed.emit(self.model_turns, self.interruptions)
        return True

    def _forget(self, now: float) -> None:
        horizon = now - HISTORY_S
        while self.segments and (self.segments[0].end or now) < horizon:
            self.segments.popleft()
        while self.cuts and self.cuts[0] < horizon:
            self.cuts.popleft()
