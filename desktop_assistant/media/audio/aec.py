"""Acoustic echo cancellation: WebRTC's audio processing (AEC3 + noise suppression + high-pass).

The model must not hear itself through the user's speakers, or it interrupts itself (the first
pain point of every Live client without headphones). WebRTC's APM, through livekit's
``rtc.AudioProcessingModule``, cancels 32-36 dB of echo from the first second and 37-61 dB once
adapted (measured in ``reference/av-stack.md``).

How it is fed (the recipe that was measured):

- **Render (far end):** exactly what the output callback handed to the device, at the output
  rate. The speaker's output callback fills its ring of played periods, which it shares with the
  canceller (``use_render_ring``: nothing extra happens on the output thread); the DSP thread
  gathers those periods into 10 ms frames. Other feeders hand frames over with ``push_render``.
- **Capture (near end):** 10 ms frames at 16 kHz, processed in place on the microphone's DSP
  thread, not in the input callback. The APM costs ~0.1 ms per 10 ms (more with cold caches, and
  2 ms worst case) through livekit's FFI, called with requests prepared once (``apm_ffi``);
  keeping it off the PortAudio thread means a slow call can never cause an input overflow, and
  having one thread feed both streams keeps render and capture in device-time order even when
  the asyncio/Qt thread stalls.
- **Delay:** before each capture frame, ``set_stream_delay_ms`` gets WebRTC's own definition,
  ``(t_render - t_analyze) + (t_process - t_capture)``, from the PortAudio DAC/ADC timestamps
  (converted to ``time.monotonic``). AEC3 refines the delay itself; the hint only speeds it up.

``bypass`` (the user wears headphones) skips the canceller; render frames are still drained and
shown to the echo detector, so a wrong "I wear headphones" can be caught.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from livekit import rtc

from desktop_assistant.media.audio import apm_ffi
from desktop_assistant.media.audio.frame_ring import FrameRing

CAPTURE_RATE_HZ = 16_000
FRAME_MS = 10
_RENDER_SLOTS = 64  # 640 ms of render frames between two capture frames is far more than enough
_FULL_SCALE_SQUARED = 32768.0**2
_FAR_END_ACTIVE_DBFS = -50.0  # render louder than this counts as "the model is talking"
_FAR_END_HANGOVER_S = 0.3  # echo keeps arriving this long after the far end goes quiet
_MAX_DELAY_MS = 500
_DELAY_STEP_MS = 10

RenderListener = Callable[[float, float], None]
"""Called on the DSP thread with every 10 ms render frame as it is analysed: its mean square (on
the int16 scale) and its DAC time."""


@dataclass(frozen=True, slots=True)
class EchoStats:
    """What the canceller did since the last ``reset_stats``.

    ``erle_db`` (echo return loss enhancement) is the energy going in over the energy coming out
    while the far end was active; it measures the cancellation only while the user is silent.
    """

    capture_frames: int
    render_frames: int
    render_overruns: int
    far_end_frames: int
    erle_db: float
    delay_ms: int
    bypassed: bool


def mean_square(frame: npt.NDArray[np.int16] | npt.NDArray[np.float32]) -> float:
    block = frame.astype(np.float32, copy=False)
    return float(np.dot(block, block)) / max(1, block.size)


class EchoCanceller:
    """One APM shared by a speaker (render side) and a microphone (capture side)."""

    def __init__(
        self,
        *,
        render_rate_hz: int,
        capture_rate_hz: int = CAPTURE_RATE_HZ,
        bypass: bool = False,
        noise_suppression: bool = True,
        high_pass_filter: bool = True,
        prepared_calls: bool = True,
    ) -> None:
        if (render_rate_hz * FRAME_MS) % 1000 or (capture_rate_hz * FRAME_MS) % 1000:
            raise ValueError("render and capture rates must hold whole 10 ms frames")
        self.render_rate_hz = render_rate_hz
        self.capture_rate_hz = capture_rate_hz
        self.render_frame = render_rate_hz * FRAME_MS // 1000
        self.capture_frame = capture_rate_hz * FRAME_MS // 1000
        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=True,
            noise_suppression=noise_suppression,
            high_pass_filter=high_pass_filter,
            auto_gain_control=False,
        )
        # Preallocated, reused frames: the APM works in place on their bytearrays.
        self._render_bytes = bytearray(self.render_frame * 2)
        self._render_view = np.frombuffer(self._render_bytes, dtype=np.int16)
        self._render_frame = rtc.AudioFrame(
            self._render_bytes, render_rate_hz, 1, self.render_frame
        )
        self._capture_bytes = bytearray(self.capture_frame * 2)
        self._capture_view = np.frombuffer(self._capture_bytes, dtype=np.int16)
        self._capture_frame = rtc.AudioFrame(
            self._capture_bytes, capture_rate_hz, 1, self.capture_frame
        )
        self._fast = (
            apm_ffi.prepare(
                self._apm,
                capture=self._capture_bytes,
                capture_rate_hz=capture_rate_hz,
                render=self._render_bytes,
                render_rate_hz=render_rate_hz,
            )
            if prepared_calls
            else None
        )
        self._own_ring = FrameRing(_RENDER_SLOTS, self.render_frame)
        self._ring = self._own_ring
        self._acc = np.zeros(self.render_frame, dtype=np.int16)
        self._acc_len = 0
        self._acc_time = 0.0
        self._fill = 0  # samples of the next render frame gathered so far (drain_render)
        self._fill_time = 0.0
        self._far_end_ms = _FULL_SCALE_SQUARED * 10 ** (_FAR_END_ACTIVE_DBFS / 10)
        self.out_mean_square = 0.0
        """Mean square of the last frame ``process`` returned (the caller's meters reuse it)."""
        self._render_listeners: list[RenderListener] = []
        self.bypass = bypass
        """Skip cancellation (headphones). Set from any thread; read per frame."""
        self._render_lead_s = 0.0
        self._far_end_until = -math.inf
        self._delay_ms = 0
        self._delay_smoothed_ms = 0.0
        self.reset_stats()

    def add_render_listener(self, listener: RenderListener) -> None:
        self._render_listeners.append(listener)

    def use_render_ring(self, ring: FrameRing) -> None:
        """Take the render stream from ``ring`` instead of ``push_render``.

        ``ring`` holds mono periods at ``render_rate_hz`` that divide 10 ms, stamped with their
        DAC time: the speaker's ``played``.
        """
        if ring.channels != 1 or self.render_frame % ring.frame_samples:
            raise ValueError("render periods must be mono and divide the 10 ms frame")
        self._ring = ring
        self._fill = 0
        self._ring_overruns_base = ring.overruns

    # ------------------------------------------------------------------ output thread

    def push_render(self, played: npt.NDArray[np.int16], dac_time: float) -> None:
        """A feeder without a shared ring: the samples just played, and when they will sound.

        ``played`` is mono at ``render_rate_hz``, any length (gathered into 10 ms frames in a
        preallocated buffer). Not for use together with ``use_render_ring``.
        """
        if self._ring is not self._own_ring:
            raise RuntimeError("this canceller takes its render stream from a shared ring")
        step = self.render_frame
        n = played.shape[0]
        start = 0
        while start < n:
            if self._acc_len == 0:
                self._acc_time = dac_time + start / self.render_rate_hz
            take = min(step - self._acc_len, n - start)
            self._acc[self._acc_len : self._acc_len + take] = played[start : start + take]
            self._acc_len += take
            start += take
            if self._acc_len == step:
                self._ring.push(self._acc, self._acc_time)
                self._acc_len = 0

    # ------------------------------------------------------------------ DSP thread

    def drain_render(self) -> None:
        """Analyse every render frame played so far (called before each capture frame)."""
        ring = self._ring
        step = self.render_frame
        view = self._render_view
        while True:
            fill = self._fill
            got = ring.pop_into(view[fill:])
            if got is None:
                return
            n, dac_time = got
            if fill == 0:
                self._fill_time = dac_time
            fill += n
            if fill < step:
                self._fill = fill
                continue
            self._fill = 0
            dac_time = self._fill_time
            self._render_lead_s = dac_time - time.monotonic()
            self._render_frames += 1
            energy = mean_square(view)
            if energy > self._far_end_ms:
                self._far_end_until = dac_time + _FAR_END_HANGOVER_S
            for listener in self._render_listeners:
                listener(energy, dac_time)
            if not self.bypass:
                if self._fast is not None:
                    self._fast.process_reverse_stream()
                else:
                    self._apm.process_reverse_stream(self._render_frame)

    def process(
        self,
        frame: npt.NDArray[np.int16],
        adc_time: float,
        in_mean_square: float | None = None,
    ) -> npt.NDArray[np.int16]:
        """Cancel echo in one 10 ms capture frame; returns the cleaned frame (a reused buffer).

        ``in_mean_square`` is the frame's own mean square if the caller has it (for the ERLE
        figure); ``out_mean_square`` is set to the cleaned frame's.
        """
        self.drain_render()
        self._capture_frames += 1
        self._capture_view[:] = frame
        if self.bypass:
            self.out_mean_square = mean_square(self._capture_view)
            return self._capture_view
        capture_lag_s = time.monotonic() - adc_time
        # The raw estimate jitters by a device block (5-20 ms) from frame to frame; AEC3 finds the
        # exact delay itself and only needs the neighbourhood. So the hint is smoothed, and the
        # APM is told (an FFI round trip per call) only when it moved by a whole step.
        raw_ms = (self._render_lead_s + capture_lag_s) * 1000
        if self._capture_frames == 1:
            self._delay_smoothed_ms = raw_ms
        self._delay_smoothed_ms += 0.05 * (raw_ms - self._delay_smoothed_ms)
        delay_ms = min(_MAX_DELAY_MS, max(0, round(self._delay_smoothed_ms)))
        if self._capture_frames == 1 or abs(delay_ms - self._delay_ms) >= _DELAY_STEP_MS:
            self._delay_ms = delay_ms
            if self._fast is not None:
                self._fast.set_stream_delay_ms(delay_ms)
            else:
                self._apm.set_stream_delay_ms(delay_ms)
        if self._fast is not None:
            self._fast.process_stream()
        else:
            self._apm.process_stream(self._capture_frame)
        out = mean_square(self._capture_view)
        self.out_mean_square = out
        if adc_time <= self._far_end_until:
            energy_in = mean_square(frame) if in_mean_square is None else in_mean_square
            self._energy_in += energy_in * self.capture_frame
            self._energy_out += out * self.capture_frame
            self._far_end_frames += 1
        return self._capture_view

    # ------------------------------------------------------------------ stats (any thread)

    def reset_stats(self) -> None:
        self._capture_frames = 0
        self._render_frames = 0
        self._far_end_frames = 0
        self._energy_in = 0.0
        self._energy_out = 0.0
        self._ring_overruns_base = self._ring.overruns

    def stats(self) -> EchoStats:
        if self._energy_in <= 0:
            erle = math.nan
        elif self._energy_out <= 0:
            erle = math.inf
        else:
            erle = 10.0 * math.log10(self._energy_in / self._energy_out)
        return EchoStats(
            capture_frames=self._capture_frames,
            render_frames=self._render_frames,
            render_overruns=self._ring.overruns - self._ring_overruns_base,
            far_end_frames=self._far_end_frames,
            erle_db=erle,
            delay_ms=self._delay_ms,
            bypassed=self.bypass,
        )
