"""Video pacing: which camera/screen frames are worth sending, and how often to look.

Video is what makes Live sessions short and expensive (audio+video sessions are limited to 2 min
without compression, each frame costs tokens), so the uplink sends as little as still shows the
model what the user sees. ``ChangePacing`` is the ``core.ports.FramePacing`` that the
``Assistant``'s video loop consults (the loop, the JPEG encode in an executor and the pause are
the Assistant's):

- the loop looks at the latest frame ``fps`` times a second (1 by default, the service's limit);
- while the user is silent (``user_active``, e.g. the microphone's voice detector, says so) a
  frame goes out at most ``idle_fps`` times a second (0.3);
- a frame that did not change (mean absolute difference of a 64x36 grey thumbnail below
  ``change_threshold``, out of 255) is skipped: the model already has it.

Fitting the longest side (1024 px by default) and the JPEG quality are the encoder's
(``media.video.encode.jpeg_encoder``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from desktop_assistant.core.ports import Frame

THUMBNAIL_SIZE = (64, 36)
DEFAULT_CHANGE_THRESHOLD = 2.0
DEFAULT_FPS = 1.0
DEFAULT_IDLE_FPS = 0.3
MAX_FPS = 1.0
"""The Live API takes at most one frame a second."""


class ChangeDetector:
    """Cheap "did the picture change": mean absolute difference of grey thumbnails."""

    def __init__(self, threshold: float = DEFAULT_CHANGE_THRESHOLD) -> None:
        self.threshold = threshold
        self._last: npt.NDArray[np.float32] | None = None
        self._checked: npt.NDArray[np.float32] | None = None
        self.last_difference = 0.0

    @staticmethod
    def thumbnail(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        small = cv2.resize(pixels, THUMBNAIL_SIZE, interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        return grey.astype(np.float32)

    def changed(self, pixels: npt.NDArray[np.uint8]) -> bool:
        """Whether this differs from the last frame accepted (the first always does)."""
        thumb = self.thumbnail(pixels)
        self._checked = thumb
        if self._last is None or self._last.shape != thumb.shape:
            self.last_difference = float("inf")
            return True
        self.last_difference = float(np.mean(np.abs(thumb - self._last)))
        return self.last_difference >= self.threshold

    def accept(self, pixels: npt.NDArray[np.uint8]) -> None:
        self._last = self.thumbnail(pixels)

    def accept_checked(self) -> None:
        """Accept the frame ``changed`` looked at last (its thumbnail is already made)."""
        if self._checked is not None:
            self._last = self._checked

    def reset(self) -> None:
        self._last = None


@dataclass(slots=True)
class PacingStats:
    frames_sent: int = 0
    frames_unchanged: int = 0
    frames_not_due: int = 0
    """Changed or not, held back because the user is silent and the idle rate was reached."""


UserActive = Callable[[], bool]


class ChangePacing:
    """``core.ports.FramePacing``: <= ``fps``, <= ``idle_fps`` while the user is silent, changes only.

    ``user_active`` is asked (from the executor thread, so it must be a plain read) whether the
    user is talking; without one the user counts as active. ``clock`` is ``time.monotonic``.
    """

    def __init__(
        self,
        *,
        fps: float = DEFAULT_FPS,
        idle_fps: float = DEFAULT_IDLE_FPS,
        change_threshold: float = DEFAULT_CHANGE_THRESHOLD,
        user_active: UserActive | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fps = DEFAULT_FPS
        self.idle_fps = DEFAULT_IDLE_FPS
        self.set_rates(fps, idle_fps)
        self.user_active = user_active
        self.changes = ChangeDetector(change_threshold)
        self.stats = PacingStats()
        self._clock = clock
        self._last_sent_at: float | None = None
        self._checked_sequence: int | None = None

    def set_rates(self, fps: float, idle_fps: float | None = None) -> None:
        """The user's rate (a setting that applies without reconnecting) and the idle one."""
        idle = self.idle_fps if idle_fps is None else idle_fps
        if fps <= 0 or idle <= 0 or fps > MAX_FPS + 1e-9:
            raise ValueError("fps must be in (0, 1] and idle_fps > 0: the service takes <= 1 FPS")
        self.fps = fps
        self.idle_fps = min(idle, fps)

    def active(self) -> bool:
        return self.user_active() if self.user_active is not None else True

    def current_interval_s(self) -> float:
        """The shortest time between two frames sent, as things stand (talking or silent)."""
        return 1.0 / (self.fps if self.active() else self.idle_fps)

    # ------------------------------------------------------------------ FramePacing

    def interval_s(self) -> float:
        # Look at the full rate even while silent: when the user starts talking, a changed
        # picture then goes within a second, not after the idle interval.
        return 1.0 / self.fps

    def should_send(self, frame: Frame) -> bool:
        if self._last_sent_at is not None and not self.active():
            # A little slack so that a look a few ms early does not wait a whole period more.
            if self._clock() - self._last_sent_at < 1.0 / self.idle_fps - 0.05:
                self.stats.frames_not_due += 1
                return False
        self._checked_sequence = frame.sequence
        if not self.changes.changed(frame.pixels):
            self.stats.frames_unchanged += 1
            return False
        return True

    def sent(self, frame: Frame) -> None:
        if frame.sequence == self._checked_sequence:
            self.changes.accept_checked()
        else:
            self.changes.accept(frame.pixels)
        self._last_sent_at = self._clock()
        self.stats.frames_sent += 1

    def reset(self) -> None:
        self.changes.reset()
        self._last_sent_at = None
        self._checked_sequence = None
