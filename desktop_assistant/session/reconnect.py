"""Reconnect policy: the failure budget, backoff, the resumption handle, and GoAway timing.

Pure logic with an injected clock, so every rule is tested without a socket or a sleep:

* **Failure budget**: unplanned drops count; after ``max_attempts`` in a row the session gives up.
  A link that stays up ``stable_after_s`` resets the count (a long conversation may survive many
  isolated drops). Planned handovers (GoAway) never count.
* **Backoff**: exponential from ``initial_s`` to ``max_s``, none before the first retry of a
  link that had been stable (the user should not wait after a one-off drop).
* **Resumption handle**: only ``resumable`` updates with a handle are kept; a handle is given out
  once (a second connection must never present it again).
* **GoAway**: hand over at the next turn boundary, but no later than ``margin_s`` before the
  service's deadline (or half the notice, if the notice is shorter than twice the margin).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


class FailureBudget:
    def __init__(
        self,
        max_attempts: int = 5,
        *,
        initial_s: float = 0.5,
        max_s: float = 8.0,
        stable_after_s: float = 10.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.max_attempts = max_attempts
        self.initial_s = initial_s
        self.max_s = max_s
        self.stable_after_s = stable_after_s
        self._clock = clock
        self.failures = 0
        self._up_since: float | None = None

    def connected(self) -> None:
        """A connection finished setup."""
        self._up_since = self._clock()

    def check_stable(self) -> bool:
        """Reset the count if the current link has been up long enough; True if it reset."""
        if (
            self._up_since is not None
            and self.failures
            and self._clock() - self._up_since >= self.stable_after_s
        ):
            self.failures = 0
            return True
        return False

    def failed(self) -> bool:
        """Count one unplanned failure; False once the budget is spent."""
        self.check_stable()
        self._up_since = None
        self.failures += 1
        return self.failures <= self.max_attempts

    @property
    def exhausted(self) -> bool:
        return self.failures > self.max_attempts

    def delay_s(self) -> float:
        """How long to wait before the next attempt (0 for the first retry)."""
        if self.failures <= 1:
            return 0.0
        return float(min(self.max_s, self.initial_s * 2 ** (self.failures - 2)))


class ResumptionState:
    """The latest usable resumption handle, handed out at most once."""

    def __init__(self) -> None:
        self._handle: str | None = None
        self.updates = 0

    def offer(self, handle: str | None, resumable: bool) -> bool:
        """Keep ``handle`` if the service says it can be resumed from; True if kept."""
        self.updates += 1
        if resumable and handle:
            self._handle = handle
            return True
        return False

    @property
    def available(self) -> bool:
        return self._handle is not None

    def take(self) -> str | None:
        handle, self._handle = self._handle, None
        return handle

    def forget(self) -> None:
        self._handle = None


@dataclass(frozen=True, slots=True)
class HandoverDeadline:
    received_at: float
    deadline: float
    """The latest moment to start the handover (``time_left`` minus the margin)."""
    service_deadline: float
    """When the service will cut the connection."""


def handover_deadline(time_left_s: float, *, margin_s: float, now: float) -> HandoverDeadline:
    """When to hand over after a GoAway that gives ``time_left_s`` of notice."""
    margin = min(margin_s, time_left_s / 2)
    return HandoverDeadline(now, now + max(0.0, time_left_s - margin), now + time_left_s)
