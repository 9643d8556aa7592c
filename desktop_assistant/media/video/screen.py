"""The screen as a ``FrameSource``: one monitor, a region, or a window, through mss.

mss needs a real X server on Linux (it cannot work under Wayland without XWayland, nor under
Qt's ``offscreen`` platform) and works natively on Windows and macOS. Where it cannot work,
``probe_screen_capture`` says why in plain words and ``ScreenSource.start`` reports
``UNAVAILABLE`` with that reason (a ``MediaErrored``) instead of raising, so the app can fall back
to Qt's own grabber (which lives in ``ui/``). Window capture is X11 only.

The reader thread owns its mss instance (mss handles are per-thread) and grabs at ``fps``; the
uplink samples at most 1 FPS, so 2 FPS keeps the latest frame fresh at a tiny cost (a 1280x800
grab with the copy to BGR is ~5 ms).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass

import mss
import numpy as np

from desktop_assistant.media.video.latest import ErrorSink, ReaderSource, SourceState
from desktop_assistant.media.video.x11_windows import X11Windows


@dataclass(frozen=True, slots=True)
class Monitor:
    """A whole monitor: 1 is the first (0 is all of them stitched together)."""

    index: int = 1


@dataclass(frozen=True, slots=True)
class Region:
    """A rectangle in desktop coordinates."""

    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Window:
    """A window whose title contains ``title`` (X11), followed as it moves."""

    title: str


ScreenTarget = Monitor | Region | Window


class ScreenUnavailableError(RuntimeError):
    """Screen capture cannot work here; the message says why."""


def _display(display: str | None) -> str | None:
    return display if display is not None else os.environ.get("DISPLAY")


def _open_mss(display: str | None) -> mss.base.MSS:
    # ``display`` only means something to the X11 backend; the others ignore ``None``.
    return mss.MSS(display=display)


def probe_screen_capture(display: str | None = None) -> str | None:
    """``None`` if screen capture works here, else the reason, in words for the user."""
    if sys.platform.startswith("linux"):
        shown = _display(display)
        if not shown:
            if os.environ.get("WAYLAND_DISPLAY"):
                return (
                    "Screen capture through mss needs X11; this is a Wayland session without "
                    "an X display."
                )
            return "There is no display to capture (no X server: DISPLAY is not set)."
    try:
        with _open_mss(_display(display)) as grabber:
            if len(grabber.monitors) < 2:
                return "The display reports no monitor to capture."
    except Exception as exc:  # mss raises its own ScreenShotError, or OSError from libX11
        return f"Screen capture is not available: {exc}"
    return None


class ScreenSource(ReaderSource):
    role = "screen"

    def __init__(
        self,
        target: ScreenTarget | None = None,
        *,
        fps: float = 2.0,
        display: str | None = None,
        on_error: ErrorSink | None = None,
    ) -> None:
        super().__init__(on_error=on_error)
        self.target: ScreenTarget = target if target is not None else Monitor(1)
        self.fps = fps
        self.display = _display(display)
        self.unavailable_reason: str | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._set_state(SourceState.STARTING)
        reason = await asyncio.to_thread(probe_screen_capture, self.display)
        if (
            reason is None
            and isinstance(self.target, Window)
            and not sys.platform.startswith("linux")
        ):
            reason = "Capturing a single window is only supported on X11; choose a monitor."
        if reason is not None:
            self.unavailable_reason = reason
            self._report(reason, recoverable=False)
            self._set_state(SourceState.UNAVAILABLE)
            return
        self._start_thread(self._read_main, "screen-reader")
        self._set_state(SourceState.RUNNING)

    async def stop(self) -> None:
        await self._join_thread()
        self._set_state(SourceState.STOPPED)

    # ------------------------------------------------------------------ reader thread

    def _read_main(self) -> None:
        period = 1.0 / self.fps
        windows: X11Windows | None = None
        try:
            grabber = _open_mss(self.display)
        except Exception as exc:
            self._from_reader(SourceState.UNAVAILABLE, f"Screen capture failed: {exc}", False)
            return
        try:
            if isinstance(self.target, Window):
                windows = X11Windows(self.display)
            while not self._stop.is_set():
                started = time.monotonic()
                area = self._area(grabber, windows)
                if area is None:
                    return
                try:
                    shot = grabber.grab(area)
                except Exception as exc:
                    self._from_reader(
                        SourceState.UNAVAILABLE, f"Screen capture failed: {exc}", False
                    )
                    return
                # BGRA -> BGR, contiguous (the Frame contract).
                pixels = np.ascontiguousarray(np.asarray(shot)[:, :, :3])
                self._publish(pixels, started)
                if self._stop.wait(max(0.0, period - (time.monotonic() - started))):
                    return
        except OSError as exc:
            self._from_reader(SourceState.UNAVAILABLE, f"Screen capture failed: {exc}", False)
        finally:
            if windows is not None:
                windows.close()
            grabber.close()

    def _area(self, grabber: mss.base.MSS, windows: X11Windows | None) -> dict[str, int] | None:
        target = self.target
        if isinstance(target, Monitor):
            monitors = grabber.monitors
            if not 0 <= target.index < len(monitors):
                self._from_reader(
                    SourceState.UNAVAILABLE,
                    f"There is no monitor {target.index} (there are {len(monitors) - 1}).",
                    False,
                )
                return None
            return dict(monitors[target.index])
        if isinstance(target, Region):
            return {
                "left": target.left,
                "top": target.top,
                "width": target.width,
                "height": target.height,
            }
        assert windows is not None
        found = windows.find(target.title)
        if found is None:
            message = (
                f"The window '{target.title}' was closed."
                if self.frames_read
                else f"There is no window called '{target.title}'."
            )
            self._from_reader(
                SourceState.ENDED if self.frames_read else SourceState.UNAVAILABLE, message, False
            )
            return None
        # Clip to the screen: a window partly off-screen is captured where it is visible.
        screen = grabber.monitors[0]
        left = max(found.left, screen["left"])
        top = max(found.top, screen["top"])
        right = min(found.left + found.width, screen["left"] + screen["width"])
        bottom = min(found.top + found.height, screen["top"] + screen["height"])
        if right <= left or bottom <= top:
            self._from_reader(
                SourceState.ENDED, f"The window '{target.title}' is off screen.", False
            )
            return None
        return {"left": left, "top": top, "width": right - left, "height": bottom - top}
