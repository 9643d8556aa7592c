"""The streaming resampler: right pitch, seamless block edges, no aliasing, fixed frame sizes."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_assistant.media.audio.resample import (
    PolyphaseResampler,
    downmix,
    frame_ms_for,
    to_int16,
)

RATE_PAIRS = [
    (48_000, 16_000),
    (44_100, 16_000),
    (22_050, 16_000),
    (8_000, 16_000),
    (24_000, 48_000),
]


def tone(rate: int, freq: float, seconds: float, amplitude: float = 10_000.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    k = int(np.argmax(spectrum))
    a, b, c = np.log(spectrum[k - 1 : k + 2])
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * rate / x.size


@pytest.mark.parametrize(("rate_in", "rate_out"), RATE_PAIRS)
def test_a_tone_keeps_its_pitch_and_level(rate_in: int, rate_out: int) -> None:
    out = PolyphaseResampler(rate_in, rate_out).process(tone(rate_in, 440.0, 2.0))
    steady = out[rate_out // 10 :]
    assert peak_hz(steady, rate_out) == pytest.approx(440.0, abs=0.05)
    assert np.sqrt(2 * np.mean(steady**2)) == pytest.approx(10_000.0, rel=0.01)


@pytest.mark.parametrize(("rate_in", "rate_out"), RATE_PAIRS)
def test_chunking_never_changes_the_output(rate_in: int, rate_out: int) -> None:
    signal = tone(rate_in, 997.0, 1.0) + tone(rate_in, 3_100.0, 1.0, 3_000.0)
    whole = PolyphaseResampler(rate_in, rate_out).process(signal)
    chunked_resampler = PolyphaseResampler(rate_in, rate_out)
    rng = np.random.default_rng(7)
    pieces, start = [], 0
    while start < signal.size:
        size = int(rng.integers(1, 700))
        pieces.append(chunked_resampler.process(signal[start : start + size]))
        start += size
    chunked = np.concatenate(pieces)
    assert chunked.size == whole.size
    np.testing.assert_allclose(chunked, whole, atol=0.05)


def test_no_clicks_at_block_edges() -> None:
    """Fed in 10 ms device blocks, the output is a clean sine: nothing happens at the edges."""
    rate_in, rate_out, freq = 44_100, 16_000, 440.0
    resampler = PolyphaseResampler(rate_in, rate_out)
    signal = tone(rate_in, freq, 2.0)
    out = np.concatenate(
        [resampler.process(signal[i : i + 441]) for i in range(0, signal.size, 441)]
    )[1_600:]
    t = np.arange(out.size) / rate_out
    basis = np.stack([np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t)], axis=1)
    fit, *_ = np.linalg.lstsq(basis, out, rcond=None)
    residual = out - basis @ fit
    snr_db = 10 * np.log10(np.mean(out**2) / np.mean(residual**2))
    assert snr_db > 70, f"residual at block edges: SNR only {snr_db:.1f} dB"
    assert np.max(np.abs(residual)) < 10  # of 10 000: no sample-level glitch anywhere


def test_downsampling_rejects_what_would_alias() -> None:
    out = PolyphaseResampler(48_000, 16_000).process(tone(48_000, 9_000.0, 1.0))[800:]
    leak_db = 20 * np.log10(np.sqrt(np.mean(out**2)) / (10_000 / np.sqrt(2)))
    assert leak_db < -70


def test_exactly_one_output_frame_per_input_frame() -> None:
    resampler = PolyphaseResampler(48_000, 16_000)
    assert (resampler.frame_in, resampler.frame_out) == (480, 160)
    for _ in range(5):
        assert resampler.process(np.zeros(480, np.float32)).size == 160
    assert resampler.delay_s < 0.004


def test_frame_sizes_cover_the_common_rates() -> None:
    assert frame_ms_for(48_000, 16_000) == 10
    assert frame_ms_for(22_050, 16_000) == 20
    assert frame_ms_for(11_025, 16_000) == 40


def test_downmix_and_int16_conversion() -> None:
    stereo = np.array([[1000, 3000], [-32768, -32768], [32767, 32767]], dtype=np.int16)
    np.testing.assert_array_equal(downmix(stereo), [2000.0, -32768.0, 32767.0])
    np.testing.assert_array_equal(
        to_int16(np.array([40_000.0, -40_000.0, 1.6], np.float32)), [32767, -32768, 2]
    )
