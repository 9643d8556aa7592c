"""A guard against the interpreter dying of PySide6 6.12.0's lost references to None/True/False.

PySide6-Essentials 6.12.0 on CPython 3.11 returns ``None`` from wrapped ``void`` methods
(``QWidget.update()``, ``QLabel.setText()``, ``processEvents()`` ...) without taking a reference,
and loses references to ``True``/``False`` on some paths too: every such call lowers the
singleton's count by one. Measured in this window: about 250 ``None`` references a second while a
conversation runs. When the count reaches zero, CPython aborts ("Fatal Python error: none_dealloc"
or "bool_dealloc"), usually at exit, sometimes minutes into a conversation. From CPython 3.12 the
singletons are immortal (PEP 683) and the bug is harmless.

The guard gives back what was lost: whenever a singleton's count falls below a reserve, it raises
the count (the ``ob_refcnt`` field itself) so that it can never reach zero. References held in a
list would not do: the list is freed at exit, and the count would still end below zero. The
singletons are never freed anyway, so a count that stays too high is harmless. It costs nothing
and does nothing on 3.12+. Remove it with the PySide6 release that fixes the bug
(``tests/gui/test_refcount_guard.py`` fails then).
"""

from __future__ import annotations

import atexit
import ctypes
import sys

from PySide6.QtCore import QObject, QTimer

TOP_UP_INTERVAL_MS = 500

RESERVE = 200_000
"""Top up when a singleton has fewer references than this (a few minutes of heavy use)."""

_SINGLETONS: tuple[object, ...] = (None, True, False)


def needed() -> bool:
    return sys.version_info < (3, 12)


def _raise_count(singleton: object, by: int) -> None:
    # CPython 3.11's object header starts with ob_refcnt (Py_ssize_t); the GIL is held here.
    field = ctypes.c_ssize_t.from_address(id(singleton))
    field.value += by


class SingletonGuard:
    def __init__(self, reserve: int = RESERVE) -> None:
        self.reserve = reserve
        self.added = 0

    def top_up(self) -> int:
        """Restore the reserve; returns how many references were given back (cheap when none)."""
        if not needed():
            return 0
        added = 0
        for singleton in _SINGLETONS:
            count = sys.getrefcount(singleton)
            if count < self.reserve:
                more = 2 * self.reserve - count
                _raise_count(singleton, more)
                added += more
        self.added += added
        return added


_guard: SingletonGuard | None = None


def install(reserve: int = RESERVE) -> SingletonGuard:
    """The process-wide guard, topped up now and at exit (call ``top_up`` from a timer too)."""
    global _guard
    if _guard is None:
        _guard = SingletonGuard(reserve)
        atexit.register(_guard.top_up)
    _guard.top_up()
    return _guard


def start_guard(parent: QObject) -> QTimer | None:
    """Install the guard and keep it topped up while ``parent`` lives; ``None`` on 3.12+."""
    guard = install()
    if not needed():
        return None
    timer = QTimer(parent)
    timer.setInterval(TOP_UP_INTERVAL_MS)
    timer.timeout.connect(guard.top_up)
    timer.start()
    return timer
