"""Qt's screen grabber as a FrameSource: on the offscreen platform it composes our own windows."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from desktop_assistant.core.ports import FrameSource
from desktop_assistant.ui.screen_source import QtScreenSource
from tests.gui.helpers import wait_until


class BlueBlock(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 255))
        painter.end()
        self.painted = True


@pytest.mark.asyncio
async def test_grabs_bgr_frames_of_what_is_on_screen() -> None:
    block = BlueBlock()
    block.setGeometry(40, 40, 200, 150)
    block.show()
    try:
        await wait_until(lambda: block.painted, what="the block to be painted")
        source = QtScreenSource()
        assert isinstance(source, FrameSource)
        assert source.latest() is None
        await source.start()
        try:
            frame = source.latest()
            assert frame is not None
            assert frame.sequence == 1
            assert frame.pixels.dtype == np.uint8
            assert frame.pixels.shape[2] == 3
            centre = block.mapToGlobal(QPoint(100, 75))
            blue, green, red = (int(v) for v in frame.pixels[centre.y(), centre.x()])
            assert (blue, green, red) == (255, 0, 0)  # BGR order, as the JPEG encoder expects
            again = source.grab_now()
            assert again is not None
            assert again.sequence == 2
        finally:
            await source.stop()
        assert not source.running
    finally:
        block.deleteLater()
