"""Frame -> JPEG sizes, and the cheap change measure that skips unchanged pictures."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from desktop_assistant.core.ports import Frame
from desktop_assistant.media.video.encode import encode_jpeg, fit
from desktop_assistant.media.video.pacing import ChangeDetector
from tests.support.fixtures import camera_video


def video_frames(n: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(camera_video()))
    frames = []
    while len(frames) < n:
        ok, pixels = capture.read()
        assert ok, "the stand-in camera video could not be read"
        frames.append(pixels)
    capture.release()
    return frames


@pytest.mark.parametrize(
    ("shape", "max_side", "expected"),
    [
        ((720, 1280), 1024, (576, 1024)),
        ((1600, 900), 1024, (1024, 576)),
        ((360, 640), 1024, (360, 640)),
    ],
)
def test_longest_side_is_fitted_never_enlarged(
    shape: tuple[int, int], max_side: int, expected: tuple[int, int]
) -> None:
    pixels = np.zeros((*shape, 3), np.uint8)
    assert fit(pixels, max_side).shape[:2] == expected


def test_jpeg_decodes_back_to_the_same_picture() -> None:
    pixels = video_frames(1)[0]
    encoded = encode_jpeg(Frame(pixels=pixels, captured_at=1.0, sequence=7), max_side=320)
    assert encoded.jpeg[:2] == b"\xff\xd8"
    decoded = cv2.imdecode(np.frombuffer(encoded.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (180, 320, 3) == (encoded.height, encoded.width, 3)
    reference = cv2.resize(pixels, (320, 180), interpolation=cv2.INTER_AREA)
    assert np.mean(np.abs(decoded.astype(int) - reference.astype(int))) < 6
    assert encoded.sequence == 7
    assert encoded.encode_ms > 0


def test_change_detector_skips_a_still_picture_and_noise_but_not_motion() -> None:
    first, *rest = video_frames(40)
    detector = ChangeDetector(threshold=2.0)
    assert detector.changed(first)
    detector.accept(first)
    assert not detector.changed(first.copy())
    noisy = np.clip(first.astype(int) + np.random.default_rng(3).normal(0, 4, first.shape), 0, 255)
    assert not detector.changed(noisy.astype(np.uint8)), "sensor noise is not a change"
    assert detector.changed(rest[-1]), f"4 s of motion not seen ({detector.last_difference:.2f})"
    blank = np.zeros_like(first)
    assert detector.changed(blank)
