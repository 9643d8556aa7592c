"""Awaitable waits for GUI tests: on a signal, or on a condition re-checked as the loop runs.

``wait_signal`` connects at once, when it is called, so the emission a test is about to cause
cannot slip past: call it, then act, then await it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import SignalInstance

DEFAULT_TIMEOUT_S = 10.0
_POLL_S = 0.01


def wait_signal(
    signal: SignalInstance,
    timeout: float = DEFAULT_TIMEOUT_S,
    check: Callable[..., bool] | None = None,
) -> Awaitable[tuple[Any, ...]]:
    """The arguments of the next emission of ``signal`` (that passes ``check``, if given)."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def handler(*args: Any) -> None:
        if not future.done() and (check is None or check(*args)):
            future.set_result(args)

    signal.connect(handler)

    async def waiting() -> tuple[Any, ...]:
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            signal.disconnect(handler)

    return waiting()


async def wait_until(
    condition: Callable[[], bool],
    within_s: float = DEFAULT_TIMEOUT_S,
    what: str = "the condition",
) -> None:
    """Return once ``condition()`` holds; the loop keeps running (Qt events, tasks) meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {within_s} s waiting for {what}")
        await asyncio.sleep(_POLL_S)
