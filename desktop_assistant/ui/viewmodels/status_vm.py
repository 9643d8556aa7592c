"""The status bar: connection with reconnect progress, latency per turn, token usage by modality."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    InputTranscribed,
    ModelAudioReceived,
    ModelTextReceived,
    OutputTranscribed,
    Reconnected,
    SessionStarted,
    TurnState,
    TurnStateChanged,
    UsageUpdated,
    VoiceActivityChanged,
)
from desktop_assistant.ui.latency import LatencyTracker
from desktop_assistant.ui.usage import UsageMeter, compact_count
from desktop_assistant.ui.viewmodels.router import EventRouter

Clock = Callable[[], float]

MODALITY_ORDER = ("audio", "text", "image", "video", "document")


class StatusViewModel(QObject):
    connection_text_changed = Signal(str)
    latency_text_changed = Signal(str)
    usage_text_changed = Signal(str)

    def __init__(
        self, router: EventRouter, clock: Clock = time.monotonic, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.connection = ConnectionState.DISCONNECTED
        self.reconnects = 0
        self.resumed = 0
        self.latency = LatencyTracker()
        self.usage = UsageMeter()
        self.connection_text = self._describe_connection(ConnectionStateChanged(self.connection))
        self.latency_text = ""
        self.usage_text = ""
        router.on(ConnectionStateChanged, self._on_connection)
        router.on(Reconnected, self._on_reconnected)
        router.on(SessionStarted, self._on_session_started)
        router.on(UsageUpdated, self._on_usage)
        router.on(TurnStateChanged, self._on_turn_state)
        router.on(VoiceActivityChanged, self._on_voice_activity)
        router.on(InputTranscribed, self._on_input)
        router.on(ModelAudioReceived, self._on_model_audio)
        router.on(OutputTranscribed, self._on_model_text)
        router.on(ModelTextReceived, self._on_model_text)

    # ----------------------------------------------------------------------- connection

    def _describe_connection(self, event: ConnectionStateChanged) -> str:
        state = event.state
        if state is ConnectionState.DISCONNECTED:
            return self.tr("Not connected")
        if state is ConnectionState.CONNECTING:
            return self.tr("Connecting…")
        if state is ConnectionState.RECONNECTING:
            if event.max_attempts:
                return self.tr("Reconnecting ({0}/{1})…").format(event.attempt, event.max_attempts)
            return self.tr("Reconnecting…")
        if state is ConnectionState.FAILED:
            return self.tr("Connection failed")
        text = self.tr("Connected")
        if self.reconnects:
            # The multiplication sign is the count mark the window uses throughout, not a letter.
            text += " · " + self.tr("reconnected {0}×").format(self.reconnects)  # noqa: RUF001
        if self.resumed:
            text += " · " + self.tr("resumed {0}×").format(self.resumed)  # noqa: RUF001
        return text

    def _set_connection_text(self, text: str) -> None:
        if text != self.connection_text:
            self.connection_text = text
            self.connection_text_changed.emit(text)

    def _on_connection(self, event: ConnectionStateChanged) -> None:
        self.connection = event.state
        if event.state is not ConnectionState.LIVE:
            self.latency.abandon()
        self._set_connection_text(self._describe_connection(event))

    def _on_reconnected(self, event: Reconnected) -> None:
        self.reconnects += 1
        if event.resumed:
            self.resumed += 1
        self._set_connection_text(
            self._describe_connection(ConnectionStateChanged(self.connection))
        )

    def _on_session_started(self, event: SessionStarted) -> None:
        self.usage.new_connection()

    # -------------------------------------------------------------------------- latency

    def user_turn_ended(self) -> None:
        """Push-to-talk released or a message typed: the model's clock starts now."""
        self.latency.user_turn_ended(self._clock())

    def _on_turn_state(self, event: TurnStateChanged) -> None:
        if event.previous is TurnState.USER_SPEAKING and event.state is not TurnState.USER_SPEAKING:
            self.latency.user_turn_ended(self._clock())

    def _on_voice_activity(self, event: VoiceActivityChanged) -> None:
        if not event.speaking:
            self.latency.user_turn_ended(self._clock())

    def _on_input(self, event: InputTranscribed) -> None:
        if event.finished:
            self.latency.user_turn_ended(self._clock())

    def _on_model_audio(self, event: ModelAudioReceived) -> None:
        if self.latency.model_audio(self._clock()):
            self._update_latency_text()

    def _on_model_text(self, event: OutputTranscribed | ModelTextReceived) -> None:
        if self.latency.model_text(self._clock()):
            self._update_latency_text()

    def _update_latency_text(self) -> None:
        last = self.latency.turns[-1] if self.latency.turns else None
        if last is None or last.first_audio_ms is None:
            return
        text = self.tr("heard in {0} ms").format(round(last.first_audio_ms))
        median = self.latency.median_audio_ms()
        if median is not None and len(self.latency.turns) > 1:
            text += " " + self.tr("(median {0} ms)").format(round(median))
        if text != self.latency_text:
            self.latency_text = text
            self.latency_text_changed.emit(text)

    def latency_details(self) -> str:
        """Per-turn figures, newest first, for the tooltip (the latency HUD)."""
        lines = []
        for number, turn in reversed(list(enumerate(self.latency.turns, start=1))):
            audio = f"{turn.first_audio_ms:.0f}" if turn.first_audio_ms is not None else "—"
            text = f"{turn.first_text_ms:.0f}" if turn.first_text_ms is not None else "—"
            lines.append(
                self.tr("Turn {0}: first text {1} ms, first audio {2} ms").format(
                    number, text, audio
                )
            )
        return "\n".join(lines[:10])

    # ---------------------------------------------------------------------------- usage

    def _on_usage(self, event: UsageUpdated) -> None:
        self.usage.add(event)
        totals = self.usage.totals
        parts = []
        known = [m for m in MODALITY_ORDER if totals.by_modality.get(m)]
        others = sorted(m for m in totals.by_modality if m not in MODALITY_ORDER)
        for name in known + others:
            count = totals.by_modality[name]
            if count:
                parts.append(f"{self._modality_name(name)} {compact_count(count)}")
        text = self.tr("tokens {0}").format(compact_count(totals.total))
        if parts:
            text += " (" + ", ".join(parts) + ")"
        if text != self.usage_text:
            self.usage_text = text
            self.usage_text_changed.emit(text)

    def _modality_name(self, name: str) -> str:
        names = {
            "audio": self.tr("audio"),
            "text": self.tr("text"),
            "image": self.tr("image"),
            "video": self.tr("video"),
            "document": self.tr("document"),
        }
        return names.get(name, name)
