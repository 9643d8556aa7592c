"""End to end on real (virtual) devices: the Assistant with GenaiLiveSession, the local server,
our microphone (echo-cancelled, with the speaker audible to it) and our speaker.

The user speaks into the virtual mic, the model answers through the virtual speaker; the user
barges in by voice and the speaker goes quiet, with ``PlaybackCut`` saying how much was heard.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from desktop_assistant.config.secrets import Secret
from desktop_assistant.config.settings import Settings
from desktop_assistant.core.assistant import Assistant
from desktop_assistant.core.events import Interrupted, MediaErrored, ModelAudioReceived, PlaybackCut
from desktop_assistant.media.audio.factory import open_audio, open_microphone
from desktop_assistant.session.connection import Endpoint, StaticCredential
from desktop_assistant.session.genai_session import GenaiLiveSession
from tests.audio.helpers import Recording, frame_levels, samples, speech_samples, to_pcm, wait_until
from tests.audio.live_link import scripted_server
from tests.support.pulse import SPEAKER_MONITOR, VirtualAudio

pytestmark = [pytest.mark.audio, pytest.mark.timeout(180)]

STORY = (
    "Once upon a time there was a lighthouse keeper who counted the ships every night. "
    "He wrote their names in a little book, and sang to the sea when the fog came in."
)


@pytest.mark.asyncio
async def test_a_spoken_conversation_with_barge_in_through_the_assistant(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    media_errors: list[MediaErrored] = []
    audio = open_audio(on_error=media_errors.append)
    monitor = open_microphone(SPEAKER_MONITOR)
    turns = [{"steps": [{"say": STORY}, {"hold": True}]}]
    with virtual_audio.echo_path(latency_ms=50):
        async with scripted_server(tmp_path, turns) as server:
            settings = Settings().updated({"backend": {"kind": "local"}})
            session = GenaiLiveSession(
                settings,
                endpoint=Endpoint(
                    base_url=server.base_url,
                    ssl_context=server.client_ssl_context(),
                    use_system_proxy=False,
                ),
                credentials=StaticCredential(Secret(server.api_key)),
            )
            assistant = Assistant(session, source=audio.mic, sink=audio.speaker)
            events: list[object] = []
            assistant.subscribe(events.append)
            await monitor.start()
            recording = Recording(monitor)
            await assistant.start()
            try:
                await wait_until(lambda: assistant.stats.blocks_sent > 10, 30, "the uplink")
                # The user asks something; the server's VAD hears it through our microphone.
                ask = virtual_audio.feed_microphone(to_pcm(speech_samples("en_weather")), 16_000)
                await wait_until(
                    lambda: any(isinstance(e, ModelAudioReceived) for e in events), 60, "an answer"
                )
                ask.wait(timeout=30)
                await wait_until(lambda: audio.speaker.played_samples(1) >= 2 * 24_000, 30, "2 s")
                assert not any(isinstance(e, Interrupted) for e in events), (
                    "the model barged in on itself"
                )
                stop = virtual_audio.feed_microphone(to_pcm(speech_samples("en_interrupt")), 16_000)
                await wait_until(
                    lambda: any(isinstance(e, Interrupted) for e in events), 30, "the barge-in"
                )
                cut_at = time.monotonic()
                later = cut_at + 1.0
                await wait_until(lambda: recording.latest_time() > later, 10, "1 s after the cut")
                stop.wait(timeout=30)
            finally:
                await assistant.stop()
                blocks = await recording.stop()
                await monitor.stop()
                await audio.stop()
    cuts = [e for e in events if isinstance(e, PlaybackCut)]
    assert cuts, "the assistant reports how much of the cut turn was heard"
    assert cuts[0].heard_fraction is not None
    assert 0.0 < cuts[0].heard_fraction < 1.0
    assert cuts[0].played_samples >= 2 * 24_000
    x = samples(blocks)
    levels = frame_levels(x, 160)
    times = blocks[0].captured_at + np.arange(levels.size) * 0.01
    assert np.median(levels[(times > cut_at - 1.5) & (times < cut_at - 0.3)]) > -40, "it talked"
    quiet = levels[(times > cut_at + 0.2) & (times < cut_at + 1.0)]
    assert quiet.size > 50
    assert np.all(quiet < -60), "the speaker kept playing after the barge-in"
    assert not media_errors
