"""The Assistant's one video loop (with a pacing policy), device events it is handed, and what a
barge-in reports when there is no speaker to have played anything."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from desktop_assistant.core.assistant import Assistant, SteadyPacing
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    Interrupted,
    MediaErrored,
    ModelAudioReceived,
    OutputTranscribed,
    PlaybackCut,
    TurnCompleted,
    VideoFrameSent,
    VideoSendingChanged,
)
from desktop_assistant.core.ports import Frame, FramePacing, FrameSource, OutputDevice
from tests.unit.core.doubles import RecordingSink, ScriptedSession

pytestmark = pytest.mark.asyncio

CHUNK = bytes(4800)  # 100 ms at 24 kHz
LOOK_S = 0.005  # the test pacing looks often: the tests wait on counts, not on time


def frame(sequence: int, shade: int = 0) -> Frame:
    return Frame(
        np.full((4, 6, 3), shade, np.uint8), captured_at=float(sequence), sequence=sequence
    )


class PictureSource:
    """A FrameSource whose latest frame the test sets."""

    def __init__(self) -> None:
        self.frame: Frame | None = None

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def latest(self) -> Frame | None:
        return self.frame


class ChosenPacing:
    """Lets through the frames whose sequence is in ``allowed``; records what it is told."""

    def __init__(self, allowed: set[int] | None = None) -> None:
        self.allowed = allowed
        self.asked: list[int] = []
        self.sent_frames: list[int] = []
        self.resets = 0
        self.looked = asyncio.Event()

    def interval_s(self) -> float:
        self.looked.set()  # asked right after every look
        return LOOK_S

    def should_send(self, frame: Frame) -> bool:
        self.asked.append(frame.sequence)
        return self.allowed is None or frame.sequence in self.allowed

    def sent(self, frame: Frame) -> None:
        self.sent_frames.append(frame.sequence)

    def reset(self) -> None:
        self.resets += 1


def encode(frame: Frame) -> bytes:
    return f"jpeg-{frame.sequence}".encode()


class Rig:
    def __init__(self, pacing: ChosenPacing | None = None, encoder=encode, **kwargs) -> None:
        self.pacing = pacing
        self.session = ScriptedSession()
        self.frames = PictureSource()
        self.assistant = Assistant(
            self.session,
            frame_sources=[self.frames],
            encode_jpeg=encoder,
            pacing=pacing,
            **kwargs,
        )
        self.events: list[object] = []
        self._changed = asyncio.Event()
        self.assistant.subscribe(self.events.append)
        self.assistant.subscribe(lambda e: self._changed.set())

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]

    def videos(self) -> list[bytes]:
        return [p for verb, p in self.session.sent if verb == "video"]

    async def looks(self, count: int) -> None:
        """Until the video loop has looked ``count`` more times."""
        assert self.pacing is not None
        target = self.assistant.stats.video_looks + count
        async with asyncio.timeout(5):
            while self.assistant.stats.video_looks < target:
                self.pacing.looked.clear()
                await self.pacing.looked.wait()

    async def wait_for(self, condition) -> None:
        async with asyncio.timeout(5):
            while not condition():
                self._changed.clear()
                await self._changed.wait()


async def test_only_new_frames_the_pacing_lets_through_are_sent() -> None:
    pacing = ChosenPacing(allowed={1, 3})
    rig = Rig(pacing)
    await rig.assistant.start()
    rig.frames.frame = frame(1)
    await rig.wait_for(lambda: len(rig.of(VideoFrameSent)) == 1)
    await rig.looks(3)
    assert pacing.asked == [1]  # the frame the service has is not looked at again
    rig.frames.frame = frame(2)
    await rig.looks(3)
    assert rig.videos() == [b"jpeg-1"]  # held back by the pacing (unchanged, say)
    assert rig.assistant.stats.frames_skipped >= 1
    rig.frames.frame = frame(3)
    await rig.wait_for(lambda: len(rig.of(VideoFrameSent)) == 2)
    assert rig.videos() == [b"jpeg-1", b"jpeg-3"]
    assert pacing.sent_frames == [1, 3]
    assert [e.sequence for e in rig.of(VideoFrameSent)] == [1, 3]
    assert rig.assistant.last_sent_jpeg == b"jpeg-3"  # what the preview shows is what went out
    assert rig.of(VideoSendingChanged) == [VideoSendingChanged(True)]
    await rig.assistant.stop()
    assert rig.of(VideoSendingChanged)[-1] == VideoSendingChanged(False)


async def test_pause_stops_pictures_in_one_call_and_resume_sends_the_current_one() -> None:
    pacing = ChosenPacing()
    rig = Rig(pacing)
    await rig.assistant.start()
    rig.frames.frame = frame(1)
    await rig.wait_for(lambda: rig.assistant.stats.frames_sent == 1)
    assert rig.assistant.video_sending

    rig.assistant.set_video_paused(True)
    assert not rig.assistant.video_sending  # at once, not at the next look
    assert rig.events[-1] == VideoSendingChanged(False)
    rig.frames.frame = frame(2)
    await rig.looks(3)
    assert rig.videos() == [b"jpeg-1"]

    resets = pacing.resets
    rig.assistant.set_video_paused(False)
    assert pacing.resets == resets + 1  # the first picture after a pause always goes
    await rig.wait_for(lambda: rig.assistant.stats.frames_sent == 2)
    assert rig.videos() == [b"jpeg-1", b"jpeg-2"]
    assert rig.assistant.video_sending
    await rig.assistant.stop()


async def test_a_frame_being_encoded_when_the_user_pauses_never_goes_out() -> None:
    entered, release = threading.Event(), threading.Event()

    def slow_encode(f: Frame) -> bytes:
        entered.set()
        release.wait(5)
        return encode(f)

    rig = Rig(ChosenPacing(), encoder=slow_encode)
    await rig.assistant.start()
    rig.frames.frame = frame(1)
    assert await asyncio.to_thread(entered.wait, 5)
    rig.assistant.set_video_paused(True)
    release.set()
    await rig.looks(2)
    assert rig.videos() == []
    assert rig.assistant.last_sent_jpeg is None
    await rig.assistant.stop()


async def test_without_a_pacing_every_new_frame_goes_at_the_video_rate() -> None:
    rig = Rig()
    assert isinstance(rig.assistant.pacing, SteadyPacing)
    await rig.assistant.start()
    rig.frames.frame = frame(7)
    await rig.wait_for(lambda: rig.assistant.stats.frames_sent == 1)
    assert rig.assistant.pacing.interval_s() == pytest.approx(1.0)
    await rig.assistant.stop()


async def test_switching_the_source_off_stops_sending_at_once() -> None:
    rig = Rig(ChosenPacing())
    await rig.assistant.start()
    rig.frames.frame = frame(1)
    await rig.wait_for(lambda: rig.assistant.stats.frames_sent == 1)
    assert rig.assistant.video_sending
    rig.assistant.set_frame_source(None)
    assert not rig.assistant.video_sending
    rig.frames.frame = frame(2)
    await rig.looks(2)
    assert rig.videos() == [b"jpeg-1"]
    await rig.assistant.stop()


async def test_device_events_handed_in_join_the_stream_in_order() -> None:
    rig = Rig()
    await rig.assistant.start()
    rig.session.feed(ConnectionStateChanged(ConnectionState.LIVE))
    await rig.wait_for(lambda: rig.of(ConnectionStateChanged))
    error = MediaErrored("speaker", "No speaker is available.")
    rig.assistant.report(error)
    assert rig.events[-1] is error
    stream = rig.assistant.events()
    rig.assistant.report(MediaErrored("camera", "The camera stopped."))
    assert (await anext(stream)).device == "camera"
    await rig.assistant.stop()


class DevicelessSink(RecordingSink):
    """A speaker that found no output device (missing, unplugged): it plays nothing."""

    device: object | None = None


class DeviceSink(RecordingSink):
    device: object | None = "VirtualSpeaker"


async def barge_in(sink) -> tuple[PlaybackCut, Assistant]:
    session = ScriptedSession()
    assistant = Assistant(session, sink=sink)
    cuts: list[PlaybackCut] = []
    done = asyncio.Event()

    def on_event(event: object) -> None:
        if isinstance(event, PlaybackCut):
            cuts.append(event)
        if isinstance(event, TurnCompleted):
            done.set()

    assistant.subscribe(on_event)
    await assistant.start()
    session.feed(
        ConnectionStateChanged(ConnectionState.LIVE),
        ModelAudioReceived(CHUNK),
        OutputTranscribed("It will be sunny in Rome today"),
        Interrupted(),
        TurnCompleted(),
    )
    await asyncio.wait_for(done.wait(), 5)
    await assistant.stop()
    return cuts[0], assistant


async def test_without_a_speaker_how_much_was_heard_is_unknown_not_zero() -> None:
    cut, assistant = await barge_in(None)
    assert cut.heard_fraction is None
    assert (cut.turn, cut.received_samples) == (1, 2400)
    assert assistant.conversation.entries[-1].played_samples is None

    assert isinstance(DevicelessSink(), OutputDevice)
    cut, _ = await barge_in(DevicelessSink())
    assert cut.heard_fraction is None


async def test_a_speaker_that_was_there_but_played_nothing_yet_heard_nothing() -> None:
    cut, assistant = await barge_in(DeviceSink())
    assert cut.heard_fraction == 0.0  # a real "cut before the first sample"
    assert assistant.conversation.entries[-1].played_samples == 0


async def test_frame_sources_and_pacing_doubles_match_the_ports() -> None:
    assert isinstance(PictureSource(), FrameSource)
    assert isinstance(ChosenPacing(), FramePacing)
    assert isinstance(SteadyPacing(), FramePacing)
    with pytest.raises(ValueError, match="positive"):
        SteadyPacing(0)
