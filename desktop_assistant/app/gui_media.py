"""The window's devices: microphone and speaker with echo cancellation, camera or screen.

``DeviceMedia`` is the ``ui.controllers.MediaController``. The audio devices are opened for each
conversation (the ``Assistant`` starts and stops them); a different microphone or speaker takes
effect by restarting the running conversation, because the media layer opens a device for the
life of its stream. Video goes through one ``SwitchableFrames`` source, so switching camera /
screen / off never touches the conversation: only the chosen source runs. What is sent, and how
often, is the assistant's video loop with media's ``ChangePacing`` (``pacing``): at most the
user's rate, slower while they are silent, unchanged pictures not again.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from desktop_assistant.core.events import MediaErrored, VideoFrameSent, VideoSendingChanged
from desktop_assistant.core.ports import AudioSink, AudioSource, Frame, FrameSource, Level
from desktop_assistant.media.audio.devices import list_input_devices, list_output_devices
from desktop_assistant.media.audio.factory import AudioDevices, open_audio
from desktop_assistant.media.video.factory import (
    open_camera,
    open_frame_pacing,
    open_screen,
    probe_screen_capture,
)
from desktop_assistant.media.video.pacing import ChangePacing
from desktop_assistant.ui.controllers import DeviceChoice, SentImage, VideoSourceKind
from desktop_assistant.ui.screen_source import QtScreenSource

log = logging.getLogger(__name__)

Publish = Callable[[object], None]


class SwitchableFrames:
    """One ``FrameSource`` that is the camera, the screen or nothing, as the user chooses.

    Frames are renumbered so that a switch never looks like "the same frame again" downstream.
    """

    def __init__(
        self,
        make_camera: Callable[[], FrameSource],
        make_screen: Callable[[], FrameSource],
    ) -> None:
        self._factories = {VideoSourceKind.CAMERA: make_camera, VideoSourceKind.SCREEN: make_screen}
        self.kind = VideoSourceKind.OFF
        self._source: FrameSource | None = None
        self._running = False
        self._sequence = 0
        self._inner: tuple[int, int] | None = None
        self._current: Frame | None = None

    async def start(self) -> None:
        self._running = True
        if self._source is not None:
            await self._source.start()

    async def stop(self) -> None:
        self._running = False
        if self._source is not None:
            await self._source.stop()

    async def select(self, kind: VideoSourceKind) -> None:
        if kind is self.kind:
            return
        old, self.kind = self._source, kind
        self._source = self._factories[kind]() if kind is not VideoSourceKind.OFF else None
        self._current = None
        if self._running:
            if old is not None:
                await old.stop()
            if self._source is not None:
                await self._source.start()

    def latest(self) -> Frame | None:
        source = self._source
        frame = source.latest() if source is not None else None
        if frame is None:
            return None
        key = (id(source), frame.sequence)
        if key != self._inner:
            self._inner = key
            self._sequence += 1
            self._current = Frame(frame.pixels, frame.captured_at, self._sequence)
        return self._current


def _choices(devices: Sequence[object]) -> list[DeviceChoice]:
    out = []
    for device in devices:
        name = str(getattr(device, "name", ""))
        if getattr(device, "is_monitor", False) or not name:
            continue
        out.append(DeviceChoice(name, name, bool(getattr(device, "is_default", False))))
    return out


class DeviceMedia:
    """``ui.controllers.MediaController`` over the media factories."""

    def __init__(
        self,
        publish: Publish,
        *,
        audio: bool = True,
        camera: str = "0",
        restart: Callable[[], Awaitable[None]] | None = None,
        screen_display: str | None = None,
    ) -> None:
        self._publish = publish
        self._audio_enabled = audio
        self._camera_spec = camera
        self._restart = restart
        self.mic_name: str | None = None
        self.speaker_name: str | None = None
        self.echo_cancellation = True
        self.headphones = False
        self.paused = False
        self.audio: AudioDevices | None = None
        self.frames = SwitchableFrames(self._make_camera, self._make_screen)
        self.pacing: ChangePacing = open_frame_pacing()
        """The assistants' video pacing; follows each conversation's microphone."""
        self._screen_display = screen_display
        self._sent: SentImage | None = None
        self._video_live = False
        self._last_jpeg: Callable[[], bytes | None] = lambda: None
        self._set_paused: Callable[[bool], None] = lambda _paused: None

    # ---------------------------------------------------------------- per conversation

    def open_audio(self) -> tuple[AudioSource | None, AudioSink | None]:
        """Fresh devices for the next conversation (the assistant starts and stops them)."""
        self.audio = None
        self.pacing.user_active = None  # no microphone: the video keeps its full rate
        if not self._audio_enabled:
            return None, None
        try:
            devices = open_audio(
                self.mic_name, self.speaker_name, headphones=self.headphones, on_error=self._publish
            )
        except Exception as error:  # PortAudio missing altogether: the window still works
            log.warning("no audio devices: %s", error)
            self._publish(MediaErrored("mic", f"No sound devices could be used: {error}", False))
            return None, None
        devices.echo.bypass = self.headphones or not self.echo_cancellation
        self.audio = devices
        self.pacing.user_active = devices.mic.user_active  # fewer pictures while the user is silent
        return devices.mic, devices.speaker

    def set_video_rate(self, fps: float) -> None:
        """The user's video rate (a setting that applies to the running conversation)."""
        self.pacing.set_rates(fps)

    def bind(
        self, last_jpeg: Callable[[], bytes | None], set_paused: Callable[[bool], None]
    ) -> None:
        """Follow the running assistant: what it sent last, and its video pause switch."""
        self._last_jpeg = last_jpeg
        self._set_paused = set_paused
        set_paused(self.paused)

    def on_event(self, event: object) -> None:
        if isinstance(event, VideoFrameSent):
            jpeg = self._last_jpeg()
            if jpeg is not None:
                self._sent = SentImage(jpeg, event.sequence, time.monotonic())
        elif isinstance(event, VideoSendingChanged):
            self._video_live = event.sending

    # ---------------------------------------------------------------- MediaController

    def microphones(self) -> Sequence[DeviceChoice]:
        if not self._audio_enabled:
            return []
        try:
            return _choices(list_input_devices())
        except Exception as error:
            log.info("no input devices: %s", error)
            return []

    def speakers(self) -> Sequence[DeviceChoice]:
        if not self._audio_enabled:
            return []
        try:
            return _choices(list_output_devices())
        except Exception as error:
            log.info("no output devices: %s", error)
            return []

    def cameras(self) -> Sequence[DeviceChoice]:
        spec = self._camera_spec
        name = f"Camera {spec}" if spec.isdigit() else spec.rsplit("/", 1)[-1]
        return [DeviceChoice(spec, name, True)]

    async def select_microphone(self, device_id: str | None) -> None:
        if device_id != self.mic_name:
            self.mic_name = device_id
            await self._restart_audio()

    async def select_speaker(self, device_id: str | None) -> None:
        if device_id != self.speaker_name:
            self.speaker_name = device_id
            await self._restart_audio()

    async def select_camera(self, device_id: str | None) -> None:
        if device_id and device_id != self._camera_spec:
            self._camera_spec = device_id
            if self.frames.kind is VideoSourceKind.CAMERA:
                await self.frames.select(VideoSourceKind.OFF)
                await self.frames.select(VideoSourceKind.CAMERA)

    async def _restart_audio(self) -> None:
        if self.audio is not None and self._restart is not None:
            await self._restart()

    def mic_level(self) -> Level | None:
        return self.audio.mic.level() if self.audio is not None else None

    def speaker_level(self) -> Level | None:
        return self.audio.speaker.level() if self.audio is not None else None

    async def set_echo_cancellation(self, enabled: bool) -> None:
        self.echo_cancellation = enabled
        if self.audio is not None:
            self.audio.echo.bypass = self.headphones or not enabled

    async def set_headphones(self, headphones: bool) -> None:
        self.headphones = headphones
        if self.audio is not None:
            self.audio.set_headphones(headphones)
            self.audio.echo.bypass = headphones or not self.echo_cancellation

    async def set_video_source(self, kind: VideoSourceKind) -> None:
        await self.frames.select(kind)
        if kind is VideoSourceKind.OFF:
            self._sent = None

    def set_video_paused(self, paused: bool) -> None:
        self.paused = paused
        self._set_paused(paused)

    def last_sent_image(self) -> SentImage | None:
        sent = self._sent
        if sent is not None and self._video_live and not self.paused:
            # Unchanged pictures are not sent again (and fewer go while the user is silent), yet
            # the service has the current one: for the "sending" dot, that is as good as new.
            return dataclasses.replace(sent, sent_at=time.monotonic())
        return sent

    # ---------------------------------------------------------------- sources

    def _make_camera(self) -> FrameSource:
        spec: int | str = (
            int(self._camera_spec) if self._camera_spec.isdigit() else self._camera_spec
        )
        return open_camera(spec, on_error=self._publish)

    def _make_screen(self) -> FrameSource:
        # mss is fastest on X11; elsewhere (Wayland, offscreen, macOS permissions) Qt's grabber.
        if probe_screen_capture(self._screen_display) is None:
            return open_screen(display=self._screen_display, on_error=self._publish)
        return QtScreenSource()
