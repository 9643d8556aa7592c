"""Echo cancellation (the real WebRTC APM, offline) and the echo detector, on recorded speech."""

from __future__ import annotations

import time

import numpy as np
import pytest

from desktop_assistant.media.audio.aec import EchoCanceller
from desktop_assistant.media.audio.capture_dsp import CaptureProcessor
from desktop_assistant.media.audio.echo_detector import EchoDetector, EchoReport
from desktop_assistant.media.audio.resample import PolyphaseResampler, to_int16
from tests.support.fixtures import speech


def speech16(name: str, repeat: int = 1) -> np.ndarray:
    pcm = np.frombuffer(speech(name).pcm16(), dtype="<i2").astype(np.float32)
    return np.tile(pcm, repeat)


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    return PolyphaseResampler(rate_in, rate_out).process(x.astype(np.float32))


def frames(x: np.ndarray, size: int) -> list[np.ndarray]:
    return [x[i : i + size] for i in range(0, x.size - size + 1, size)]


# ---------------------------------------------------------------- detector


def run_detector(render16: np.ndarray, capture16: np.ndarray) -> list[EchoReport]:
    reports: list[EchoReport] = []
    detector = EchoDetector(reports.append)
    t0 = 1_000.0
    for i, (r, c) in enumerate(zip(frames(render16, 160), frames(capture16, 160), strict=False)):
        detector.add_render(to_int16(r), t0 + i * 0.01)
        detector.add_capture(to_int16(c), t0 + i * 0.01)
    return reports


def test_detector_finds_the_models_voice_in_the_mic_and_its_delay() -> None:
    far = speech16("en_weather", repeat=3)
    rng = np.random.default_rng(1)
    echo = 0.3 * np.concatenate([np.zeros(1920), far[:-1920]])  # 120 ms later, -10 dB
    reports = run_detector(far, echo + rng.normal(0, 30, far.size))
    assert reports, "a plain echo was not detected"
    assert reports[0].lag_ms == pytest.approx(120, abs=30)
    assert reports[0].correlation > reports[0].null_correlation + 0.25


def test_detector_stays_quiet_for_the_users_own_voice() -> None:
    far = speech16("en_weather", repeat=3)
    near = speech16("de_appointment", repeat=3)[: far.size]
    assert run_detector(far, near) == []


def test_detector_ignores_a_well_cancelled_residual() -> None:
    far = speech16("en_weather", repeat=3)
    residual = far * 10 ** (-55 / 20)  # what AEC3 leaves: -60..-75 dBFS
    assert run_detector(far, residual) == []


# ---------------------------------------------------------------- canceller in the capture chain


def test_capture_chain_cancels_echo_of_what_was_played() -> None:
    """48 kHz stereo device -> 16 kHz blocks, with the model's voice echoed back at -6 dB."""
    far16 = speech16("en_weather", repeat=2)
    far24 = to_int16(resample(far16, 16_000, 24_000))
    delay = 960  # 60 ms at 16 kHz
    echo16 = 0.5 * np.concatenate([np.zeros(delay), far16[:-delay]])
    mic48 = to_int16(resample(echo16, 16_000, 48_000) + np.random.default_rng(2).normal(0, 3, 1))
    stereo = np.stack([mic48, mic48], axis=1)

    echo = EchoCanceller(render_rate_hz=24_000)
    processor = CaptureProcessor(in_rate_hz=48_000, channels=2, block_ms=20, echo=echo)
    t0 = time.monotonic()
    blocks = []
    n_frames = min(far24.size // 240, stereo.shape[0] // 480)
    for i in range(n_frames):
        when = t0 + i * 0.01
        echo.push_render(far24[i * 240 : (i + 1) * 240], when)
        if i == 300:  # AEC3 adapts within the first 3 s; measure after
            echo.reset_stats()
        blocks += processor.process(stereo[i * 480 : (i + 1) * 480], when)

    assert all(len(b.pcm) == 640 for b in blocks)
    gaps = np.diff([b.captured_at for b in blocks])
    np.testing.assert_allclose(gaps, 0.02, atol=1e-6)
    stats = echo.stats()
    assert stats.far_end_frames > 100
    assert stats.erle_db > 20, f"ERLE only {stats.erle_db:.1f} dB"


def test_bypass_passes_the_microphone_through_untouched() -> None:
    echo = EchoCanceller(render_rate_hz=24_000, bypass=True)
    processor = CaptureProcessor(in_rate_hz=16_000, channels=1, block_ms=20, echo=echo)
    near = to_int16(speech16("en_time")[:16_000])
    out = []
    t0 = time.monotonic()
    for i, frame in enumerate(frames(near, 160)):
        echo.push_render(np.zeros(240, np.int16), t0 + i * 0.01)
        out += processor.process(frame, t0 + i * 0.01)
    got = np.frombuffer(b"".join(b.pcm for b in out), dtype="<i2")
    np.testing.assert_array_equal(got, near[: got.size])
    assert echo.stats().bypassed


def test_prepared_calls_cancel_exactly_like_livekits_public_api() -> None:
    """The canceller's prepared FFI requests (``apm_ffi``) are an optimisation, not a change."""
    far16 = speech16("en_weather")
    far24 = to_int16(resample(far16, 16_000, 24_000))
    echo16 = to_int16(0.5 * np.concatenate([np.zeros(960), far16[:-960]]))
    outputs = []
    for prepared in (True, False):
        echo = EchoCanceller(render_rate_hz=24_000, prepared_calls=prepared)
        assert (echo._fast is not None) == prepared
        t0 = 1_000.0
        out = []
        for i in range(min(far24.size // 240, echo16.size // 160)):
            echo.push_render(far24[i * 240 : (i + 1) * 240], t0 + i * 0.01)
            out.append(echo.process(echo16[i * 160 : (i + 1) * 160], t0 + i * 0.01).copy())
        outputs.append(np.concatenate(out))
    assert np.abs(outputs[1]).max() > 0
    np.testing.assert_array_equal(outputs[0], outputs[1])
