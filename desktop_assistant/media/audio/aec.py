"""Acoustic echo cancellation: WebRTC's audio processing (AEC3 + noise suppression + high-pass).

The model must not hear itself through the user's speakers, or it interrupts itself (the first
pain point of every Live client without headphones). WebRTC's APM, through livekit's
``rtc.AudioProcessingModule``, cancels 32-36 dB of echo from the first second and 37-61 dB once
adapted (measured in ``reference/av-stack.md``).

How it is fed (the recipe that was measured):

- **Render (far end):** exactly what the output callback handed to the device, at the output
  rate, in 10 ms frames. The output callback only copies the frame into a preallocated ring
  (``push_render``); no APM call runs on the output thread.
- **Capture (near end):** 10 ms frames at 16 kHz, processed in place on the microphone's DSP
  thread, not in the input callback. The APM costs ~0.09 ms per frame (2 ms worst case) through
  an FFI call that allocates; keeping it off the PortAudio thread means a slow call can never
  cause an input overflow, and having one thread feed both streams keeps render and capture in
  device-time order even when the asyncio/Qt thread stalls.
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

from desktop_assistant.media.audio.frame_ring import FrameRing

CAPTURE_RATE_HZ = 16_000
FRAME_MS = 10
_RENDER_SLOTS = 64  # 640 ms of render frames between two capture frames is far more than enough
_FAR_END_ACTIVE_DBFS = -50.0  # render louder than this counts as "the model is talking"
_FAR_END_HANGOVER_S = 0.3  # echo keeps arriving this long after the far end goes quiet
_MAX_DELAY_MS = 500
_DELAY_STEP_MS = 10

RenderListener = Callable[[npt.NDArray[np.int16], float], None]
"""Called on the DSP thread with every render frame (samples, DAC time) as it is analysed."""


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


def _rms_dbfs(frame: npt.NDArray[np.int16]) -> float:
    block = frame.astype(np.float32)
    ms = float(np.dot(block, block)) / max(1, block.size)
    return 10.0 * math.log10(ms / 32768.0**2) if ms > 0 else -math.inf


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
        self._ring = FrameRing(_RENDER_SLOTS, self.render_frame)
        self._pop = np.zeros((self.render_frame, 1), dtype=np.int16)
        self._acc = np.zeros(self.render_frame, dtype=np.int16)
        self._acc_len = 0
        self._acc_time = 0.0
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

    # ------------------------------------------------------------------ output thread

    def push_render(self, played: npt.NDArray[np.int16], dac_time: float) -> None:
        """Output callback: the samples just handed to the device, and when they will sound.

        ``played`` is mono at ``render_rate_hz``, any length (a 5 ms period is gathered into
        10 ms frames in a preallocated buffer).
        """
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
        """Analyse every render frame pushed so far (called before each capture frame)."""
        while True:
            got = self._ring.pop_into(self._pop)
            if got is None:
                return
            _, dac_time = got
            frame = self._pop[:, 0]
            now = time.monotonic()
            self._render_lead_s = dac_time - now
            self._render_frames += 1
            if _rms_dbfs(frame) > _FAR_END_ACTIVE_DBFS:
                self._far_end_until = dac_time + _FAR_END_HANGOVER_S
            for listener in self._render_listeners:
                listener(frame, dac_time)
            if not self.bypass:
                self._render_view[:] = frame
                self._apm.process_reverse_stream(self._render_frame)

    def process(self, frame: npt.NDArray[np.int16], adc_time: float) -> npt.NDArray[np.int16]:
        """Cancel echo in one 10 ms capture frame; returns the cleaned frame (a reused buffer)."""
        self.drain_render()
        self._capture_frames += 1
        if self.bypass:
            self._capture_view[:] = frame
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
            self._apm.set_stream_delay_ms(delay_ms)
        far_end = adc_time <= self._far_end_until
        if far_end:
            block = frame.astype(np.float32)
            self._energy_in += float(np.dot(block, block))
        self._capture_view[:] = frame
        self._apm.process_stream(self._capture_frame)
        if far_end:
            block = self._capture_view.astype(np.float32)
            self._energy_out += float(np.dot(block, block))
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
