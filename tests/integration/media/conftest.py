"""Video sources and the video uplink: a file as the camera, Xvfb as the screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.xvfb import VirtualDisplay


@pytest.fixture(scope="session")
def virtual_display() -> Iterator[VirtualDisplay]:
    """A private X server for the screen-capture tests (the rest of the suite stays offscreen)."""
    display = VirtualDisplay()
    display.start()
    try:
        yield display
    finally:
        display.stop()
