"""The media panel: the preview shows exactly the frame sent, the dot is lit only while sending."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QColor, QImage

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.ui.controllers import SentImage, VideoSourceKind
from desktop_assistant.ui.main_window import MainWindow
from desktop_assistant.ui.viewmodels.window_model import WindowModel
from tests.gui.doubles import RecordingConversation, StaticMedia
from tests.gui.fixtures_window import ManualClock, Rig
from tests.gui.helpers import wait_until


def _jpeg(width: int, height: int, color: str) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPG", 90)
    return bytes(buffer.data().data())


@pytest.mark.asyncio
async def test_switching_source_shows_the_sent_frame_and_the_sending_dot(rig: Rig, qtbot) -> None:
    panel = rig.window.media
    vm = rig.model.media
    assert vm.video_source is VideoSourceKind.OFF
    assert panel.sending.text() == "○ not sending video"

    qtbot.mouseClick(panel.source_buttons[VideoSourceKind.SCREEN], Qt.MouseButton.LeftButton)
    await wait_until(lambda: ("set_video_source", VideoSourceKind.SCREEN) in rig.media.calls)
    assert panel.sending.text() == "○ not sending yet"  # nothing has gone out yet

    rig.media.sent = SentImage(_jpeg(320, 200, "#ff0000"), sequence=1, sent_at=rig.clock())
    vm.poll_preview()
    assert vm.sending
    assert panel.preview.sending
    assert (panel.preview.image.width(), panel.preview.image.height()) == (320, 200)
    red = panel.preview.image.pixelColor(10, 10)
    assert red.red() > 200
    assert red.green() < 60
    assert panel.sending.text() == "● sending 1 fps · 320×200"  # noqa: RUF001

    qtbot.mouseClick(panel.pause, Qt.MouseButton.LeftButton)
    assert ("set_video_paused", True) in rig.media.calls
    assert not vm.sending
    assert panel.sending.text() == "○ paused — not sending"
    qtbot.mouseClick(panel.pause, Qt.MouseButton.LeftButton)
    assert vm.sending

    # Frames stop coming (the source died): the dot goes out by itself.
    rig.clock.advance(10.0)
    vm.poll_preview()
    assert not vm.sending

    qtbot.mouseClick(panel.source_buttons[VideoSourceKind.OFF], Qt.MouseButton.LeftButton)
    assert panel.preview.image.isNull()
    assert panel.sending.text() == "○ not sending video"


def test_meters_follow_the_devices_and_no_microphone_is_said(qtbot, theme) -> None:
    media = StaticMedia(microphones=())
    model = WindowModel.build(RecordingConversation(), media, ManualClock())
    window = MainWindow(model)
    window.show()
    try:
        panel = window.media
        model.media.refresh_devices()
        model.media.poll_levels()
        assert panel.no_mic.isVisible()
        assert not panel.mic.isEnabled()
        assert panel.mic.currentText() == "No microphone found"
        assert panel.speaker_meter.fraction > 0.4  # -30 dBFS on a 60 dB scale
        assert panel.mic_meter.fraction == 0.0
    finally:
        window.finish_close()
        window.deleteLater()


def test_a_lost_microphone_shows_no_microphone(rig: Rig) -> None:
    rig.model.media.refresh_devices()
    assert not rig.window.media.no_mic.isVisible()
    rig.media.mic = None
    rig.conversation.emit(MediaErrored("mic", "The microphone was unplugged.", recoverable=False))
    assert rig.window.media.no_mic.isVisible()
    assert rig.window.banner.text.text() == "The microphone was unplugged."
