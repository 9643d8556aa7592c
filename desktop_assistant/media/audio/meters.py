"""Level meters the UI pulls on a timer: RMS and peak in dBFS.

Two ways to feed the same reading (smoothed RMS over about 100 ms, a peak that holds, then falls
at 20 dB per second):

- ``LevelMeter.update`` / ``update_stats`` on whichever thread has the samples (the microphone's
  DSP thread, which already knows each frame's energy); they do a little float arithmetic and
  replace one attribute (an atomic reference swap), so no lock is needed.
- ``RingLevelMeter``: the speaker's output callback does not meter at all (four NumPy calls per
  5 ms period measured ~60 us there, with cold caches, more than the rest of the callback). The
  meter looks at the ring of played periods when ``level()`` is called (the UI, 20 times a
  second) and catches up on what was played since, on the caller's thread.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import numpy.typing as npt

from desktop_assistant.core.ports import Level
from desktop_assistant.media.audio.frame_ring import FrameRing

FULL_SCALE = 32768.0
SILENCE_DBFS = -math.inf


def dbfs(amplitude: float) -> float:
    """An amplitude on the int16 scale in dB relative to full scale (``-inf`` for zero)."""
    if amplitude <= 0:
        return SILENCE_DBFS
    return 20.0 * math.log10(amplitude / FULL_SCALE)


def block_stats(samples: npt.NDArray[np.int16] | npt.NDArray[np.float32]) -> tuple[float, float]:
    """(mean square, peak amplitude) of a block, on the int16 scale."""
    block = samples.astype(np.float32, copy=False)
    return float(np.dot(block, block)) / block.size, float(max(block.max(), -block.min()))


class LevelMeter:
    """Smoothed RMS (about 100 ms) and a peak that holds, then falls at 20 dB per second."""

    def __init__(self, block_s: float = 0.01, rms_window_s: float = 0.1) -> None:
        self._alpha = min(1.0, block_s / rms_window_s)
        self._peak_decay = 10 ** (-20.0 * block_s / 20.0)
        # (mean square, peak amplitude): replaced as a whole so readers never see half an update.
        self._state: tuple[float, float] = (0.0, 0.0)

    def update(self, samples: npt.NDArray[np.int16] | npt.NDArray[np.float32]) -> None:
        """Account for one block of samples (any thread; cheap)."""
        if samples.size == 0:
            return
        self.update_stats(*block_stats(samples))

    def update_stats(self, mean_square: float, peak: float) -> None:
        """Account for one block whose mean square and peak the caller already has."""
        ms, held = self._state
        self._state = (
            ms + self._alpha * (mean_square - ms),
            max(peak, held * self._peak_decay),
        )

    def age(self, blocks: int) -> None:
        """Let ``blocks`` blocks pass unseen: both readings decay as if they were silent."""
        ms, held = self._state
        self._state = (ms * (1.0 - self._alpha) ** blocks, held * self._peak_decay**blocks)

    def reset(self) -> None:
        self._state = (0.0, 0.0)

    def level(self) -> Level:
        """The current reading (loop thread)."""
        ms, peak = self._state
        return Level(rms_dbfs=dbfs(math.sqrt(ms)), peak_dbfs=dbfs(peak))


class RingLevelMeter:
    """A ``LevelMeter`` over the frames a ``FrameRing`` (mono) received, computed on reading.

    Frames older than the ring were never looked at; they still age the reading (the RMS and the
    held peak decay by the number of frames published since the last look), so a meter read
    rarely shows the same thing as one read often.
    """

    def __init__(self, ring: FrameRing, block_s: float, rms_window_s: float = 0.1) -> None:
        self._ring = ring
        self._meter = LevelMeter(block_s=block_s, rms_window_s=rms_window_s)
        self._seen = ring.head
        self._lock = threading.Lock()  # two readers (UI, tests) must not both catch up

    def level(self) -> Level:
        with self._lock:
            head = self._ring.head
            frames, upto = self._ring.recent(self._seen)
            skipped = (head - self._seen) - frames.shape[0]
            if skipped > 0:  # frames nobody looked at: let the reading decay over them
                self._meter.age(skipped)
            if frames.shape[0]:
                block = frames.astype(np.float32)
                mean_squares = np.einsum("ij,ij->i", block, block) / block.shape[1]
                peaks = np.abs(block).max(axis=1)
                for ms_i, peak_i in zip(mean_squares.tolist(), peaks.tolist(), strict=True):
                    self._meter.update_stats(ms_i, peak_i)
            self._seen = upto
            return self._meter.level()

    def reset(self) -> None:
        with self._lock:
            self._seen = self._ring.head
            self._meter.reset()
