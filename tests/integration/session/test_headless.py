"""``desktop-assistant chat --headless`` end to end, as a user runs it: a program, files in and out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from desktop_assistant.media.audio.wav_io import write_wav
from tests.support.fixtures import REPO_ROOT, speech

TOOL_TEXT = 'call current_time {"timezone": "Asia/Tokyo"}'


def chat(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    # These tests check the runner against the diagnostic echo engine, whose answers describe
    # what it received; the default local engine (offline speech) has its own tests.
    engine = [] if "--server-engine" in args else ["--server-engine", "echo"]
    return subprocess.run(
        [sys.executable, "-m", "desktop_assistant", "chat", "--headless", *engine, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_speech_a_tool_call_and_two_handovers_make_one_clean_conversation(tmp_path):
    transcript, speaker = tmp_path / "t.jsonl", tmp_path / "out.wav"
    done = chat(
        "--mic-wav", str(speech("en_weather").path),
        "--text", TOOL_TEXT,
        "--text", "thank you",
        "--speaker-wav", str(speaker),
        "--transcript-jsonl", str(transcript),
        "--speed", "2",
        "--server-speed", "8",
        "--server-lifetime", "8",
        "--server-goaway-notice", "6",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = lines(transcript)
    types = [r["type"] for r in records]
    assert {
        "user_transcript",
        "model_transcript",
        "tool_call",
        "tool_result",
        "state",
        "reconnected",
        "turn_complete",
    } <= set(types)
    assert "error" not in types
    times = [r["t"] for r in records]
    assert times == sorted(times)
    assert all(isinstance(r["t"], float | int) for r in records)
    assert all(
        "text" in r
        for r in records
        if r["type"] in ("user_transcript", "model_transcript", "user_text")
    )
    handovers = [r for r in records if r["type"] == "reconnected"]
    assert len(handovers) >= 2
    assert any(h["resumed"] for h in handovers)
    assert all(
        r.get("reason") != "CONNECTION_LOST" for r in records if r["type"] == "turn_complete"
    )
    # The conversation, turn by turn, in one transcript across every connection.
    summary = records[-1]
    assert summary["type"] == "summary"
    turns = [(t["role"], t.get("text", t.get("name"))) for t in summary["turns"]]
    voice = next(t for t in summary["turns"] if t["role"] == "user" and t["source"] == "voice")
    assert "seconds of speech" in voice["text"]
    assert any(role == "model" and "I heard" in text for role, text in turns)
    assert ("user", TOOL_TEXT) in turns
    tool = next(t for t in summary["turns"] if t["role"] == "tool")
    assert (tool["name"], tool["outcome"]) == ("current_time", "ok")
    assert any(role == "model" and "Asia/Tokyo" in text for role, text in turns)
    assert any(role == "model" and "You said: thank you" in text for role, text in turns)
    with wave.open(str(speaker), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24_000, 1, 2)
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert np.count_nonzero(audio) > 24_000  # well over a second of the model's voice


def test_any_wav_format_works_as_the_microphone(tmp_path):
    pcm16k = np.frombuffer(speech("en_time").pcm16(), dtype="<i2")
    stereo48k = np.repeat(np.repeat(pcm16k, 3)[:, None], 2, axis=1)  # crude 48 kHz stereo
    path = tmp_path / "stereo48k.wav"
    write_wav(path, stereo48k.astype("<i2").tobytes(), 48_000, channels=2)
    transcript = tmp_path / "t.jsonl"
    done = chat(
        "--mic-wav",
        str(path),
        "--transcript-jsonl",
        str(transcript),
        "--speed",
        "4",
        "--server-speed",
        "8",
    )
    assert done.returncode == 0, done.stderr
    heard = [r["text"] for r in lines(transcript) if r["type"] == "user_transcript"]
    assert heard
    assert "seconds of speech" in heard[0]


def test_without_a_key_the_gemini_backend_explains_what_to_do():
    done = chat("--backend", "gemini", "--text", "hi")
    assert done.returncode == 2
    assert "No Gemini API key" in done.stderr
    assert "GEMINI_API_KEY" in done.stderr


def test_bad_arguments_are_refused_clearly(tmp_path):
    missing = chat("--mic-wav", str(tmp_path / "nope.wav"))
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
    both = chat("--mic", "default", "--mic-wav", str(speech("en_weather").path))
    assert both.returncode == 2
    assert "choose one microphone" in both.stderr
    turns = chat("--turns", "1", "--text", "hi")
    assert turns.returncode == 2
    assert "--turns needs --mic" in turns.stderr
    voice = chat("--voice", "Nobody", "--text", "hi")
    assert voice.returncode == 2
    assert "unknown voice" in voice.stderr


def test_a_conversation_the_service_refuses_exits_non_zero_with_the_reason(tmp_path):
    transcript = tmp_path / "t.jsonl"
    done = chat(
        "--text", "hi", "--transcript-jsonl", str(transcript),
        "--server-fault", "close:1008:Operation is not implemented, or supported, or enabled.@at=setup",
    )  # fmt: skip
    assert done.returncode == 1
    assert "not available" in done.stderr
    errors = [r for r in lines(transcript) if r["type"] == "error"]
    assert errors
    assert errors[-1]["action"] == "stop"
    assert errors[-1]["code"] == 1008


def test_a_conversation_that_runs_too_long_times_out(tmp_path):
    done = chat("--text", "hi", "--timeout", "0.01")
    assert done.returncode == 3
    assert "did not finish" in done.stderr
