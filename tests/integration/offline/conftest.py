"""Fixtures for the offline engine tests: the real models, loaded once per test run.

These tests run wherever the ``offline`` extra is installed, which ``scripts/setup.sh`` (and so CI)
always does. A missing or damaged model is a failure with the loader's message, not a skip; only
``DESKTOP_ASSISTANT_NO_OFFLINE=1``, which tells setup.sh to leave the extra out, skips them.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from desktop_assistant.server.engines.offline.loader import Models, shared_loader
from desktop_assistant.server.engines.offline.models import ModelError

LOAD_TIMEOUT_S = 300.0  # the first run converts the language model (about 10 s on 2 cores)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.offline_engine)


@pytest.fixture(scope="session")
def offline_models() -> Iterator[Models]:
    if os.environ.get("DESKTOP_ASSISTANT_NO_OFFLINE") == "1":
        pytest.skip("DESKTOP_ASSISTANT_NO_OFFLINE=1: the offline extra was left out on purpose")
    try:
        models = shared_loader().start().result(timeout=LOAD_TIMEOUT_S)
    except ModelError as exc:
        pytest.fail(f"the offline engine cannot load: {exc}")
    return models


def espeak_pcm(text: str, lead_s: float = 0.3, tail_s: float = 0.2) -> bytes:
    """``text`` spoken by espeak-ng (en-us, deterministic), as 16 kHz PCM16 with some silence."""
    from desktop_assistant.server.engines.offline.resample import resample

    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(wav), text],
            check=True,
            capture_output=True,
        )
        data = wav.read_bytes()
    # espeak writes a plain 44-byte header, 22050 Hz mono PCM16.
    raw = np.frombuffer(data[44:], dtype="<i2").astype(np.float32) / 32768.0
    audio = resample(raw, 22050, 16000)
    lead = np.zeros(int(lead_s * 16000), np.float32)
    tail = np.zeros(int(tail_s * 16000), np.float32)
    full = np.concatenate([lead, audio, tail])
    return bytes((np.clip(full, -1, 1) * 32767).astype("<i2").tobytes())
