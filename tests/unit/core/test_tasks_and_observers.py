from __future__ import annotations

import asyncio
import logging

import pytest

from desktop_assistant.core.observers import EventHub
from desktop_assistant.core.redact import MASK, RedactingFilter, redact, remember
from desktop_assistant.core.tasks import TaskSupervisor


@pytest.mark.asyncio
async def test_supervised_tasks_are_named_reported_and_cancelled():
    failures = []
    supervisor = TaskSupervisor("test", lambda name, exc: failures.append((name, str(exc))))
    gate = asyncio.Event()

    async def fail():
        raise RuntimeError("boom")

    async def wait_forever():
        gate.set()
        await asyncio.Event().wait()

    failing = supervisor.spawn("fail", fail())
    waiting = supervisor.spawn("wait", wait_forever())
    assert waiting.get_name() == "test:wait"
    with pytest.raises(RuntimeError):
        await failing
    await gate.wait()
    assert failures == [("fail", "boom")]
    with pytest.raises(ValueError, match="already running"):
        supervisor.spawn("wait", wait_forever())
    await supervisor.aclose(timeout_s=1)
    assert waiting.cancelled()
    assert supervisor.running() == []
    with pytest.raises(RuntimeError, match="closed"):
        supervisor.spawn("late", wait_forever())


def test_listeners_get_events_in_order_and_a_failing_one_does_not_stop_the_rest(caplog):
    hub: EventHub[int] = EventHub()
    got = []

    def bad(event: int) -> None:
        raise ValueError("listener bug")

    hub.subscribe(bad)
    unsubscribe = hub.subscribe(got.append)
    hub.publish(1)
    hub.publish(2)
    unsubscribe()
    hub.publish(3)
    assert got == [1, 2]
    assert "listener" in caplog.text


@pytest.mark.asyncio
async def test_streams_deliver_until_closed_and_drop_oldest_when_full():
    hub: EventHub[int] = EventHub()
    stream = hub.stream(maxsize=3)
    for i in range(5):
        hub.publish(i)
    hub.close()
    assert [e async for e in stream] == [2, 3, 4]
    assert [e async for e in hub.stream()] == []


def test_secrets_are_masked_in_text_and_log_records():
    remember("my-very-own-secret-value")
    text = (
        "key=AIzaSyD-0123456789abcdefghijklmnopq token auth_tokens/xyz123abc "
        "Authorization: Bearer ya29.A0ARrdaM-long x my-very-own-secret-value"
    )
    cleaned = redact(text)
    for secret in ("AIzaSy", "auth_tokens/xyz", "ya29.", "my-very-own"):
        assert secret not in cleaned
    assert cleaned.count(MASK) >= 4
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "using %s", ("AIzaSyD-0123456789abcdefghijklmnopq",), None
    )
    RedactingFilter().filter(record)
    assert "AIzaSy" not in record.getMessage()
