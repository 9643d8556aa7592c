"""A typed publish/subscribe hub: synchronous fan-out on the loop thread, or an async stream.

Listeners are plain callables run in subscription order; Qt view-models can subscribe directly
(under qasync the loop thread is the Qt thread). A listener that raises is logged and the others
still run. ``stream()`` adapts the hub to ``async for`` with a bounded, drop-oldest queue so a slow
consumer can never stall the conversation.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import AsyncIterator, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")

Listener = Callable[[E], None]


class EventHub(Generic[E]):
    def __init__(self) -> None:
        self._listeners: list[Callable[[E], None]] = []
        self._streams: list[_Stream[E]] = []
        self._closed = False

    def subscribe(self, listener: Callable[[E], None]) -> Callable[[], None]:
        """Call ``listener`` with every published event; returns the unsubscribe function."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, event: E) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type(event).__name__)
        for stream in self._streams:
            stream.put(event)

    def stream(self, maxsize: int = 10_000) -> AsyncIterator[E]:
        """Every event published from now on, until ``close()``; oldest dropped past ``maxsize``."""
        stream: _Stream[E] = _Stream(maxsize, lambda s: self._streams.remove(s))
        if self._closed:
            stream.close()
        else:
            self._streams.append(stream)
        return stream

    def close(self) -> None:
        """End every ``stream()``; listeners stay (they simply receive nothing more)."""
        self._closed = True
        for stream in list(self._streams):
            stream.close()


class _Stream(Generic[E]):
    def __init__(self, maxsize: int, detach: Callable[[_Stream[E]], None]) -> None:
        self._items: collections.deque[E] = collections.deque(maxlen=maxsize)
        self._wakeup = asyncio.Event()
        self._closed = False
        self._detach = detach
        self.dropped = 0

    def put(self, event: E) -> None:
        if self._items.maxlen is not None and len(self._items) == self._items.maxlen:
            self.dropped += 1
        self._items.append(event)
        self._wakeup.set()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._wakeup.set()
            try:
                self._detach(self)
            except ValueError:
                pass  # never attached (the hub was already closed)

    def __aiter__(self) -> _Stream[E]:
        return self

    async def __anext__(self) -> E:
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            self._wakeup.clear()
            await self._wakeup.wait()
        return self._items.popleft()

    async def aclose(self) -> None:
        self.close()
