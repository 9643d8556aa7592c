"""A segmented level meter: fast attack, slow release, so speech reads as a steady bar."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_assistant.ui.theme import colors

SEGMENTS = 12
RELEASE_PER_UPDATE = 0.08
"""How far the bar may fall per reading (readings come every 50 ms)."""


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fraction = 0.0
        self._available = True
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(80)

    def sizeHint(self) -> QSize:
        return QSize(160, 14)

    @property
    def fraction(self) -> float:
        return self._fraction

    def set_fraction(self, fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        shown = (
            fraction
            if fraction >= self._fraction
            else max(fraction, self._fraction - RELEASE_PER_UPDATE)
        )
        if abs(shown - self._fraction) > 1e-3:
            self._fraction = shown
            self.update()

    def set_available(self, available: bool) -> None:
        """An unavailable meter draws hollow: there is nothing to measure, not silence."""
        if available != self._available:
            self._available = available
            if not available:
                self._fraction = 0.0
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        c = colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        gap = 2.0
        width = (self.width() - gap * (SEGMENTS - 1)) / SEGMENTS
        height = float(self.height())
        lit = round(self._fraction * SEGMENTS)
        for index in range(SEGMENTS):
            rect = QRectF(index * (width + gap), 0.0, width, height)
            if not self._available:
                painter.setPen(QColor(c.border))
                painter.setBrush(Qt.BrushStyle.NoBrush)
            elif index < lit:
                share = index / SEGMENTS
                tone = c.ok if share < 0.7 else (c.warning if share < 0.9 else c.danger)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(tone))
            else:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(c.border))
            painter.drawRoundedRect(rect, 2.0, 2.0)
        painter.end()
