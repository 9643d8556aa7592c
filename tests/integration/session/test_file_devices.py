"""WAV files as the microphone and the speaker: any input format in, what a listener heard out."""

from __future__ import annotations

import struct
import wave

import numpy as np
import pytest

from desktop_assistant.media.audio.wav_io import (
    WavFileSink,
    WavFileSource,
    WavFormatError,
    read_wav,
    write_wav,
)
from tests.support.fixtures import speech

pytestmark = pytest.mark.asyncio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def float_wav(path, samples: np.ndarray, rate: int) -> None:
    """A 32-bit float stereo WAV (format 3), which the stdlib wave module cannot write."""
    data = samples.astype("<f4").tobytes()
    channels = samples.shape[1]
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 3, channels, rate,
        rate * 4 * channels, 4 * channels, 32, b"data", len(data),
    )  # fmt: skip
    path.write_bytes(header + data)


async def read_all(source: WavFileSource):
    await source.start()
    blocks = []
    while True:
        try:
            blocks.append(await source.read())
        except EOFError:
            return blocks


async def test_a_stereo_float_wav_at_44k_becomes_16k_mono_blocks_with_the_same_sound(tmp_path):
    rate, seconds, hz = 44_100, 1.0, 440.0
    t = np.arange(int(rate * seconds)) / rate
    tone = 0.5 * np.sin(2 * np.pi * hz * t)
    float_wav(tmp_path / "in.wav", np.stack([tone, tone], axis=1), rate)
    blocks = await read_all(WavFileSource(tmp_path / "in.wav", speed=1e6))
    assert all(len(b.pcm) == 640 and b.sample_rate_hz == 16_000 for b in blocks)
    assert len(blocks) == 50  # one second in 20 ms blocks
    pcm = np.frombuffer(b"".join(b.pcm for b in blocks), dtype="<i2").astype(np.float64) / 32768
    spectrum = np.abs(np.fft.rfft(pcm[800:-800]))
    peak_hz = np.argmax(spectrum) * 16_000 / (len(pcm) - 1600)
    assert abs(peak_hz - hz) < 5
    assert 0.3 < np.max(np.abs(pcm)) < 0.55  # the level survives downmix and resampling


async def test_the_speech_fixture_streams_unchanged_at_its_native_rate():
    fixture = speech("en_time")
    blocks = await read_all(WavFileSource(fixture.path, speed=1e6))
    sent = b"".join(b.pcm for b in blocks)
    original = np.frombuffer(fixture.pcm16(), dtype="<i2").astype(np.int32)
    got = np.frombuffer(sent[: len(fixture.pcm16())], dtype="<i2").astype(np.int32)
    assert len(sent) >= len(fixture.pcm16())
    assert np.max(np.abs(got - original)) <= 2  # 16 kHz in, 16 kHz out: only rounding


async def test_blocks_are_paced_like_a_microphone_and_silence_can_follow(tmp_path):
    write_wav(tmp_path / "a.wav", bytes(16_000 * 2 // 10), 16_000)  # 100 ms
    clock = Clock()
    source = WavFileSource(
        tmp_path / "a.wav", block_ms=20, speed=1e6, trailing_silence_s=0.1, clock=clock
    )
    blocks = await read_all(source)
    assert len(blocks) == 10
    stamps = [b.captured_at - blocks[0].captured_at for b in blocks]
    assert stamps == pytest.approx([i * 0.02 / 1e6 for i in range(10)])


async def test_unreadable_files_are_refused_with_a_reason(tmp_path):
    (tmp_path / "x.wav").write_bytes(b"not a wav file at all")
    with pytest.raises(WavFormatError, match="not a WAV file"):
        read_wav(tmp_path / "x.wav")
    with pytest.raises(EOFError):
        await WavFileSource(tmp_path / "x.wav").read()


async def test_the_speaker_records_what_was_heard_and_cuts_at_the_barge_in(tmp_path):
    clock = Clock()
    sink = WavFileSink(tmp_path / "out.wav", clock=clock, fade_ms=10)
    await sink.start()
    second = (np.full(24_000, 1000, dtype="<i2")).tobytes()
    sink.write(second, turn=1)
    clock.now += 0.25  # a quarter second plays...
    assert sink.played_samples(1) == 6_000
    sink.interrupt()  # ...then the user cuts in: a 10 ms fade, and the rest is never heard
    assert sink.played_samples(1) == 6_240
    assert sink.dropped_samples == 24_000 - 6_240
    clock.now += 0.25  # silence while nobody speaks
    sink.write(second[:4_800], turn=2)
    clock.now += 1.0
    await sink.stop()
    with wave.open(str(tmp_path / "out.wav"), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24_000, 1, 2)
        recorded = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert len(recorded) == 24_000 * 3 // 2  # the recording is the device's 1.5 s timeline
    assert np.all(recorded[:6_000] == 1000)
    fade = recorded[6_000:6_240]
    assert fade[0] == 1000
    assert fade[-1] == 0
    assert np.all(np.diff(fade) <= 0)
    assert np.all(recorded[6_240:12_000] == 0)  # the cut audio is not there: silence until...
    assert np.all(recorded[12_000:14_400] == 1000)  # ...turn 2, written at 0.5 s, plays in full
    assert np.all(recorded[14_400:] == 0)
    assert sink.played_samples(2) == 2_400


async def test_drain_waits_until_everything_written_has_played(tmp_path):
    sink = WavFileSink(None, speed=1000.0)
    await sink.start()
    sink.write(bytes(48_000), turn=1)  # one second, played at 1000x
    assert sink.queued_s > 0
    await sink.drain(timeout_s=10)
    assert sink.queued_s == 0
    assert sink.played_samples(1) == 24_000
    await sink.stop()
