"""The video uplink as the app runs it: the Assistant's one video loop with media's pacing and
JPEG encoder, through GenaiLiveSession and the real SDK to the local Live server.

The echo engine says how many pictures arrived with a turn ("I saw 2 images."): that is the
service's view of what was sent. Unchanged pictures are not sent again, a changed one is, fewer go
while the user is silent, and a pause stops them in one call.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_assistant.app.headless import MediaRelay
from desktop_assistant.config.secrets import Secret
from desktop_assistant.config.settings import Settings
from desktop_assistant.core.assistant import Assistant
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    MediaErrored,
    OutputTranscribed,
    TurnCompleted,
    VideoFrameSent,
    VideoSendingChanged,
)
from desktop_assistant.core.ports import Frame, FrameSource
from desktop_assistant.media.video.encode import jpeg_encoder
from desktop_assistant.media.video.factory import open_camera, open_frame_pacing
from desktop_assistant.media.video.pacing import ChangePacing
from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.session.connection import Endpoint, StaticCredential
from desktop_assistant.session.genai_session import GenaiLiveSession
from tests.integration.media.waiting import wait_until
from tests.support.fixtures import camera_video

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]

WAIT_S = 30.0


@dataclass
class Rig:
    assistant: Assistant
    events: list[object] = field(default_factory=list)
    sent_jpegs: list[bytes] = field(default_factory=list)

    def of(self, kind: type) -> list[object]:
        return [e for e in self.events if isinstance(e, kind)]

    def said(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, OutputTranscribed))

    async def ask(self, text: str) -> str:
        """A typed question; the model's whole answer."""
        turns, before = len(self.of(TurnCompleted)), len(self.said())
        await self.assistant.send_text(text)
        await wait_until(lambda: len(self.of(TurnCompleted)) > turns, WAIT_S, "the answer")
        return self.said()[before:]

    async def looks(self, count: int) -> None:
        target = self.assistant.stats.video_looks + count
        await wait_until(lambda: self.assistant.stats.video_looks >= target, WAIT_S, "looks")


@contextlib.asynccontextmanager
async def conversation(
    frames: FrameSource,
    pacing: ChangePacing,
    *,
    max_side: int = 1024,
    relay: MediaRelay | None = None,
) -> AsyncIterator[Rig]:
    async with LocalLiveServer(ServerOptions(engine="echo", speed=50.0, espeak=None)) as server:
        session = GenaiLiveSession(
            Settings().updated({"backend": {"kind": "local"}}),
            endpoint=Endpoint(
                base_url=server.base_url,
                ssl_context=server.client_ssl_context(),
                use_system_proxy=False,
            ),
            credentials=StaticCredential(Secret(server.api_key)),
        )
        assistant = Assistant(
            session,
            frame_sources=[frames],
            encode_jpeg=jpeg_encoder(max_side=max_side),
            pacing=pacing,
        )
        rig = Rig(assistant)
        assistant.subscribe(rig.events.append)

        def keep_jpeg(event: object) -> None:
            if isinstance(event, VideoFrameSent) and assistant.last_sent_jpeg is not None:
                rig.sent_jpegs.append(assistant.last_sent_jpeg)

        assistant.subscribe(keep_jpeg)
        if relay is not None:
            relay.attach(assistant)
        await assistant.start()
        try:
            await wait_until(
                lambda: any(
                    isinstance(e, ConnectionStateChanged) and e.state is ConnectionState.LIVE
                    for e in rig.events
                ),
                WAIT_S,
                "the session to be live",
            )
            yield rig
        finally:
            await assistant.stop()


def still_video(path: Path) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (320, 240))
    picture = np.zeros((240, 320, 3), np.uint8)
    cv2.rectangle(picture, (40, 40), (200, 160), (0, 200, 255), -1)
    for _ in range(10):
        writer.write(picture)
    writer.release()
    return path


class PictureSource:
    """A camera that shows what the test puts in front of it (each ``show`` is a new frame)."""

    def __init__(self) -> None:
        self._frame: Frame | None = None
        self._sequence = 0

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def latest(self) -> Frame | None:
        return self._frame

    def show(self, colour: tuple[int, int, int]) -> None:
        self._sequence += 1
        pixels = np.zeros((360, 640, 3), np.uint8)
        cv2.circle(pixels, (320, 180), 120, colour, -1)
        self._frame = Frame(pixels, captured_at=float(self._sequence), sequence=self._sequence)


async def test_camera_frames_reach_the_model_as_fitted_jpeg() -> None:
    camera = open_camera(camera_video())
    async with conversation(camera, open_frame_pacing(fps=1.0), max_side=320) as rig:
        await wait_until(lambda: rig.assistant.stats.frames_sent >= 3, WAIT_S, "three frames")
        assert rig.assistant.video_sending
        answer = await rig.ask("What do you see?")
    # The server hands a turn the (up to 4) pictures that arrived since the last one.
    assert any(f"I saw {n} images" in answer for n in (3, 4)), answer
    assert rig.of(VideoSendingChanged)[0] == VideoSendingChanged(True)
    assert rig.of(VideoSendingChanged)[-1] == VideoSendingChanged(False)  # stopped
    assert rig.sent_jpegs
    for jpeg in rig.sent_jpegs:
        picture = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert picture.shape == (180, 320, 3)  # 640x360 fitted into 320
        assert len(jpeg) < 60_000


async def test_a_picture_that_does_not_change_is_sent_once(tmp_path: Path) -> None:
    camera = open_camera(still_video(tmp_path / "still.avi"))  # loops: new frames, same picture
    pacing = open_frame_pacing(fps=1.0)
    async with conversation(camera, pacing) as rig:
        await wait_until(lambda: pacing.stats.frames_unchanged >= 3, WAIT_S, "unchanged frames")
        answer = await rig.ask("What do you see?")
        assert rig.assistant.stats.frames_sent == 1
        assert rig.assistant.video_sending  # the service has the picture: still "sending"
    assert "I saw 1 image." in answer, answer


async def test_a_changed_picture_is_sent_at_the_next_look() -> None:
    camera = PictureSource()
    pacing = open_frame_pacing(fps=1.0)
    async with conversation(camera, pacing) as rig:
        camera.show((0, 0, 255))
        await wait_until(lambda: rig.assistant.stats.frames_sent == 1, WAIT_S, "the first frame")
        camera.show((0, 0, 255))  # a new frame of the same picture
        await wait_until(lambda: pacing.stats.frames_unchanged >= 1, WAIT_S, "a look at it")
        await rig.looks(1)
        assert rig.assistant.stats.frames_sent == 1
        camera.show((255, 255, 0))
        await wait_until(lambda: rig.assistant.stats.frames_sent == 2, WAIT_S, "the change")
        answer = await rig.ask("And now?")
    assert "I saw 2 images." in answer, answer
    assert [e.sequence for e in rig.of(VideoFrameSent)] == [1, 3]


async def test_fewer_pictures_go_while_the_user_is_silent() -> None:
    now = 1000.0
    talking_until = 0  # the user talks while fewer frames than this have gone out

    def user_active() -> bool:
        return pacing.stats.frames_sent < talking_until

    pacing = ChangePacing(fps=1.0, idle_fps=0.25, user_active=user_active, clock=lambda: now)
    assert pacing.current_interval_s() == pytest.approx(4.0)
    camera = open_camera(camera_video())  # a picture that keeps changing
    async with conversation(camera, pacing) as rig:
        stats = rig.assistant.stats
        await wait_until(lambda: stats.frames_sent == 1, WAIT_S, "the first frame")
        # Silent, and less than 4 s on the pacing's clock since that frame: nothing is due.
        await wait_until(lambda: pacing.stats.frames_not_due >= 2, WAIT_S, "two looks")
        assert stats.frames_sent == 1
        now += 4.0
        await wait_until(lambda: stats.frames_sent == 2, WAIT_S, "the idle frame")
        await wait_until(lambda: pacing.stats.frames_not_due >= 3, WAIT_S, "another look")
        assert stats.frames_sent == 2
        talking_until = 3  # the user speaks (for one frame): the full rate at once
        assert pacing.current_interval_s() == pytest.approx(1.0)
        await wait_until(lambda: stats.frames_sent == 3, WAIT_S, "a frame while talking")
        answer = await rig.ask("What do you see?")
    assert "I saw 3 images." in answer, answer
    with pytest.raises(ValueError, match="FPS"):
        open_frame_pacing(fps=2.0)


async def test_pause_stops_sending_in_one_call_and_resume_sends_again(tmp_path: Path) -> None:
    camera = open_camera(still_video(tmp_path / "still.avi"))
    pacing = open_frame_pacing(fps=1.0)
    async with conversation(camera, pacing) as rig:
        stats = rig.assistant.stats
        await wait_until(lambda: stats.frames_sent == 1, WAIT_S, "the first frame")
        rig.assistant.set_video_paused(True)
        assert not rig.assistant.video_sending
        assert rig.events[-1] == VideoSendingChanged(False)
        await rig.looks(2)
        assert stats.frames_sent == 1, "nothing may go out while paused"
        rig.assistant.set_video_paused(False)
        # The same still picture goes again: the first one after a pause always does.
        await wait_until(lambda: stats.frames_sent == 2, WAIT_S, "a frame after resuming")
        assert rig.assistant.video_sending
        answer = await rig.ask("What do you see?")
    assert "I saw 2 images." in answer, answer
    sending = [e.sending for e in rig.of(VideoSendingChanged)]
    assert sending == [True, False, True, False]


async def test_no_picture_means_not_sending_and_the_error_is_in_the_stream() -> None:
    relay = MediaRelay()  # the app's: device errors into the assistant's stream
    camera = open_camera(9, on_error=relay)  # no such camera
    pacing = open_frame_pacing(fps=1.0)
    async with conversation(camera, pacing, relay=relay) as rig:
        await rig.looks(2)
        assert not rig.assistant.video_sending
        assert rig.assistant.stats.frames_sent == 0
    (error,) = rig.of(MediaErrored)
    assert error.device == "camera"
    assert "could not be opened" in error.message
    assert not rig.of(VideoSendingChanged)
