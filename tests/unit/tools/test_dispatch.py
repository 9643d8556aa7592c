from __future__ import annotations

import asyncio
import threading

import pytest

from desktop_assistant.tools.dispatch import RegistryDispatcher
from desktop_assistant.tools.registry import ToolRegistry

pytestmark = pytest.mark.asyncio


async def allow(call_id, name, args):
    return True


async def deny(call_id, name, args):
    return False


@pytest.fixture
def registry():
    registry = ToolRegistry(default_timeout_s=5)

    @registry.tool()
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @registry.tool()
    async def explode() -> str:
        """Always fails."""
        raise RuntimeError("the tool broke")

    @registry.tool(side_effects=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        return f"deleted {path}"

    @registry.tool(non_blocking=True, scheduling="INTERRUPT")
    async def notify() -> str:
        """Notify."""
        return "done"

    return registry


async def test_a_call_returns_its_output(registry):
    outcome = await RegistryDispatcher(registry).run("1", "add", {"a": 2, "b": "3"}, allow)
    assert (outcome.outcome, outcome.response, outcome.scheduling) == ("ok", {"output": 5}, None)


async def test_sync_tools_run_off_the_loop_thread():
    registry = ToolRegistry()
    seen = []

    @registry.tool()
    def where() -> str:
        """Which thread."""
        seen.append(threading.current_thread() is threading.main_thread())
        return "x"

    await RegistryDispatcher(registry).run("1", "where", {}, allow)
    assert seen == [False]


async def test_failures_become_answers_to_the_model(registry):
    d = RegistryDispatcher(registry)
    unknown = await d.run("1", "nope", {}, allow)
    assert unknown.outcome == "error"
    assert "There is no tool named nope" in unknown.response["error"]
    bad = await d.run("2", "add", {"a": "x"}, allow)
    assert bad.outcome == "error"
    assert "Invalid arguments for add" in bad.response["error"]
    assert "b" in bad.response["error"]
    extra = await d.run("3", "add", {"a": 1, "b": 2, "c": 3}, allow)
    assert extra.outcome == "error"
    raised = await d.run("4", "explode", {}, allow)
    assert raised.response == {"error": "explode failed: the tool broke"}


async def test_a_tool_past_its_time_limit_times_out():
    registry = ToolRegistry()
    never = asyncio.Event()

    @registry.tool(timeout_s=0.05)
    async def hang() -> str:
        """Waits forever."""
        await never.wait()
        return "unreachable"

    outcome = await RegistryDispatcher(registry).run("1", "hang", {}, allow)
    assert outcome.outcome == "timeout"
    assert "did not finish within 0.05 seconds" in outcome.response["error"]


async def test_side_effects_wait_for_approval(registry):
    d = RegistryDispatcher(registry)
    asked = []

    async def ask(call_id, name, args):
        asked.append((call_id, name, dict(args)))
        return True

    assert (await d.run("7", "delete_file", {"path": "/tmp/x"}, ask)).outcome == "ok"
    assert asked == [("7", "delete_file", {"path": "/tmp/x"})]
    denied = await d.run("8", "delete_file", {"path": "/tmp/x"}, deny)
    assert denied.outcome == "denied"
    assert "did not allow" in denied.response["error"]
    # Harmless tools are never asked about.
    await d.run("9", "add", {"a": 1, "b": 1}, deny)


async def test_cancelling_the_call_cancels_the_tool():
    registry = ToolRegistry()
    started, cancelled = asyncio.Event(), asyncio.Event()

    @registry.tool()
    async def long() -> str:
        """Long."""
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "x"

    task = asyncio.ensure_future(RegistryDispatcher(registry).run("1", "long", {}, allow))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled.is_set()


async def test_non_blocking_results_carry_their_scheduling(registry):
    outcome = await RegistryDispatcher(registry).run("1", "notify", {}, allow)
    assert outcome.scheduling == "INTERRUPT"
    assert RegistryDispatcher(registry).is_non_blocking("notify")
