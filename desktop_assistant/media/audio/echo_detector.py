"""Echo detector: notices when the microphone hears the model's own voice, and says so.

Even with a canceller (and certainly when the user said "headphones" but is not wearing them),
the model hearing itself is the worst failure of a voice assistant: it interrupts itself. This
compares two 100 Hz loudness envelopes over a 2 s window: what was played (at its DAC time) and
what the microphone delivered after echo cancellation (at its ADC time). Echo shows up as a high
correlation at a small positive lag (20-600 ms: the acoustic path plus device buffering). As the
null, the same correlation is taken at negative lags (the mic "before" the speaker), which no echo
can produce; echo is declared only if the causal peak clearly beats the null, at a lag that stays
put over three evaluations. Envelopes are floored at -70 dBFS, so a well-cancelled residual (AEC3
leaves it at -60 to -75 dBFS) reads as flat and correlates with nothing.

Runs on the microphone's DSP thread: per frame it only stores a level the caller already computed
(the canceller and the capture chain know each frame's energy); an evaluation every 0.5 s correlates
all lags in one matrix product. ``on_echo`` is called on that thread and must hand off to the loop
itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

ENVELOPE_HZ = 100
_FLOOR_DBFS = -70.0
_ACTIVE_DBFS = -50.0
_WINDOW_BINS = 200  # 2 s
_LOOKAHEAD_BINS = 100  # evaluate a window that ended 1 s ago: the null needs "future" render
_CAUSAL_LAGS = range(2, 61)  # 20..600 ms
_NULL_LAGS = range(-100, -40, 2)  # -1.0..-0.4 s
_RING_BINS = 512
_EVALUATE_EVERY_BINS = 50


@dataclass(frozen=True, slots=True)
class EchoReport:
    lag_ms: int
    correlation: float
    null_correlation: float


def _envelope_db(mean_square: float) -> float:
    level = 10.0 * math.log10(mean_square / 32768.0**2) if mean_square > 0 else _FLOOR_DBFS
    return max(_FLOOR_DBFS, level)


def _mean_square(frame: npt.NDArray[np.int16]) -> float:
    block = frame.astype(np.float32)
    return float(np.dot(block, block)) / max(1, block.size)


class EchoDetector:
    """Feed it render and capture frames; it calls ``on_echo`` when the model hears itself."""

    def __init__(
        self,
        on_echo: Callable[[EchoReport], None],
        *,
        min_correlation: float = 0.6,
        min_margin: float = 0.25,
        stable_evaluations: int = 3,
        cooldown_s: float = 30.0,
    ) -> None:
        self._on_echo = on_echo
        self._min_correlation = min_correlation
        self._min_margin = min_margin
        self._stable = stable_evaluations
        self._cooldown_bins = int(cooldown_s * ENVELOPE_HZ)
        self._render = np.full(_RING_BINS, _FLOOR_DBFS, dtype=np.float32)
        self._render_bin = np.full(_RING_BINS, -1, dtype=np.int64)
        self._capture = np.full(_RING_BINS, _FLOOR_DBFS, dtype=np.float32)
        self._capture_bin = np.full(_RING_BINS, -1, dtype=np.int64)
        self._last_eval_bin = -1
        self._last_report_bin = -(10**12)
        self._lags: list[int] = []
        self.reports = 0
        self.last: EchoReport | None = None
        """The last evaluation that found a candidate (for diagnostics)."""

    def add_render(self, frame: npt.NDArray[np.int16], dac_time: float) -> None:
        self.add_render_energy(_mean_square(frame), dac_time)

    def add_capture(self, frame: npt.NDArray[np.int16], adc_time: float) -> None:
        self.add_capture_energy(_mean_square(frame), adc_time)

    def add_render_energy(self, mean_square: float, dac_time: float) -> None:
        """A 10 ms render frame by its mean square (the canceller already computed it)."""
        b = int(dac_time * ENVELOPE_HZ)
        self._render[b % _RING_BINS] = _envelope_db(mean_square)
        self._render_bin[b % _RING_BINS] = b

    def add_capture_energy(self, mean_square: float, adc_time: float) -> None:
        """A 10 ms capture frame (after cancellation) by its mean square."""
        b = int(adc_time * ENVELOPE_HZ)
        self._capture[b % _RING_BINS] = _envelope_db(mean_square)
        self._capture_bin[b % _RING_BINS] = b
        if self._last_eval_bin < 0:
            self._last_eval_bin = b
        if b - self._last_eval_bin >= _EVALUATE_EVERY_BINS:
            self._last_eval_bin = b
            self._evaluate(b)

    def _series(
        self, values: npt.NDArray[np.float32], bins: npt.NDArray[np.int64], first: int, n: int
    ) -> npt.NDArray[np.float32]:
        wanted = np.arange(first, first + n, dtype=np.int64)
        idx = wanted % _RING_BINS
        out = values[idx].copy()
        out[bins[idx] != wanted] = _FLOOR_DBFS  # missing or stale bins read as silence
        return out

    def _evaluate(self, now_bin: int) -> None:
        end = now_bin - _LOOKAHEAD_BINS
        start = end - _WINDOW_BINS
        capture = self._series(self._capture, self._capture_bin, start, _WINDOW_BINS)
        max_lag = max(_CAUSAL_LAGS)
        min_lag = min(_NULL_LAGS)
        render = self._series(
            self._render, self._render_bin, start - max_lag, _WINDOW_BINS + max_lag - min_lag
        )
        far_active = float(np.mean(render[max_lag : max_lag + _WINDOW_BINS] > _ACTIVE_DBFS))
        near_audible = float(np.mean(capture > _FLOOR_DBFS + 10.0))
        if far_active < 0.25 or near_audible < 0.1:
            self._lags.clear()
            return

        # Pearson correlation of the capture window with the render window at every lag, all
        # lags in one matrix product (row i of ``windows`` is the render shifted by lag i).
        lags = np.array([*_CAUSAL_LAGS, *_NULL_LAGS])
        offsets = max_lag - lags
        windows = np.lib.stride_tricks.sliding_window_view(render, _WINDOW_BINS)[offsets]
        c = capture - capture.mean()
        r = windows - windows.mean(axis=1, keepdims=True)
        c_std = float(c.std())
        r_std = r.std(axis=1)
        if c_std < 1e-3:
            correlations = np.zeros(lags.size)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                correlations = (r @ c) / _WINDOW_BINS / (c_std * r_std)
            correlations[r_std < 1e-3] = 0.0
        n_causal = len(_CAUSAL_LAGS)
        causal = correlations[:n_causal]
        pick = int(np.argmax(causal))
        best, best_lag = float(causal[pick]), int(lags[pick])
        null = float(np.max(correlations[n_causal:]))
        if best < self._min_correlation or best - null < self._min_margin:
            self._lags.clear()
            return
        self.last = EchoReport(best_lag * 1000 // ENVELOPE_HZ, best, null)
        self._lags.append(best_lag)
        if len(self._lags) > self._stable:
            self._lags.pop(0)
        stable = len(self._lags) == self._stable and max(self._lags) - min(self._lags) <= 3
        if stable and now_bin - self._last_report_bin >= self._cooldown_bins:
            self._last_report_bin = now_bin
            self.reports += 1
            self._on_echo(self.last)
