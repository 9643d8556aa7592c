"""Real PortAudio playback: model audio comes out of the virtual speaker intact; barge-in cuts it."""

from __future__ import annotations

import time

import numpy as np
import pytest

from desktop_assistant.media.audio.factory import open_microphone, open_speaker
from tests.audio.helpers import (
    best_alignment,
    collect,
    collect_until,
    frame_levels,
    rms_dbfs,
    samples,
    speech_samples,
    to_pcm,
    wait_until,
)
from tests.support.pulse import SPEAKER_MONITOR, VirtualAudio

pytestmark = [pytest.mark.audio, pytest.mark.timeout(120)]

SILENT_DBFS = -60.0


def heard(blocks: list) -> bool:
    return bool(blocks) and rms_dbfs(samples(blocks[-1:])) > -45


@pytest.mark.asyncio
async def test_model_audio_comes_out_of_the_speaker_intact(virtual_audio: VirtualAudio) -> None:
    speaker = open_speaker()
    monitor = open_microphone(SPEAKER_MONITOR)
    await speaker.start()
    await monitor.start()
    try:
        voice = speech_samples("en_weather", rate=24_000)
        # The model's audio arrives in bursts of 40-200 ms, faster than real time.
        pcm = to_pcm(voice)
        rng = np.random.default_rng(5)
        start = 0
        while start < len(pcm):
            size = int(rng.integers(960, 9600)) * 2
            speaker.write(pcm[start : start + size], turn=1)
            start += size
        blocks = await collect_until(monitor, heard, within_s=20)
        blocks += await collect(monitor, voice.size / 24_000 + 0.5)
    finally:
        await monitor.stop()
        await speaker.stop()
    reference = speech_samples("en_weather", rate=16_000)
    _, correlation = best_alignment(samples(blocks), reference)
    assert correlation > 0.95, f"played speech correlates only {correlation:.3f}"
    assert speaker.played_samples(1) == voice.size
    assert speaker.underruns == 0


@pytest.mark.asyncio
async def test_barge_in_stops_the_sound_with_a_fade_and_drops_late_audio(
    virtual_audio: VirtualAudio,
) -> None:
    speaker = open_speaker()
    monitor = open_microphone(SPEAKER_MONITOR)
    await speaker.start()
    await monitor.start()
    try:
        t = np.arange(24_000 * 4) / 24_000
        tone = 12_000 * np.sin(2 * np.pi * 500 * t)  # a pure tone makes any click visible
        speaker.write(to_pcm(tone), turn=1)
        before = await collect_until(monitor, heard, within_s=20)
        before += await collect(monitor, 0.5)
        cut_at = time.monotonic()
        speaker.interrupt()
        played_at_cut = speaker.played_samples(1)
        speaker.write(to_pcm(tone[:24_000]), turn=1)  # late audio of the interrupted turn
        after = await collect(monitor, 1.0)
        played_later = speaker.played_samples(1)
        # The next turn plays normally.
        speaker.write(to_pcm(tone[:12_000]), turn=2)
        await wait_until(lambda: speaker.played_samples(2) == 12_000, 10, "turn 2 to play")
    finally:
        await monitor.stop()
        await speaker.stop()

    blocks = before + after
    x = samples(blocks)
    start = blocks[0].captured_at
    times = start + np.arange(x.size) / 16_000
    levels = frame_levels(x, 160)  # 10 ms frames
    frame_times = times[::160][: levels.size]
    # Sound before the cut, and silence from shortly after it until the end of the recording.
    assert np.median(levels[frame_times < cut_at]) > -15
    tail = levels[frame_times > cut_at + 0.2]
    assert tail.size > 50
    assert np.all(tail < SILENT_DBFS), "sound continued after the barge-in"
    # It went quiet quickly: at most 100 ms of the tone was heard after the interrupt call.
    loud_after = np.sum(levels[frame_times > cut_at] > -30) * 0.01
    assert loud_after <= 0.1, f"{loud_after:.2f} s of sound after the interrupt"
    # No click: around the cut, nothing above 2 kHz (a hard cut of a 500 Hz tone splashes there).
    around = x[(times > cut_at - 0.05) & (times < cut_at + 0.15)]
    spectrum = np.abs(np.fft.rfft(around * np.hanning(around.size))) ** 2
    freqs = np.fft.rfftfreq(around.size, 1 / 16_000)
    splash_db = 10 * np.log10(spectrum[freqs > 2000].sum() / spectrum.sum())
    assert splash_db < -45, f"click energy above 2 kHz at {splash_db:.1f} dB"
    # The late audio of turn 1 was dropped, and the clock says how much the user heard.
    assert played_later - played_at_cut <= 240  # at most the one faded period
    assert speaker.buffer.late_dropped_samples == 24_000
    heard_s = np.sum(levels > -30) * 0.01
    assert played_later / 24_000 == pytest.approx(heard_s, abs=0.05)
