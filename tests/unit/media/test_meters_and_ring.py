"""Level meters in dBFS and the callback-to-thread frame ring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from desktop_assistant.media.audio.frame_ring import FrameRing
from desktop_assistant.media.audio.meters import LevelMeter, dbfs


def test_full_scale_sine_reads_minus_three_rms_and_zero_peak() -> None:
    meter = LevelMeter(block_s=0.01, rms_window_s=0.01)
    t = np.arange(160) / 16_000
    meter.update((32767 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16))
    level = meter.level()
    assert level.rms_dbfs == pytest.approx(-3.01, abs=0.05)
    assert level.peak_dbfs == pytest.approx(0.0, abs=0.01)


def test_silence_is_minus_infinity_and_the_peak_falls_back() -> None:
    assert math.isinf(LevelMeter().level().rms_dbfs)
    meter = LevelMeter(block_s=0.01)
    meter.update(np.full(160, 16384, np.int16))
    for _ in range(100):  # one second of silence
        meter.update(np.zeros(160, np.int16))
    level = meter.level()
    assert level.peak_dbfs == pytest.approx(dbfs(16384) - 20.0, abs=0.5)
    assert level.rms_dbfs < -55  # the 100 ms average has fallen by more than 45 dB


def test_ring_keeps_order_and_drops_the_oldest_when_lapped() -> None:
    ring = FrameRing(slots=4, frame_samples=3, channels=2)
    out = np.zeros((3, 2), np.int16)
    for i in range(6):
        ring.push(np.full((3, 2), i, np.int16), timestamp=float(i))
    got = []
    while (item := ring.pop_into(out)) is not None:
        got.append((item[1], int(out[0, 0])))
    assert got == [(2.0, 2), (3.0, 3), (4.0, 4), (5.0, 5)]
    assert ring.overruns == 2
    assert ring.pop_into(out) is None
