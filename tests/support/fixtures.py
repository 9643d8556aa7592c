"""Where the shared test fixtures live, and what they say.

The shared material sits beside the checkout (``../shared``); ``DESKTOP_ASSISTANT_SHARED`` can point
elsewhere. Tests that need a fixture fail loudly if it is missing rather than skipping: a missing
fixture is a broken checkout, not an optional feature.
"""

from __future__ import annotations

import json
import os
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    override = os.environ.get("DESKTOP_ASSISTANT_SHARED")
    path = Path(override) if override else REPO_ROOT.parent / "shared"
    if not (path / "fixtures").is_dir():
        raise FileNotFoundError(
            f"shared fixtures not found at {path}; set DESKTOP_ASSISTANT_SHARED to the shared folder"
        )
    return path


@dataclass(frozen=True)
class SpeechFixture:
    path: Path
    lang: str | None
    text: str

    def pcm16(self) -> bytes:
        """The samples as 16 kHz mono little-endian int16 bytes."""
        with wave.open(str(self.path), "rb") as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
            return w.readframes(w.getnframes())


@cache
def speech_fixtures() -> dict[str, SpeechFixture]:
    """name (without .wav) -> fixture, from the shared manifest."""
    folder = shared_dir() / "fixtures" / "speech"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {
        name.removesuffix(".wav"): SpeechFixture(folder / name, meta["lang"], meta["text"])
        for name, meta in manifest["files"].items()
    }


def speech(name: str) -> SpeechFixture:
    return speech_fixtures()[name]


def camera_video() -> Path:
    """A 6 s, 640x360 MJPG video that stands in for a webcam."""
    return shared_dir() / "fixtures" / "video" / "camera_640x360_6s.avi"
