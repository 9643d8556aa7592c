import numpy as np

from desktop_assistant.server.engines.offline import mel


def tone(freq: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * mel.SAMPLE_RATE)) / mel.SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_one_frame_per_ten_milliseconds_without_padding_to_thirty_seconds() -> None:
    for seconds in (0.5, 1.0, 3.2):
        features = mel.log_mel(tone(440.0, seconds))
        assert features.shape == (80, int(seconds * 100))
        assert features.dtype == np.float32


def test_a_tone_lights_the_mel_band_of_its_frequency() -> None:
    filters = mel.mel_filters()
    for freq in (320.0, 1000.0, 4000.0):  # centred on FFT bins 8, 25 and 100
        features = mel.log_mel(tone(freq))
        band = int(np.argmax(features[:, 50]))
        fft_bin = round(freq / (mel.SAMPLE_RATE / mel.N_FFT))
        assert band == int(np.argmax(filters[:, fft_bin]))


def test_values_are_scaled_like_whisper_expects() -> None:
    features = mel.log_mel(tone(1000.0))
    # log10 clamped to 8 decades below the peak, then (x + 4) / 4.
    assert features.max() - features.min() <= 2.0 + 1e-6
    silent = mel.log_mel(np.zeros(16000, np.float32))
    assert np.allclose(silent, silent.flat[0])


def test_mel_filters_cover_every_band() -> None:
    filters = mel.mel_filters()
    assert filters.shape == (80, 201)
    assert (filters.sum(axis=1) > 0).all()
