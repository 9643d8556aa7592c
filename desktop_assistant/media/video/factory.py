"""Ready-made video sources and the uplink's pacing, for the app, the headless runner and the bench.

::

    camera = open_camera(args.camera, on_error=report)   # 0, "0", a file path or a URL
    pacing = open_frame_pacing(fps=1.0, user_active=mic.user_active)
    assistant = Assistant(session, frame_sources=[camera], encode_jpeg=jpeg_encoder(),
                          pacing=pacing, ...)            # the assistant starts the camera

``open_screen`` returns a source that reports ``UNAVAILABLE`` (with the reason, as a
``MediaErrored``) where mss cannot capture (Wayland, offscreen, no X server); check
``probe_screen_capture()`` first to fall back to Qt's grabber without trying.
"""

from __future__ import annotations

from pathlib import Path

from desktop_assistant.media.video.camera import CameraSource
from desktop_assistant.media.video.latest import ErrorSink
from desktop_assistant.media.video.pacing import (
    DEFAULT_CHANGE_THRESHOLD,
    DEFAULT_FPS,
    DEFAULT_IDLE_FPS,
    ChangePacing,
    UserActive,
)
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
    "open_frame_pacing",
    "open_screen",
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


def open_frame_pacing(
    *,
    fps: float = DEFAULT_FPS,
    idle_fps: float = DEFAULT_IDLE_FPS,
    user_active: UserActive | None = None,
    change_threshold: float = DEFAULT_CHANGE_THRESHOLD,
) -> ChangePacing:
    """The ``FramePacing`` for an ``Assistant``: <= ``fps``, unchanged pictures skipped.

    Slower while the user is silent (``user_active``: e.g. ``MicrophoneCapture.user_active``).
    """
    return ChangePacing(
        fps=fps, idle_fps=idle_fps, change_threshold=change_threshold, user_active=user_active
    )
