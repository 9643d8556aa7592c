"""Band-limited resampling of a short clip, in numpy.

The voice speaks at 22.05 kHz and the Live protocol sends 24 kHz. A clause is a few seconds of
audio with silence at both ends, so resampling it whole in the frequency domain is exact up to
the lower Nyquist limit, takes about a millisecond, and keeps an LGPL resampler out of the
engine's process.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def resample(audio: npt.ArrayLike, src_rate: int, dst_rate: int) -> npt.NDArray[np.float32]:
    x = np.asarray(audio, dtype=np.float32)
    if src_rate == dst_rate or len(x) == 0:
        return x.copy()
    n_out = round(len(x) * dst_rate / src_rate)
    spectrum = np.fft.rfft(x)
    out = np.zeros(n_out // 2 + 1, dtype=spectrum.dtype)
    keep = min(len(spectrum), len(out))
    out[:keep] = spectrum[:keep]
    y = np.fft.irfft(out, n_out) * (n_out / len(x))
    return y.astype(np.float32)
