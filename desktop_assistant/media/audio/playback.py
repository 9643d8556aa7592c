"""The speaker as an ``AudioSink``: model audio at 24 kHz through a jitter buffer.

The output stream runs for the whole session and plays zeros when there is nothing to say, so
starting to speak and stopping (barge-in) never waits for a stream to open or drain. The output
callback pulls one period from the ``PlaybackBuffer`` straight into a slot of ``played`` (a ring
of the periods handed to the device, stamped with their DAC time), copies that slot into
PortAudio's raw buffer (one memcpy), and notes the DAC time of the first sample of each model
turn. That is all: the echo canceller reads ``played`` on the microphone's DSP thread, and the
level meter reads it when the UI asks (``RingLevelMeter``). If the device cannot run at 24 kHz,
the callback also converts each pull with the stateful resampler (one small matrix product).

Why so little: the callback runs 200 times a second with cold caches, and every Python or NumPy
operation there costs microseconds; measured on the virtual devices of a loaded 2-core machine,
the callback that also metered and copied into the canceller's ring took ~90 us per 5 ms period
(1.8 % of a core for the callback alone).

``interrupt()`` takes effect at the next callback and fades out over 5 ms; what PortAudio has
already buffered (``latency_s``) still plays. Hence the small period and the small buffer (see
``OUTPUT_LATENCY_S``).
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sounddevice as sd

from desktop_assistant.core.ports import DOWNLINK_SAMPLE_RATE_HZ, Level
from desktop_assistant.media.audio import pulse
from desktop_assistant.media.audio.aec import EchoCanceller
from desktop_assistant.media.audio.devices import AudioDevice
from desktop_assistant.media.audio.frame_ring import FrameRing
from desktop_assistant.media.audio.meters import RingLevelMeter
from desktop_assistant.media.audio.playback_buffer import PlaybackBuffer
from desktop_assistant.media.audio.resample import PolyphaseResampler, to_int16
from desktop_assistant.media.audio.stream_supervisor import (
    ErrorSink,
    Stream,
    StreamStatus,
    StreamSupervisor,
)

PERIOD_MS = 5
"""Output callback period (it must divide 10 ms: the echo canceller's render frame). Barge-in
latency is the wait for the next callback + what is queued then (about ``OUTPUT_LATENCY_S`` plus
the server's few ms) + the 5 ms fade. PulseAudio asks for data in its own rhythm: with a 20 ms
buffer, two 5 ms callbacks every ~10 ms; with 15 ms, one callback after 3.3 then 6.7 ms."""
_PLAYED_HISTORY_S = 0.64
"""How much of what was played ``played`` keeps: the echo canceller must not lose render frames
while the microphone's DSP thread is briefly held up."""
OUTPUT_LATENCY_S = 0.02
"""PortAudio's output buffer. Measured on the virtual devices of a loaded 2-core machine
(``bench/media_bench.py``): 15 ms gave barge-in 25/28 ms (p50/p95) but 7-12 device underflows a
minute (audible glitches); 20 ms gave 32/38 ms and none; 10 ms periods (whose buffer cannot go
below 20 ms) 33/36 ms with 2-8 underflows a minute. Glitch-free speech wins; a fast machine can
pass ``latency_s=0.015`` (``open_speaker``/``open_audio``)."""


@dataclass(slots=True)
class _Context:
    """What belongs to one open stream (a reopen on another device makes a new one)."""

    rate_hz: int
    channels: int
    resampler: PolyphaseResampler | None
    pulls: int  # periods per callback (1 unless converting whole resampler frames)
    pulled: npt.NDArray[np.float32]  # the pulled periods, as the resampler's input


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
        if period_ms <= 0 or 10 % period_ms:
            raise ValueError("period_ms must divide 10 ms (1, 2, 5 or 10)")
        self.rate_hz = DOWNLINK_SAMPLE_RATE_HZ
        self.period_ms = period_ms
        self.period_samples = self.rate_hz * period_ms // 1000
        self.buffer = PlaybackBuffer(
            rate_hz=self.rate_hz, period_samples=self.period_samples, start_s=start_s
        )
        self.played = FrameRing(
            math.ceil(_PLAYED_HISTORY_S * 1000 / period_ms), self.period_samples
        )
        """Every period handed to the device, with its DAC time (``time.monotonic``)."""
        self.echo = echo
        if echo is not None:
            if echo.render_rate_hz != self.rate_hz:
                raise ValueError("the echo canceller must take the render stream at 24 kHz")
            echo.use_render_ring(self.played)
        self.meter = RingLevelMeter(self.played, block_s=period_ms / 1000)
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
        # The converter works on whole frames (10-40 ms): then one callback pulls one frame's
        # worth of periods.
        pulls = resampler.frame_in // self.period_samples if resampler is not None else 1
        blocksize = resampler.frame_out if resampler is not None else self.period_samples
        pulled = np.zeros(pulls * self.period_samples, dtype=np.float32)
        ctx = _Context(rate, channels, resampler, pulls, pulled)
        with pulse.routed("output", device.route):
            stream = sd.RawOutputStream(
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
        # PortAudio thread: pull into the played ring, copy out, stamp. Nothing else.
        self.supervisor.beats += 1
        if status and status.output_underflow:
            self.device_underflows += 1
        dac_at = when.outputBufferDacTime
        dac = time.monotonic() + (dac_at - when.currentTime if dac_at > 0 else 0.0)
        played = self.played
        buffer = self.buffer
        if ctx.resampler is None:
            raw = played.next_slot_bytes()
            buffer.pull_into(played.next_slot())
            if buffer.turn_starts:
                self._note_turn_starts(dac, 0)
            played.publish(dac)
            outdata[:] = raw
            return
        period = self.period_samples
        for i in range(ctx.pulls):
            slot = played.next_slot()
            buffer.pull_into(slot)
            if buffer.turn_starts:
                self._note_turn_starts(dac, i * period)
            played.publish(dac + i * period / self.rate_hz)
            ctx.pulled[i * period : (i + 1) * period] = slot
        converted = to_int16(ctx.resampler.process_frame(ctx.pulled))
        np.frombuffer(outdata, dtype=np.int16).reshape(-1, ctx.channels)[:] = converted[:, None]

    def _note_turn_starts(self, dac: float, offset: int) -> None:
        for turn, at in self.buffer.turn_starts:
            self.first_sample_dac[turn] = dac + (offset + at) / self.rate_hz

    def _on_finished(self) -> None:
        self.supervisor.finished = True
