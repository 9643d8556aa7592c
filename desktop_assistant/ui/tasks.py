"""Background work started from the UI: named tasks with strong references and one error path.

Widgets stay synchronous. A view-model method that must await something (start, stop, send,
approve) spawns a task here instead: the set keeps it alive until it ends (the loop holds tasks only
weakly), logs what it raised and hands the error to the banner, so a failing click never becomes a
traceback dialog or an orphaned task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

_log = logging.getLogger(__name__)

ErrorReporter = Callable[[str, BaseException], None]
"""Called with a plain-language description of what failed and the exception."""


class UiTasks:
    def __init__(self, report: ErrorReporter | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._report = report

    def set_reporter(self, report: ErrorReporter) -> None:
        self._report = report

    def spawn(
        self, coro: Coroutine[Any, Any, object], *, name: str, failure: str
    ) -> asyncio.Task[Any]:
        """Run ``coro`` on the loop; ``failure`` is what the user reads if it raises."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(done, failure))
        return task

    def _finished(self, task: asyncio.Task[Any], failure: str) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        _log.error("%s (%s)", failure, task.get_name(), exc_info=error)
        if self._report is not None:
            self._report(failure, error)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Wait for running UI work to end (shutdown), cancelling what outlives ``timeout_s``."""
        if not self._tasks:
            return
        tasks = list(self._tasks)
        _done, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=1.0)
