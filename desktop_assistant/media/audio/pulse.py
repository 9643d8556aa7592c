"""PulseAudio (and PipeWire's pulse server): real device names, routing, and removal events.

On Linux, PortAudio only sees ALSA, so every PulseAudio device hides behind one ALSA PCM named
``pulse`` (and ``default``). To offer the user the devices they know ("Built-in Microphone",
"USB Headset") this module:

- lists sources and sinks with ``pactl --format=json`` (name, description, native format);
- opens a chosen one by setting ``PULSE_SOURCE``/``PULSE_SINK`` while PortAudio opens the PCM:
  the ALSA pulse plugin creates its client context at open time and reads the variables then
  (verified on PulseAudio 16). A lock serialises this, and the previous values are restored at
  once, so no other stream is affected. A stream opened without a route follows the system
  default (the server moves it when the default changes);
- watches ``pactl subscribe`` for a routed device being removed. The server then quietly moves
  the stream to the fallback device, so PortAudio sees nothing: this is how the user hears
  that their headset is gone.

``pactl`` is in pulseaudio-utils; without it the app falls back to PortAudio's own device list.
Listing runs a subprocess (a few ms): call it from an executor when on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

log = logging.getLogger(__name__)

Kind = Literal["input", "output"]

_ROUTE_LOCK = threading.Lock()
_SPEC = re.compile(r"(\d+)ch\s+(\d+)Hz")
_EVENT = re.compile(r"Event '(\w+)' on (source|sink) #(\d+)")
_LIST_TIMEOUT_SECS = 5.0


@dataclass(frozen=True, slots=True)
class PulseDevice:
    index: int
    name: str  # the server's name (what PULSE_SOURCE/PULSE_SINK take)
    description: str  # what the user sees
    channels: int
    rate_hz: int
    is_default: bool
    is_monitor: bool


def pactl_available() -> bool:
    return shutil.which("pactl") is not None


def _pactl(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["pactl", *args],
            capture_output=True,
            text=True,
            timeout=_LIST_TIMEOUT_SECS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def list_pulse_devices(kind: Kind) -> list[PulseDevice] | None:
    """The server's sources (``input``) or sinks (``output``); ``None`` if no server answers."""
    if not pactl_available():
        return None
    what = "sources" if kind == "input" else "sinks"
    raw = _pactl("--format=json", "list", what)
    default = _pactl("get-default-source" if kind == "input" else "get-default-sink")
    if raw is None:
        return None
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError:
        log.warning("pactl printed something that is not JSON; ignoring PulseAudio devices")
        return None
    default_name = (default or "").strip()
    devices = []
    for entry in entries:
        spec = _SPEC.search(str(entry.get("sample_specification", "")))
        props = entry.get("properties") or {}
        devices.append(
            PulseDevice(
                index=int(entry["index"]),
                name=str(entry["name"]),
                description=str(entry.get("description") or entry["name"]),
                channels=int(spec.group(1)) if spec else 2,
                rate_hz=int(spec.group(2)) if spec else 48_000,
                is_default=entry["name"] == default_name,
                is_monitor=props.get("device.class") == "monitor",
            )
        )
    return devices


@contextlib.contextmanager
def routed(kind: Kind, name: str | None) -> Iterator[None]:
    """While PortAudio opens a stream inside this block, the pulse plugin connects to ``name``."""
    if name is None:
        yield
        return
    var = "PULSE_SOURCE" if kind == "input" else "PULSE_SINK"
    with _ROUTE_LOCK:
        previous = os.environ.get(var)
        os.environ[var] = name
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = previous


class PulseRemovalWatcher:
    """Runs ``pactl subscribe``; calls ``on_removed()`` (loop thread) when the device goes away."""

    def __init__(self, kind: Kind, index: int, on_removed: Callable[[], None]) -> None:
        self._facility = "source" if kind == "input" else "sink"
        self._index = index
        self._on_removed = on_removed
        self._proc: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        """Set at the first event seen: from then on, nothing is missed. (``pactl subscribe``
        prints nothing until the server reports something, so there is no earlier signal.)"""

    async def start(self) -> None:
        if not pactl_available():
            return
        try:
            self._proc = await asyncio.create_subprocess_exec(
                "pactl",
                "subscribe",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError:
            log.warning("could not watch PulseAudio for device removal (pactl subscribe failed)")
            return
        self._task = asyncio.create_task(self._read(), name=f"pulse-watch-{self._facility}")

    async def _read(self) -> None:
        assert self._proc is not None
        assert self._proc.stdout is not None
        while True:
            line = await self._proc.stdout.readline()
            if not line:
                return
            self.ready.set()
            match = _EVENT.search(line.decode(errors="replace"))
            if match is None:
                continue
            event, facility, index = match.group(1), match.group(2), int(match.group(3))
            if event == "remove" and facility == self._facility and index == self._index:
                self._on_removed()

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            with contextlib.suppress(ProcessLookupError):
                await self._proc.wait()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._proc = None
        self._task = None
