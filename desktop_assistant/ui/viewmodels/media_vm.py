"""Devices and what leaves the machine: pickers, meters, the video source and its preview.

Meters and the preview are *pulled* on timers (the media layer only stores the latest reading
and frame; nothing is pushed per audio block). The preview shows the last JPEG that was actually
sent, decoded, so it can never show more or better than what the service saw; the "sending" dot
is lit only while such frames keep coming.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.core.ports import Level
from desktop_assistant.ui.controllers import DeviceChoice, MediaController, VideoSourceKind
from desktop_assistant.ui.tasks import UiTasks
from desktop_assistant.ui.viewmodels.router import EventRouter

Clock = Callable[[], float]

METER_INTERVAL_MS = 50
PREVIEW_INTERVAL_MS = 200
SENDING_STALE_S = 3.0
"""No frame sent for this long means the dot goes out, whatever the settings say."""


def level_to_fraction(level: Level | None, floor_dbfs: float = -60.0) -> float:
    """A meter's fill, 0..1, on a dB scale from ``floor_dbfs`` to full scale."""
    if level is None or math.isinf(level.rms_dbfs) or math.isnan(level.rms_dbfs):
        return 0.0
    return min(max((level.rms_dbfs - floor_dbfs) / -floor_dbfs, 0.0), 1.0)


class MediaViewModel(QObject):
    devices_changed = Signal()
    levels_updated = Signal(float, float)  # mic, speaker fill 0..1
    mic_available_changed = Signal(bool)
    video_source_changed = Signal(object)  # VideoSourceKind
    paused_changed = Signal(bool)
    preview_changed = Signal(QImage)
    sending_changed = Signal(bool)
    echo_cancellation_changed = Signal(bool)
    headphones_changed = Signal(bool)

    def __init__(
        self,
        media: MediaController,
        router: EventRouter,
        tasks: UiTasks,
        clock: Clock = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._media = media
        self._tasks = tasks
        self._clock = clock
        self.video_source = VideoSourceKind.OFF
        self.paused = False
        self.sending = False
        self.mic_available = True
        self.echo_cancellation = True
        self.headphones = False
        self.frames_per_second = 1.0
        self.preview = QImage()
        self.preview_sequence: int | None = None
        self.preview_size: tuple[int, int] | None = None
        self.microphones: Sequence[DeviceChoice] = ()
        self.speakers: Sequence[DeviceChoice] = ()
        self.cameras: Sequence[DeviceChoice] = ()
        self._meter_timer = QTimer(self)
        self._meter_timer.setInterval(METER_INTERVAL_MS)
        self._meter_timer.timeout.connect(self.poll_levels)
        self._preview_timer = QTimer(self)
        self._preview_timer.setInterval(PREVIEW_INTERVAL_MS)
        self._preview_timer.timeout.connect(self.poll_preview)
        router.on(MediaErrored, self._on_media_errored)

    # ------------------------------------------------------------------------- lifecycle

    def activate(self) -> None:
        """Start pulling meters and the preview (the window is shown)."""
        self.refresh_devices()
        self._meter_timer.start()
        self._preview_timer.start()

    def deactivate(self) -> None:
        self._meter_timer.stop()
        self._preview_timer.stop()

    def refresh_devices(self) -> None:
        self.microphones = tuple(self._media.microphones())
        self.speakers = tuple(self._media.speakers())
        self.cameras = tuple(self._media.cameras())
        self.devices_changed.emit()
        self._set_mic_available(bool(self.microphones))

    # ----------------------------------------------------------------------------- user

    def select_microphone(self, device_id: str | None) -> None:
        self._tasks.spawn(
            self._media.select_microphone(device_id),
            name="ui.select_microphone",
            failure=self.tr("That microphone could not be opened."),
        )

    def select_speaker(self, device_id: str | None) -> None:
        self._tasks.spawn(
            self._media.select_speaker(device_id),
            name="ui.select_speaker",
            failure=self.tr("That speaker could not be opened."),
        )

    def select_camera(self, device_id: str | None) -> None:
        self._tasks.spawn(
            self._media.select_camera(device_id),
            name="ui.select_camera",
            failure=self.tr("That camera could not be opened."),
        )

    def set_video_source(self, kind: VideoSourceKind) -> None:
        if kind is self.video_source:
            return
        self.video_source = kind
        self.video_source_changed.emit(kind)
        if kind is VideoSourceKind.OFF:
            self._clear_preview()
        self._tasks.spawn(
            self._media.set_video_source(kind),
            name="ui.video_source",
            failure=self.tr("The video source could not be switched."),
        )

    def set_paused(self, paused: bool) -> None:
        if paused == self.paused:
            return
        self.paused = paused
        self._media.set_video_paused(paused)
        self.paused_changed.emit(paused)
        self._update_sending()

    def toggle_paused(self) -> None:
        self.set_paused(not self.paused)

    def set_echo_cancellation(self, enabled: bool) -> None:
        if enabled == self.echo_cancellation:
            return
        self.echo_cancellation = enabled
        self.echo_cancellation_changed.emit(enabled)
        self._tasks.spawn(
            self._media.set_echo_cancellation(enabled),
            name="ui.echo_cancellation",
            failure=self.tr("Echo cancellation could not be switched."),
        )

    def set_headphones(self, headphones: bool) -> None:
        if headphones == self.headphones:
            return
        self.headphones = headphones
        self.headphones_changed.emit(headphones)
        self._tasks.spawn(
            self._media.set_headphones(headphones),
            name="ui.headphones",
            failure=self.tr("The headphones setting could not be applied."),
        )

    # --------------------------------------------------------------------------- polling

    def poll_levels(self) -> None:
        mic = self._media.mic_level()
        self._set_mic_available(mic is not None or bool(self.microphones))
        self.levels_updated.emit(
            level_to_fraction(mic), level_to_fraction(self._media.speaker_level())
        )

    def poll_preview(self) -> None:
        sent = self._media.last_sent_image()
        if (
            sent is not None
            and sent.sequence != self.preview_sequence
            and self.video_source is not VideoSourceKind.OFF
        ):
            image = QImage.fromData(sent.jpeg)
            if not image.isNull():
                self.preview = image
                self.preview_sequence = sent.sequence
                self.preview_size = (image.width(), image.height())
                self.preview_changed.emit(image)
        self._update_sending()

    def _update_sending(self) -> None:
        sent = self._media.last_sent_image()
        sending = (
            self.video_source is not VideoSourceKind.OFF
            and not self.paused
            and sent is not None
            and self._clock() - sent.sent_at < SENDING_STALE_S
        )
        if sending != self.sending:
            self.sending = sending
            self.sending_changed.emit(sending)

    def _clear_preview(self) -> None:
        self.preview = QImage()
        self.preview_size = None
        self.preview_changed.emit(self.preview)
        self._update_sending()

    def _set_mic_available(self, available: bool) -> None:
        if available != self.mic_available:
            self.mic_available = available
            self.mic_available_changed.emit(available)

    def _on_media_errored(self, event: MediaErrored) -> None:
        if event.device == "mic" and not event.recoverable:
            self._set_mic_available(False)
        if event.device in ("camera", "screen"):
            self._update_sending()
