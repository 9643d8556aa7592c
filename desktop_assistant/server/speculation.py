"""Answering a turn before it is known to be over, and holding the answer until it is.

With automatic activity detection a turn ends after ``silenceDurationMs`` of silence, and only
then would the engine start: for a slow engine the silence and the engine's own time add up. An
engine that declares :attr:`Engine.speculative <desktop_assistant.server.engines.base.Engine>`
is started earlier instead, at the detector's tentative end (a shorter silence), on the turn as
it stands. Everything it yields is held, nothing is sent:

* if the user speaks again before the full silence has passed, the speculation is cancelled:
  the engine's iteration is stopped (its ``finally`` stops its work, as on barge-in) and the
  engine session is told to forget the request (:meth:`EngineSession.discard`);
* if the silence lasts, the turn ends exactly where it would have, and if its request is the one
  that was answered (:meth:`EngineSession.can_reuse`), the speculation is *committed*: the held
  items go out at once and the rest streams as usual. If it is not (a video frame, a context
  update or a forced end came in between) the speculation is cancelled and the turn answered
  afresh, as without speculation.

The session itself decides nothing differently: the held items go through the same code, in the
same order, at the moment the turn really ends, so what the client receives is what it would
have received, only sooner. The held answer stops after a blocking tool call, as the session's
own iteration does, so no call is made (nor its id known) before the turn is committed.

At most one speculation is in flight per connection: a new one starts only once the previous one
has been cancelled and its cancellation awaited, so speech with many short pauses never piles up
engine work.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Literal

from desktop_assistant.server.engines.base import EngineRequest, EngineSession, OutputItem

log = logging.getLogger(__name__)

# The tentative end of speech: 7 Silero windows of 32 ms. The offline engine needs ~0.56 s (p50)
# from a turn to its first audio; started here, that is ~0.8 s after the user stopped, under the
# 1 s target, while the turn itself still ends only after the full silence. Shorter pauses than
# this occur inside most sentences, and each one would start (and cancel) a speculation.
SPECULATE_AFTER_MS = 224.0

Spawn = Callable[[Coroutine[object, object, None]], asyncio.Task[None] | None]
Stops = Callable[[OutputItem], bool]
State = Literal["new", "holding", "held", "committed", "cancelled"]


class Speculation:
    """One engine answer computed ahead of its turn: held until committed or cancelled.

    ``stops(item)`` says whether the session would stop iterating after ``item`` (a blocking
    tool call); the held answer stops there too.
    """

    def __init__(self, session: EngineSession, request: EngineRequest, stops: Stops) -> None:
        self.request = request
        self._session = session
        self._stops = stops
        self._items: AsyncIterator[OutputItem] | None = None
        self._held: deque[OutputItem] = deque()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pumping = False
        self._finished = False  # the engine said all it will say for now (end, stop or error)
        self._error: Exception | None = None
        self._committed = False
        self._cancelled = False

    @property
    def state(self) -> State:
        if self._cancelled:
            return "cancelled"
        if self._committed:
            return "committed"
        if self._task is None:
            return "new"
        return "holding" if self._pumping else "held"

    @property
    def held(self) -> tuple[OutputItem, ...]:
        """What the engine has yielded so far and nobody has been sent."""
        return tuple(self._held)

    def start(self, spawn: Spawn) -> bool:
        """Ask the engine now, in a task made by ``spawn`` (False: it made none, e.g. closing)."""
        assert self._task is None, "a speculation starts once"
        self._items = self._session.respond(self.request)
        self._pumping = True
        task = spawn(self._pump())
        if task is None:
            self._pumping = False
            self._cancelled = True
            return False
        self._task = task
        return True

    async def _pump(self) -> None:
        """Take the engine's items into the hold until committed, finished or stopped."""
        assert self._items is not None
        try:
            while not self._committed and not self._cancelled:
                try:
                    item = await anext(self._items)
                except StopAsyncIteration:
                    self._finished = True
                    return
                self._held.append(item)
                self._changed.set()
                if self._stops(item):
                    self._finished = True  # the session would stop iterating here too
                    return
        except Exception as error:  # kept for the commit, where the plain path would raise it
            self._error = error
            self._finished = True
        finally:
            self._pumping = False
            self._changed.set()

    def commit(self) -> AsyncIterator[OutputItem]:
        """The turn is the one answered: its items, the held ones first, as the engine's own.

        From the moment of the call the hold stops growing; once the engine's item in progress
        is in, the session iterates the engine directly, so it paces the engine as it would
        have. Closing the returned iterator (the end of the turn, barge-in) closes the engine's.
        """
        assert not self._cancelled, "a cancelled speculation has nothing to send"
        assert not self._committed, "a speculation is committed once"
        self._committed = True
        return self._replay()

    async def _replay(self) -> AsyncIterator[OutputItem]:
        try:
            while True:
                while self._held:
                    yield self._held.popleft()
                if not self._pumping:
                    break
                self._changed.clear()
                await self._changed.wait()
            if self._error is not None:
                raise self._error
            task = self._task
            pump_cancelled = task is not None and task.cancelled()
            if not self._finished and not pump_cancelled and self._items is not None:
                async for item in self._items:  # handed over: the session iterates the engine
                    yield item
        finally:
            await self._release()

    async def cancel(self) -> None:
        """Drop the answer unsent: stop the engine's work, then have the engine forget it."""
        if self._cancelled or self._committed:
            return
        self._cancelled = True
        try:
            await self._release()
        finally:
            self._held.clear()
            self._session.discard(self.request)

    async def _release(self) -> None:
        """Stop the pump (the engine's iteration with it) and close the engine's iterator."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            # If we are cancelled meanwhile (the connection ends) the pump still ends on its own
            # and the connection awaits it with its other tasks.
            await asyncio.wait([task])
        if self._items is not None and (task is None or task.done()):
            # Never close an iterator another task is inside; a cancelled pump closed it.
            aclose = getattr(self._items, "aclose", None)
            if aclose is not None:
                await aclose()


class Speculator:
    """A connection's speculations: at most one in flight, and counts of how they ended."""

    def __init__(self, session: EngineSession, spawn: Spawn) -> None:
        self._session = session
        self._spawn = spawn
        self._current: Speculation | None = None
        self.started = 0
        self.cancelled = 0  # the user spoke again (or another input took the turn)
        self.stale = 0  # the turn ended with a request other than the one answered
        self.committed = 0

    @property
    def current(self) -> Speculation | None:
        return self._current

    async def start(self, request: EngineRequest, stops: Stops) -> Speculation | None:
        """Answer ``request`` ahead, after cancelling (and awaiting) any speculation before."""
        await self.drop()
        speculation = Speculation(self._session, request, stops)
        if not speculation.start(self._spawn):
            return None
        self._current = speculation
        self.started += 1
        log.debug("speculation %d started", self.started)
        return speculation

    async def drop(self) -> None:
        """Cancel the speculation in flight, if any (speech resumed, another turn began)."""
        speculation, self._current = self._current, None
        if speculation is not None:
            self.cancelled += 1
            log.debug("speculation %d cancelled", self.started)
            await speculation.cancel()

    async def claim(self, request: EngineRequest) -> AsyncIterator[OutputItem] | None:
        """The turn ended with ``request``: the held answer if it answers that, else ``None``.

        ``None`` also cancels the speculation, if there was one: the caller asks the engine anew.
        """
        speculation, self._current = self._current, None
        if speculation is None:
            return None
        if self._session.can_reuse(speculation.request, request):
            self.committed += 1
            log.debug("speculation %d committed", self.started)
            return speculation.commit()
        self.stale += 1
        log.debug("speculation %d is stale", self.started)
        await speculation.cancel()
        return None
