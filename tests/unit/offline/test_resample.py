import numpy as np

from desktop_assistant.server.engines.offline.resample import resample


def test_voice_rate_to_protocol_rate_keeps_length_and_pitch() -> None:
    src, dst = 22_050, 24_000
    t = np.arange(src) / src
    tone = (0.5 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    out = resample(tone, src, dst)
    assert len(out) == dst
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * dst / len(out) - 440.0) <= 1.0
    assert abs(float(np.max(np.abs(out[1000:-1000]))) - 0.5) < 0.02


def test_downsampling_drops_what_the_new_rate_cannot_carry() -> None:
    src = 24_000
    t = np.arange(src) / src
    high = np.sin(2 * np.pi * 10_000.0 * t).astype(np.float32)  # above 8 kHz Nyquist
    assert float(np.max(np.abs(resample(high, src, 16_000)))) < 0.05


def test_same_rate_and_empty_input() -> None:
    x = np.ones(10, np.float32)
    assert np.array_equal(resample(x, 16_000, 16_000), x)
    assert len(resample(np.zeros(0, np.float32), 22_050, 24_000)) == 0
