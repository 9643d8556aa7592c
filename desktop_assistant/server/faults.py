"""Fault injection: break a connection the ways real networks and real services do.

A :class:`Fault` names what goes wrong, on which connection (1-based, in the order the server
accepted them; ``None`` for every connection) and when: at setup (instead of ``setupComplete``) or
during a model turn, after that turn has sent ``after_frames`` model frames. Each fault fires at
most once per connection. Faults are given as objects (Python API) or as text (CLI)::

    KIND[:ARG[:ARG]][@key=value,...]
    close:1011:Internal error encountered.@conn=2,turn=1,frames=3
    reset@frames=2        stall:5        malformed        oversized@at=setup
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal


class FaultKind(enum.Enum):
    CLOSE = "close"  # close with ``code`` and ``reason``
    RESET = "reset"  # abort the TCP connection: no close frame (the client sees 1006)
    STALL = "stall"  # send nothing for ``stall_s`` seconds (pings are still answered)
    MALFORMED = "malformed"  # a frame that is not JSON
    OVERSIZED = "oversized"  # a valid frame larger than the client's 1 MiB limit
    UNKNOWN_FIELDS = "unknown_fields"  # from now on, frames carry fields the client does not know
    TEXT_FRAMES = "text_frames"  # from now on, JSON goes in text frames
    BINARY_FRAMES = "binary_frames"  # from now on, JSON goes in binary frames
    BUNDLED = (
        "bundled"  # end the turn with one message: interrupted + transcripts + audio + turnComplete
    )


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    connection: int | None = None
    at: Literal["setup", "turn"] = "turn"
    turn: int = 1  # 1-based model turn on the connection
    after_frames: int = 1  # model frames (audio or text) of that turn sent before the fault
    code: int = 1011
    reason: str = "Internal error encountered."
    stall_s: float = 5.0

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """A fault from its text form (see the module docstring).

        Raises:
            ValueError: with a message that says what is wrong with ``spec``.
        """
        head, _, tail = spec.partition("@")
        kind_text, *args = head.split(":", 2)
        try:
            kind = FaultKind(kind_text.strip().lower().replace("-", "_"))
        except ValueError:
            known = ", ".join(k.value for k in FaultKind)
            raise ValueError(f"unknown fault {kind_text!r} (known: {known})") from None
        values: dict[str, object] = {"kind": kind}
        if kind is FaultKind.CLOSE and args:
            values["code"] = _int(args[0], "close code")
            if len(args) > 1:
                values["reason"] = args[1]
        elif kind is FaultKind.STALL and args:
            values["stall_s"] = _float(args[0], "stall seconds")
        elif args:
            raise ValueError(f"fault {kind.value!r} takes no arguments")
        for item in filter(None, (part.strip() for part in tail.split(","))):
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"expected key=value in fault {spec!r}, got {item!r}")
            if key in ("conn", "connection"):
                values["connection"] = _int(value, key)
            elif key == "turn":
                values["turn"] = _int(value, key)
            elif key in ("frames", "after_frames"):
                values["after_frames"] = _int(value, key)
            elif key == "at":
                if value not in ("setup", "turn"):
                    raise ValueError("at= must be 'setup' or 'turn'")
                values["at"] = value
            else:
                raise ValueError(f"unknown fault option {key!r} (known: conn, turn, frames, at)")
        fault = cls(**values)  # type: ignore[arg-type]
        if kind is FaultKind.CLOSE and not 1000 <= fault.code <= 4999:
            raise ValueError("close code must be between 1000 and 4999")
        return fault


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{what} must be a whole number, got {text!r}") from None


def _float(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{what} must be a number, got {text!r}") from None


@dataclass
class FaultPlan:
    """The faults a server injects; tests may change it while the server runs."""

    faults: list[Fault] = field(default_factory=list)
    _fired: set[tuple[int, int]] = field(default_factory=set)  # (fault index, connection)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self._fired.clear()

    def due_at_setup(self, connection: int) -> list[Fault]:
        return self._take(connection, lambda f: f.at == "setup")

    def due_in_turn(self, connection: int, turn: int, frames_sent: int) -> list[Fault]:
        return self._take(
            connection,
            lambda f: f.at == "turn" and f.turn == turn and frames_sent >= f.after_frames,
        )

    def pending_in_turn(self, connection: int, turn: int) -> list[Fault]:
        """Faults still to fire in this turn (a turn shorter than ``after_frames`` fires them at its end)."""
        return self._take(connection, lambda f: f.at == "turn" and f.turn == turn)

    def _take(self, connection: int, wanted: Callable[[Fault], bool]) -> list[Fault]:
        due: list[Fault] = []
        with self._lock:
            for index, fault in enumerate(self.faults):
                if fault.connection not in (None, connection):
                    continue
                if (index, connection) in self._fired or not wanted(fault):
                    continue
                self._fired.add((index, connection))
                due.append(fault)
        return due
