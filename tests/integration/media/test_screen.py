"""Screen capture on a real (virtual) X server: a monitor, a region, a window; and "unavailable"."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.media.video.factory import (
    Monitor,
    Region,
    Window,
    open_screen,
    probe_screen_capture,
)
from desktop_assistant.media.video.latest import SourceState
from tests.integration.media.waiting import wait_until
from tests.support.xvfb import ColourWindow, VirtualDisplay

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

RED_BGR = (0, 0, 255)
BLUE_BGR = (255, 0, 0)


@pytest.fixture
def red_window(virtual_display: VirtualDisplay):  # type: ignore[no-untyped-def]
    window = ColourWindow(
        virtual_display.display, "Quarterly Report", (100, 120, 300, 200), (255, 0, 0)
    )
    yield window
    window.close()


async def grab_one(source) -> np.ndarray:  # type: ignore[no-untyped-def]
    await source.start()
    try:
        await wait_until(lambda: source.latest() is not None, 10, "a screenshot")
        return source.latest().pixels
    finally:
        await source.stop()


async def test_a_whole_monitor_shows_the_window_where_it_is(
    virtual_display: VirtualDisplay, red_window: ColourWindow
) -> None:
    pixels = await grab_one(open_screen(Monitor(1), display=virtual_display.display))
    assert pixels.shape == (800, 1280, 3)
    assert tuple(pixels[220, 250]) == RED_BGR  # inside the window
    assert tuple(pixels[50, 50]) != RED_BGR  # outside it


async def test_a_region_is_exactly_that_rectangle(
    virtual_display: VirtualDisplay, red_window: ColourWindow
) -> None:
    pixels = await grab_one(open_screen(Region(50, 100, 200, 100), display=virtual_display.display))
    assert pixels.shape == (100, 200, 3)
    assert tuple(pixels[50, 150]) == RED_BGR  # screen (200, 150): inside the window
    assert tuple(pixels[50, 10]) != RED_BGR  # screen (60, 150): left of it


async def test_a_window_is_found_by_title_and_followed_until_it_closes(
    virtual_display: VirtualDisplay,
) -> None:
    errors: list[MediaErrored] = []
    window = ColourWindow(virtual_display.display, "Design Mockup", (10, 10, 320, 240), (0, 0, 255))
    screen = open_screen(Window("mockup"), display=virtual_display.display, on_error=errors.append)
    await screen.start()
    try:
        await wait_until(lambda: screen.latest() is not None, 10, "the window")
        pixels = screen.latest().pixels
        assert pixels.shape == (240, 320, 3)
        assert np.all(pixels == np.array(BLUE_BGR, np.uint8))
        window.move(600, 400)
        seq = screen.latest().sequence
        await wait_until(lambda: screen.latest().sequence > seq + 1, 10, "a grab after the move")
        assert np.all(screen.latest().pixels == np.array(BLUE_BGR, np.uint8)), (
            "it follows the window"
        )
        window.close()
        await wait_until(lambda: screen.state is SourceState.ENDED, 10, "the window to be gone")
    finally:
        window.close()
        await screen.stop()
    assert errors == [
        MediaErrored(device="screen", message="The window 'mockup' was closed.", recoverable=False)
    ]


async def test_a_window_that_does_not_exist_is_reported(virtual_display: VirtualDisplay) -> None:
    errors: list[MediaErrored] = []
    screen = open_screen(
        Window("Nonexistent App"), display=virtual_display.display, on_error=errors.append
    )
    await screen.start()
    try:
        await wait_until(lambda: screen.state is SourceState.UNAVAILABLE, 10, "the verdict")
    finally:
        await screen.stop()
    assert errors[0].message == "There is no window called 'Nonexistent App'."


@pytest.mark.parametrize(
    ("display", "reason"),
    [("", "no X server"), (":93", "Screen capture is not available")],
    ids=["no-display", "dead-display"],
)
async def test_screen_capture_unavailable_is_reported_cleanly(display: str, reason: str) -> None:
    """Wayland/offscreen/no X: the app can fall back to Qt's grabber on this state."""
    assert reason in (probe_screen_capture(display) or "")
    errors: list[MediaErrored] = []
    states: list[SourceState] = []
    screen = open_screen(display=display, on_error=errors.append)
    screen.add_listener(states.append)
    await screen.start()
    assert screen.state is SourceState.UNAVAILABLE
    assert screen.unavailable_reason is not None
    assert reason in screen.unavailable_reason
    assert screen.latest() is None
    assert [e.device for e in errors] == ["screen"]
    assert not errors[0].recoverable
    await screen.stop()


async def test_probe_says_yes_where_capture_works(virtual_display: VirtualDisplay) -> None:
    assert probe_screen_capture(virtual_display.display) is None
