from __future__ import annotations

import asyncio
import struct

import numpy as np
import pytest

from desktop_assistant.server.setup import ActivityDetection, EndSensitivity, StartSensitivity
from desktop_assistant.server.speech import (
    SpeechSynthesizer,
    espeak_voice,
    voice_pitch,
    wav_payload,
)
from desktop_assistant.server.vad import (
    VadModelPool,
    VadSettings,
    VoiceActivityDetector,
)
from tests.support.fixtures import speech


def detect(
    pcm: bytes, settings: VadSettings | None = None, block: int = 1280
) -> list[tuple[str, float]]:
    async def run() -> list[tuple[str, float]]:
        pool = VadModelPool()
        detector = VoiceActivityDetector(settings or VadSettings(), await pool.acquire())
        events = []
        for offset in range(0, len(pcm), block):
            events += detector.feed(pcm[offset : offset + block])
        return [(e.kind, e.sample / 16_000) for e in events]

    return asyncio.run(run())


def loud_bounds(pcm: bytes) -> tuple[float, float]:
    samples = np.abs(np.frombuffer(pcm, dtype="<i2")) / 32768.0
    loud = np.nonzero(samples > 0.02)[0]
    return loud[0] / 16_000, loud[-1] / 16_000


@pytest.mark.parametrize(
    "name", ["en_weather", "en_time", "de_appointment", "fr_question", "es_question", "it_question"]
)
def test_one_utterance_one_start_and_end_near_the_speech(name: str) -> None:
    pcm = b"\0\0" * 8000 + speech(name).pcm16() + b"\0\0" * 16000
    start, end = loud_bounds(pcm)
    events = detect(pcm)
    assert [k for k, _ in events] == ["start", "end"]
    assert start - 0.05 <= events[0][1] <= start + 0.2
    assert end - 0.1 <= events[1][1] <= end + 0.3


@pytest.mark.parametrize("name", ["silence_2s", "noise_2s"])
def test_silence_and_noise_are_not_speech(name: str) -> None:
    assert detect(speech(name).pcm16()) == []


def test_block_size_does_not_change_the_decision() -> None:
    pcm = speech("en_time").pcm16() + b"\0\0" * 16000
    assert detect(pcm, block=640) == detect(pcm, block=3200) == detect(pcm, block=333 * 2)


def test_settings_follow_the_setup() -> None:
    default = VadSettings.from_activity(ActivityDetection())
    low = VadSettings.from_activity(
        ActivityDetection(
            start_sensitivity=StartSensitivity.LOW, end_sensitivity=EndSensitivity.LOW
        )
    )
    assert low.start_threshold > default.start_threshold
    assert low.end_threshold < default.end_threshold
    assert low.silence_ms > default.silence_ms
    chosen = VadSettings.from_activity(
        ActivityDetection(prefix_padding_ms=300, silence_duration_ms=50)
    )
    assert (chosen.min_speech_ms, chosen.silence_ms) == (300, 50)


def test_long_prefix_padding_needs_long_speech() -> None:
    pcm = speech("en_weather").pcm16() + b"\0\0" * 16000
    assert detect(pcm, VadSettings(min_speech_ms=5000)) == []


def test_force_end_closes_open_speech() -> None:
    async def run() -> tuple[object, object]:
        detector = VoiceActivityDetector(VadSettings(), await VadModelPool().acquire())
        before = detector.force_end()
        detector.feed(speech("en_weather").pcm16()[:32000])
        return before, detector.force_end()

    before, after = asyncio.run(run())
    assert before is None
    assert after is not None
    assert after.kind == "end"


def test_wav_payload_ignores_placeholder_sizes() -> None:
    header = b"RIFF" + struct.pack("<I", 0x7FFFFFFF) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 22050, 44100, 2, 16)
    data = b"data" + struct.pack("<I", 0x7FFFFFFF) + b"\x01\x02\x03\x04\x05"
    assert wav_payload(header + fmt + data) == b"\x01\x02\x03\x04"


def test_voices_and_languages_map_to_espeak() -> None:
    assert espeak_voice(None) == "en-us"
    assert espeak_voice("de-DE") == "de"
    assert espeak_voice("en-GB") == "en-gb"
    assert voice_pitch("Puck") != voice_pitch("Kore")
    assert 0 <= voice_pitch("Zephyr") <= 99


def test_espeak_speech_is_24_khz_and_loud_enough() -> None:
    synthesizer = SpeechSynthesizer()
    assert synthesizer.kind == "espeak-ng"  # installed by scripts/setup.sh
    pcm = asyncio.run(synthesizer.synthesize("Testing one two three."))
    samples = np.frombuffer(pcm, dtype="<i2")
    assert 0.8 < len(samples) / 24_000 < 4.0
    assert np.abs(samples).max() > 3000
    # The same speech at 16 kHz has the same length.
    low = asyncio.run(synthesizer.synthesize("Testing one two three.", sample_rate=16_000))
    assert abs(len(low) / 32_000 - len(samples) / 24_000) < 0.01


def test_without_espeak_the_tones_are_marked_synthetic() -> None:
    synthesizer = SpeechSynthesizer(espeak=None)
    assert synthesizer.kind == "synthetic"
    pcm = asyncio.run(synthesizer.synthesize("four words of text"))
    assert len(pcm) / 48_000 == pytest.approx(4 * 0.3, abs=0.01)


def test_an_engine_default_silence_applies_only_when_the_client_names_none() -> None:
    from desktop_assistant.server.setup import ActivityDetection
    from desktop_assistant.server.vad import VadSettings

    assert VadSettings.from_activity(ActivityDetection()).silence_ms == 600
    assert VadSettings.from_activity(ActivityDetection(), 300).silence_ms == 300
    chosen = ActivityDetection(silence_duration_ms=900)
    assert VadSettings.from_activity(chosen, 300).silence_ms == 900
