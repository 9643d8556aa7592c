"""The status bar: connection and reconnect progress, latency per turn, usage by modality."""

from __future__ import annotations

from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    ModelAudioReceived,
    OutputTranscribed,
    Reconnected,
    SessionStarted,
    TurnState,
    TurnStateChanged,
    UsageUpdated,
)
from tests.gui.fixtures_window import Rig


def test_connection_and_reconnect_progress(rig: Rig) -> None:
    bar = rig.window.status
    assert bar.connection.text() == "Not connected"
    rig.conversation.emit(ConnectionStateChanged(ConnectionState.LIVE))
    assert bar.connection.text() == "Connected"
    rig.conversation.emit(ConnectionStateChanged(ConnectionState.RECONNECTING, 2, 5))
    assert bar.connection.text() == "Reconnecting (2/5)…"
    assert rig.window.banner.isVisible()
    assert "reconnecting (2/5)" in rig.window.banner.text.text()
    rig.conversation.emit(
        Reconnected(resumed=True, reseeded=False, gap_ms=420.0, reason="dropped"),
        ConnectionStateChanged(ConnectionState.LIVE),
    )
    assert bar.connection.text() == "Connected · reconnected 1× · resumed 1×"  # noqa: RUF001
    assert not rig.window.banner.isVisible()


def test_usage_sums_deltas_across_connections(rig: Rig) -> None:
    emit = rig.conversation.emit
    emit(SessionStarted("a", False, "m"))
    emit(UsageUpdated(total_tokens=1000, prompt_by_modality={"AUDIO": 900, "TEXT": 100}))
    emit(UsageUpdated(total_tokens=1500, prompt_by_modality={"AUDIO": 1300, "TEXT": 200}))
    # A new connection counts from zero again: its figures add, they do not replace.
    emit(SessionStarted("b", True, "m"))
    emit(UsageUpdated(total_tokens=400, prompt_by_modality={"AUDIO": 300, "IMAGE": 100}))
    totals = rig.model.status.usage.totals
    assert totals.total == 1900
    assert totals.by_modality == {"audio": 1600, "text": 200, "image": 100}
    assert rig.window.status.usage.text() == "tokens 1.9k (audio 1.6k, text 200, image 100)"


def test_latency_from_end_of_user_speech_to_first_audio(rig: Rig) -> None:
    emit = rig.conversation.emit
    emit(TurnStateChanged(TurnState.USER_SPEAKING, TurnState.LISTENING))
    rig.clock.advance(2.0)
    emit(TurnStateChanged(TurnState.MODEL_THINKING, TurnState.USER_SPEAKING))
    rig.clock.advance(0.15)
    emit(OutputTranscribed("Hi"))
    rig.clock.advance(0.062)
    emit(ModelAudioReceived(b"\0\0" * 240), ModelAudioReceived(b"\0\0" * 240))
    assert rig.window.status.latency.text() == "heard in 212 ms"
    assert "first text 150 ms, first audio 212 ms" in rig.window.status.latency.toolTip()
    # The next turn: the median joins the figure.
    emit(TurnStateChanged(TurnState.USER_SPEAKING, TurnState.MODEL_SPEAKING))
    rig.clock.advance(1.0)
    emit(TurnStateChanged(TurnState.MODEL_THINKING, TurnState.USER_SPEAKING))
    rig.clock.advance(0.4)
    emit(ModelAudioReceived(b"\0\0" * 240))
    assert rig.window.status.latency.text() == "heard in 400 ms (median 306 ms)"
