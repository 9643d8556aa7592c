"""Session resumption: what a handle brings back, and the rule that each handle works once.

After every completed turn a session with ``sessionResumption`` in its setup gets a fresh handle
naming a snapshot of its conversation (history, turn count, usage). A new connection that sends
the handle in its setup continues that conversation; the handle is then spent.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop_assistant.server.engines.base import Message
from desktop_assistant.server.messages import Usage

HANDLE_TTL_S = 2 * 3600.0  # handles are valid 2 h after they were issued


@dataclass(frozen=True, slots=True)
class Snapshot:
    history: tuple[Message, ...]
    turn_index: int  # user turns answered so far
    usage: Usage
    token: str | None  # the ephemeral token that opened the session, if any


class ResumptionStore:
    def __init__(self, ttl_s: float = HANDLE_TTL_S, clock: Callable[[], float] = time.time) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._snapshots: dict[str, tuple[float, Snapshot]] = {}
        self._lock = threading.Lock()

    def issue(self, snapshot: Snapshot) -> str:
        handle = secrets.token_urlsafe(24)
        now = self._clock()
        with self._lock:
            self._drop_expired(now)
            self._snapshots[handle] = (now + self._ttl_s, snapshot)
        return handle

    def take(self, handle: str) -> Snapshot | None:
        """The snapshot ``handle`` names, once; ``None`` if unknown, spent or expired."""
        with self._lock:
            entry = self._snapshots.pop(handle, None)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def __len__(self) -> int:
        with self._lock:
            return len(self._snapshots)

    def _drop_expired(self, now: float) -> None:
        for handle in [h for h, (until, _) in self._snapshots.items() if until <= now]:
            del self._snapshots[handle]
