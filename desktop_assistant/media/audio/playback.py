"""The speaker as an ``AudioSink``: model audio at 24 kHz through a jitter buffer.

The output stream runs for the whole session and plays zeros when there is nothing to say, so
starting to speak and stopping (barge-in) never waits for a stream to open or drain. The output
callback pulls one 10 ms period from the ``PlaybackBuffer`` and then:

- hands the very same samples to the echo canceller's render ring (a copy, no APM call here);
- updates the level meter (a few float operations);
- notes the DAC time of the first sample of each model turn (for latency figures);
- if the device cannot run at 24 kHz, converts that one period with the stateful resampler
  (one small matrix product, ~20 us) -- the only case where the callback does any arithmetic.

``interrupt()`` takes effect at the next callback (at most one period later) and fades out over
5 ms; what PortAudio has already buffered (``latency_s``, 20 ms with the defaults on PulseAudio)
still plays. Hence the small period and the small buffer (see ``PERIOD_MS``).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import sounddevice as sd

from desktop_assistant.core.ports import DOWNLINK_SAMPLE_RATE_HZ, Level
from desktop_assistant.media.audio import pulse
from desktop_assistant.media.audio.aec import EchoCanceller
from desktop_assistant.media.audio.devices import AudioDevice
from desktop_assistant.media.audio.meters import LevelMeter
from desktop_assistant.media.audio.playback_buffer import PlaybackBuffer
from desktop_assistant.media.audio.resample import PolyphaseResampler, to_int16
from desktop_assistant.media.audio.stream_supervisor import (
    ErrorSink,
    Stream,
    StreamStatus,
    StreamSupervisor,
)

PERIOD_MS = 5
"""Output callback period. Barge-in latency is about half a period (waiting for the next
callback) + the 5 ms fade + PortAudio's buffer (``OUTPUT_LATENCY_S``)."""
OUTPUT_LATENCY_S = 0.02
"""PortAudio's output buffer. Measured on the virtual devices of a loaded 2-core machine
(``bench/media_bench.py``): 15 ms gave barge-in 25/28 ms (p50/p95) but 7-12 device underflows a
minute (audible glitches); 20 ms gave 32/38 ms and none; 10 ms periods (whose buffer cannot go
below 20 ms) 33/36 ms with 2-8 underflows a minute. Glitch-free speech wins; a fast machine can
pass ``latency_s=0.015`` (``open_speaker``/``open_audio``)."""


@dataclass(slots=True)
class _Context:
    rate_hz: int
    channels: int
    mono: npt.NDArray[np.int16]
    resampler: PolyphaseResampler | None
    scratch: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))


def _accepts(device: AudioDevice, rate_hz: int) -> bool:
    try:
        with pulse.routed("output", device.route):
            sd.check_output_settings(
                device=device.portaudio_index, samplerate=rate_hz, channels=1, dtype="int16"
            )
    except (sd.PortAudioError, ValueError):
        return False
    return True


class SpeakerPlayback:
    def __init__(
        self,
        device: str | None = None,
        *,
        echo: EchoCanceller | None = None,
        on_error: ErrorSink | None = None,
        start_s: float = 0.04,
        latency: str | float = OUTPUT_LATENCY_S,
        period_ms: int = PERIOD_MS,
    ) -> None:
        self.rate_hz = DOWNLINK_SAMPLE_RATE_HZ
        self.period_ms = period_ms
        self.period_samples = self.rate_hz * period_ms // 1000
        self.buffer = PlaybackBuffer(
            rate_hz=self.rate_hz, period_samples=self.period_samples, start_s=start_s
        )
        self.echo = echo
        if echo is not None and echo.render_rate_hz != self.rate_hz:
            raise ValueError("the echo canceller must take the render stream at 24 kHz")
        self.meter = LevelMeter(block_s=period_ms / 1000)
        self._latency = latency
        self.supervisor = StreamSupervisor(
            kind="output",
            role="speaker",
            label="speaker",
            requested=device,
            open_stream=self._open_stream,
            on_error=on_error,
        )
        self.device_underflows = 0
        """Output underflows PortAudio reported (the device ran out: an audible glitch)."""
        self.first_sample_dac: dict[int, float] = {}
        """Model turn -> ``time.monotonic()`` at which its first sample reached the DAC."""

    # ------------------------------------------------------------------ AudioSink

    async def start(self) -> None:
        await self.supervisor.start()

    async def stop(self) -> None:
        await self.supervisor.stop()
        self.buffer.clear()

    def write(self, pcm: bytes, turn: int) -> None:
        samples = np.frombuffer(pcm, dtype="<i2", count=len(pcm) // 2)
        self.buffer.write(samples, turn)

    def interrupt(self) -> None:
        self.buffer.interrupt()

    def played_samples(self, turn: int) -> int:
        return self.buffer.played_samples(turn)

    def level(self) -> Level:
        return self.meter.level()

    # ------------------------------------------------------------------ state

    @property
    def status(self) -> StreamStatus:
        return self.supervisor.status

    @property
    def device(self) -> AudioDevice | None:
        return self.supervisor.device

    @property
    def latency_s(self) -> float:
        stream = self.supervisor.stream
        return float(stream.latency) if stream is not None else 0.0

    @property
    def underruns(self) -> int:
        return self.buffer.underruns

    @property
    def playing(self) -> bool:
        return self.buffer.playing

    # ------------------------------------------------------------------ stream (worker thread)

    def _open_stream(self, device: AudioDevice) -> Stream:
        rate = self.rate_hz if _accepts(device, self.rate_hz) else device.rate_hz
        channels = 1 if rate == self.rate_hz else max(1, device.channels)
        resampler = PolyphaseResampler(self.rate_hz, rate) if rate != self.rate_hz else None
        # The converter works on whole frames (10-40 ms): then one frame is one period.
        pull = resampler.frame_in if resampler is not None else self.period_samples
        blocksize = resampler.frame_out if resampler is not None else self.period_samples
        ctx = _Context(rate, channels, np.zeros(pull, dtype=np.int16), resampler)
        with pulse.routed("output", device.route):
            stream = sd.OutputStream(
                device=device.portaudio_index,
                samplerate=rate,
                channels=channels,
                dtype="int16",
                blocksize=blocksize,
                latency=self._latency,
                callback=functools.partial(self._on_audio, ctx),
                finished_callback=self._on_finished,
            )
        return stream  # type: ignore[no-any-return]

    def _on_audio(self, ctx: _Context, outdata: Any, frames: int, when: Any, status: Any) -> None:
        # PortAudio thread: pull, zero-fill, copy for the canceller, count. Nothing else.
        self.supervisor.beats += 1
        if status.output_underflow:
            self.device_underflows += 1
        mono = ctx.mono
        self.buffer.pull_into(mono)
        now = time.monotonic()
        dac_offset = when.outputBufferDacTime - when.currentTime
        dac = now + (dac_offset if when.outputBufferDacTime > 0 else 0.0)
        for turn, offset in self.buffer.turn_starts:
            self.first_sample_dac[turn] = dac + offset / self.rate_hz
        if self.echo is not None:
            self.echo.push_render(mono, dac)
        self.meter.update(mono)
        if ctx.resampler is None:
            outdata[:, 0] = mono
            return
        converted = to_int16(ctx.resampler.process_frame(mono.astype(np.float32)))
        outdata[:] = converted[: outdata.shape[0], None]

    def _on_finished(self) -> None:
        self.supervisor.finished = True
