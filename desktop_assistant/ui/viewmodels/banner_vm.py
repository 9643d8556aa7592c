"""The one banner for problems: plain words and the next action, never a traceback.

Session errors, device errors, a dropped connection and failed UI actions all end up here. One
message shows at a time; a newer one replaces it, and a recovered connection clears the
connection message by itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    ErrorAction,
    MediaErrored,
    Reconnected,
    SessionErrored,
)
from desktop_assistant.ui.viewmodels.router import EventRouter


class BannerAction(enum.Enum):
    """What the banner's button does; the window decides how."""

    NONE = "none"
    RECONNECT = "reconnect"
    START = "start"
    ENTER_KEY = "enter_key"
    CHOOSE_DEVICE = "choose_device"
    OPEN_SETTINGS = "open_settings"


class BannerLevel(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class BannerMessage:
    text: str
    level: BannerLevel
    action: BannerAction = BannerAction.NONE
    action_label: str = ""
    source: str = ""  # "connection", "session", "device:<name>", "ui"


class BannerViewModel(QObject):
    changed = Signal()  # read ``message``; None means hidden
    action_triggered = Signal(object)  # BannerAction

    def __init__(self, router: EventRouter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.message: BannerMessage | None = None
        router.on(SessionErrored, self._on_session_errored)
        router.on(MediaErrored, self._on_media_errored)
        router.on(ConnectionStateChanged, self._on_connection_changed)
        router.on(Reconnected, self._on_reconnected)

    # ------------------------------------------------------------------------------ showing

    def show(self, message: BannerMessage) -> None:
        self.message = message
        self.changed.emit()

    def dismiss(self) -> None:
        if self.message is not None:
            self.message = None
            self.changed.emit()

    def trigger(self) -> None:
        """The user pressed the banner's button."""
        if self.message is None:
            return
        action = self.message.action
        self.dismiss()
        self.action_triggered.emit(action)

    def report_failure(self, what: str, error: BaseException) -> None:
        """A UI action failed (``UiTasks`` reporter): say what did not happen, not why in code."""
        self.show(BannerMessage(what, BannerLevel.ERROR, source="ui"))

    def _clear_source(self, prefix: str) -> None:
        if self.message is not None and self.message.source.startswith(prefix):
            self.dismiss()

    # ------------------------------------------------------------------------------- events

    def _on_session_errored(self, event: SessionErrored) -> None:
        if event.action is ErrorAction.RETRY:
            level, action, label = BannerLevel.WARNING, BannerAction.NONE, ""
        elif event.action is ErrorAction.ASK_FOR_KEY:
            level, action, label = (
                BannerLevel.ERROR,
                BannerAction.ENTER_KEY,
                self.tr("Enter a key…"),
            )
        else:
            level, action, label = BannerLevel.ERROR, BannerAction.START, self.tr("Start again")
        self.show(BannerMessage(event.message, level, action, label, source="session"))

    def _on_media_errored(self, event: MediaErrored) -> None:
        level = BannerLevel.WARNING if event.recoverable else BannerLevel.ERROR
        self.show(
            BannerMessage(
                event.message,
                level,
                BannerAction.CHOOSE_DEVICE,
                self.tr("Choose a device"),
                source=f"device:{event.device}",
            )
        )

    def _on_connection_changed(self, event: ConnectionStateChanged) -> None:
        if event.state is ConnectionState.RECONNECTING:
            if event.max_attempts:
                text = self.tr("The connection dropped — reconnecting ({0}/{1})…").format(
                    event.attempt, event.max_attempts
                )
            else:
                text = self.tr("The connection dropped — reconnecting…")
            self.show(BannerMessage(text, BannerLevel.WARNING, source="connection"))
        elif event.state is ConnectionState.LIVE:
            self._clear_source("connection")
            if self.message is not None and self.message.level is not BannerLevel.ERROR:
                if self.message.source == "session":
                    self.dismiss()
        elif event.state is ConnectionState.FAILED:
            current = self.message
            if current is not None and current.source == "session":
                return  # the session already said why, in better words than a state change
            text = event.detail or self.tr("Could not reach the service.")
            self.show(
                BannerMessage(
                    text,
                    BannerLevel.ERROR,
                    BannerAction.RECONNECT,
                    self.tr("Try again"),
                    "connection",
                )
            )

    def _on_reconnected(self, event: Reconnected) -> None:
        self._clear_source("connection")
