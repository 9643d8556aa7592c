"""Devices going away mid-stream: the user is told, the stream falls back, nothing stops."""

from __future__ import annotations

import pytest

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.media.audio.capture import MicrophoneCapture
from desktop_assistant.media.audio.factory import open_microphone, open_speaker
from desktop_assistant.media.audio.stream_supervisor import StreamStatus
from tests.audio.helpers import (
    best_alignment,
    collect,
    collect_until,
    rms_dbfs,
    samples,
    speech_samples,
    to_pcm,
    wait_until,
)
from tests.support.pulse import MIC_DESCRIPTION, SPEAKER_DESCRIPTION, SPEAKER_MONITOR, VirtualAudio

pytestmark = [pytest.mark.audio, pytest.mark.timeout(120)]


def heard(blocks: list) -> bool:
    return bool(blocks) and rms_dbfs(samples(blocks[-1:])) > -45


async def watcher_live(virtual_audio: VirtualAudio, owner: MicrophoneCapture | object) -> None:
    """``pactl subscribe`` says nothing until an event: make one, then wait until it is seen."""
    watcher = owner.supervisor.watcher  # type: ignore[attr-defined]
    assert watcher is not None, "a PulseAudio device must be watched for removal"
    module = virtual_audio.load_module("module-null-sink", "sink_name=poke")
    virtual_audio.unload_module(module)
    await wait_until(watcher.ready.is_set, 10, "the removal watcher to see events")


async def speech_arrives(virtual_audio: VirtualAudio, mic: MicrophoneCapture) -> float:
    mic.uplink.drain()
    reference = speech_samples("en_time")
    feed = virtual_audio.feed_microphone(to_pcm(reference), 16_000)
    blocks = await collect_until(mic, heard, within_s=20)
    blocks += await collect(mic, reference.size / 16_000 + 0.5)
    feed.wait(timeout=30)
    return best_alignment(samples(blocks), reference)[1]


@pytest.mark.asyncio
async def test_microphone_unplugged_mid_stream_falls_back_to_the_default(
    virtual_audio: VirtualAudio,
) -> None:
    module = virtual_audio.add_microphone("usbmic", "USB Microphone")
    errors: list[MediaErrored] = []
    mic = open_microphone("USB Microphone", on_error=errors.append)
    await mic.start()
    try:
        assert mic.device is not None
        assert mic.device.route == "usbmic"
        await watcher_live(virtual_audio, mic)
        await collect(mic, 0.2)
        virtual_audio.unload_module(module)  # the headset is pulled out
        await wait_until(lambda: bool(errors), 10, "the user to be told")
        assert errors[0].device == "mic"
        assert "'USB Microphone' was disconnected" in errors[0].message
        assert MIC_DESCRIPTION in errors[0].message
        assert errors[0].recoverable
        assert mic.device is not None
        assert mic.device.name == MIC_DESCRIPTION
        assert mic.status is StreamStatus.RUNNING
        correlation = await speech_arrives(virtual_audio, mic)
    finally:
        await mic.stop()
    assert correlation > 0.9, "after the fallback the user's speech must still arrive"


@pytest.mark.asyncio
async def test_speaker_unplugged_mid_stream_falls_back_to_the_default(
    virtual_audio: VirtualAudio,
) -> None:
    modules = virtual_audio.add_speaker("usbspk", "USB Speaker")
    errors: list[MediaErrored] = []
    speaker = open_speaker("USB Speaker", on_error=errors.append)
    monitor = open_microphone(SPEAKER_MONITOR)
    await speaker.start()
    await monitor.start()
    try:
        assert speaker.device is not None
        assert speaker.device.route == "usbspk"
        await watcher_live(virtual_audio, speaker)
        for module in modules:
            virtual_audio.unload_module(module)
        await wait_until(lambda: bool(errors), 10, "the user to be told")
        assert errors[0].device == "speaker"
        assert "'USB Speaker' was disconnected" in errors[0].message
        assert speaker.device.name == SPEAKER_DESCRIPTION
        voice = speech_samples("en_weather", rate=24_000)
        speaker.write(to_pcm(voice), turn=1)
        blocks = await collect_until(monitor, heard, within_s=20)
        blocks += await collect(monitor, voice.size / 24_000)
    finally:
        await monitor.stop()
        await speaker.stop()
    _, correlation = best_alignment(samples(blocks), speech_samples("en_weather"))
    assert correlation > 0.9, "the model must be heard on the fallback speaker"


@pytest.mark.asyncio
async def test_a_microphone_that_stops_delivering_is_reported_and_recovers(
    virtual_audio: VirtualAudio,
) -> None:
    errors: list[MediaErrored] = []
    mic = open_microphone(None, on_error=errors.append)
    statuses: list[StreamStatus] = []
    mic.supervisor.add_listener(lambda status, _device: statuses.append(status))
    await mic.start()
    try:
        await collect(mic, 0.2)
        virtual_audio.pactl("suspend-source", "virtmic", "1")
        try:
            await wait_until(lambda: bool(errors), 15, "the stall to be reported")
            assert "stopped delivering audio" in errors[0].message
            assert mic.status is StreamStatus.STALLED
        finally:
            virtual_audio.pactl("suspend-source", "virtmic", "0")
        await wait_until(
            lambda: mic.status is StreamStatus.RUNNING, 20, "the microphone to recover"
        )
        correlation = await speech_arrives(virtual_audio, mic)
    finally:
        await mic.stop()
    assert StreamStatus.STALLED in statuses
    assert statuses[-1] is StreamStatus.STOPPED
    assert correlation > 0.9


@pytest.mark.asyncio
async def test_a_device_name_that_does_not_exist_is_reported_and_the_default_used(
    virtual_audio: VirtualAudio,
) -> None:
    errors: list[MediaErrored] = []
    mic = open_microphone("Studio Condenser", on_error=errors.append)
    await mic.start()
    try:
        assert len(errors) == 1
        assert "no input device called 'Studio Condenser'" in errors[0].message
        assert MIC_DESCRIPTION in errors[0].message  # it lists what there is
        assert mic.device is not None
        assert mic.device.is_default
        correlation = await speech_arrives(virtual_audio, mic)
    finally:
        await mic.stop()
    assert correlation > 0.9
