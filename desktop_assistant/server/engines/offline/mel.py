"""Whisper's log-mel spectrogram, in numpy, for audio of any length.

Whisper models expect 80 mel bands of 16 kHz audio, 25 ms windows every 10 ms, compressed with
``log10`` and scaled to roughly [-1, 1]. The stock pipelines pad every utterance to 30 s first;
the offline engine does not (see ``asr``), so this computes the features of exactly the samples
it is given. Written here rather than imported so that the engine needs neither a deep-learning
framework nor a media library.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms: one mel frame per 160 samples
N_MELS = 80

FloatArray = npt.NDArray[np.float32]


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # The Slaney mel scale: linear below 1 kHz, logarithmic above (what Whisper was trained on).
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    mel = hz / f_sp
    high = hz >= min_log_hz
    mel[high] = min_log_mel + np.log(hz[high] / min_log_hz) / logstep
    return mel


def _mel_to_hz(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    hz = mel * f_sp
    high = mel >= min_log_mel
    hz[high] = min_log_hz * np.exp(logstep * (mel[high] - min_log_mel))
    return hz


@cache
def mel_filters(n_mels: int = N_MELS) -> npt.NDArray[np.float32]:
    """Triangular filters (n_mels x (N_FFT/2+1)) with Slaney area normalisation."""
    fft_freqs = np.linspace(0.0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    mel_points = np.linspace(
        _hz_to_mel(np.array([0.0]))[0], _hz_to_mel(np.array([SAMPLE_RATE / 2]))[0], n_mels + 2
    )
    hz_points = _mel_to_hz(mel_points)
    fdiff = np.diff(hz_points)
    ramps = hz_points[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (hz_points[2 : n_mels + 2] - hz_points[:n_mels]))[:, None]
    return weights.astype(np.float32)


@cache
def _window() -> npt.NDArray[np.float32]:
    # Periodic Hann window, as torch.hann_window(400) gives.
    n = np.arange(N_FFT)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)).astype(np.float32)


def log_mel(audio: FloatArray, n_mels: int = N_MELS) -> FloatArray:
    """Features of 16 kHz mono float audio: shape (n_mels, len(audio) // 160)."""
    x = np.asarray(audio, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError("audio must be mono (one dimension)")
    if len(x) < N_FFT:
        x = np.pad(x, (0, N_FFT - len(x)))
    # Centred frames with reflection at the edges, like the STFT Whisper was trained with.
    padded = np.pad(x, (N_FFT // 2, N_FFT // 2), mode="reflect")
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(
        padded,
        shape=(n_frames, N_FFT),
        strides=(padded.strides[0] * HOP, padded.strides[0]),
        writeable=False,
    )
    spectrum = np.fft.rfft(frames * _window(), axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)[
        :-1
    ]  # the last frame is dropped
    mel = mel_filters(n_mels) @ power.T
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    out: FloatArray = ((log_spec + 4.0) / 4.0).astype(np.float32)
    return out
