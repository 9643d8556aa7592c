"""Screen capture with Qt's own grabber: a ``core.ports.FrameSource`` that needs no extra library.

``QScreen.grabWindow(0)`` works on X11, on Windows, on macOS (with the screen-recording
permission) and on the offscreen platform the tests use, where it composes the app's own windows.
It must run on the Qt thread, which is the loop thread: a QTimer grabs a few milliseconds' worth
at the configured rate and keeps only the latest frame, which the uplink pulls.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QImage, QScreen

from desktop_assistant.core.ports import Frame

DEFAULT_INTERVAL_S = 1.0
"""The Live API takes at most one frame per second; grabbing faster only costs CPU."""


def qimage_to_bgr(image: QImage) -> np.ndarray[tuple[int, int, int], np.dtype[np.uint8]]:
    """Copy a QImage into an owned (height, width, 3) BGR uint8 array."""
    converted = image.convertToFormat(QImage.Format.Format_BGR888)
    width, height, stride = converted.width(), converted.height(), converted.bytesPerLine()
    buffer = np.frombuffer(converted.constBits(), dtype=np.uint8, count=stride * height)
    rows = buffer.reshape(height, stride)[:, : width * 3]
    return rows.reshape(height, width, 3).copy()


class QtScreenSource:
    """Grabs one screen (the primary one unless told otherwise) into a latest-frame slot."""

    def __init__(
        self, screen: QScreen | None = None, interval_s: float = DEFAULT_INTERVAL_S
    ) -> None:
        self._screen = screen
        self._timer = QTimer()
        self._timer.setInterval(max(int(interval_s * 1000), 50))
        self._timer.timeout.connect(self.grab_now)
        self._latest: Frame | None = None
        self._sequence = 0
        self.failures = 0

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def set_screen(self, screen: QScreen | None) -> None:
        self._screen = screen

    async def start(self) -> None:
        self.grab_now()
        self._timer.start()

    async def stop(self) -> None:
        self._timer.stop()

    def latest(self) -> Frame | None:
        return self._latest

    def grab_now(self) -> Frame | None:
        """Take one frame now (also what the timer calls); ``None`` if there is no screen."""
        if self._screen is not None:
            screen = self._screen
        elif QGuiApplication.screens():
            screen = QGuiApplication.primaryScreen()
        else:
            self.failures += 1  # no screen at all (headless without a platform screen)
            return None
        pixmap = screen.grabWindow(0)
        if pixmap.isNull():
            self.failures += 1
            return None
        self._sequence += 1
        frame = Frame(
            pixels=qimage_to_bgr(pixmap.toImage()),
            captured_at=time.monotonic(),
            sequence=self._sequence,
        )
        self._latest = frame
        return frame
