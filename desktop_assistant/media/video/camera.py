"""The camera as a ``FrameSource``: OpenCV (headless), by device index or by file / URL.

A file stands in for a webcam in tests and demos: it is played at its own frame rate (so it
behaves like a live camera, not a decoder running flat out) and loops by seeking back to frame 0,
or, with ``loop_file=False``, ends with a clear ``MediaErrored``. A device that is missing (no
``/dev/video*``; ``VideoCapture(0)`` fails within milliseconds) or that stops delivering is
reported the same way, and ``latest()`` keeps returning the last good frame or ``None``.

Opening runs in an executor (a URL or a slow driver can take seconds); reading runs on a
``camera-reader`` thread that overwrites the latest-frame slot.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import cv2

from desktop_assistant.media.video.latest import ErrorSink, ReaderSource, SourceState

_MAX_FAILED_READS = 30  # about a second of a live camera returning nothing
_DEFAULT_FILE_FPS = 10.0


def describe_source(source: int | str | Path) -> str:
    if isinstance(source, int):
        return f"camera {source}"
    return (
        f"'{Path(source).name}'" if not str(source).startswith(("rtsp:", "http")) else str(source)
    )


class CameraSource(ReaderSource):
    role = "camera"

    def __init__(
        self,
        source: int | str | Path,
        *,
        loop_file: bool = True,
        max_fps: float | None = None,
        on_error: ErrorSink | None = None,
    ) -> None:
        super().__init__(on_error=on_error)
        if isinstance(source, str) and source.isdigit():
            source = int(source)
        self.source: int | str = source if isinstance(source, int) else str(source)
        self.is_file = isinstance(self.source, str) and Path(self.source).is_file()
        self.loop_file = loop_file
        self.max_fps = max_fps
        self.loops = 0
        self._capture: cv2.VideoCapture | None = None
        self.native_fps = 0.0

    async def start(self) -> None:
        """Open and start reading; a camera that cannot be opened is reported, not raised."""
        self._loop = asyncio.get_running_loop()
        self._set_state(SourceState.STARTING)
        name = describe_source(self.source)
        if isinstance(self.source, str) and not self.is_file and "://" not in self.source:
            self._report(f"The camera video {name} does not exist.", recoverable=False)
            self._set_state(SourceState.UNAVAILABLE)
            return
        capture = await asyncio.to_thread(self._open)
        if capture is None:
            hint = "Is it connected, and not in use by another app?" if not self.is_file else ""
            self._report(
                f"{name.capitalize()} could not be opened. {hint}".strip(), recoverable=False
            )
            self._set_state(SourceState.UNAVAILABLE)
            return
        self._capture = capture
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.native_fps = fps if 0 < fps <= 240 else _DEFAULT_FILE_FPS
        self._start_thread(self._read_main, "camera-reader")
        self._set_state(SourceState.RUNNING)

    def _open(self) -> cv2.VideoCapture | None:
        capture = cv2.VideoCapture(self.source)
        if not capture.isOpened():
            capture.release()
            return None
        return capture

    async def stop(self) -> None:
        await self._join_thread()
        if self._capture is not None:
            await asyncio.to_thread(self._capture.release)
            self._capture = None
        self._set_state(SourceState.STOPPED)

    # ------------------------------------------------------------------ reader thread

    def _read_main(self) -> None:
        capture = self._capture
        assert capture is not None
        file_period = 1.0 / self.native_fps if self.is_file else 0.0
        min_period = 1.0 / self.max_fps if self.max_fps else 0.0
        next_due = time.monotonic()
        last_published = 0.0
        failures = 0
        while not self._stop.is_set():
            if self.is_file:
                # Pace the file like a live camera; the wait doubles as the stop check.
                delay = next_due - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    return
                next_due = max(next_due + file_period, time.monotonic() - file_period)
            if not capture.grab():
                if self.is_file:
                    if self.loop_file and self._rewind(capture):
                        continue
                    self._from_reader(
                        SourceState.ENDED,
                        f"The camera video {describe_source(self.source)} ended.",
                        recoverable=False,
                    )
                    return
                failures += 1
                if failures >= _MAX_FAILED_READS:
                    self._from_reader(
                        SourceState.UNAVAILABLE,
                        f"{describe_source(self.source).capitalize()} stopped delivering pictures "
                        "(was it unplugged?).",
                        recoverable=False,
                    )
                    return
                continue
            failures = 0
            now = time.monotonic()
            if min_period and now - last_published < min_period:
                continue  # grabbed (the driver's queue stays fresh) but not decoded
            ok, pixels = capture.retrieve()
            if ok and pixels is not None:
                last_published = now
                self._publish(pixels, now)

    def _rewind(self, capture: cv2.VideoCapture) -> bool:
        if self.frames_read == 0:
            return False  # a file with no readable frame would loop forever
        self.loops += 1
        return bool(capture.set(cv2.CAP_PROP_POS_FRAMES, 0))
