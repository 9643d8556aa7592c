"""Tool calls end to end: the Assistant, the registry, the real SDK and the local server.

The echo engine calls a declared function when told ``call NAME {args}`` and then reads the
function's answer out ("The tool NAME answered {...}."), so what the model heard is checkable.
"""

from __future__ import annotations

import asyncio

import pytest

from desktop_assistant.core.assistant import Assistant, AssistantOptions
from desktop_assistant.core.events import (
    OutputTranscribed,
    ToolApprovalRequested,
    ToolCallCancelled,
    ToolCallFinished,
    TurnCompleted,
)
from desktop_assistant.media.audio.wav_io import WavFileSink
from desktop_assistant.tools.builtin import register_builtins
from desktop_assistant.tools.dispatch import RegistryDispatcher
from desktop_assistant.tools.registry import ToolRegistry
from tests.integration.session.conftest import WAIT_S, local_settings, session_for

pytestmark = pytest.mark.asyncio


class Run:
    def __init__(self, server, registry, settings=None, **options):
        self.session = session_for(
            server, settings or local_settings(), tools=registry.declarations()
        )
        self.assistant = Assistant(
            self.session,
            sink=WavFileSink(None, speed=50.0),
            tools=RegistryDispatcher(registry),
            options=AssistantOptions(**options),
        )
        self.events: list[object] = []
        self._changed = asyncio.Event()
        self.assistant.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]

    async def until(self, condition):
        async with asyncio.timeout(WAIT_S):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    def heard(self) -> str:
        return "".join(e.text for e in self.of(OutputTranscribed))


def registry_with(**tools) -> ToolRegistry:
    registry = ToolRegistry(default_timeout_s=10)
    register_builtins(registry)
    for name, (func, options) in tools.items():
        registry.add(func, name=name, **options)
    return registry


async def test_a_blocking_call_runs_and_the_model_reads_the_answer(server):
    run = Run(server, registry_with())
    await run.assistant.start()
    await run.assistant.send_text('call calculate {"expression": "6 * 7"}')
    await run.until(lambda: run.of(TurnCompleted))
    (finished,) = run.of(ToolCallFinished)
    assert (finished.name, finished.outcome, finished.result) == (
        "calculate",
        "ok",
        {"output": {"expression": "6 * 7", "result": 42}},
    )
    assert '"result": 42' in run.heard()
    await run.assistant.stop()


async def test_a_non_blocking_call_lets_the_model_go_on_and_the_result_comes_when_idle(server):
    gate = asyncio.Event()

    async def background_search(query: str) -> str:
        """Search slowly."""
        await gate.wait()
        return f"found {query}"

    registry = registry_with(background_search=(background_search, {"non_blocking": True}))
    run = Run(server, registry)
    await run.assistant.start()
    await run.assistant.send_text('call background_search {"query": "cats"}')
    # The model keeps talking while the tool runs: its turn ends before the result exists.
    await run.until(lambda: run.of(TurnCompleted))
    assert "I asked background_search." in run.heard()
    assert not run.of(ToolCallFinished)
    gate.set()
    await run.until(lambda: len(run.of(TurnCompleted)) == 2)  # WHEN_IDLE: a new turn reads it
    assert "found cats" in run.heard()
    assert run.of(ToolCallFinished)[0].outcome == "ok"
    await run.assistant.stop()


async def test_a_call_cancelled_by_barge_in_is_stopped_and_not_answered(server):
    started = asyncio.Event()
    stopped = asyncio.Event()

    async def slow_lookup() -> str:
        """Takes forever."""
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        return "never"

    registry = registry_with(slow_lookup=(slow_lookup, {}))
    run = Run(
        server, registry, local_settings(activity_detection={"automatic": False}), push_to_talk=True
    )
    await run.assistant.start()
    await run.assistant.send_text("call slow_lookup {}")
    await started.wait()
    await run.assistant.push_to_talk(True)  # the user cuts in
    await run.until(lambda: run.of(ToolCallFinished))
    assert run.of(ToolCallCancelled)
    assert run.of(ToolCallFinished)[0].outcome == "cancelled"
    assert stopped.is_set()
    await run.assistant.push_to_talk(False)
    await run.assistant.stop()


async def test_a_call_past_its_time_limit_answers_with_a_timeout(server):
    async def hang() -> str:
        """Never answers."""
        await asyncio.Event().wait()
        return "never"

    registry = registry_with(hang=(hang, {"timeout_s": 0.2}))
    run = Run(server, registry)
    await run.assistant.start()
    await run.assistant.send_text("call hang {}")
    await run.until(lambda: run.of(TurnCompleted))
    assert run.of(ToolCallFinished)[0].outcome == "timeout"
    assert "did not finish within 0.2 seconds" in run.heard()
    await run.assistant.stop()


async def test_a_call_that_raises_answers_with_the_error_and_the_conversation_goes_on(server):
    def broken(x: int) -> int:
        """Always fails."""
        raise ZeroDivisionError("cannot divide by zero here")

    run = Run(server, registry_with(broken=(broken, {})))
    await run.assistant.start()
    await run.assistant.send_text('call broken {"x": 1}')
    await run.until(lambda: run.of(TurnCompleted))
    assert run.of(ToolCallFinished)[0].outcome == "error"
    assert "cannot divide by zero here" in run.heard()
    await run.assistant.send_text("still there?")
    await run.until(lambda: len(run.of(TurnCompleted)) == 2)
    assert "You said: still there?" in run.heard()
    await run.assistant.stop()


async def test_a_side_effecting_call_waits_for_approval_from_the_ui(server):
    def delete_note(title: str) -> str:
        """Delete a note."""
        return f"deleted {title}"

    run = Run(server, registry_with(delete_note=(delete_note, {"side_effects": True})))
    await run.assistant.start()
    await run.assistant.send_text('call delete_note {"title": "shopping"}')
    await run.until(lambda: run.of(ToolApprovalRequested))
    request = run.of(ToolApprovalRequested)[0]
    assert request.name == "delete_note"
    assert request.args == {"title": "shopping"}
    assert not run.of(ToolCallFinished)
    await run.assistant.resolve_tool_call(request.call_id, False)
    await run.until(lambda: run.of(TurnCompleted))
    assert run.of(ToolCallFinished)[0].outcome == "denied"
    assert "did not allow delete_note" in run.heard()
    await run.assistant.stop()
