"""``desktop-assistant chat --headless`` on real (virtual) devices, run as a user runs it.

The command talks through the virtual microphone and speaker (media's factories, echo
cancellation on) and sends the stand-in camera file, against its own local server (echo engine).
A spoken question is played into the microphone; the transcript must show the user's turn and the
model's answer (which counts the pictures it got), and the speaker's monitor must have heard the
answer. Device trouble is an ``error`` line in the transcript, never the end of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop_assistant.media.audio.factory import open_microphone
from tests.audio.helpers import Recording, frame_levels, samples, speech_samples, to_pcm, wait_until
from tests.support.fixtures import REPO_ROOT, camera_video
from tests.support.pulse import SPEAKER_MONITOR, VirtualAudio

pytestmark = [pytest.mark.audio, pytest.mark.timeout(240)]

RUN_TIMEOUT_S = 150.0


def records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    # The last line may be half written while the command runs.
    out = []
    for line in lines:
        with contextlib.suppress(json.JSONDecodeError):
            out.append(json.loads(line))
    return out


async def start_chat(tmp_path: Path, *args: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desktop_assistant",
        "chat",
        "--headless",
        "--settings",
        str(tmp_path / "settings.json"),  # not the user's settings (there is no such file)
        "--backend",
        "local",
        "--server-engine",
        "echo",
        "--timeout",
        "120",
        *args,
        cwd=REPO_ROOT,
        env=env,  # PULSE_SERVER: the tests' private PulseAudio server
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process) -> tuple[int, str]:
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        _, stderr = await process.communicate()
        raise AssertionError(f"the command did not end: {stderr.decode()[-3000:]}") from None
    assert process.returncode is not None
    return process.returncode, stderr.decode()


@pytest.mark.asyncio
async def test_a_spoken_question_with_the_camera_through_the_real_devices(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    transcript = tmp_path / "conversation.jsonl"
    monitor = open_microphone(SPEAKER_MONITOR)  # what the speaker played
    await monitor.start()
    recording = Recording(monitor)
    chat = await start_chat(
        tmp_path,
        "--mic", "default",
        "--speaker", "default",
        "--camera", str(camera_video()),
        "--turns", "1",
        "--transcript-jsonl", str(transcript),
    )  # fmt: skip
    try:

        def ready() -> bool:
            seen = records(transcript)
            live = any(r["type"] == "connection" and r["state"] == "live" for r in seen)
            return live and any(r["type"] == "video_frame" for r in seen)

        await wait_until(ready, 60, "the conversation to be live and the camera sending")
        speech_started = recording.latest_time()
        ask = virtual_audio.feed_microphone(to_pcm(speech_samples("en_weather")), 16_000)
        code, stderr = await finish(chat)
        ask.wait(timeout=30)
    finally:
        if chat.returncode is None:
            chat.kill()
            await chat.wait()
        blocks = await recording.stop()
        await monitor.stop()
    assert code == 0, stderr[-3000:]

    seen = records(transcript)
    types = [r["type"] for r in seen]
    assert "error" not in types, [r for r in seen if r["type"] == "error"]
    assert types.count("video_frame") >= 1
    assert {"user_transcript", "model_transcript", "turn_complete"} <= set(types)
    summary = seen[-1]
    assert summary["type"] == "summary"
    roles = [turn["role"] for turn in summary["turns"]]
    assert roles[:2] == ["user", "model"], summary
    user, model = summary["turns"][0], summary["turns"][1]
    assert user["source"] == "voice"
    assert "seconds of speech" in user["text"]  # the echo engine's transcription of the audio
    assert "I heard" in model["text"], model
    assert "I saw" in model["text"], model  # the pictures reached the model with the turn

    # The answer was played: the speaker's monitor is loud after the question began.
    after = [b for b in blocks if b.captured_at > speech_started]
    levels = frame_levels(samples(after), 320)
    assert float(np.max(levels)) > -35.0, "the speaker never played the answer"


@pytest.mark.asyncio
async def test_missing_devices_are_errors_in_the_transcript_not_the_end_of_the_run(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    transcript = tmp_path / "conversation.jsonl"
    chat = await start_chat(
        tmp_path,
        "--mic", "No Such Microphone",
        "--speaker", "default",
        "--camera", str(tmp_path / "no-such-video.avi"),
        "--text", "hello",
        "--turns", "1",
        "--transcript-jsonl", str(transcript),
    )  # fmt: skip
    code, stderr = await finish(chat)
    assert code == 0, stderr[-3000:]
    seen = records(transcript)
    errors = [r for r in seen if r["type"] == "error"]
    by_device = {r["device"]: r["text"] for r in errors}
    assert "No Such Microphone" in by_device["mic"]
    assert "default" in by_device["mic"]  # ... and the run went on with the default one
    assert "does not exist" in by_device["camera"]
    assert not any(r["type"] == "video_frame" for r in seen)
    summary = seen[-1]
    assert [t["role"] for t in summary["turns"]][:2] == ["user", "model"]
    assert "You said: hello" in summary["turns"][1]["text"]


@pytest.mark.asyncio
async def test_ctrl_c_ends_a_live_conversation_cleanly(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    transcript = tmp_path / "conversation.jsonl"
    chat = await start_chat(
        tmp_path,
        "--mic", "default",
        "--speaker", "default",
        "--transcript-jsonl", str(transcript),
    )  # fmt: skip
    try:
        await wait_until(
            lambda: any(
                r["type"] == "connection" and r["state"] == "live" for r in records(transcript)
            ),
            60,
            "the conversation to be live",
        )
        chat.send_signal(signal.SIGINT)  # what Ctrl+C in the terminal does
        code, stderr = await finish(chat)
    finally:
        if chat.returncode is None:
            chat.kill()
            await chat.wait()
    assert code == 0, stderr[-3000:]
    seen = records(transcript)
    assert seen[-1]["type"] == "summary"  # the transcript was finished, not cut off
    assert "error" not in [r["type"] for r in seen]
