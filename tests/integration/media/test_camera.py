"""A video file standing in for the webcam; a camera that is missing; a video that ends."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.media.video.factory import open_camera
from desktop_assistant.media.video.latest import SourceState
from tests.integration.media.waiting import wait_until
from tests.support.fixtures import camera_video

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


def short_video(path: Path, frames: int = 5, fps: float = 20.0) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (160, 120))
    assert writer.isOpened()
    for i in range(frames):
        image = np.full((120, 160, 3), 40 * i, np.uint8)
        writer.write(image)
    writer.release()
    return path


async def test_a_video_file_stands_in_for_the_camera_latest_frame_wins() -> None:
    errors: list[MediaErrored] = []
    camera = open_camera(camera_video(), on_error=errors.append)
    assert camera.latest() is None
    await camera.start()
    try:
        assert camera.state is SourceState.RUNNING
        await wait_until(lambda: camera.latest() is not None, 10, "the first frame")
        first = camera.latest()
        assert first is not None
        assert (first.width, first.height) == (640, 360)
        assert first.pixels.dtype == np.uint8
        assert first.pixels.shape == (360, 640, 3)
        await wait_until(lambda: camera.latest().sequence >= first.sequence + 3, 10, "new frames")
        newer = camera.latest()
        assert newer is not None
        assert newer.captured_at > first.captured_at
        assert not np.array_equal(newer.pixels, first.pixels), "the scene moves"
    finally:
        await camera.stop()
    assert camera.state is SourceState.STOPPED
    assert errors == []
    assert camera.native_fps == pytest.approx(10.0)


async def test_a_video_file_loops_like_a_camera_that_never_ends(tmp_path: Path) -> None:
    camera = open_camera(short_video(tmp_path / "short.avi"))
    await camera.start()
    try:
        await wait_until(lambda: camera.loops >= 2, 10, "the file to loop twice")
        assert camera.state is SourceState.RUNNING
    finally:
        await camera.stop()


async def test_a_camera_video_that_ends_says_so_and_keeps_the_last_frame(tmp_path: Path) -> None:
    errors: list[MediaErrored] = []
    states: list[SourceState] = []
    camera = open_camera(short_video(tmp_path / "end.avi"), loop_file=False, on_error=errors.append)
    camera.add_listener(states.append)
    await camera.start()
    try:
        await wait_until(lambda: camera.state is SourceState.ENDED, 10, "the video to end")
    finally:
        await camera.stop()
    assert errors == [
        MediaErrored(
            device="camera", message="The camera video 'end.avi' ended.", recoverable=False
        )
    ]
    assert states[:3] == [SourceState.STARTING, SourceState.RUNNING, SourceState.ENDED]
    last = camera.latest()
    assert last is not None
    assert last.sequence == 5
    assert int(last.pixels.mean()) == pytest.approx(160, abs=3)


async def test_a_missing_camera_is_reported_not_raised() -> None:
    errors: list[MediaErrored] = []
    camera = open_camera(7, on_error=errors.append)  # there is no /dev/video7
    await camera.start()
    assert camera.state is SourceState.UNAVAILABLE
    assert camera.latest() is None
    assert len(errors) == 1
    assert errors[0].device == "camera"
    assert "Camera 7 could not be opened" in errors[0].message
    await camera.stop()


async def test_a_camera_file_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    errors: list[MediaErrored] = []
    camera = open_camera(tmp_path / "nope.avi", on_error=errors.append)
    await camera.start()
    assert camera.state is SourceState.UNAVAILABLE
    assert errors[0].message == "The camera video 'nope.avi' does not exist."


async def test_a_file_that_is_not_a_video_is_reported(tmp_path: Path) -> None:
    junk = tmp_path / "notes.avi"
    junk.write_bytes(b"this is not a video" * 100)
    errors: list[MediaErrored] = []
    camera = open_camera(junk, on_error=errors.append)
    await camera.start()
    try:
        await wait_until(lambda: camera.state is not SourceState.RUNNING, 10, "a verdict")
    finally:
        await camera.stop()
    assert errors, "an unreadable video must be reported"
    assert errors[0].device == "camera"
    assert camera.latest() is None
