"""Per-turn latency: from the moment the user's turn ended to the model's first text and audio.

The user's turn ends when the service's voice activity says so, when the state machine leaves
"you're speaking", when push-to-talk is released or when a typed message is sent; whichever comes
first counts. The first model audio chunk after that is "heard in"; the service's own queueing and
the network are inside the figure, the output device's buffer is not (the sink reports that).
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

KEEP_TURNS = 50


@dataclass
class TurnLatency:
    ended_at: float
    first_text_ms: float | None = None
    first_audio_ms: float | None = None

    @property
    def complete(self) -> bool:
        return self.first_audio_ms is not None


class LatencyTracker:
    def __init__(self) -> None:
        self.turns: deque[TurnLatency] = deque(maxlen=KEEP_TURNS)
        self._open: TurnLatency | None = None

    @property
    def current(self) -> TurnLatency | None:
        return self._open

    def user_turn_ended(self, now: float) -> None:
        if self._open is not None and self._open.first_audio_ms is None:
            return  # the first end of this user turn is the one that counts
        self._open = TurnLatency(ended_at=now)

    def model_text(self, now: float) -> bool:
        turn = self._open
        if turn is None or turn.first_text_ms is not None:
            return False
        turn.first_text_ms = (now - turn.ended_at) * 1000.0
        if turn.first_audio_ms is not None:
            self._close()
        return True

    def model_audio(self, now: float) -> bool:
        turn = self._open
        if turn is None or turn.first_audio_ms is not None:
            return False
        turn.first_audio_ms = (now - turn.ended_at) * 1000.0
        self.turns.append(turn)
        if turn.first_text_ms is not None:
            self._close()
        return True

    def abandon(self) -> None:
        """The conversation stopped, or the turn got no answer: do not count a stale start."""
        self._open = None

    def _close(self) -> None:
        self._open = None

    def median_audio_ms(self) -> float | None:
        values = [t.first_audio_ms for t in self.turns if t.first_audio_ms is not None]
        return statistics.median(values) if values else None
