"""The video uplink: at most ``fps`` frames a second, only when the picture changed.

Video is what makes Live sessions short and expensive (audio+video sessions are limited to 2 min
without compression, each frame costs tokens), so this sends as little as still shows the model
what the user sees:

- at most ``fps`` (1 by default) while the user is talking, ``idle_fps`` (0.3) while silent;
- a frame that did not change (mean absolute difference of a 64x36 grey thumbnail below
  ``change_threshold``, out of 255) is skipped: the model already has it;
- longest side ``max_side`` (1024) and JPEG in an executor, never on the loop.

``sending`` (with listeners) tells the UI whether pictures are going out right now, for the
"camera is being sent" indicator; ``pause()``/``resume()`` stop and restart it in one call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from desktop_assistant.core.ports import Frame, FrameSource
from desktop_assistant.media.video.encode import (
    DEFAULT_MAX_SIDE,
    DEFAULT_QUALITY,
    EncodedFrame,
    encode_jpeg,
)

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = (64, 36)
DEFAULT_CHANGE_THRESHOLD = 2.0

SendJpeg = Callable[[bytes], Awaitable[None]]


class ChangeDetector:
    """Cheap "did the picture change": mean absolute difference of grey thumbnails."""

    def __init__(self, threshold: float = DEFAULT_CHANGE_THRESHOLD) -> None:
        self.threshold = threshold
        self._last: npt.NDArray[np.float32] | None = None
        self.last_difference = 0.0

    @staticmethod
    def thumbnail(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        small = cv2.resize(pixels, THUMBNAIL_SIZE, interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        return grey.astype(np.float32)

    def changed(self, pixels: npt.NDArray[np.uint8]) -> bool:
        """Whether this differs from the last frame accepted (the first always does)."""
        thumb = self.thumbnail(pixels)
        if self._last is None or self._last.shape != thumb.shape:
            self.last_difference = float("inf")
            return True
        self.last_difference = float(np.mean(np.abs(thumb - self._last)))
        return self.last_difference >= self.threshold

    def accept(self, pixels: npt.NDArray[np.uint8]) -> None:
        self._last = self.thumbnail(pixels)

    def reset(self) -> None:
        self._last = None


@dataclass(slots=True)
class UplinkStats:
    ticks: int = 0  # pacing slots that came round (sent, skipped or paused)
    frames_sent: int = 0
    frames_unchanged: int = 0
    bytes_sent: int = 0
    send_errors: int = 0
    encode_ms: list[float] = field(default_factory=list)
    jpeg_bytes: list[int] = field(default_factory=list)


SendingListener = Callable[[bool], None]


class VideoUplink:
    """Samples a ``FrameSource`` and sends JPEGs through ``send`` (e.g. ``session.send_video``)."""

    def __init__(
        self,
        source: FrameSource,
        send: SendJpeg,
        *,
        fps: float = 1.0,
        idle_fps: float = 0.3,
        user_active: Callable[[], bool] | None = None,
        max_side: int = DEFAULT_MAX_SIDE,
        quality: int = DEFAULT_QUALITY,
        change_threshold: float = DEFAULT_CHANGE_THRESHOLD,
        name: str = "camera",
    ) -> None:
        if fps <= 0 or idle_fps <= 0 or fps > 1.0 + 1e-9:
            raise ValueError("fps must be in (0, 1] and idle_fps > 0: the service takes <= 1 FPS")
        self.source = source
        self._send = send
        self.fps = fps
        self.idle_fps = min(idle_fps, fps)
        self._user_active = user_active
        self.max_side = max_side
        self.quality = quality
        self.name = name
        self.changes = ChangeDetector(change_threshold)
        self.stats = UplinkStats()
        self._paused = False
        self._sending = False
        self._listeners: list[SendingListener] = []
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.last_sent: EncodedFrame | None = None

    # ------------------------------------------------------------------ UI surface

    @property
    def sending(self) -> bool:
        """True while pictures go out: started, not paused, and the source has frames."""
        return self._sending

    @property
    def paused(self) -> bool:
        return self._paused

    def add_listener(self, listener: SendingListener) -> None:
        """``listener(sending)`` whenever ``sending`` flips (loop thread)."""
        self._listeners.append(listener)

    def pause(self) -> None:
        """Stop sending pictures now (the source keeps running for the preview)."""
        self._paused = True
        self._set_sending(False)

    def resume(self) -> None:
        self._paused = False
        self.changes.reset()  # the first picture after a pause always goes
        self._wake.set()

    def _set_sending(self, sending: bool) -> None:
        if sending == self._sending:
            return
        self._sending = sending
        for listener in list(self._listeners):
            listener(sending)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"{self.name}-uplink")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._set_sending(False)

    def current_interval_s(self) -> float:
        active = self._user_active() if self._user_active is not None else True
        return 1.0 / (self.fps if active else self.idle_fps)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last_sequence = -1
        next_due = time.monotonic()
        while True:
            delay = next_due - time.monotonic()
            if delay > 0:
                self._wake.clear()
                # Pacing, not waiting for a condition: sleep until the next slot (or a resume).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self.stats.ticks += 1
            if self._paused:
                next_due = time.monotonic() + self.current_interval_s()
                continue
            frame = self.source.latest()
            if frame is None:
                self._set_sending(False)
                next_due = time.monotonic() + 0.1  # no picture yet: look again soon
                continue
            self._set_sending(True)
            if frame.sequence == last_sequence or not self.changes.changed(frame.pixels):
                self.stats.frames_unchanged += 1
                next_due = time.monotonic() + self.current_interval_s()
                continue
            last_sequence = frame.sequence
            await self._encode_and_send(loop, frame)
            next_due = time.monotonic() + self.current_interval_s()

    async def _encode_and_send(self, loop: asyncio.AbstractEventLoop, frame: Frame) -> None:
        try:
            encoded = await loop.run_in_executor(
                None,
                lambda: encode_jpeg(frame, max_side=self.max_side, quality=self.quality),
            )
        except ValueError:
            log.warning("%s: a frame could not be encoded; skipped", self.name)
            return
        if self._paused:
            return  # paused while encoding: this picture must not go out
        try:
            await self._send(encoded.jpeg)
        except Exception:
            self.stats.send_errors += 1
            log.warning("%s: sending a frame failed; the next one will be tried", self.name)
            return
        self.changes.accept(frame.pixels)
        self.last_sent = encoded
        self.stats.frames_sent += 1
        self.stats.bytes_sent += len(encoded.jpeg)
        self.stats.encode_ms.append(encoded.encode_ms)
        self.stats.jpeg_bytes.append(len(encoded.jpeg))
        del self.stats.encode_ms[:-100], self.stats.jpeg_bytes[:-100]
