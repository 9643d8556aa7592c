"""What the server has done so far, for tests, benchmarks and the ``--stats`` log line.

Everything here is touched on the event loop thread only. :meth:`ServerStats.wait_for` lets a test
wait for a condition (a turn completed, a connection closed) without sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class ConnectionInfo:
    """One WebSocket connection, in the order the server accepted them (``index`` from 1)."""

    index: int
    backend: str
    api_version: str
    method: str
    model: str | None = None
    resumed: bool = False
    setup_completed: bool = False
    closed: bool = False
    close_code: int | None = None  # what the server closed with (None: the client closed first)
    close_reason: str = ""
    frames_in: int = 0
    frames_out: int = 0
    turns_completed: int = 0
    interruptions: int = 0
    faults_fired: list[str] = field(default_factory=list)
    # (kind, seconds into this connection's 16 kHz input stream), from the voice-activity detector
    vad_events: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class ServerStats:
    connections_total: int = 0
    connections_active: int = 0
    sessions_started: int = 0  # connections that got setupComplete
    rejected: int = 0  # closed before setupComplete (credential, setup, route)
    frames_in: int = 0
    frames_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    turns_completed: int = 0
    interruptions: int = 0
    audio_in_s: float = 0.0
    audio_out_s: float = 0.0
    connections: list[ConnectionInfo] = field(default_factory=list)
    _changed: asyncio.Event | None = field(default=None, repr=False)

    def notify(self) -> None:
        """Wake whoever waits in :meth:`wait_for`; call after any change worth waiting for."""
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def wait_for(self, condition: Callable[[], bool], within_s: float = 10.0) -> None:
        """Return once ``condition()`` is true, re-checked after every change.

        Raises:
            TimeoutError: if it is still false after ``within_s`` seconds.
        """
        async with asyncio.timeout(within_s):
            while not condition():
                if self._changed is None:
                    self._changed = asyncio.Event()
                await self._changed.wait()

    def as_dict(self) -> dict[str, float]:
        return {
            "connections_total": self.connections_total,
            "connections_active": self.connections_active,
            "sessions_started": self.sessions_started,
            "rejected": self.rejected,
            "frames_in": self.frames_in,
            "frames_out": self.frames_out,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "turns_completed": self.turns_completed,
            "interruptions": self.interruptions,
            "audio_in_s": round(self.audio_in_s, 3),
            "audio_out_s": round(self.audio_out_s, 3),
        }
