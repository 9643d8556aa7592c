"""Speech synthesis: the joe Piper voice run with onnxruntime, 24 kHz PCM16 out.

The voice is a VITS model that reads phoneme ids. The phonemes come from the ``espeak-ng``
*program*, run as a separate process: espeak-ng is GPL, and keeping it out of our process (no
piper-tts, no espeak bindings) keeps everything the app imports under permissive licences. The
22.05 kHz output is resampled (in numpy) to the 24 kHz the Live protocol sends.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from desktop_assistant.server.engines.offline.models import (
    JOE_VOICE,
    JOE_VOICE_CONFIG,
    ModelError,
    verify_file,
)
from desktop_assistant.server.engines.offline.resample import resample

if TYPE_CHECKING:
    from pathlib import Path

OUTPUT_RATE = 24_000
ESPEAK_TIMEOUT_S = 5.0
MAX_PHONEMES = 400  # a longer clause is synthesised in pieces (the splitter rarely allows one)


_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_MERIDIEM = re.compile(r"(\d)\s?([AaPp])(?:\.[Mm]\.|[Mm]\b)")  # only after a number: "5 PM"


def speakable(text: str) -> str:
    """Text rewritten the way a person reads it aloud where espeak-ng would not.

    espeak reads "1:05" as "one zero five" and "AM" as a word; people say "one oh five A M".
    """

    def clock(m: re.Match[str]) -> str:
        hour, minute = int(m.group(1)), int(m.group(2))
        if minute == 0:
            return f"{hour} o'clock"
        return f"{hour} oh {minute}" if minute < 10 else f"{hour} {minute}"

    text = _MERIDIEM.sub(lambda m: f"{m.group(1)} {m.group(2).upper()} M", text)
    return _CLOCK.sub(clock, text)


class SynthesisCancelled(Exception):
    """``cancel()`` stopped the synthesis in flight."""


def espeak_program() -> str:
    program = shutil.which("espeak-ng")
    if program is None:
        raise ModelError(
            "The offline voice needs the espeak-ng program for pronunciation, and it is not "
            "installed. Install it with: sudo apt-get install espeak-ng"
        )
    return program


class Phonemizer:
    """Text to IPA phonemes with the espeak-ng program (one short-lived process per clause)."""

    def __init__(self, voice: str = "en-us") -> None:
        self._program = espeak_program()
        self._voice = voice

    def __call__(self, text: str) -> str:
        clean = " ".join(text.split())
        if not clean:
            return ""
        try:
            done = subprocess.run(
                [self._program, "-q", "--ipa", "-v", self._voice, "--stdin"],
                input=clean.encode("utf-8"),
                capture_output=True,
                timeout=ESPEAK_TIMEOUT_S,
                check=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ModelError(f"espeak-ng failed to read the text aloud: {exc}") from None
        # espeak prints one line per clause and drops the punctuation; the voice was trained
        # with it (it shapes pauses and intonation), so put it back between and after clauses.
        clauses = [line.strip() for line in done.stdout.decode("utf-8").splitlines()]
        phonemes = ", ".join(c for c in clauses if c)
        end = clean.rstrip()[-1:]
        return phonemes + (end if end in ".!?" else ".") if phonemes else ""


@dataclass(frozen=True, slots=True)
class VoiceConfig:
    sample_rate: int
    espeak_voice: str
    noise_scale: float
    length_scale: float
    noise_w: float
    phoneme_ids: dict[str, int]

    @classmethod
    def from_json(cls, text: str) -> VoiceConfig:
        data = json.loads(text)
        inference = data.get("inference", {})
        return cls(
            sample_rate=int(data["audio"]["sample_rate"]),
            espeak_voice=str(data.get("espeak", {}).get("voice", "en-us")),
            # The voice's own noise settings (0.667 / 0.8) make every rendition of a sentence
            # different: now and then a word came out garbled (the round-trip test through
            # speech recognition failed about one run in four on "Tokyo"). Without the noise
            # the same sentence always sounds the same, as intelligible on average (measured
            # over 40 renditions), and what a user reports can be reproduced.
            noise_scale=0.0,
            length_scale=float(inference.get("length_scale", 1.0)),
            noise_w=0.0,
            phoneme_ids={k: int(v[0]) for k, v in data["phoneme_id_map"].items()},
        )

    def ids(self, phonemes: str) -> list[int]:
        """Phoneme ids framed the way Piper voices were trained: ^ p _ p _ ... $ with pads."""
        pad, bos, eos = self.phoneme_ids["_"], self.phoneme_ids["^"], self.phoneme_ids["$"]
        out = [bos, pad]
        for ch in unicodedata.normalize("NFD", phonemes):
            pid = self.phoneme_ids.get(ch)
            if pid is not None:  # a symbol the voice does not know is skipped, not fatal
                out += [pid, pad]
        out.append(eos)
        return out


class Voice:
    """One clause of text in, 24 kHz mono PCM16 bytes out. ``cancel()`` may come from any thread."""

    def __init__(self, threads: int = 1, voice_dir: Path | None = None) -> None:
        import onnxruntime as ort  # type: ignore[import-untyped, import-not-found, unused-ignore]

        model_path = voice_dir / JOE_VOICE.path().name if voice_dir else JOE_VOICE.path()
        verify_file(JOE_VOICE, model_path)
        config_path = model_path.parent / JOE_VOICE_CONFIG.rsplit("/", 1)[-1]
        try:
            self.config = VoiceConfig.from_json(config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(
                f"The {JOE_VOICE.label} settings ({config_path.name}) are missing or unreadable "
                f"({exc}). Reinstall it: pip install --force-reinstall {JOE_VOICE.distribution}"
            ) from None
        self._phonemize = Phonemizer(self.config.espeak_voice)
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        # Spinning threads steal the core that speech recognition or the LLM needs next.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Without the arena, the memory a long clause needed goes back after it (~0.1 GB).
        options.enable_cpu_mem_arena = False
        self._session = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self._ort = ort
        self._lock = threading.Lock()
        self._run_options: object | None = None
        self._run_owner: object | None = None

    def phonemes(self, text: str) -> str:
        return self._phonemize(text)

    def synthesize(
        self, text: str, owner: object | None = None, cancelled: threading.Event | None = None
    ) -> bytes:
        """PCM16 at 24 kHz for one clause; b'' if nothing speakable; ``SynthesisCancelled``.

        ``owner`` marks the run so that ``cancel(owner)`` stops this synthesis and no other;
        ``cancelled``, once set, stops it before its next model run (a cancel that came while
        the phonemes were being made).
        """
        phonemes = self._phonemize(speakable(text))
        if not phonemes:
            return b""
        ids = self.config.ids(phonemes)
        pieces = []
        for start in range(0, len(ids), MAX_PHONEMES * 2):
            if cancelled is not None and cancelled.is_set():
                raise SynthesisCancelled
            pieces.append(self._infer(ids[start : start + MAX_PHONEMES * 2], owner, cancelled))
        audio = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        audio = resample(audio, self.config.sample_rate, OUTPUT_RATE)
        pcm = np.clip(audio * 32767.0, -32768, 32767).astype("<i2")
        return bytes(pcm.tobytes())

    def _infer(
        self, ids: list[int], owner: object | None, cancelled: threading.Event | None
    ) -> np.ndarray:
        c = self.config
        run_options = self._ort.RunOptions()
        with self._lock:
            self._run_options, self._run_owner = run_options, owner
        if cancelled is not None and cancelled.is_set():  # cancelled while registering
            run_options.terminate = True
        try:
            out = self._session.run(
                None,
                {
                    "input": np.array([ids], dtype=np.int64),
                    "input_lengths": np.array([len(ids)], dtype=np.int64),
                    "scales": np.array([c.noise_scale, c.length_scale, c.noise_w], np.float32),
                },
                run_options,
            )[0]
        except Exception as exc:
            if run_options.terminate:
                raise SynthesisCancelled from None
            raise ModelError(f"The voice failed to synthesise speech: {exc}") from None
        finally:
            with self._lock:
                self._run_options = self._run_owner = None
        if run_options.terminate:
            raise SynthesisCancelled
        return np.asarray(out, dtype=np.float32).reshape(-1)

    def is_running(self, owner: object | None = None) -> bool:
        """Whether a synthesis (``owner``'s, or any) is computing right now."""
        with self._lock:
            return self._run_options is not None and (owner is None or owner is self._run_owner)

    def cancel(self, owner: object | None = None) -> None:
        """Stop the synthesis in flight at once (barge-in).

        Only the run ``owner`` started is stopped (any run if ``owner`` is None); later calls
        are unaffected.
        """
        with self._lock:
            if self._run_options is not None and (owner is None or owner is self._run_owner):
                self._run_options.terminate = True  # type: ignore[attr-defined]
