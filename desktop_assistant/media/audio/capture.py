"""The microphone as an ``AudioSource``: 16 kHz mono int16 blocks, echo-cancelled, gated.

Threads (``docs/architecture.md`` section 4):

- **PortAudio input callback**: copies the raw block into a preallocated ring (one memcpy, no
  NumPy), counts overflows, stamps the ADC time, wakes the DSP thread. Nothing else: no logging,
  no locks held, no Python objects beyond what sounddevice itself makes.
- **DSP thread** (``mic-dsp``): downmix, resample, echo cancellation, echo detector and meter
  (``capture_dsp.CaptureProcessor``), then ``loop.call_soon_threadsafe`` per finished block.
  See ``aec.py`` for why the canceller runs here and not in the callback.
- **Loop thread**: the gate (mute / push-to-talk pre-roll), the bounded drop-oldest uplink that
  ``read()`` takes from, and the supervisor that survives a device disappearing.

The device is opened at its native rate and channel count (``AudioDevice.rate_hz/channels``)
unless ``capture_rate_hz`` says otherwise, in 10 ms callback blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import sounddevice as sd

from desktop_assistant.core.ports import AudioBlock, Level
from desktop_assistant.media.audio import pulse
from desktop_assistant.media.audio.aec import EchoCanceller
from desktop_assistant.media.audio.capture_dsp import CaptureProcessor
from desktop_assistant.media.audio.devices import AudioDevice
from desktop_assistant.media.audio.echo_detector import EchoDetector, EchoReport
from desktop_assistant.media.audio.frame_ring import FrameRing
from desktop_assistant.media.audio.gate import DEFAULT_PREROLL_S, MicGate
from desktop_assistant.media.audio.meters import LevelMeter
from desktop_assistant.media.audio.stream_supervisor import (
    ErrorSink,
    Stream,
    StreamStatus,
    StreamSupervisor,
)
from desktop_assistant.media.audio.uplink import DropOldestQueue

log = logging.getLogger(__name__)

_RING_SLOTS = 32  # 320 ms of device blocks between the callback and the DSP thread
DEFAULT_QUEUE_BLOCKS = 8  # at most 160 ms (20 ms blocks) waiting for the session


@dataclass(slots=True)
class _Context:
    """What belongs to one open stream (a reopen on another device makes a new one)."""

    ring: FrameRing
    processor: CaptureProcessor
    rate_hz: int


class MicrophoneCapture:
    def __init__(
        self,
        device: str | None = None,
        *,
        block_ms: int = 20,
        echo: EchoCanceller | None = None,
        echo_warning: bool = True,
        on_error: ErrorSink | None = None,
        queue_blocks: int = DEFAULT_QUEUE_BLOCKS,
        preroll_s: float = DEFAULT_PREROLL_S,
        capture_rate_hz: int | None = None,
        latency: str | float = "low",
        device_block_ms: int = 20,
    ) -> None:
        self.block_ms = block_ms
        self.echo = echo
        self.uplink: DropOldestQueue[AudioBlock] = DropOldestQueue(queue_blocks)
        self.gate = MicGate(preroll_s=preroll_s, block_s=block_ms / 1000, uplink=self.uplink)
        self.meter = LevelMeter(block_s=block_ms / 1000)  # updated once per uplink block
        self.detector: EchoDetector | None = None
        if echo is not None and echo_warning:
            self.detector = EchoDetector(self._on_echo_detected)
            echo.add_render_listener(self.detector.add_render_energy)
        self._capture_rate_hz = capture_rate_hz
        self._latency = latency
        if device_block_ms % 10 or not 10 <= device_block_ms <= block_ms:
            raise ValueError("device_block_ms must be 10, 20, ... and at most block_ms")
        self._device_block_ms = device_block_ms
        self.supervisor = StreamSupervisor(
            kind="input",
            role="mic",
            label="microphone",
            requested=device,
            open_stream=self._open_stream,
            on_error=on_error,
        )
        self._ctx: _Context | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # A C-level queue as the doorbell: put_nowait from the callback is one C call, where
        # threading.Event.set runs a dozen lines of Python under a Condition.
        self._wake: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._running = False
        self._thread: threading.Thread | None = None
        self.overflows = 0
        """Input overflows PortAudio reported (the device had to drop samples)."""
        self.blocks_delivered = 0
        self.echo_reports: list[EchoReport] = []

    # ------------------------------------------------------------------ AudioSource

    async def start(self) -> None:
        """Open the device (or fall back) and start delivering blocks. Never raises for devices."""
        self._loop = asyncio.get_running_loop()
        self.uplink.reopen()
        self._running = True
        self._thread = threading.Thread(target=self._dsp_main, name="mic-dsp", daemon=True)
        self._thread.start()
        await self.supervisor.start()

    async def stop(self) -> None:
        await self.supervisor.stop()
        self._running = False
        self._wake.put_nowait(None)
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 2.0)
            self._thread = None
        self.uplink.close()

    async def read(self) -> AudioBlock:
        """The next block that passed the gate; raises ``EOFError`` once stopped."""
        return await self.uplink.get()

    def level(self) -> Level:
        return self.meter.level()

    # ------------------------------------------------------------------ controls and state

    def set_headphones(self, wearing: bool) -> None:
        """Headphones: no echo to cancel, so bypass the canceller (the detector keeps watching)."""
        if self.echo is not None:
            self.echo.bypass = wearing

    def user_active(self, hold_s: float = 2.0) -> bool:
        """Whether the user made sound in the last ``hold_s`` (after echo cancellation)."""
        ctx = self._ctx
        if ctx is None:
            return False
        return time.monotonic() - ctx.processor.last_voice_at < hold_s

    @property
    def status(self) -> StreamStatus:
        return self.supervisor.status

    @property
    def device(self) -> AudioDevice | None:
        return self.supervisor.device

    @property
    def latency_s(self) -> float:
        """PortAudio's input latency for the open stream (0 when none is open)."""
        stream = self.supervisor.stream
        return float(stream.latency) if stream is not None else 0.0

    @property
    def dropped_blocks(self) -> int:
        """Blocks lost because a consumer fell behind (uplink full)."""
        return self.uplink.dropped

    # ------------------------------------------------------------------ stream (worker thread)

    def _open_stream(self, device: AudioDevice) -> Stream:
        rate = self._capture_rate_hz or device.rate_hz
        channels = 1 if self._capture_rate_hz else max(1, device.channels)
        processor = CaptureProcessor(
            in_rate_hz=rate,
            channels=channels,
            block_ms=self.block_ms,
            echo=self.echo,
            detector=self.detector,
            meter=self.meter,
        )
        # Whole resampler frames per callback; a 20 ms callback halves the wake-ups of a 10 ms one
        # and costs no latency, since an uplink block needs 20 ms of audio anyway.
        per_callback = processor.frame_in * max(1, self._device_block_ms // processor.frame_ms)
        slots = max(4, _RING_SLOTS * processor.frame_in // per_callback)
        ctx = _Context(FrameRing(slots, per_callback, channels), processor, rate)
        with pulse.routed("input", device.route):
            stream = sd.RawInputStream(
                device=device.portaudio_index,
                samplerate=rate,
                channels=channels,
                dtype="int16",
                blocksize=per_callback,
                latency=self._latency,
                callback=functools.partial(self._on_audio, ctx),
                finished_callback=self._on_finished,
            )
        self._ctx = ctx
        return stream  # type: ignore[no-any-return]

    def _on_audio(self, ctx: _Context, indata: Any, frames: int, when: Any, status: Any) -> None:
        # PortAudio thread: copy, count, hand off. Nothing else.
        self.supervisor.beats += 1
        if status and status.input_overflow:
            self.overflows += 1
        now = time.monotonic()
        adc = when.inputBufferAdcTime
        if adc > 0:
            captured = now - (when.currentTime - adc)
        else:  # hosts without timestamps: the block ended about now
            captured = now - frames / ctx.rate_hz
        ctx.ring.push_raw(indata, captured)
        self._wake.put_nowait(None)

    def _on_finished(self) -> None:
        self.supervisor.finished = True

    # ------------------------------------------------------------------ DSP thread

    def _dsp_main(self) -> None:
        buffer = np.zeros((1, 1), dtype=np.int16)
        while self._running:
            # The timeout only bounds how long stop() waits for this thread.
            with contextlib.suppress(queue.Empty):
                self._wake.get(timeout=0.2)
            ctx = self._ctx
            if ctx is None:
                continue
            shape = (ctx.ring.frame_samples, ctx.ring.channels)
            if buffer.shape != shape:
                buffer = np.zeros(shape, dtype=np.int16)
            try:
                while (got := ctx.ring.pop_into(buffer)) is not None:
                    n, captured = got
                    chunk = buffer if n == shape[0] else buffer[:n]
                    for block in ctx.processor.process(chunk, captured):
                        self._hand_off(self._deliver, block)
            except RuntimeError:  # the loop is closed: the app is shutting down
                return
            except Exception:
                log.exception("microphone processing failed; the block was dropped")

    def _hand_off(self, fn: Any, arg: Any) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(fn, arg)

    def _on_echo_detected(self, report: EchoReport) -> None:
        self._hand_off(self._report_echo, report)

    # ------------------------------------------------------------------ loop thread

    def _deliver(self, block: AudioBlock) -> None:
        self.blocks_delivered += 1
        if self.gate.admit(block):
            self.uplink.offer(block)

    def _report_echo(self, report: EchoReport) -> None:
        self.echo_reports.append(report)
        if self.echo is not None and self.echo.bypass:
            message = (
                "The microphone hears the assistant's own voice, so it may interrupt itself. "
                "Use headphones, or turn echo cancellation back on (you said you wear headphones)."
            )
        else:
            message = (
                "The microphone hears the assistant's own voice despite echo cancellation. "
                "Lower the speaker volume or use headphones."
            )
        self.supervisor.report(message, recoverable=True)
