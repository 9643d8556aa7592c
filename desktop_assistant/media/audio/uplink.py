"""The bounded, drop-oldest queue that carries microphone blocks to the session.

If the consumer falls behind (a stalled loop, a slow network), the oldest blocks are dropped so
the model always hears the present: latency can never grow beyond ``maxsize`` blocks. Loop thread
only; device threads reach it through ``loop.call_soon_threadsafe(queue.offer, item)``.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Generic, TypeVar

T = TypeVar("T")


class QueueClosedError(EOFError):
    """The queue was closed and is empty: its producer has stopped for good."""


class DropOldestQueue(Generic[T]):
    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._items: collections.deque[T] = collections.deque()
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._closed = False
        self.dropped = 0
        """How many items were pushed out unread because the queue was full."""

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def offer(self, item: T) -> None:
        """Add ``item``; if full, drop the oldest one. Never blocks. Ignored once closed."""
        if self._closed:
            return
        if len(self._items) >= self.maxsize:
            self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        self._wake_one()

    async def get(self) -> T:
        """The oldest item; waits for one. Raises ``QueueClosedError`` once closed and drained."""
        while not self._items:
            if self._closed:
                raise QueueClosedError("the queue is closed")
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        return self._items.popleft()

    def drain(self) -> list[T]:
        """Take everything queued now, oldest first."""
        items = list(self._items)
        self._items.clear()
        return items

    def clear(self) -> None:
        self._items.clear()

    def close(self) -> None:
        """No more items will come: wake every waiter (they drain, then see the close)."""
        self._closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)

    def reopen(self) -> None:
        self._closed = False

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
