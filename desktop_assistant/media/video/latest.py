"""What camera and screen sources share: the latest-frame slot, the state, error reporting.

A reader thread overwrites one slot (an attribute swap, atomic under the GIL); consumers (the
uplink at 1 FPS, a preview at 15-30 Hz) pull whatever is newest. Nothing ever queues frames, so
a slow consumer can never delay anything or grow memory.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
from collections.abc import Callable

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.core.ports import Frame

log = logging.getLogger(__name__)

ErrorSink = Callable[[MediaErrored], None]


class SourceState(enum.Enum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    ENDED = "ended"  # a file ran out, a window closed: nothing more will come
    UNAVAILABLE = "unavailable"  # could not be opened, or lost; see the MediaErrored message


StateListener = Callable[[SourceState], None]


class ReaderSource:
    """Base of the camera and screen sources: a reader thread feeding a latest-frame slot."""

    role = "camera"  # the ``device`` of MediaErrored

    def __init__(self, *, on_error: ErrorSink | None = None) -> None:
        self._on_error = on_error
        self._latest: Frame | None = None
        self._sequence = 0
        self._state = SourceState.STOPPED
        self._listeners: list[StateListener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors: list[MediaErrored] = []
        self.frames_read = 0

    # ------------------------------------------------------------------ FrameSource

    def latest(self) -> Frame | None:
        return self._latest

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> SourceState:
        return self._state

    def add_listener(self, listener: StateListener) -> None:
        """``listener(state)`` on the loop thread after every change."""
        self._listeners.append(listener)

    def _set_state(self, state: SourceState) -> None:
        # Loop thread.
        if state is self._state:
            return
        self._state = state
        for listener in list(self._listeners):
            listener(state)

    def _report(self, message: str, *, recoverable: bool) -> None:
        # Loop thread.
        event = MediaErrored(device=self.role, message=message, recoverable=recoverable)
        log.warning("%s: %s", self.role, message)
        self.errors.append(event)
        if self._on_error is not None:
            self._on_error(event)

    # ------------------------------------------------------------------ reader side

    def _publish(self, pixels: object, captured_at: float) -> None:
        # Reader thread: one attribute store makes the frame visible.
        self._sequence += 1
        self.frames_read += 1
        self._latest = Frame(pixels=pixels, captured_at=captured_at, sequence=self._sequence)  # type: ignore[arg-type]

    def _from_reader(self, state: SourceState, message: str | None, recoverable: bool) -> None:
        """Reader thread: change state (and report) on the loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        def apply() -> None:
            if message is not None:
                self._report(message, recoverable=recoverable)
            self._set_state(state)

        try:
            loop.call_soon_threadsafe(apply)
        except RuntimeError:  # the loop closed meanwhile
            pass

    def _start_thread(self, target: Callable[[], None], name: str) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=target, name=name, daemon=True)
        self._thread.start()

    async def _join_thread(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5.0)
            self._thread = None
