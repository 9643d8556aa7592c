"""What happens to microphone audio between the device and the uplink, as plain array code.

device frames (native rate, native channels, int16)
  -> downmix to mono -> resample to 16 kHz (stateful, no bursts)
  -> 10 ms frames -> echo cancellation (optional) -> echo detector, level meter
  -> 20-40 ms ``AudioBlock``s stamped with the ADC time of their first sample.

No threads, no devices: ``MicrophoneCapture`` runs this on its DSP thread, and the unit tests run
it on arrays.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from desktop_assistant.core.ports import UPLINK_SAMPLE_RATE_HZ, AudioBlock
from desktop_assistant.media.audio.aec import EchoCanceller
from desktop_assistant.media.audio.echo_detector import EchoDetector
from desktop_assistant.media.audio.meters import LevelMeter
from desktop_assistant.media.audio.resample import PolyphaseResampler, downmix, to_int16_into

FRAME_SAMPLES = UPLINK_SAMPLE_RATE_HZ // 100  # 10 ms, what the echo canceller works on
ALLOWED_BLOCK_MS = (20, 30, 40)
VOICE_DBFS = -45.0
"""A cleaned frame louder than this counts as the user making sound (for video pacing)."""
_VOICE_MEAN_SQUARE = (32768.0 * 10 ** (VOICE_DBFS / 20)) ** 2


class CaptureProcessor:
    """The capture chain for one stream, run on the DSP thread once per device chunk.

    That is 50-100 times a second, and every NumPy call costs a few microseconds there: so each
    frame's energy is computed once and shared by the echo statistics, the echo detector, the
    voice check and the meter, and whole frames are processed where they lie instead of passing
    through the re-chunking FIFO.
    """

    def __init__(
        self,
        *,
        in_rate_hz: int,
        channels: int,
        block_ms: int = 20,
        echo: EchoCanceller | None = None,
        detector: EchoDetector | None = None,
        meter: LevelMeter | None = None,
    ) -> None:
        if block_ms not in ALLOWED_BLOCK_MS:
            raise ValueError(f"block_ms must be one of {ALLOWED_BLOCK_MS}")
        self.in_rate_hz = in_rate_hz
        self.channels = channels
        self.block_ms = block_ms
        self._resampler = PolyphaseResampler(in_rate_hz, UPLINK_SAMPLE_RATE_HZ)
        self.frame_in = self._resampler.frame_in
        self.frame_ms = self._resampler.frame_ms
        self._echo = echo
        self._detector = detector
        # The meter reads per uplink block (the energy of its frames is known already).
        self.meter = meter if meter is not None else LevelMeter(block_s=block_ms / 1000)
        self._fifo = np.zeros(FRAME_SAMPLES * 16, dtype=np.int16)
        self._fifo_f = np.zeros(FRAME_SAMPLES * 16, dtype=np.float32)
        self._fifo_len = 0
        self._fifo_time = 0.0  # ADC time of _fifo[0]
        self._samples = np.zeros(FRAME_SAMPLES * 16, dtype=np.int16)
        self._block = np.zeros(UPLINK_SAMPLE_RATE_HZ * block_ms // 1000, dtype="<i2")
        self._block_len = 0
        self._block_time = 0.0
        self._block_energy = 0.0
        self._pending_in = 0  # input samples held by the resampler, not yet turned into output
        self.frames_processed = 0
        self.last_voice_at = -math.inf
        """ADC time of the last cleaned frame louder than ``VOICE_DBFS``."""

    def process(self, frames: npt.NDArray[np.int16], adc_time: float) -> list[AudioBlock]:
        """One chunk from the device, ``frames`` of shape (n, channels) or (n,)."""
        mono = downmix(frames)
        # The first output sample now produced started this long before ``adc_time``.
        first_out_time = adc_time - self._pending_in / self.in_rate_hz - self._resampler.delay_s
        out = self._resampler.process(mono)
        self._pending_in = (self._pending_in + mono.size) % self._resampler.frame_in
        blocks: list[AudioBlock] = []
        n = out.size
        if n == 0:
            return blocks
        if n > self._samples.size:
            self._samples = np.zeros(n, dtype=np.int16)
        samples = self._samples[:n]
        if out is mono:  # a 16 kHz device: the resampler handed the input back
            out = out.copy()
        to_int16_into(out, samples)
        if self._fifo_len == 0 and n % FRAME_SAMPLES == 0:
            # Whole frames (every common device rate): process them where they are.
            step = FRAME_SAMPLES / UPLINK_SAMPLE_RATE_HZ
            for i in range(n // FRAME_SAMPLES):
                lo = i * FRAME_SAMPLES
                block = self._frame(
                    samples[lo : lo + FRAME_SAMPLES],
                    out[lo : lo + FRAME_SAMPLES],
                    first_out_time + i * step,
                )
                if block is not None:
                    blocks.append(block)
            return blocks
        if self._fifo_len == 0:
            self._fifo_time = first_out_time
        self._push_fifo(samples, out)
        while self._fifo_len >= FRAME_SAMPLES:
            frame = self._fifo[:FRAME_SAMPLES].copy()
            frame_f = self._fifo_f[:FRAME_SAMPLES].copy()
            frame_time = self._fifo_time
            rest = self._fifo_len - FRAME_SAMPLES
            self._fifo[:rest] = self._fifo[FRAME_SAMPLES : self._fifo_len]
            self._fifo_f[:rest] = self._fifo_f[FRAME_SAMPLES : self._fifo_len]
            self._fifo_len = rest
            self._fifo_time += FRAME_SAMPLES / UPLINK_SAMPLE_RATE_HZ
            block = self._frame(frame, frame_f, frame_time)
            if block is not None:
                blocks.append(block)
        return blocks

    def _push_fifo(self, samples: npt.NDArray[np.int16], floats: npt.NDArray[np.float32]) -> None:
        n = samples.size
        if self._fifo_len + n > self._fifo.size:  # cannot happen with device-sized chunks
            size = max(self._fifo.size * 2, self._fifo_len + n)
            grown = np.zeros(size, dtype=np.int16)
            grown[: self._fifo_len] = self._fifo[: self._fifo_len]
            grown_f = np.zeros(size, dtype=np.float32)
            grown_f[: self._fifo_len] = self._fifo_f[: self._fifo_len]
            self._fifo, self._fifo_f = grown, grown_f
        self._fifo[self._fifo_len : self._fifo_len + n] = samples
        self._fifo_f[self._fifo_len : self._fifo_len + n] = floats
        self._fifo_len += n

    def _frame(
        self,
        frame: npt.NDArray[np.int16],
        floats: npt.NDArray[np.float32],
        frame_time: float,
    ) -> AudioBlock | None:
        """One 10 ms frame: ``frame`` as int16 and (rounded, the same values) as float32."""
        self.frames_processed += 1
        if self._echo is not None:
            energy_in = float(np.dot(floats, floats)) / FRAME_SAMPLES
            clean = self._echo.process(frame, frame_time, energy_in)
            energy = self._echo.out_mean_square
        else:
            clean = frame
            energy = float(np.dot(floats, floats)) / FRAME_SAMPLES
        if self._detector is not None:
            self._detector.add_capture_energy(energy, frame_time)
        if energy > _VOICE_MEAN_SQUARE:
            self.last_voice_at = frame_time
        if self._block_len == 0:
            self._block_time = frame_time
            self._block_energy = 0.0
        self._block[self._block_len : self._block_len + FRAME_SAMPLES] = clean
        self._block_len += FRAME_SAMPLES
        self._block_energy += energy
        if self._block_len < self._block.size:
            return None
        self._block_len = 0
        block = self._block
        peak = max(int(block.max()), -int(block.min()))
        self.meter.update_stats(self._block_energy * FRAME_SAMPLES / block.size, float(peak))
        return AudioBlock(pcm=block.tobytes(), captured_at=self._block_time)
