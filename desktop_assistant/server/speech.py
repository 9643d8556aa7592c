"""Speech for the diagnostic engines: espeak-ng where installed, else a marked synthetic signal.

espeak-ng runs as a subprocess (it is GPL; we do not link it) and writes 22.05 kHz WAV on stdout,
which soxr resamples in an executor, so nothing here blocks the event loop. Without espeak-ng the
synthesiser makes a tone per word (clearly not speech: tests and logs say ``kind="synthetic"``)
so that every protocol path still carries audio of a plausible length.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import struct
from collections import OrderedDict
from typing import Literal

import numpy as np
import soxr

from desktop_assistant.server.engines.base import OUTPUT_SAMPLE_RATE

log = logging.getLogger(__name__)

ESPEAK_RATE = 22_050
_CACHE_ENTRIES = 128
_WORDS_PER_MINUTE = 170
# Language tags the service uses -> espeak-ng voices where the two differ.
_ESPEAK_VOICES = {
    "en-us": "en-us",
    "en-gb": "en-gb",
    "en-in": "en",
    "es-us": "es-419",
    "pt-br": "pt-br",
}


def espeak_voice(language_code: str | None) -> str:
    tag = (language_code or "en-US").lower()
    return _ESPEAK_VOICES.get(tag, tag.split("-")[0] or "en-us")


def voice_pitch(voice: str) -> int:
    """A stable espeak pitch (0-99) per prebuilt voice name, so voices sound different."""
    digest = hashlib.sha256(voice.encode()).digest()
    return 30 + digest[0] % 40


def wav_payload(wav: bytes) -> bytes:
    """The sample data of a WAV stream whose chunk sizes may be placeholders (espeak --stdout)."""
    offset = 12
    while offset + 8 <= len(wav):
        chunk_id, size = (
            wav[offset : offset + 4],
            struct.unpack("<I", wav[offset + 4 : offset + 8])[0],
        )
        if chunk_id == b"data":
            data = wav[offset + 8 :]
            return data[: len(data) - len(data) % 2]
        offset += 8 + size
    return b""


def resample_pcm16(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample 16-bit mono PCM (CPU-bound: call it from an executor for long buffers)."""
    if from_rate == to_rate or not pcm:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2")
    out = soxr.resample(samples, from_rate, to_rate, quality="HQ")
    return np.asarray(out, dtype="<i2").tobytes()


def synthetic_speech(text: str, sample_rate: int) -> bytes:
    """Tone bursts, one per word, at roughly speaking pace: audibly not speech, by design."""
    words = text.split() or ["..."]
    burst_s, gap_s = 0.22, 0.08
    pieces: list[np.ndarray[tuple[int], np.dtype[np.int16]]] = []
    for word in words:
        freq = 300.0 + hashlib.sha256(word.encode()).digest()[0] * 2.0
        t = np.arange(int(burst_s * sample_rate)) / sample_rate
        envelope = np.minimum(1.0, np.minimum(t, burst_s - t) / 0.02)
        tone = (0.25 * 32767 * envelope * np.sin(2 * np.pi * freq * t)).astype(np.int16)
        pieces += [tone, np.zeros(int(gap_s * sample_rate), dtype=np.int16)]
    return np.concatenate(pieces).astype("<i2").tobytes()


class SpeechSynthesizer:
    """Text to 16-bit mono PCM, with a small cache (diagnostic replies repeat themselves)."""

    def __init__(self, espeak: str | None = "auto") -> None:
        self._espeak = shutil.which("espeak-ng") if espeak == "auto" else espeak
        self._cache: OrderedDict[tuple[str, str, str, int], bytes] = OrderedDict()
        if self._espeak is None:
            log.warning("espeak-ng not found: the local server speaks in synthetic tones")

    @property
    def kind(self) -> Literal["espeak-ng", "synthetic"]:
        return "espeak-ng" if self._espeak else "synthetic"

    async def synthesize(
        self,
        text: str,
        voice: str = "Puck",
        language_code: str | None = None,
        sample_rate: int = OUTPUT_SAMPLE_RATE,
    ) -> bytes:
        key = (text, voice, espeak_voice(language_code), sample_rate)
        if (cached := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            return cached
        loop = asyncio.get_running_loop()
        raw = await self._espeak_pcm(text, key[2], voice_pitch(voice)) if self._espeak else b""
        if raw:
            pcm = await loop.run_in_executor(None, resample_pcm16, raw, ESPEAK_RATE, sample_rate)
        else:
            pcm = await loop.run_in_executor(None, synthetic_speech, text, sample_rate)
        self._cache[key] = pcm
        if len(self._cache) > _CACHE_ENTRIES:
            self._cache.popitem(last=False)
        return pcm

    async def _espeak_pcm(self, text: str, espeak_lang: str, pitch: int) -> bytes:
        assert self._espeak is not None
        for lang in dict.fromkeys([espeak_lang, espeak_lang.split("-")[0], "en-us"]):
            # Text goes on stdin: never on the command line, where it could read as an option.
            process = await asyncio.create_subprocess_exec(
                self._espeak, "-v", lang, "-s", str(_WORDS_PER_MINUTE), "-p", str(pitch), "--stdout",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            try:
                out, _ = await process.communicate(text.encode("utf-8"))
            except asyncio.CancelledError:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
                raise
            pcm = wav_payload(out) if process.returncode == 0 else b""
            if pcm:
                return pcm
        log.warning("espeak-ng produced no audio; using synthetic tones for this reply")
        return b""
