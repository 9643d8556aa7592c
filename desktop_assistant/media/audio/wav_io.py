"""WAV files standing in for the microphone and the speaker (headless runs, tests, benchmarks).

``WavFileSource`` plays a WAV file of any rate, channel count and sample format into the uplink
as 16 kHz mono int16 blocks, paced like a real microphone (``speed`` > 1 compresses time for
tests). It downmixes, then resamples with a stateful soxr stream, so block edges are seamless.

``WavFileSink`` is a virtual speaker with a device clock: audio written to it "plays" at 24 kHz as
time passes (``speed`` again), and what would have been heard is recorded to a WAV file, silence
included. ``interrupt()`` cuts playback the way a device does, after a short fade of what was
already in its buffer, so the recording stops where a listener's ear would have.

Both are driven from the event loop thread. File reading happens once, in an executor; the sink
appends small chunks to its file as they play.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import struct
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soxr

from desktop_assistant.core.ports import (
    DOWNLINK_SAMPLE_RATE_HZ,
    UPLINK_SAMPLE_RATE_HZ,
    AudioBlock,
    Level,
)
from desktop_assistant.media.audio.meters import LevelMeter

Clock = Callable[[], float]

_WAVE_FORMAT_PCM = 0x0001
_WAVE_FORMAT_IEEE_FLOAT = 0x0003
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE


class WavFormatError(ValueError):
    """The file is not a WAV file this reader understands; the message says why."""


@dataclass(frozen=True, slots=True)
class WavAudio:
    samples: npt.NDArray[np.float32]
    """Shape (frames, channels), float32 in [-1, 1]."""
    sample_rate_hz: int

    @property
    def duration_s(self) -> float:
        return float(self.samples.shape[0]) / self.sample_rate_hz


def read_wav(path: Path) -> WavAudio:
    """Decode a RIFF/WAVE file: PCM 8/16/24/32-bit or IEEE float 32/64, any channel count."""
    data = path.read_bytes()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavFormatError(f"{path.name} is not a WAV file (no RIFF/WAVE header)")
    fmt: tuple[int, int, int, int] | None = None
    payload: bytes | None = None
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        body = data[offset + 8 : offset + 8 + size]
        if chunk_id == b"fmt ":
            if len(body) < 16:
                raise WavFormatError(f"{path.name}: the format chunk is too short")
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
            if tag == _WAVE_FORMAT_EXTENSIBLE and len(body) >= 26:
                (tag,) = struct.unpack_from("<H", body, 24)  # the sub-format GUID starts with it
            fmt = (tag, channels, rate, bits)
        elif chunk_id == b"data":
            payload = body
        offset += 8 + size + (size & 1)
    if fmt is None or payload is None:
        raise WavFormatError(f"{path.name}: missing the format or the data chunk")
    tag, channels, rate, bits = fmt
    if channels < 1 or rate < 1000:
        raise WavFormatError(f"{path.name}: {channels} channels at {rate} Hz is not audio")
    width = bits // 8
    usable = len(payload) - len(payload) % (width * channels)
    raw = payload[:usable]
    if tag == _WAVE_FORMAT_PCM and bits == 8:
        samples = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif tag == _WAVE_FORMAT_PCM and bits == 16:
        samples = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    elif tag == _WAVE_FORMAT_PCM and bits == 24:
        triples = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        ints = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        samples = ints.astype(np.float32) / float(1 << 23)
    elif tag == _WAVE_FORMAT_PCM and bits == 32:
        samples = (np.frombuffer(raw, "<i4").astype(np.float64) / float(1 << 31)).astype(np.float32)
    elif tag == _WAVE_FORMAT_IEEE_FLOAT and bits in (32, 64):
        samples = np.frombuffer(raw, "<f4" if bits == 32 else "<f8").astype(np.float32)
    else:
        raise WavFormatError(f"{path.name}: unsupported sample format (tag {tag}, {bits} bits)")
    return WavAudio(np.clip(samples.reshape(-1, channels), -1.0, 1.0), rate)


class WavFileSource:
    """A microphone made of a WAV file (``core.ports.AudioSource``).

    ``read()`` returns the next ``block_ms`` block when a real microphone would have delivered
    it; after the file (and ``trailing_silence_s`` of silence) it raises ``EOFError``.
    """

    def __init__(
        self,
        path: Path,
        *,
        block_ms: int = 20,
        speed: float = 1.0,
        trailing_silence_s: float = 0.0,
        leading_silence_s: float = 0.0,
        repeat: int = 1,
        clock: Clock = time.monotonic,
    ) -> None:
        if repeat < 1:
            raise ValueError("repeat must be 1 or more")
        if block_ms <= 0 or (UPLINK_SAMPLE_RATE_HZ * block_ms) % 1000:
            raise ValueError("block_ms must give a whole number of 16 kHz samples")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.path = path
        self.block_samples = UPLINK_SAMPLE_RATE_HZ * block_ms // 1000
        self.block_s = block_ms / 1000
        self.speed = speed
        self._trailing = int(trailing_silence_s * UPLINK_SAMPLE_RATE_HZ)
        self._leading = int(leading_silence_s * UPLINK_SAMPLE_RATE_HZ)
        self._clock = clock
        self.repeat = repeat
        self._rounds_left = repeat
        self._audio: WavAudio | None = None
        self._resampler: soxr.ResampleStream | None = None
        self._in_pos = 0
        self._in_chunk = 0
        self._pending = np.zeros(0, dtype=np.float32)
        self._flushed = False
        self._silence_left = 0
        self._started_at: float | None = None
        self.blocks_read = 0
        self._meter = LevelMeter(block_s=self.block_s)
        self._stopped = False

    @property
    def duration_s(self) -> float:
        """Length of the file's audio, all rounds (without the added silence)."""
        return self._audio.duration_s * self.repeat if self._audio else 0.0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        audio = await loop.run_in_executor(None, read_wav, self.path)
        self._audio = audio
        self._resampler = soxr.ResampleStream(
            audio.sample_rate_hz, UPLINK_SAMPLE_RATE_HZ, 1, dtype="float32", quality="HQ"
        )
        self._in_chunk = max(1, audio.sample_rate_hz * int(self.block_s * 1000) // 1000)
        self._pending = np.zeros(self._leading, dtype=np.float32)
        self._silence_left = self._trailing
        self._rounds_left = self.repeat
        self._in_pos = 0
        self._flushed = False
        self._started_at = self._clock()
        self._stopped = False

    async def stop(self) -> None:
        self._stopped = True

    async def read(self) -> AudioBlock:
        if self._stopped or self._audio is None or self._started_at is None:
            raise EOFError("the WAV source is not running")
        block = self._next_block()
        if block is None:
            raise EOFError(f"{self.path.name} has ended")
        due = self._started_at + self.blocks_read * self.block_s / self.speed
        # Always yield, even when behind schedule: a burst of overdue blocks must let the
        # consumer run between them, as a device callback would.
        await asyncio.sleep(max(0.0, due - self._clock()))
        self.blocks_read += 1
        self._meter.update(block)
        return AudioBlock(block.astype("<i2").tobytes(), captured_at=due)

    def level(self) -> Level:
        return self._meter.level()

    def _next_block(self) -> npt.NDArray[np.int16] | None:
        assert self._audio is not None
        assert self._resampler is not None
        frames = self._audio.samples
        while self._pending.size < self.block_samples and not self._flushed:
            end = min(self._in_pos + self._in_chunk, frames.shape[0])
            mono = frames[self._in_pos : end].mean(axis=1, dtype=np.float32)
            at_end = end >= frames.shape[0]
            # A repeated file is one continuous stream: the resampler is flushed only at the end
            # of the last round, so the loop point is as seamless as any block edge.
            last = at_end and self._rounds_left <= 1
            out = self._resampler.resample_chunk(mono, last=last)
            self._pending = np.concatenate([self._pending, out.astype(np.float32)])
            self._in_pos = 0 if at_end and not last else end
            if at_end and not last:
                self._rounds_left -= 1
            self._flushed = last
        if self._pending.size < self.block_samples and self._pending.size:
            # The file's tail: pad the last block with the silence that follows it anyway.
            need = self.block_samples - self._pending.size
            self._silence_left = max(0, self._silence_left - need)
            self._pending = np.concatenate([self._pending, np.zeros(need, np.float32)])
        if self._pending.size >= self.block_samples:
            chunk, self._pending = (
                self._pending[: self.block_samples],
                self._pending[self.block_samples :],
            )
            return np.round(chunk * 32767.0).astype(np.int16)
        if self._silence_left > 0:
            self._silence_left = max(0, self._silence_left - self.block_samples)
            return np.zeros(self.block_samples, dtype=np.int16)
        return None


class WavFileSink:
    """A speaker with a virtual device clock that records what would be heard (``AudioSink``).

    ``path=None`` keeps the clock and the counters but writes no file.
    """

    def __init__(
        self,
        path: Path | None,
        *,
        speed: float = 1.0,
        fade_ms: float = 10.0,
        record_silence: bool = True,
        clock: Clock = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.path = path
        self.rate = DOWNLINK_SAMPLE_RATE_HZ
        self.speed = speed
        self._fade_samples = int(self.rate * fade_ms / 1000)
        self._record_silence = record_silence
        self._clock = clock
        self._queue: collections.deque[tuple[int, npt.NDArray[np.int16]]] = collections.deque()
        self._queued = 0
        self._played: dict[int, int] = collections.defaultdict(int)
        self._received: dict[int, int] = collections.defaultdict(int)
        self._writer: wave.Wave_write | None = None
        self._t0: float | None = None
        self._position = 0
        self._meter = LevelMeter(block_s=0.02)
        self.underrun_samples = 0
        self.interruptions = 0
        self.dropped_samples = 0

    async def start(self) -> None:
        if self.path is not None:
            loop = asyncio.get_running_loop()
            self._writer = await loop.run_in_executor(None, self._open_writer, self.path)
        self._t0 = self._clock()
        self._position = 0

    def _open_writer(self, path: Path) -> wave.Wave_write:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = wave.open(str(path), "wb")  # closed in stop()
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(self.rate)
        return writer

    async def stop(self) -> None:
        self._advance()
        writer, self._writer = self._writer, None
        if writer is not None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, writer.close)
        self._t0 = None

    def write(self, pcm: bytes, turn: int) -> None:
        self._advance()
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.int16)
        if samples.size == 0:
            return
        self._queue.append((turn, samples))
        self._queued += samples.size
        self._received[turn] += samples.size

    def interrupt(self) -> None:
        """Cut playback now: what the device still held fades out, the rest is never heard."""
        self._advance()
        self.interruptions += 1
        fade = min(self._fade_samples, self._queued)
        self.dropped_samples += self._queued - fade
        if fade:
            ramp = np.linspace(1.0, 0.0, fade, dtype=np.float32)
            taken = 0
            pieces: list[tuple[int, npt.NDArray[np.int16]]] = []
            while taken < fade and self._queue:
                turn, head = self._queue.popleft()
                n = min(fade - taken, head.size)
                part = (head[:n] * ramp[taken : taken + n]).astype(np.int16)
                pieces.append((turn, part))
                taken += n
            for turn, part in pieces:
                self._emit(part, turn)
        self._queue.clear()
        self._queued = 0

    def played_samples(self, turn: int) -> int:
        self._advance()
        return self._played.get(turn, 0)

    def received_samples(self, turn: int) -> int:
        return self._received.get(turn, 0)

    def level(self) -> Level:
        return self._meter.level()

    @property
    def queued_s(self) -> float:
        """Audio written but not yet played, in seconds of audio."""
        self._advance()
        return self._queued / self.rate

    async def drain(self, timeout_s: float | None = None) -> None:
        """Wait until everything written so far has played (a real device needs that time too)."""
        deadline = None if timeout_s is None else self._clock() + timeout_s
        while self._queued_after_advance() > 0:
            wait = self._queued / self.rate / self.speed
            if deadline is not None:
                wait = min(wait, deadline - self._clock())
                if wait <= 0:
                    return
            await asyncio.sleep(max(wait, 0.005))

    def _queued_after_advance(self) -> int:
        self._advance()
        return self._queued

    def _advance(self) -> None:
        """Play (and record) everything the device clock has reached since the last call."""
        if self._t0 is None:
            return
        target = int((self._clock() - self._t0) * self.rate * self.speed)
        due = target - self._position
        while due > 0 and self._queue:
            turn, head = self._queue[0]
            n = min(due, head.size)
            self._emit(head[:n], turn)
            if n == head.size:
                self._queue.popleft()
            else:
                self._queue[0] = (turn, head[n:])
            self._queued -= n
            due -= n
        if due > 0:
            self.underrun_samples += due
            self._position += due
            if self._record_silence and self._writer is not None:
                while due > 0:  # in pieces: a long silence must not become one big buffer
                    n = min(due, self.rate)
                    self._writer.writeframes(bytes(2 * n))
                    due -= n

    def _emit(self, samples: npt.NDArray[np.int16], turn: int) -> None:
        self._played[turn] += samples.size
        self._position += samples.size
        self._meter.update(samples)
        if self._writer is not None:
            self._writer.writeframes(samples.astype("<i2").tobytes())


def write_wav(path: Path, pcm: bytes, sample_rate_hz: int, channels: int = 1) -> None:
    """Write 16-bit little-endian PCM to ``path`` (tests and the benchmark make fixtures so)."""
    with contextlib.closing(wave.open(str(path), "wb")) as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate_hz)
        out.writeframes(pcm)
