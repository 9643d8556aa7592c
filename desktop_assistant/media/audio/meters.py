"""Level meters the UI pulls on a timer: RMS and peak in dBFS.

``update`` runs on an audio thread for every block; it only does a little arithmetic on floats and
replaces one attribute (an atomic reference swap), so no lock is needed and the audio thread never
waits on the UI. ``level`` runs on the loop thread whenever the UI repaints.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from desktop_assistant.core.ports import Level

FULL_SCALE = 32768.0
SILENCE_DBFS = -math.inf


def dbfs(amplitude: float) -> float:
    """An amplitude on the int16 scale in dB relative to full scale (``-inf`` for zero)."""
    if amplitude <= 0:
        return SILENCE_DBFS
    return 20.0 * math.log10(amplitude / FULL_SCALE)


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
        block = samples.astype(np.float32, copy=False)
        mean_square = float(np.dot(block, block)) / block.size
        peak = float(np.max(np.abs(block)))
        ms, held = self._state
        self._state = (
            ms + self._alpha * (mean_square - ms),
            max(peak, held * self._peak_decay),
        )

    def reset(self) -> None:
        self._state = (0.0, 0.0)

    def level(self) -> Level:
        """The current reading (loop thread)."""
        ms, peak = self._state
        return Level(rms_dbfs=dbfs(math.sqrt(ms)), peak_dbfs=dbfs(peak))
