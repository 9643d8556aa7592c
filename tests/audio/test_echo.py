"""Echo: with the speaker looped back into the mic, the model must not barge in on itself.

The loop is a PulseAudio loopback from the speaker's monitor into the mic feed, 50 ms late (the
app hears itself, like a laptop speaker next to its microphone). The judge is Silero VAD with the
local server's default barge-in rule. The user's speech, fed in while the model still talks, must
still trigger it. ERLE is printed for the record.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time

import numpy as np
import pytest

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.media.audio.factory import AudioDevices, open_audio
from tests.audio.helpers import BargeInJudge, speech_samples, to_pcm, wait_until
from tests.support.pulse import VirtualAudio

pytestmark = [pytest.mark.audio, pytest.mark.timeout(180)]


def model_voice() -> np.ndarray:
    """About 9 s of the model talking, at 24 kHz."""
    parts = [speech_samples(n, rate=24_000) for n in ("en_weather", "en_time", "fr_question")]
    gap = np.zeros(24_000 // 5)
    return np.concatenate([p for part in parts for p in (part, gap)])


async def converse(
    virtual_audio: VirtualAudio, audio: AudioDevices, user_after_s: float
) -> tuple[BargeInJudge, float, float, tuple[float, float]]:
    """Play the model's voice; the user speaks ``user_after_s`` later. Returns the judge, the
    time the model started, when the user started, and the ERLE of the echo-only part (over its
    first 2 s, and over all of it)."""
    judge = BargeInJudge()
    voice = model_voice()
    stop = asyncio.Event()

    async def listen() -> None:
        while not stop.is_set():
            judge.feed(await audio.mic.read())

    listener = asyncio.create_task(listen())
    try:
        await wait_until(lambda: audio.mic.blocks_delivered > 10, 20, "the microphone")
        audio.echo.reset_stats()
        audio.speaker.write(to_pcm(voice), turn=1)
        await wait_until(lambda: 1 in audio.speaker.first_sample_dac, 10, "the model to speak")
        model_at = audio.speaker.first_sample_dac[1]
        await wait_until(lambda: audio.speaker.played_samples(1) >= 2 * 24_000, 30, "2 s of it")
        first_two_s = audio.echo.stats().erle_db
        await wait_until(
            lambda: audio.speaker.played_samples(1) >= user_after_s * 24_000, 30, "the model"
        )
        erle = audio.echo.stats().erle_db
        feed = virtual_audio.feed_microphone(to_pcm(speech_samples("en_interrupt")), 16_000)
        user_at = time.monotonic()
        await wait_until(lambda: feed.poll() is not None, 30, "the user to finish")
        await wait_until(
            lambda: (
                bool(judge.probabilities) and judge.probabilities[-1][0] > time.monotonic() - 0.3
            ),
            10,
            "the last words to be judged",
        )
    finally:
        stop.set()
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, EOFError):
            await listener
    return judge, model_at, user_at, (first_two_s, erle)


@pytest.mark.asyncio
async def test_the_model_does_not_barge_in_on_itself_but_the_user_does(
    virtual_audio: VirtualAudio,
) -> None:
    errors: list[MediaErrored] = []
    audio = open_audio(on_error=errors.append)
    with virtual_audio.echo_path(latency_ms=50):
        await audio.start()
        try:
            judge, model_at, user_at, (erle_2s, erle) = await converse(virtual_audio, audio, 4.0)
        finally:
            await audio.stop()
    print(f"\nERLE of the model talking into its own microphone: {erle_2s:.1f} dB (first 2 s), ")
    print(f"{erle:.1f} dB (first 4 s); echo stats: {audio.echo.stats()}")
    echo_only = judge.triggered_between(model_at, user_at)
    assert echo_only == [], f"the model's own voice triggered barge-in at {echo_only}"
    assert judge.triggered_between(user_at, user_at + 2.5), "the user's speech did not barge in"
    assert erle_2s > 20 or math.isinf(erle_2s)
    assert erle > 20 or math.isinf(erle)
    assert not [e for e in errors if "own voice" in e.message], "echo warning with AEC on"


@pytest.mark.asyncio
async def test_without_cancellation_the_echo_would_barge_in_and_the_detector_warns(
    virtual_audio: VirtualAudio,
) -> None:
    """The control: headphones claimed (canceller bypassed) while the speaker is heard."""
    errors: list[MediaErrored] = []
    audio = open_audio(headphones=True, on_error=errors.append)
    with virtual_audio.echo_path(latency_ms=50):
        await audio.start()
        try:
            judge, model_at, user_at, _ = await converse(virtual_audio, audio, 4.0)
        finally:
            await audio.stop()
    assert judge.triggered_between(model_at, user_at), "an uncancelled echo must be heard"
    warnings = [e for e in errors if e.device == "mic" and "own voice" in e.message]
    assert warnings, f"no echo warning; errors: {errors}"
    assert "headphones" in warnings[0].message
    assert audio.mic.echo_reports[0].lag_ms > 0
