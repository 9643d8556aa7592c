"""The video uplink: paced JPEGs to the local Live server through the SDK, skips, pause."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from google import genai
from google.genai import types

from desktop_assistant.media.video.factory import open_camera, open_video_uplink
from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.media.waiting import wait_until
from tests.support.fixtures import camera_video

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(90)]

MODEL = "gemini-2.5-flash-native-audio-preview-09-2025"


@contextlib.asynccontextmanager
async def live_session() -> AsyncIterator[Any]:
    async with LocalLiveServer(ServerOptions(engine="echo", speed=50.0, espeak=None)) as server:
        client = genai.Client(
            api_key=server.api_key,
            http_options=types.HttpOptions(
                base_url=server.base_url,
                api_version="v1beta",
                async_client_args={"ssl": server.client_ssl_context(), "proxy": None},
            ),
        )
        config = types.LiveConnectConfig(
            response_modalities=["AUDIO"],
            output_audio_transcription=types.AudioTranscriptionConfig(),
        )
        async with client.aio.live.connect(model=MODEL, config=config) as session:
            yield session


def still_video(path: Path) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (320, 240))
    picture = np.zeros((240, 320, 3), np.uint8)
    cv2.rectangle(picture, (40, 40), (200, 160), (0, 200, 255), -1)
    for _ in range(10):
        writer.write(picture)
    writer.release()
    return path


async def test_camera_frames_reach_the_model_as_jpeg_at_most_once_a_second() -> None:
    camera = open_camera(camera_video())
    sent: list[bytes] = []
    async with live_session() as session:

        async def send(jpeg: bytes) -> None:
            await session.send_realtime_input(video=types.Blob(data=jpeg, mime_type="image/jpeg"))
            sent.append(jpeg)

        uplink = open_video_uplink(camera, send, fps=1.0, max_side=320)
        states: list[bool] = []
        uplink.add_listener(states.append)
        await camera.start()
        uplink.start()
        try:
            await wait_until(lambda: uplink.stats.frames_sent >= 3, 30, "three frames")
            assert uplink.sending
            await session.send_realtime_input(text="What do you see?")
            transcript = ""
            async with asyncio.timeout(30):
                async for message in session.receive():
                    content = message.server_content
                    if content and content.output_transcription:
                        transcript += content.output_transcription.text or ""
        finally:
            await uplink.stop()
            await camera.stop()
    assert "I saw" in transcript, transcript
    assert "images" in transcript, transcript
    assert states[0] is True
    assert states[-1] is False  # stopped: nothing is being sent any more
    for jpeg in sent:
        picture = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert picture.shape == (180, 320, 3)  # 640x360 fitted into 320
    assert uplink.stats.encode_ms
    assert max(uplink.stats.jpeg_bytes) < 60_000


async def test_a_picture_that_does_not_change_is_sent_once(tmp_path: Path) -> None:
    camera = open_camera(still_video(tmp_path / "still.avi"))
    sent: list[bytes] = []

    async def send(jpeg: bytes) -> None:
        sent.append(jpeg)

    uplink = open_video_uplink(camera, send, fps=1.0)
    await camera.start()
    uplink.start()
    try:
        await wait_until(lambda: uplink.stats.frames_unchanged >= 3, 20, "unchanged pictures")
    finally:
        await uplink.stop()
        await camera.stop()
    assert len(sent) == 1
    assert uplink.stats.frames_sent == 1


async def test_pause_stops_sending_in_one_call_and_resume_sends_again() -> None:
    camera = open_camera(camera_video())
    sent: list[bytes] = []

    async def send(jpeg: bytes) -> None:
        sent.append(jpeg)

    uplink = open_video_uplink(camera, send, fps=1.0)
    states: list[bool] = []
    uplink.add_listener(states.append)
    await camera.start()
    uplink.start()
    try:
        await wait_until(lambda: len(sent) >= 1, 20, "the first frame")
        uplink.pause()
        assert not uplink.sending
        assert uplink.paused
        count, ticks = len(sent), uplink.stats.ticks
        await wait_until(lambda: uplink.stats.ticks >= ticks + 2, 20, "two paused slots")
        assert len(sent) == count, "nothing may go out while paused"
        uplink.resume()
        await wait_until(lambda: len(sent) > count, 20, "a frame after resuming")
        assert uplink.sending
    finally:
        await uplink.stop()
        await camera.stop()
    assert states[:3] == [True, False, True]


async def test_the_rate_drops_while_the_user_is_silent() -> None:
    talking = True
    camera = open_camera(camera_video())

    async def send(jpeg: bytes) -> None:
        return None

    uplink = open_video_uplink(camera, send, fps=1.0, idle_fps=0.25, user_active=lambda: talking)
    assert uplink.current_interval_s() == pytest.approx(1.0)
    talking = False
    assert uplink.current_interval_s() == pytest.approx(4.0)
    with pytest.raises(ValueError, match="FPS"):
        open_video_uplink(camera, send, fps=2.0)


async def test_no_picture_means_not_sending() -> None:
    camera = open_camera(9)  # missing

    async def send(jpeg: bytes) -> None:
        raise AssertionError("nothing to send")

    uplink = open_video_uplink(camera, send, fps=1.0)
    await camera.start()
    uplink.start()
    try:
        await wait_until(lambda: uplink.stats.ticks >= 3, 10, "a few slots")
    finally:
        await uplink.stop()
        await camera.stop()
    assert not uplink.sending
    assert uplink.stats.frames_sent == 0
