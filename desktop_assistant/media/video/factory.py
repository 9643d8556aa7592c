"""Ready-made video sources and the uplink, for the app, the headless runner and the benchmark.

::

    camera = open_camera(args.camera, on_error=report)   # 0, "0", a file path or a URL
    await camera.start()                                  # never raises for a missing camera
    uplink = open_video_uplink(camera, session.send_video, user_active=mic.user_active)
    uplink.start()

``open_screen`` returns a source that reports ``UNAVAILABLE`` (with the reason, as a
``MediaErrored``) where mss cannot capture (Wayland, offscreen, no X server); check
``probe_screen_capture()`` first to fall back to Qt's grabber without trying.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_assistant.core.ports import FrameSource
from desktop_assistant.media.video.camera import CameraSource
from desktop_assistant.media.video.encode import DEFAULT_MAX_SIDE, DEFAULT_QUALITY
from desktop_assistant.media.video.latest import ErrorSink
from desktop_assistant.media.video.pacing import SendJpeg, VideoUplink
from desktop_assistant.media.video.screen import (
    Monitor,
    Region,
    ScreenSource,
    ScreenTarget,
    Window,
    probe_screen_capture,
)

__all__ = [
    "Monitor",
    "Region",
    "Window",
    "open_camera",
    "open_screen",
    "open_video_uplink",
    "probe_screen_capture",
]


def open_camera(
    index_or_path: int | str | Path,
    *,
    loop_file: bool = True,
    max_fps: float | None = None,
    on_error: ErrorSink | None = None,
) -> CameraSource:
    """A camera by index (``0``, ``"0"``), or a video file / URL standing in for one."""
    return CameraSource(index_or_path, loop_file=loop_file, max_fps=max_fps, on_error=on_error)


def open_screen(
    target: ScreenTarget | None = None,
    *,
    fps: float = 2.0,
    display: str | None = None,
    on_error: ErrorSink | None = None,
) -> ScreenSource:
    """A monitor (``Monitor(1)``, the default), a ``Region`` or a ``Window`` by title."""
    return ScreenSource(target, fps=fps, display=display, on_error=on_error)


def open_video_uplink(
    source: FrameSource,
    send: SendJpeg,
    *,
    fps: float = 1.0,
    idle_fps: float = 0.3,
    user_active: Callable[[], bool] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    quality: int = DEFAULT_QUALITY,
    name: str = "camera",
) -> VideoUplink:
    """Frames of ``source`` as JPEG through ``send`` at <= ``fps``, slower while the user is silent."""
    return VideoUplink(
        source,
        send,
        fps=fps,
        idle_fps=idle_fps,
        user_active=user_active,
        max_side=max_side,
        quality=quality,
        name=name,
    )
