"""The uplink queue: bounded, drops the oldest, wakes readers, ends cleanly."""

from __future__ import annotations

import asyncio

import pytest

from desktop_assistant.media.audio.uplink import DropOldestQueue, QueueClosedError


@pytest.mark.asyncio
async def test_latency_never_grows_the_oldest_block_goes() -> None:
    queue: DropOldestQueue[int] = DropOldestQueue(3)
    for i in range(10):
        queue.offer(i)
    assert queue.dropped == 7
    assert [await queue.get() for _ in range(3)] == [7, 8, 9]


@pytest.mark.asyncio
async def test_a_waiting_reader_wakes_on_offer() -> None:
    queue: DropOldestQueue[str] = DropOldestQueue(3)
    reader = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    assert not reader.done()
    queue.offer("block")
    assert await asyncio.wait_for(reader, 1.0) == "block"


@pytest.mark.asyncio
async def test_close_drains_then_ends_readers_with_eof() -> None:
    queue: DropOldestQueue[int] = DropOldestQueue(3)
    waiting = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.close()
    with pytest.raises(EOFError):
        await asyncio.wait_for(waiting, 1.0)
    queue.reopen()
    queue.offer(1)
    queue.close()
    assert await queue.get() == 1
    with pytest.raises(QueueClosedError):
        await queue.get()
    queue.offer(2)  # ignored once closed
    assert len(queue) == 0
