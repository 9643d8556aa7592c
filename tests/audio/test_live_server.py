"""Our devices against the local Live server through the unmodified SDK: what the model says
comes out of the speaker intact, the user's voice barges in and stops it, and with the speaker
audible to the microphone the model's own voice does not barge in."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.media.audio.factory import open_audio, open_microphone, open_speaker
from desktop_assistant.media.audio.resample import PolyphaseResampler
from tests.audio.helpers import (
    Recording,
    best_alignment,
    frame_levels,
    samples,
    speech_samples,
    to_pcm,
    wait_until,
)
from tests.audio.live_link import MediaLink, connect, scripted_server
from tests.support.pulse import SPEAKER_MONITOR, VirtualAudio

pytestmark = [pytest.mark.audio, pytest.mark.timeout(180)]

STORY = (
    "Once upon a time there was a lighthouse keeper who counted the ships every night. "
    "He wrote their names in a little book, and sang to the sea when the fog came in."
)


@pytest.mark.asyncio
async def test_model_audio_from_the_server_plays_intact(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    speaker = open_speaker()
    monitor = open_microphone(SPEAKER_MONITOR)
    async with scripted_server(tmp_path, [{"steps": [{"say": STORY}]}]) as server:
        await speaker.start()
        await monitor.start()
        try:
            async with connect(server) as session:
                link = MediaLink(session, None, speaker)
                link.start()
                recording = Recording(monitor)
                await link.say_to_model("Tell me a story.")
                await wait_until(lambda: link.turn > 1, 60, "the model's turn to end")
                await wait_until(
                    lambda: speaker.played_samples(1) >= len(link.received[1]) // 2, 60, "playout"
                )
                end = time.monotonic() + 0.3
                await wait_until(lambda: recording.latest_time() > end, 10, "the last sound")
                blocks = await recording.stop()
                await link.stop()
        finally:
            await monitor.stop()
            await speaker.stop()
    sent = np.frombuffer(bytes(link.received[1]), dtype="<i2").astype(np.float32)
    reference = PolyphaseResampler(24_000, 16_000).process(sent).astype(np.float64)
    recorded = samples(blocks)
    # The recording holds the whole story (and some silence around it).
    _, correlation = best_alignment(recorded, reference)
    assert reference.size / 16_000 > 5, "the story must be long enough to mean something"
    assert correlation > 0.95, f"the model's speech correlates only {correlation:.3f}"
    assert speaker.underruns == 0


@pytest.mark.asyncio
async def test_user_speech_barges_in_and_stops_the_model(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    errors: list[MediaErrored] = []
    audio = open_audio(on_error=errors.append)
    monitor = open_microphone(SPEAKER_MONITOR)
    turns = [{"steps": [{"say": STORY}, {"hold": True}]}]  # then silent: nothing after the cut
    async with scripted_server(tmp_path, turns) as server:
        await audio.start()
        await monitor.start()
        try:
            async with connect(server) as session:
                link = MediaLink(session, audio.mic, audio.speaker)
                link.start()
                recording = Recording(monitor)
                await link.say_to_model("Tell me a story.")
                await wait_until(recording.heard, 30, "the model to talk")
                talking = time.monotonic() + 1.0
                await wait_until(lambda: recording.latest_time() > talking, 10, "1 s of it")
                feed = virtual_audio.feed_microphone(to_pcm(speech_samples("en_interrupt")), 16_000)
                await wait_until(lambda: bool(link.interrupted_at), 30, "the barge-in")
                later = link.interrupted_at[0] + 1.0
                await wait_until(lambda: recording.latest_time() > later, 10, "1 s after it")
                blocks = await recording.stop()
                feed.wait(timeout=30)
                await link.stop()
        finally:
            await monitor.stop()
            await audio.stop()
    cut = link.interrupted_at[0]
    x = samples(blocks)
    levels = frame_levels(x, 160)
    times = blocks[0].captured_at + np.arange(levels.size) * 0.01
    assert np.median(levels[times < cut - 0.2][-50:]) > -40, "the model was talking"
    quiet = levels[(times > cut + 0.2) & (times < cut + 1.0)]
    assert quiet.size > 50
    assert np.all(quiet < -60), "the model kept talking after the barge-in"
    assert audio.speaker.buffer.interruptions >= 1
    assert not errors


@pytest.mark.asyncio
@pytest.mark.parametrize("headphones", [False, True], ids=["echo-cancelled", "control-bypassed"])
async def test_the_models_voice_heard_by_the_mic_does_not_barge_in(
    virtual_audio: VirtualAudio, tmp_path: Path, headphones: bool
) -> None:
    """The speaker is looped into the mic (50 ms later). With the canceller, the server's VAD
    never hears the model; bypassed (the control), it does and cuts the model off."""
    audio = open_audio(headphones=headphones)
    turns = [{"steps": [{"say": STORY}, {"hold": True}]}]
    with virtual_audio.echo_path(latency_ms=50):
        async with scripted_server(tmp_path, turns) as server:
            await audio.start()
            try:
                async with connect(server) as session:
                    link = MediaLink(session, audio.mic, audio.speaker)
                    link.start()
                    await wait_until(lambda: link.sent_blocks > 10, 20, "the uplink to run")
                    await link.say_to_model("Tell me a story.")
                    await wait_until(lambda: 1 in link.audio_at, 30, "the model to talk")
                    # Six seconds of the model talking into its own microphone.
                    six_s = 6 * 24_000
                    await wait_until(
                        lambda: (
                            audio.speaker.played_samples(1) >= six_s or bool(link.interrupted_at)
                        ),
                        30,
                        "six seconds of the story",
                    )
                    self_interrupted = bool(link.interrupted_at)
                    if not headphones:
                        feed = virtual_audio.feed_microphone(
                            to_pcm(speech_samples("en_interrupt")), 16_000
                        )
                        await wait_until(
                            lambda: bool(link.interrupted_at), 30, "the user's barge-in"
                        )
                        feed.wait(timeout=30)
                    await link.stop()
            finally:
                await audio.stop()
    if headphones:
        assert self_interrupted, "control: an uncancelled echo must trigger the server's VAD"
    else:
        assert not self_interrupted, "the model barged in on itself through the speaker"
        assert link.interrupted_at, "the user's speech must still barge in"
