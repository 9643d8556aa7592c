"""The speculation state machine with a small engine session whose pace the test controls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import replace

import pytest

from desktop_assistant.server.engines.base import (
    AudioOut,
    EngineRequest,
    EngineSession,
    FunctionCall,
    InputTranscript,
    OutputItem,
    SessionConfig,
    TextDelta,
    ToolCalls,
    UserTurn,
)
from desktop_assistant.server.speculation import Speculation, Speculator

pytestmark = pytest.mark.asyncio

SPEECH = UserTurn(audio=b"\1\0" * 1600, speech_s=0.1)
REQUEST = EngineRequest(SPEECH, (), 0, SessionConfig(model="m"))
CALL = ToolCalls((FunctionCall("call-1", "get_weather"),))
ANSWER: list[OutputItem] = [
    InputTranscript("what is the weather", finished=True),
    TextDelta("Let me see."),
    AudioOut(b"\0\0" * 240, transcript="It is sunny."),
]


class Paced(EngineSession):
    """Yields ``items``; item ``i`` waits for ``gates[i]`` first. Notes what happened to it."""

    def __init__(
        self,
        items: list[OutputItem],
        gates: dict[int, asyncio.Event] | None = None,
        fail_at: int | None = None,
    ) -> None:
        self.items = items
        self.gates = gates or {}
        self.fail_at = fail_at
        self.log: list[str] = []
        self.produced = 0
        self.discarded: list[EngineRequest] = []
        self.changed = asyncio.Event()  # set at every step the engine takes

    def _note(self, what: str | None = None) -> None:
        if what is not None:
            self.log.append(what)
        self.changed.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        """Let the other tasks run until ``condition`` holds, re-checked at each engine step."""
        async with asyncio.timeout(5):
            while not condition():
                self.changed.clear()
                await self.changed.wait()

    async def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        self._note("respond")
        try:
            for index, item in enumerate(self.items):
                gate = self.gates.get(index)
                if gate is not None:
                    await gate.wait()
                if index == self.fail_at:
                    raise RuntimeError("the engine failed")
                self.produced += 1
                self._note()
                yield item
            self._note("done")
        except asyncio.CancelledError:
            self._note("cancelled")
            raise
        finally:
            self._note("closed")

    def discard(self, request: EngineRequest) -> None:
        self.discarded.append(request)


def spawn(coro: Coroutine[object, object, None]) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(coro)


def never(_item: OutputItem) -> bool:
    return False


def blocking(item: OutputItem) -> bool:
    return isinstance(item, ToolCalls)


async def collect(items: AsyncIterator[OutputItem]) -> list[OutputItem]:
    async with asyncio.timeout(5):
        return [item async for item in items]


async def test_everything_is_held_until_the_commit_then_sent_in_order() -> None:
    engine = Paced(ANSWER)
    speculation = Speculation(engine, REQUEST, never)
    assert speculation.start(spawn)
    await engine.until(lambda: speculation.state == "held")
    assert speculation.held == tuple(ANSWER)  # all computed, nothing taken
    assert await collect(speculation.commit()) == ANSWER
    assert engine.log == ["respond", "done", "closed"]
    assert engine.discarded == []
    assert speculation.state == "committed"


async def test_cancelling_stops_the_engine_at_once_and_it_forgets_the_request() -> None:
    slow = asyncio.Event()  # never set: the engine is still working on its second item
    engine = Paced(ANSWER, gates={1: slow})
    speculation = Speculation(engine, REQUEST, never)
    speculation.start(spawn)
    await engine.until(lambda: len(speculation.held) == 1)
    await speculation.cancel()
    assert engine.log == ["respond", "cancelled", "closed"]  # stopped where it was
    assert engine.discarded == [REQUEST]
    assert speculation.held == ()
    assert speculation.state == "cancelled"


async def test_the_hold_stops_at_a_blocking_call_and_sends_it_only_on_commit() -> None:
    after = TextDelta("More words after the call.")
    engine = Paced([ANSWER[0], CALL, after])
    speculation = Speculation(engine, REQUEST, blocking)
    speculation.start(spawn)
    await engine.until(lambda: speculation.state == "held")
    assert engine.produced == 2  # the engine was not asked past the call
    assert speculation.held == (ANSWER[0], CALL)
    replay = speculation.commit()
    assert await anext(replay) == ANSWER[0]
    assert await anext(replay) == CALL
    await replay.aclose()  # what the session does after a blocking call
    assert engine.log == ["respond", "closed"]
    assert engine.produced == 2


async def test_after_the_commit_the_session_paces_the_engine_itself() -> None:
    late = asyncio.Event()
    items: list[OutputItem] = [TextDelta(f"clause {i}") for i in range(6)]
    engine = Paced(items, gates={2: late})
    speculation = Speculation(engine, REQUEST, never)
    speculation.start(spawn)
    await engine.until(lambda: len(speculation.held) == 2)
    replay = speculation.commit()  # while the engine works on item 2
    got = [await anext(replay), await anext(replay)]
    late.set()
    got.append(await anext(replay))  # the item in progress at the commit
    while len(got) < len(items):
        got.append(await anext(replay))
        assert engine.produced == len(got)  # asked item by item: nothing computed ahead
    assert got == items
    with pytest.raises(StopAsyncIteration):
        await anext(replay)
    assert engine.log == ["respond", "done", "closed"]


async def test_an_engine_error_comes_out_at_the_commit_as_it_would_have() -> None:
    engine = Paced(ANSWER, fail_at=1)
    speculation = Speculation(engine, REQUEST, never)
    speculation.start(spawn)
    await engine.until(lambda: speculation.state == "held")
    replay = speculation.commit()
    assert await anext(replay) == ANSWER[0]
    with pytest.raises(RuntimeError, match="the engine failed"):
        await anext(replay)


async def test_an_engine_error_in_a_dropped_speculation_is_dropped_with_it() -> None:
    engine = Paced(ANSWER, fail_at=1)
    speculation = Speculation(engine, REQUEST, never)
    speculation.start(spawn)
    await engine.until(lambda: speculation.state == "held")
    await speculation.cancel()
    assert engine.discarded == [REQUEST]


async def test_a_committed_answer_cut_short_closes_the_engine_and_is_not_forgotten() -> None:
    slow = asyncio.Event()
    engine = Paced(ANSWER, gates={1: slow})
    speculation = Speculation(engine, REQUEST, never)
    speculation.start(spawn)
    await engine.until(lambda: len(speculation.held) == 1)
    replay = speculation.commit()
    assert await anext(replay) == ANSWER[0]
    waiting = asyncio.get_running_loop().create_task(anext(replay))
    await asyncio.sleep(0)  # it runs up to its wait for the engine's next item
    assert not waiting.done()
    waiting.cancel()  # barge-in cancels the generation task
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await replay.aclose()
    assert engine.log == ["respond", "cancelled", "closed"]
    assert engine.discarded == []  # the user heard the start of it: it is part of the talk


async def test_a_commit_right_after_the_start_hands_the_engine_over_untouched() -> None:
    engine = Paced(ANSWER)
    speculation = Speculation(engine, REQUEST, never)
    speculation.start(spawn)
    assert await collect(speculation.commit()) == ANSWER
    assert engine.log == ["respond", "done", "closed"]


async def test_one_speculation_in_flight_the_old_one_stopped_before_the_new_starts() -> None:
    slow = asyncio.Event()
    engine = Paced(ANSWER, gates={1: slow})
    speculator = Speculator(engine, spawn)
    first = await speculator.start(REQUEST, never)
    assert first is not None
    await engine.until(lambda: len(first.held) == 1)
    later = replace(REQUEST, input=replace(SPEECH, audio=SPEECH.audio * 2))
    second = await speculator.start(later, never)
    assert second is not None
    assert first.state == "cancelled"
    # The first answer was stopped (and forgotten) before the second was asked for.
    assert engine.log[:3] == ["respond", "cancelled", "closed"]
    assert engine.discarded == [REQUEST]
    await engine.until(lambda: len(engine.log) == 4)
    assert engine.log[3] == "respond"
    assert speculator.current is second
    assert (speculator.started, speculator.cancelled) == (2, 1)
    await speculator.drop()
    assert speculator.current is None
    assert engine.discarded == [REQUEST, later]


async def test_the_turn_takes_the_answer_only_for_the_request_it_answered() -> None:
    engine = Paced(ANSWER)
    speculator = Speculator(engine, spawn)
    await speculator.start(REQUEST, never)
    same = replace(REQUEST, input=replace(SPEECH))  # equal, not the same object
    held = await speculator.claim(same)
    assert held is not None
    assert await collect(held) == ANSWER
    assert speculator.committed == 1

    await speculator.start(REQUEST, never)
    longer = replace(REQUEST, input=replace(SPEECH, audio=SPEECH.audio + b"\0\0"))
    assert await speculator.claim(longer) is None  # more input came: answer afresh
    assert speculator.stale == 1
    assert engine.discarded == [REQUEST]
    assert await speculator.claim(REQUEST) is None  # nothing in flight any more


async def test_a_closing_connection_starts_no_speculation() -> None:
    engine = Paced(ANSWER)

    def closing(coro: Coroutine[object, object, None]) -> None:
        coro.close()

    speculator = Speculator(engine, closing)
    assert await speculator.start(REQUEST, never) is None
    assert speculator.current is None
    assert engine.log == []
