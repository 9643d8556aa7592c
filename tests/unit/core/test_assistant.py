from __future__ import annotations

import asyncio

import pytest

from desktop_assistant.core.assistant import Assistant, AssistantOptions
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    InputTranscribed,
    Interrupted,
    ModelAudioReceived,
    OutputTranscribed,
    PlaybackCut,
    TextSent,
    ToolApprovalRequested,
    ToolCallCancelled,
    ToolCallFinished,
    ToolCallRequested,
    TurnCompleted,
    TurnState,
    TurnStateChanged,
)
from desktop_assistant.tools.dispatch import RegistryDispatcher
from desktop_assistant.tools.registry import ToolRegistry
from tests.unit.core.doubles import QueueSource, RecordingSink, ScriptedSession

pytestmark = pytest.mark.asyncio

CHUNK = bytes(4800)  # 100 ms at 24 kHz


async def settle(condition, rounds: int = 10_000) -> None:
    """Let the loop run the other tasks (no clock involved) until ``condition`` holds."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


class Harness:
    def __init__(self, **kwargs):
        self.session = ScriptedSession()
        self.sink = RecordingSink()
        self.source = kwargs.pop("source", None)
        self.assistant = Assistant(self.session, sink=self.sink, source=self.source, **kwargs)
        self.events: list[object] = []
        self.assistant.subscribe(self.events.append)
        self._changed = asyncio.Event()
        self.assistant.subscribe(lambda e: self._changed.set())

    async def wait_for(self, condition):
        async with asyncio.timeout(5):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]


async def test_model_audio_goes_to_the_speaker_by_turn_and_a_barge_in_cuts_it_first():
    h = Harness()
    await h.assistant.start()
    h.session.feed(
        ConnectionStateChanged(ConnectionState.LIVE),
        ModelAudioReceived(CHUNK),
        ModelAudioReceived(CHUNK),
        OutputTranscribed("Rome is"),
    )
    await h.wait_for(lambda: h.of(OutputTranscribed))
    h.sink.played[1] = 2400  # a quarter of what arrived has been heard
    h.session.feed(
        Interrupted(),
        ModelAudioReceived(CHUNK),
        TurnCompleted(),
        ModelAudioReceived(CHUNK),
        TurnCompleted(),
    )
    await h.wait_for(lambda: len(h.of(TurnCompleted)) == 2)
    assert [c for c in h.sink.calls if c[0] != "start"] == [
        ("write", (1, 4800)),
        ("write", (1, 4800)),
        ("interrupt", None),  # the audio that came after the cut was never played
        ("write", (2, 4800)),  # the next answer is a new turn
    ]
    cut = h.of(PlaybackCut)[0]
    assert (cut.turn, cut.played_samples, cut.received_samples, cut.heard_fraction) == (
        1,
        2400,
        4800,
        0.5,
    )
    assert h.events.index(h.of(Interrupted)[0]) < h.events.index(cut)
    assert h.assistant.stats.late_audio_chunks_dropped == 1
    assert TurnState.INTERRUPTED in [e.state for e in h.of(TurnStateChanged)]
    await h.assistant.stop()


async def test_tool_calls_run_and_answer_with_their_id_and_scheduling():
    registry = ToolRegistry()

    @registry.tool(non_blocking=True, scheduling="WHEN_IDLE")
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    h = Harness(tools=RegistryDispatcher(registry))
    await h.assistant.start()
    h.session.feed(ToolCallRequested("fc-1", "add", {"a": 2, "b": 3}))
    await h.wait_for(lambda: h.of(ToolCallFinished))
    (responses,) = [p for v, p in h.session.sent if v == "tools"]
    (response,) = responses
    assert (response.call_id, response.name, response.response, response.scheduling) == (
        "fc-1",
        "add",
        {"output": 5},
        "WHEN_IDLE",
    )
    finished = h.of(ToolCallFinished)[0]
    assert finished.outcome == "ok"
    assert finished.result == {"output": 5}
    await h.assistant.stop()


async def test_a_cancelled_call_is_stopped_and_not_answered():
    registry = ToolRegistry()
    started = asyncio.Event()

    @registry.tool()
    async def slow() -> str:
        """Slow."""
        started.set()
        await asyncio.Event().wait()
        return "never"

    h = Harness(tools=RegistryDispatcher(registry))
    await h.assistant.start()
    h.session.feed(ToolCallRequested("fc-9", "slow", {}))
    await started.wait()
    h.session.feed(ToolCallCancelled(("fc-9",)))
    await h.wait_for(lambda: h.of(ToolCallFinished))
    assert h.of(ToolCallFinished)[0].outcome == "cancelled"
    assert "tools" not in h.session.verbs()
    await h.assistant.stop()


async def test_side_effecting_tools_wait_for_the_users_answer():
    registry = ToolRegistry()

    @registry.tool(side_effects=True)
    def send_mail(to: str) -> str:
        """Send mail."""
        return f"sent to {to}"

    h = Harness(tools=RegistryDispatcher(registry))
    await h.assistant.start()
    h.session.feed(
        ToolCallRequested("fc-2", "send_mail", {"to": "ann"}),
        ToolCallRequested("fc-3", "send_mail", {"to": "bob"}),
    )
    await h.wait_for(lambda: len(h.of(ToolApprovalRequested)) == 2)
    assert "tools" not in h.session.verbs()
    await h.assistant.resolve_tool_call("fc-2", True)
    await h.assistant.resolve_tool_call("fc-3", False)
    await h.wait_for(lambda: len(h.of(ToolCallFinished)) == 2)
    outcomes = {e.call_id: e.outcome for e in h.of(ToolCallFinished)}
    assert outcomes == {"fc-2": "ok", "fc-3": "denied"}
    await h.assistant.stop()


async def test_tool_calls_without_tools_get_an_error_answer():
    h = Harness()
    await h.assistant.start()
    h.session.feed(ToolCallRequested("fc-1", "anything", {}))
    await h.wait_for(lambda: h.of(ToolCallFinished))
    assert h.of(ToolCallFinished)[0].outcome == "error"
    await h.assistant.stop()


async def test_microphone_blocks_flow_and_mute_ends_the_audio_stream():
    source = QueueSource()
    h = Harness(source=source)
    await h.assistant.start()
    source.push(3)
    await h.session.wait_for(lambda: h.session.verbs().count("audio") == 3)
    await h.assistant.set_muted(True)
    source.push(2, start_at=10)
    await settle(lambda: h.assistant.stats.blocks_dropped_muted == 2)
    await h.assistant.set_muted(False)
    source.push(1, start_at=20)
    await h.session.wait_for(lambda: h.session.verbs().count("audio") == 4)
    assert h.session.verbs()[:5] == ["audio", "audio", "audio", "audio_stream_end", "audio"]
    source.finish()
    await asyncio.wait_for(h.assistant.microphone_ended.wait(), 5)
    assert h.session.verbs()[-1] == "audio_stream_end"  # a file source that ends flushes the turn
    await h.assistant.stop()


async def test_a_slow_link_drops_the_oldest_microphone_audio_instead_of_lagging():
    source = QueueSource()
    h = Harness(source=source, options=AssistantOptions(uplink_queue_blocks=3))
    await h.assistant.start()
    source.push(50)
    await settle(
        lambda: h.assistant.stats.blocks_sent + h.assistant.stats.blocks_dropped_uplink == 50
    )
    sent = [p.captured_at for v, p in h.session.sent if v == "audio"]
    assert sent == sorted(sent)
    assert sent[-1] == 49.0
    await h.assistant.stop()


async def test_push_to_talk_sends_activity_start_preroll_and_always_activity_end():
    source = QueueSource()
    h = Harness(source=source, options=AssistantOptions(push_to_talk=True, preroll_ms=40))
    await h.assistant.start()
    source.push(5)  # 5 x 20 ms while the key is up: only the last 40 ms are kept
    await settle(lambda: h.assistant.stats.blocks_captured == 5 and len(h.assistant._preroll) == 2)
    assert "audio" not in h.session.verbs()
    await h.assistant.push_to_talk(True)
    source.push(1, start_at=100)
    await h.session.wait_for(lambda: h.session.verbs().count("audio") == 3)
    await h.assistant.push_to_talk(False)
    audio = [p.captured_at for v, p in h.session.sent if v == "audio"]
    assert h.session.verbs()[0] == "activity_start"
    assert audio == [3.0, 4.0, 100.0]
    assert h.session.verbs()[-1] == "activity_end"
    states = [e.state for e in h.of(TurnStateChanged)]
    assert states == [TurnState.USER_SPEAKING, TurnState.MODEL_THINKING]
    await h.assistant.stop()


async def test_typed_text_goes_to_the_session_and_into_the_transcript():
    h = Harness()
    await h.assistant.start()
    await h.assistant.send_text("  hello  ")
    await h.assistant.send_text("   ")
    assert [p for v, p in h.session.sent if v == "text"] == ["hello"]
    assert h.of(TextSent) == [TextSent("hello")]
    assert h.assistant.conversation.entries[0].text == "hello"
    await h.assistant.stop()


async def test_shutdown_stops_streams_then_the_session_then_the_speaker():
    source = QueueSource()
    h = Harness(source=source)
    await h.assistant.start()
    await h.assistant.stop()
    assert source.stopped
    assert h.session.closed
    assert h.sink.calls[-1] == ("stop", None)
    assert h.session.verbs()[-1] == "close"
    assert not h.assistant.running
    await h.assistant.stop()  # twice is fine


async def test_a_device_that_fails_to_start_is_reported_not_fatal():
    class Broken(QueueSource):
        async def start(self) -> None:
            raise OSError("no such device")

    h = Harness(source=Broken())
    await h.assistant.start()
    errors = [e for e in h.events if type(e).__name__ == "MediaErrored"]
    assert errors
    assert errors[0].device == "mic"
    assert "microphone could not start" in errors[0].message
    h.session.feed(InputTranscribed("still works"))
    await h.wait_for(lambda: h.of(InputTranscribed))
    await h.assistant.stop()
