"""Keeps one PortAudio stream alive: opens it, notices it failing, falls back, tells the user.

A device can fail in three ways, and each is handled the same way (report, then reopen: the
chosen device if it is still there, else the system default), so the conversation keeps going:

- **removed** (PulseAudio): the server moves the stream elsewhere and PortAudio sees nothing;
  ``pactl subscribe`` tells us (``pulse.PulseRemovalWatcher``);
- **finished**: PortAudio ended the stream on an error (an unplugged device on other hosts);
- **stalled**: the callback stopped being called (a suspended or wedged device) -- the owner's
  callback bumps ``beats`` and a watchdog on the loop notices when it stops.

Reports go to ``on_error`` as ``MediaErrored`` (loop thread); ``status`` and the listeners let the
UI show "microphone unavailable" and clear it on recovery. Opening and closing streams happen in
a worker thread because PortAudio calls can block for tens of milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Callable
from typing import Protocol

import sounddevice as sd

from desktop_assistant.core.events import MediaErrored
from desktop_assistant.media.audio import devices
from desktop_assistant.media.audio.devices import AudioDevice, Kind
from desktop_assistant.media.audio.pulse import PulseRemovalWatcher

log = logging.getLogger(__name__)

_RETRY_BACKOFF_S = (0.5, 1.0, 2.0, 4.0)
_CLOSE_TIMEOUT_S = 2.0


class StreamStatus(enum.Enum):
    STOPPED = "stopped"
    RUNNING = "running"
    STALLED = "stalled"  # open but silent: being reopened
    UNAVAILABLE = "unavailable"  # no device could be opened: retrying


class Stream(Protocol):
    """The part of a sounddevice stream this uses."""

    @property
    def latency(self) -> float: ...

    def start(self) -> None: ...

    def abort(self) -> None: ...

    def close(self) -> None: ...


ErrorSink = Callable[[MediaErrored], None]
StatusListener = Callable[[StreamStatus, AudioDevice | None], None]


class StreamSupervisor:
    def __init__(
        self,
        *,
        kind: Kind,
        role: str,
        label: str,
        requested: str | None,
        open_stream: Callable[[AudioDevice], Stream],
        on_error: ErrorSink | None = None,
        stall_s: float = 1.0,
        poll_s: float = 0.2,
    ) -> None:
        self.kind = kind
        self.role = role  # the ``device`` of MediaErrored: "mic" or "speaker"
        self.label = label  # in messages: "microphone" or "speaker"
        self.requested = requested
        self._open_stream = open_stream
        self._on_error = on_error
        self._stall_s = stall_s
        self._poll_s = poll_s
        self.beats = 0
        """Bumped by the owner's audio callback on every call (audio thread, one writer)."""
        self.finished = False
        """Set by the stream's ``finished_callback`` (audio thread)."""
        self.device: AudioDevice | None = None
        self.stream: Stream | None = None
        self.status = StreamStatus.STOPPED
        self.errors: list[MediaErrored] = []
        self._listeners: list[StatusListener] = []
        self._watchdog: asyncio.Task[None] | None = None
        self._watcher: PulseRemovalWatcher | None = None
        self._removed = False
        self._attempt = 0
        self._next_retry = 0.0

    # ------------------------------------------------------------------ observers

    def add_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def _set_status(self, status: StreamStatus) -> None:
        if status is self.status:
            return
        self.status = status
        for listener in list(self._listeners):
            listener(status, self.device)

    def report(self, message: str, *, recoverable: bool = True) -> None:
        event = MediaErrored(device=self.role, message=message, recoverable=recoverable)
        log.warning("%s: %s", self.role, message)
        self.errors.append(event)
        if self._on_error is not None:
            self._on_error(event)

    @property
    def watcher(self) -> PulseRemovalWatcher | None:
        return self._watcher

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        device = await self._resolve_requested()
        if device is not None and await self._open(device):
            self._set_status(StreamStatus.RUNNING)
        else:
            self._became_unavailable()
        self._watchdog = asyncio.create_task(self._watch(), name=f"{self.role}-watchdog")

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None
        await self._close()
        self._set_status(StreamStatus.STOPPED)

    async def _resolve_requested(self) -> AudioDevice | None:
        try:
            return await asyncio.to_thread(devices.find_device, self.kind, self.requested)
        except devices.DeviceNotFoundError as exc:
            self.report(f"{exc}. Using the system default {self.label} instead.")
        except devices.NoDeviceError:
            return None
        return await self._resolve_default()

    async def _resolve_default(self) -> AudioDevice | None:
        try:
            return await asyncio.to_thread(devices.default_device, self.kind)
        except devices.NoDeviceError:
            return None

    async def _open(self, device: AudioDevice) -> bool:
        self.finished = False
        try:
            stream = await asyncio.to_thread(self._open_and_start, device)
        except (sd.PortAudioError, ValueError, OSError) as exc:
            log.info("%s: opening %r failed: %s", self.role, device.name, exc)
            return False
        self.stream = stream
        self.device = device
        self._removed = False
        if device.route_index is not None:
            self._watcher = PulseRemovalWatcher(self.kind, device.route_index, self._on_removed)
            await self._watcher.start()
        return True

    def _open_and_start(self, device: AudioDevice) -> Stream:
        stream = self._open_stream(device)
        try:
            stream.start()
        except BaseException:
            stream.close()
            raise
        return stream

    async def _close(self) -> None:
        if self._watcher is not None:
            await self._watcher.stop()
            self._watcher = None
        stream, self.stream = self.stream, None
        if stream is None:
            return

        def close() -> None:
            # abort, not stop: stop() waits for a drain that a stalled device never delivers.
            with contextlib.suppress(sd.PortAudioError):
                stream.abort()
            with contextlib.suppress(sd.PortAudioError):
                stream.close()

        try:
            await asyncio.wait_for(asyncio.to_thread(close), timeout=_CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("%s: the old stream did not close; abandoning it", self.role)

    # ------------------------------------------------------------------ failure handling

    def _on_removed(self) -> None:
        self._removed = True

    def _became_unavailable(self) -> None:
        if self.status is not StreamStatus.UNAVAILABLE:
            self.report(
                f"No {self.label} is available. The conversation continues; "
                f"the {self.label} will be used as soon as one appears."
            )
        self.device = None
        self._set_status(StreamStatus.UNAVAILABLE)
        self._schedule_retry()

    def _schedule_retry(self) -> None:
        delay = _RETRY_BACKOFF_S[min(self._attempt, len(_RETRY_BACKOFF_S) - 1)]
        self._attempt += 1
        self._next_retry = time.monotonic() + delay

    async def _reopen(self, prefer_requested: bool) -> None:
        await self._close()
        device: AudioDevice | None = None
        if prefer_requested and self.requested is not None:
            with contextlib.suppress(devices.DeviceNotFoundError, devices.NoDeviceError):
                device = await asyncio.to_thread(devices.find_device, self.kind, self.requested)
        if device is None:
            device = await self._resolve_default()
        if device is not None and await self._open(device):
            return
        self._became_unavailable()

    async def _watch(self) -> None:
        last_beats = self.beats
        last_change = time.monotonic()
        while True:
            # Polling a counter the audio thread bumps: no event exists for "nothing happened".
            await asyncio.sleep(self._poll_s)
            now = time.monotonic()
            if self.beats != last_beats:
                last_beats = self.beats
                last_change = now
                if self.status is StreamStatus.STALLED:
                    self._attempt = 0
                    self._set_status(StreamStatus.RUNNING)
                    log.info("%s: %r delivers again", self.role, self.device_name)
            if self.status is StreamStatus.UNAVAILABLE:
                if now >= self._next_retry:
                    await self._reopen(prefer_requested=True)
                    if self.stream is not None:
                        self._attempt = 0
                        last_change = time.monotonic()
                        self._set_status(StreamStatus.RUNNING)
                        log.info("%s: %r is working again", self.role, self.device_name)
                continue
            if self._removed:
                gone = self.device_name
                await self._reopen(prefer_requested=False)
                last_change = time.monotonic()
                if self.stream is not None:
                    self.report(
                        f"The {self.label} {gone!r} was disconnected. "
                        f"Using {self.device_name!r} (the system default) instead."
                    )
                continue
            stalled = now - last_change > self._stall_s
            if self.finished or stalled:
                if self.status is not StreamStatus.STALLED:
                    reason = (
                        "stopped with an error" if self.finished else "stopped delivering audio"
                    )
                    self.report(f"The {self.label} {self.device_name!r} {reason}; reopening it.")
                    self._set_status(StreamStatus.STALLED)
                    self._attempt = 0
                    self._next_retry = now
                if now >= self._next_retry:
                    await self._reopen(prefer_requested=True)
                    last_change = time.monotonic()
                    if self.stream is not None:
                        self._schedule_retry()

    @property
    def device_name(self) -> str:
        return self.device.name if self.device is not None else "(none)"
