"""The last minute of the conversation as a strip: who spoke when, and where barge-in cut in.

Height says who had the floor (the model speaking is tallest, the user next, thinking and tools
low); a lightning mark sits at each cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_assistant.core.events import TurnState
from desktop_assistant.ui.theme import Colors, colors
from desktop_assistant.ui.viewmodels.turns_vm import StateSegment

WINDOW_S = 60.0


def _style(state: TurnState, c: Colors) -> tuple[str, float] | None:
    """Colour and height share of a state; ``None`` draws nothing (idle, listening)."""
    table: dict[TurnState, tuple[str, float]] = {
        TurnState.USER_SPEAKING: (c.user, 0.7),
        TurnState.MODEL_THINKING: (c.thinking, 0.25),
        TurnState.MODEL_SPEAKING: (c.model, 1.0),
        TurnState.INTERRUPTED: (c.danger, 0.4),
        TurnState.TOOL_RUNNING: (c.tool, 0.45),
    }
    return table.get(state)


class TurnTimeline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._segments: Sequence[StateSegment] = ()
        self._cuts: Sequence[float] = ()
        self._now = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(28)

    def sizeHint(self) -> QSize:
        return QSize(400, 30)

    def set_timeline(
        self, segments: Sequence[StateSegment], cuts: Sequence[float], now: float
    ) -> None:
        self._segments = tuple(segments)
        self._cuts = tuple(cuts)
        self._now = now
        self.update()

    def _x(self, t: float) -> float:
        start = self._now - WINDOW_S
        return (t - start) / WINDOW_S * self.width()

    def paintEvent(self, event: QPaintEvent) -> None:
        c = colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        height = float(self.height())
        base = height - 3.0
        painter.setPen(QPen(QColor(c.border), 1.0))
        painter.drawLine(QPointF(0.0, base + 1.5), QPointF(float(self.width()), base + 1.5))
        painter.setPen(Qt.PenStyle.NoPen)
        for segment in self._segments:
            style = _style(segment.state, c)
            if style is None:
                continue
            tone, share = style
            left = max(self._x(segment.start), 0.0)
            right = min(
                self._x(segment.end if segment.end is not None else self._now), self.width()
            )
            if right <= left:
                continue
            bar = max((base - 4.0) * share, 2.0)
            painter.setBrush(QColor(tone))
            painter.drawRoundedRect(QRectF(left, base - bar, max(right - left, 1.5), bar), 1.5, 1.5)
        painter.setBrush(QColor(c.danger))
        for cut in self._cuts:
            x = self._x(cut)
            if 0.0 <= x <= self.width():
                painter.drawPolygon(_bolt(x, 1.0, base - 1.0))
        painter.end()


def _bolt(x: float, top: float, bottom: float) -> QPolygonF:
    """A small lightning mark: the interruption sign, drawn so no emoji font is needed."""
    h = bottom - top
    return QPolygonF(
        [
            QPointF(x + 2.5, top),
            QPointF(x - 3.0, top + h * 0.55),
            QPointF(x, top + h * 0.55),
            QPointF(x - 2.5, bottom),
            QPointF(x + 3.0, top + h * 0.42),
            QPointF(x, top + h * 0.42),
        ]
    )
