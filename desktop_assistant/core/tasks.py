"""Named, supervised asyncio tasks: strong references, logged failures, orderly cancellation.

``asyncio`` keeps only weak references to tasks, so a fire-and-forget task can vanish mid-flight;
and an exception in a task nobody awaits is reported late or never. Every long-lived task of the
app goes through a ``TaskSupervisor`` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

FailureHandler = Callable[[str, BaseException], None]


class TaskSupervisor:
    """Owns a set of named tasks. Call from the loop thread only."""

    def __init__(self, owner: str, on_failure: FailureHandler | None = None) -> None:
        self._owner = owner
        self._on_failure = on_failure
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._closed = False

    def spawn(self, name: str, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start ``coro`` as task ``name`` (unique among this supervisor's running tasks)."""
        if self._closed:
            coro.close()
            raise RuntimeError(f"{self._owner}: supervisor is closed; cannot start {name}")
        existing = self._tasks.get(name)
        if existing is not None and not existing.done():
            coro.close()
            raise ValueError(f"{self._owner}: a task named {name!r} is already running")
        task = asyncio.get_running_loop().create_task(coro, name=f"{self._owner}:{name}")
        self._tasks[name] = task
        task.add_done_callback(functools.partial(self._done, name))
        return task

    def get(self, name: str) -> asyncio.Task[Any] | None:
        return self._tasks.get(name)

    def running(self) -> list[str]:
        return [n for n, t in self._tasks.items() if not t.done()]

    def cancel(self, name: str) -> bool:
        task = self._tasks.get(name)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    async def stop(self, name: str, timeout_s: float = 5.0) -> None:
        """Cancel task ``name`` and wait (bounded) until it has finished."""
        task = self._tasks.get(name)
        if task is None:
            return
        task.cancel()
        await _wait_quietly([task], timeout_s)

    async def aclose(self, timeout_s: float = 5.0) -> None:
        """Cancel every task and wait (bounded) for them; no new tasks afterwards."""
        self._closed = True
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await _wait_quietly(tasks, timeout_s)
        stuck = [t.get_name() for t in tasks if not t.done()]
        if stuck:
            log.warning("%s: tasks did not stop within %.1f s: %s", self._owner, timeout_s, stuck)

    def _done(self, name: str, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(name) is task:
            del self._tasks[name]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        log.error("%s: task %s failed", self._owner, name, exc_info=exc)
        if self._on_failure is not None:
            try:
                self._on_failure(name, exc)
            except Exception:
                log.exception("%s: failure handler raised", self._owner)


async def _wait_quietly(tasks: list[asyncio.Task[Any]], timeout_s: float) -> None:
    if not tasks:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait(tasks, timeout=timeout_s)
