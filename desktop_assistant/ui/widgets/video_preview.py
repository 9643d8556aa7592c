"""The frame that was sent, letterboxed, with the "sending" dot drawn on top of it.

The dot is part of the picture on purpose: whoever looks at the preview sees at the same glance
whether it is live.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_assistant.ui.theme import colors


class VideoPreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = QImage()
        self._sending = False
        self._paused = False
        self._placeholder = self.tr("Video off")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(160, 90)

    def sizeHint(self) -> QSize:
        return QSize(320, 180)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(round(width * 9 / 16), 90)

    @property
    def image(self) -> QImage:
        return self._image

    @property
    def sending(self) -> bool:
        return self._sending

    def set_image(self, image: QImage) -> None:
        self._image = image
        self.update()

    def set_sending(self, sending: bool) -> None:
        self._sending = sending
        self.update()

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        c = colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        frame = QRectF(self.rect())
        painter.setPen(QColor(c.border))
        painter.setBrush(QColor("#000000" if c.dark else "#e9ebef"))
        painter.drawRoundedRect(frame.adjusted(0.5, 0.5, -0.5, -0.5), 6.0, 6.0)
        if self._image.isNull():
            painter.setPen(QColor(c.muted))
            painter.drawText(frame, Qt.AlignmentFlag.AlignCenter, self._placeholder)
            painter.end()
            return
        size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(
            (self.width() - size.width()) / 2,
            (self.height() - size.height()) / 2,
            size.width(),
            size.height(),
        )
        painter.drawImage(target, self._image)
        if self._paused:
            painter.fillRect(target, QColor(0, 0, 0, 120))
            painter.setPen(QColor("#ffffff"))
            font = QFont(painter.font())
            font.setBold(True)
            painter.setFont(font)
            painter.drawText(target, Qt.AlignmentFlag.AlignCenter, self.tr("Paused — not sending"))
        if self._sending:
            badge = QRectF(target.left() + 8, target.top() + 8, 74, 20)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 150))
            painter.drawRoundedRect(badge, 10.0, 10.0)
            painter.setBrush(QColor("#ff4b4b"))
            painter.drawEllipse(QRectF(badge.left() + 7, badge.top() + 6, 8, 8))
            painter.setPen(QColor("#ffffff"))
            painter.drawText(
                badge.adjusted(20, 0, 0, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                self.tr("sending"),
            )
        painter.end()
