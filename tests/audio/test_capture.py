"""Real PortAudio capture: what is played into the virtual mic reaches the session intact."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.media.audio.devices import find_device, list_input_devices
from desktop_assistant.media.audio.factory import open_audio, open_microphone
from tests.audio.helpers import (
    best_alignment,
    collect,
    collect_until,
    peak_hz,
    rms_dbfs,
    samples,
    spectral_similarity,
    speech_samples,
    to_pcm,
    wait_until,
)
from tests.support.pulse import MIC_DESCRIPTION, VirtualAudio

pytestmark = [pytest.mark.audio, pytest.mark.timeout(120)]


def loud(blocks: list) -> bool:
    return bool(blocks) and rms_dbfs(samples(blocks[-1:])) > -45


@pytest.mark.asyncio
async def test_speech_into_the_mic_arrives_as_16k_blocks_with_the_same_content(
    virtual_audio: VirtualAudio,
) -> None:
    """Raw path (no canceller): the waveform itself must survive device, resampler, blocks."""
    errors: list[MediaErrored] = []
    mic = open_microphone(None, on_error=errors.append)
    await mic.start()
    try:
        assert mic.device is not None
        assert mic.device.name == MIC_DESCRIPTION
        reference = speech_samples("en_weather")
        feed = virtual_audio.feed_microphone(to_pcm(reference), 16_000)
        blocks = await collect(mic, reference.size / 16_000 + 1.5)
        feed.wait(timeout=30)
    finally:
        await mic.stop()
    assert errors == []
    assert all(len(b.pcm) == 640 for b in blocks)  # 20 ms of 16 kHz int16
    stamps = np.array([b.captured_at for b in blocks])
    assert np.all(np.diff(stamps) > 0)
    assert np.median(np.diff(stamps)) == pytest.approx(0.02, abs=0.002)
    offset, correlation = best_alignment(samples(blocks), reference)
    # Where it goes wrong, if it does: the shift and correlation of each 0.5 s piece.
    pieces = [
        best_alignment(samples(blocks), reference[i : i + 8000])
        for i in range(0, reference.size - 8000, 8000)
    ]
    shifts = [(o - i * 8000 - offset, round(c, 2)) for i, (o, c) in enumerate(pieces)]
    assert correlation > 0.95, f"captured speech correlates only {correlation:.3f}: {shifts}"


@pytest.mark.asyncio
async def test_echo_cancelled_capture_still_carries_the_users_speech(
    virtual_audio: VirtualAudio,
) -> None:
    """Default path (AEC3 + NS + HPF on): the spectrum of what the user said is kept."""
    audio = open_audio()
    await audio.start()
    try:
        reference = speech_samples("en_time")
        feed = virtual_audio.feed_microphone(to_pcm(reference), 16_000)
        blocks = await collect_until(audio.mic, loud, within_s=20)
        level = audio.mic.level()  # pulled while the user speaks, as the UI would
        blocks += await collect(audio.mic, reference.size / 16_000 + 1.0)
        feed.wait(timeout=30)
    finally:
        await audio.stop()
    recorded = samples(blocks)
    offset, _ = best_alignment(recorded, reference)
    similarity = spectral_similarity(recorded[offset:], reference)
    assert similarity > 0.8, f"spectral similarity only {similarity:.3f}"
    assert rms_dbfs(recorded[offset : offset + reference.size]) > rms_dbfs(reference) - 6
    assert level.peak_dbfs > -40  # the meter saw it


@pytest.mark.asyncio
async def test_a_44k1_stereo_device_is_captured_natively_and_converted_without_clicks(
    virtual_audio: VirtualAudio,
) -> None:
    module = virtual_audio.load_module(
        "module-remap-source",
        "master=micfeed.monitor",
        "source_name=hifimic",
        "rate=44100",
        "channels=2",
        "channel_map=front-left,front-right",
        "source_properties=device.description=HiFiMic",
    )
    try:
        device = find_device("input", "HiFiMic")
        assert (device.rate_hz, device.channels) == (44_100, 2)
        mic = open_microphone("HiFiMic")  # no echo canceller: a pure tone must come through
        await mic.start()
        try:
            t = np.arange(48_000 * 3) / 48_000
            tone = 8000 * np.sin(2 * np.pi * 440 * t)
            feed = virtual_audio.feed_microphone(to_pcm(tone), 48_000)
            await collect_until(mic, loud, within_s=20)
            blocks = await collect(mic, 2.0)
            feed.wait(timeout=30)
        finally:
            await mic.stop()
    finally:
        virtual_audio.unload_module(module)
    x = samples(blocks)
    steady = x[: int(1.5 * 16_000)]
    assert peak_hz(steady, 16_000) == pytest.approx(440.0, abs=0.5)
    # A click at a block edge shows as a residual spike after removing the tone.
    tt = np.arange(steady.size) / 16_000
    basis = np.stack([np.sin(2 * np.pi * 440 * tt), np.cos(2 * np.pi * 440 * tt)], axis=1)
    fit, *_ = np.linalg.lstsq(basis, steady, rcond=None)
    residual = steady - basis @ fit
    snr = 10 * np.log10(np.mean(steady**2) / np.mean(residual**2))
    assert snr > 35, f"tone SNR {snr:.1f} dB: clicks or distortion"


@pytest.mark.asyncio
async def test_devices_are_listed_by_name_and_the_default_is_marked(
    virtual_audio: VirtualAudio,
) -> None:
    names = [d.name for d in list_input_devices()]
    assert MIC_DESCRIPTION in names
    assert "VirtualSpeaker" not in names  # monitors are not microphones
    assert find_device("input", None).is_default
    assert find_device("input", "virtualmic").route == "virtmic"  # case-insensitive part
    with pytest.raises(LookupError, match="no input device called 'Nope'"):
        find_device("input", "Nope")


@pytest.mark.asyncio
async def test_push_to_talk_preroll_keeps_the_first_syllable(virtual_audio: VirtualAudio) -> None:
    mic = open_microphone(None, preroll_s=0.3)
    mic.gate.set_push_to_talk(True)
    await mic.start()
    try:
        await wait_until(lambda: mic.blocks_delivered >= 20, 20, "the microphone to run")
        reference = speech_samples("en_interrupt")
        feed = virtual_audio.feed_microphone(to_pcm(reference), 16_000)
        # The user starts talking; the key goes down a moment later (as people do).
        await wait_until(lambda: mic.level().peak_dbfs > -30, 20, "the user to speak")
        onset = mic.blocks_delivered
        await wait_until(lambda: mic.blocks_delivered >= onset + 5, 5, "100 ms of speech")
        assert len(mic.uplink) == 0  # nothing goes up before the key
        preroll = mic.gate.press()
        assert preroll is not None
        assert len(preroll) == 15  # 300 ms of 20 ms blocks
        assert rms_dbfs(samples(preroll[-5:])) > -45  # the speech onset is in it
        held = await collect(mic, 0.5)
        pending = mic.gate.release()
        feed.wait(timeout=30)
    finally:
        await mic.stop()
    assert pending is not None
    stamps = [b.captured_at for b in preroll + held + pending]
    assert np.all(np.diff(stamps) > 0), "pre-roll, held and pending blocks are in order"
    assert np.max(np.diff(stamps)) < 0.03, "no block was lost between pre-roll and live audio"
