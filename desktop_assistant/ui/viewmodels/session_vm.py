"""Start/stop, mute and push-to-talk: the toolbar's view-model.

It forwards the user's intent to the controller in UI tasks and mirrors what the controller
reports (running, connection state) as signals, so buttons always show the real state rather
than the last click.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_assistant.core.events import ConnectionState, ConnectionStateChanged, SessionStarted
from desktop_assistant.ui.controllers import ConversationController, ConversationEnded
from desktop_assistant.ui.tasks import UiTasks
from desktop_assistant.ui.viewmodels.router import EventRouter


class SessionViewModel(QObject):
    running_changed = Signal(bool)
    busy_changed = Signal(bool)  # a start or stop is under way
    muted_changed = Signal(bool)
    talking_changed = Signal(bool)  # push-to-talk held
    connection_changed = Signal(object)  # ConnectionState
    model_changed = Signal(str)

    def __init__(
        self,
        controller: ConversationController,
        router: EventRouter,
        tasks: UiTasks,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._tasks = tasks
        self.running = False
        self.busy = False
        self.muted = False
        self.talking = False
        self.connection = ConnectionState.DISCONNECTED
        self.model = ""
        router.on(ConnectionStateChanged, self._on_connection_changed)
        router.on(SessionStarted, self._on_session_started)
        router.on(ConversationEnded, self._on_ended)

    # ------------------------------------------------------------------------------ user

    def toggle_running(self) -> None:
        if self.running:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        if self.busy or self.running:
            return
        self._set_busy(True)
        self._tasks.spawn(
            self._start(), name="ui.start", failure=self.tr("The conversation could not start.")
        )

    def stop(self) -> None:
        if self.busy or not self.running:
            return
        self._set_busy(True)
        self._tasks.spawn(
            self._stop(), name="ui.stop", failure=self.tr("The conversation did not stop cleanly.")
        )

    async def _start(self) -> None:
        try:
            await self._controller.start()
        finally:
            self._set_busy(False)
            self._sync_running()

    async def _stop(self) -> None:
        try:
            if self.talking:
                self.talking = False
                self.talking_changed.emit(False)
            await self._controller.stop()
        finally:
            self._set_busy(False)
            self._sync_running()

    def set_muted(self, muted: bool) -> None:
        if muted == self.muted:
            return
        self.muted = muted
        self.muted_changed.emit(muted)
        self._tasks.spawn(
            self._controller.set_muted(muted),
            name="ui.mute",
            failure=self.tr("The microphone could not be muted.")
            if muted
            else self.tr("The microphone could not be unmuted."),
        )

    def toggle_muted(self) -> None:
        self.set_muted(not self.muted)

    def push_to_talk(self, pressed: bool) -> None:
        """Hold to talk: press starts a user turn, release ends it."""
        if pressed == self.talking or (pressed and not self.running):
            return
        self.talking = pressed
        self.talking_changed.emit(pressed)
        self._tasks.spawn(
            self._controller.push_to_talk(pressed),
            name="ui.push_to_talk",
            failure=self.tr("Push-to-talk did not reach the conversation."),
        )

    # ---------------------------------------------------------------------------- state

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    def _sync_running(self) -> None:
        running = self._controller.running
        if running != self.running:
            self.running = running
            self.running_changed.emit(running)

    def _on_connection_changed(self, event: ConnectionStateChanged) -> None:
        self.connection = event.state
        self.connection_changed.emit(event.state)
        if not self.busy:
            self._sync_running()

    def _on_ended(self, event: ConversationEnded) -> None:
        if self.talking:
            self.talking = False
            self.talking_changed.emit(False)
        if not self.busy:
            self._sync_running()

    def _on_session_started(self, event: SessionStarted) -> None:
        if event.model != self.model:
            self.model = event.model
            self.model_changed.emit(event.model)
