"""Tool calls as the console and the transcript show them: state, timing, result, approval.

The view-model is the one record of every call this conversation made. It starts the clock when
the model asks, stops it when the call finishes, and forwards the user's approve/deny to the
controller for side-effecting tools.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop_assistant.core.events import (
    ToolApprovalRequested,
    ToolCallCancelled,
    ToolCallFinished,
    ToolCallRequested,
)
from desktop_assistant.ui.controllers import ConversationController
from desktop_assistant.ui.tasks import UiTasks
from desktop_assistant.ui.transcript import ToolCallInfo, ToolState
from desktop_assistant.ui.viewmodels.router import EventRouter

Clock = Callable[[], float]


@dataclass
class ToolCallRecord:
    info: ToolCallInfo
    requested_at: float
    needs_approval: bool = False
    decided: bool = False
    reason: str = ""

    def elapsed_ms(self, now: float) -> float:
        """Finished calls report the tool's own figure; running ones count up from the request."""
        if self.info.elapsed_ms is not None:
            return self.info.elapsed_ms
        return (now - self.requested_at) * 1000.0


class ToolsViewModel(QObject):
    call_added = Signal(str)  # call_id
    call_changed = Signal(str)  # call_id
    pending_approvals_changed = Signal(int)

    def __init__(
        self,
        controller: ConversationController,
        router: EventRouter,
        tasks: UiTasks,
        clock: Clock = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._tasks = tasks
        self._clock = clock
        self.calls: dict[str, ToolCallRecord] = {}
        router.on(ToolCallRequested, self._on_requested)
        router.on(ToolApprovalRequested, self._on_approval_requested)
        router.on(ToolCallFinished, self._on_finished)
        router.on(ToolCallCancelled, self._on_cancelled)

    def now(self) -> float:
        return self._clock()

    @property
    def pending_approvals(self) -> int:
        return sum(1 for r in self.calls.values() if r.info.state is ToolState.AWAITING_APPROVAL)

    # ------------------------------------------------------------------------------ user

    def approve(self, call_id: str) -> None:
        self._decide(call_id, approved=True)

    def deny(self, call_id: str) -> None:
        self._decide(call_id, approved=False)

    def _decide(self, call_id: str, *, approved: bool) -> None:
        record = self.calls.get(call_id)
        if record is None or record.info.state is not ToolState.AWAITING_APPROVAL:
            return
        record.decided = True
        # Show the decision at once; the finished event brings the outcome.
        record.info.state = ToolState.RUNNING if approved else ToolState.DENIED
        self.call_changed.emit(call_id)
        self.pending_approvals_changed.emit(self.pending_approvals)
        verb = self.tr("approve") if approved else self.tr("deny")
        self._tasks.spawn(
            self._controller.resolve_tool_call(call_id, approved),
            name=f"ui.tool.{'approve' if approved else 'deny'}",
            failure=self.tr("Could not {0} the tool call {1}.").format(verb, record.info.name),
        )

    # ---------------------------------------------------------------------------- events

    def _record(
        self, call_id: str, name: str, args: Mapping[str, object]
    ) -> tuple[ToolCallRecord, bool]:
        record = self.calls.get(call_id)
        if record is not None:
            if args and not record.info.args:
                record.info.args = dict(args)
            return record, False
        info = ToolCallInfo(call_id=call_id, name=name, args=dict(args))
        record = ToolCallRecord(info=info, requested_at=self._clock())
        self.calls[call_id] = record
        return record, True

    def _on_requested(self, event: ToolCallRequested) -> None:
        _, new = self._record(event.call_id, event.name, event.args)
        if new:
            self.call_added.emit(event.call_id)

    def _on_approval_requested(self, event: ToolApprovalRequested) -> None:
        record, new = self._record(event.call_id, event.name, event.args)
        record.needs_approval = True
        record.reason = event.reason
        if not record.decided and not record.info.state.finished:
            record.info.state = ToolState.AWAITING_APPROVAL
        if new:
            self.call_added.emit(event.call_id)
        else:
            self.call_changed.emit(event.call_id)
        self.pending_approvals_changed.emit(self.pending_approvals)

    def _on_finished(self, event: ToolCallFinished) -> None:
        record, new = self._record(event.call_id, event.name, {})
        record.info.state = ToolState.from_outcome(event.outcome)
        record.info.result = dict(event.result)
        record.info.elapsed_ms = event.elapsed_ms
        if new:
            self.call_added.emit(event.call_id)
        else:
            self.call_changed.emit(event.call_id)
        self.pending_approvals_changed.emit(self.pending_approvals)

    def _on_cancelled(self, event: ToolCallCancelled) -> None:
        for call_id in event.call_ids:
            record = self.calls.get(call_id)
            if record is None or record.info.state.finished:
                continue
            record.info.state = ToolState.CANCELLED
            record.info.elapsed_ms = (self._clock() - record.requested_at) * 1000.0
            self.call_changed.emit(call_id)
        self.pending_approvals_changed.emit(self.pending_approvals)
