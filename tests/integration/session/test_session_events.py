"""Each kind of server message reaches the app as typed events, through one long-lived receiver."""

from __future__ import annotations

import pytest

from desktop_assistant.core.events import (
    SESSION_EVENT_ORDER,
    ConnectionState,
    ConnectionStateChanged,
    GenerationCompleted,
    GoAwayReceived,
    InputTranscribed,
    Interrupted,
    ModelAudioReceived,
    ModelTextReceived,
    OutputTranscribed,
    ResumptionHandleReceived,
    SessionStarted,
    ToolCallCancelled,
    ToolCallRequested,
    TurnCompleted,
    UsageUpdated,
)
from desktop_assistant.core.ports import ToolDeclaration, ToolResponse
from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.faults import Fault, FaultKind
from tests.integration.session.conftest import Recorder, blocks_of, local_settings, session_for
from tests.support.fixtures import speech

pytestmark = pytest.mark.asyncio

SLOW = ToolDeclaration("slow_lookup", "Looks something up.", {"type": "object", "properties": {}})


async def test_a_text_turn_arrives_as_transcript_audio_turn_end_usage_and_handle(server):
    rec = Recorder(session_for(server))
    await rec.session.send_text("hello there")
    await rec.wait_for(ResumptionHandleReceived, 2)
    names = rec.names()
    assert names[:3] == ["ConnectionStateChanged", "SessionStarted", "ConnectionStateChanged"]
    assert rec.of(ConnectionStateChanged)[1].state is ConnectionState.LIVE
    assert not rec.of(SessionStarted)[0].resumed
    assert "".join(e.text for e in rec.of(OutputTranscribed)).strip() == "You said: hello there"
    assert sum(len(e.pcm) for e in rec.of(ModelAudioReceived)) > 0
    assert rec.of(ModelAudioReceived)[0].sample_rate_hz == 24_000
    order = [n for n in names if n in ("GenerationCompleted", "TurnCompleted", "UsageUpdated")]
    assert order == ["GenerationCompleted", "TurnCompleted", "UsageUpdated"]
    usage = rec.of(UsageUpdated)[0]
    assert usage.total_tokens > 0
    assert usage.response_by_modality.get("AUDIO", 0) > 0
    handle = rec.of(ResumptionHandleReceived)[-1]
    assert handle.resumable
    assert handle.handle
    await rec.close()


async def test_the_receiver_outlives_turns(server):
    """The SDK's receive() stops after each turn; the session keeps listening across many."""
    rec = Recorder(session_for(server))
    for n in range(1, 5):
        await rec.session.send_text(f"turn {n}")
        await rec.wait_for(TurnCompleted, n)
    texts = "".join(e.text for e in rec.of(OutputTranscribed))
    assert all(f"turn {n}" in texts for n in range(1, 5))
    assert server.stats.connections_total == 1
    await rec.close()


async def test_speech_is_heard_transcribed_and_answered(server):
    rec = Recorder(session_for(server))
    await rec.wait_for(SessionStarted)
    for block in blocks_of(speech("en_weather").pcm16() + bytes(16_000)):
        await rec.session.send_audio(block)
    await rec.session.send_audio_stream_end()
    await rec.wait_for(TurnCompleted)
    heard = rec.of(InputTranscribed)[0]
    assert "seconds of speech" in heard.text
    assert heard.finished
    assert "I heard" in "".join(e.text for e in rec.of(OutputTranscribed))
    await rec.close()


async def test_text_replies_from_a_half_cascade_model():
    async with LocalLiveServer(ServerOptions(engine="echo", speed=50.0, espeak=None)) as server:
        settings = local_settings(model="gemini-live-2.5-flash-preview", response_modality="TEXT")
        rec = Recorder(session_for(server, settings))
        await rec.session.send_text("plain text please")
        await rec.wait_for(TurnCompleted)
        assert "You said: plain text please" in "".join(e.text for e in rec.of(ModelTextReceived))
        assert not rec.of(ModelAudioReceived)
        await rec.close()


async def test_barge_in_interrupts_and_cancels_pending_calls(server):
    settings = local_settings(activity_detection={"automatic": False})
    rec = Recorder(session_for(server, settings, tools=[SLOW]))
    await rec.session.send_text("call slow_lookup {}")
    call = await rec.wait_for(ToolCallRequested)
    assert call.name == "slow_lookup"
    await rec.session.send_activity_start()  # the user starts talking while the call is pending
    cancelled = await rec.wait_for(ToolCallCancelled)
    assert cancelled.call_ids == (call.call_id,)
    await rec.wait_for(TurnCompleted)
    names = rec.names()
    assert (
        names.index("Interrupted") < names.index("ToolCallCancelled") < names.index("TurnCompleted")
    )
    assert "GenerationCompleted" not in names  # an interrupted turn never completes its generation
    await rec.session.send_activity_end()
    await rec.close()


async def test_tool_answers_reach_the_model(server):
    rec = Recorder(session_for(server, tools=[SLOW]))
    await rec.session.send_text("call slow_lookup {}")
    call = await rec.wait_for(ToolCallRequested)
    await rec.session.send_tool_responses([ToolResponse(call.call_id, call.name, {"output": "42"})])
    await rec.wait_for(TurnCompleted)
    assert '{"output": "42"}' in "".join(e.text for e in rec.of(OutputTranscribed))
    await rec.close()


async def test_one_message_with_many_fields_becomes_ordered_events():
    options = ServerOptions(
        engine="echo", speed=50.0, espeak=None, faults=[Fault(FaultKind.BUNDLED, after_frames=1)]
    )
    async with LocalLiveServer(options) as server:
        rec = Recorder(session_for(server))
        await rec.session.send_text("say something long enough to be cut")
        await rec.wait_for(TurnCompleted)
        names = rec.names()
        tail = names[names.index("Interrupted") :]
        expected = [
            "Interrupted",
            "InputTranscribed",
            "ModelAudioReceived",
            "OutputTranscribed",
            "TurnCompleted",
        ]
        assert [n for n in tail if n in expected][:5] == expected
        ranks = [
            SESSION_EVENT_ORDER.index(type(e))
            for e in rec.events[names.index("Interrupted") : names.index("TurnCompleted") + 1]
        ]
        assert ranks == sorted(ranks)
        assert rec.count(Interrupted) == 1
        await rec.close()


async def test_goaway_is_reported_before_the_handover():
    options = ServerOptions(
        engine="echo", speed=50.0, espeak=None, connection_lifetime_s=3.0, goaway_notice_s=2.0
    )
    async with LocalLiveServer(options) as server:
        rec = Recorder(session_for(server))
        goaway = await rec.wait_for(GoAwayReceived)
        assert 0 < goaway.time_left_s <= 2.0
        await rec.wait_for(SessionStarted, 2)
        await rec.close()


async def test_unknown_fields_from_a_newer_service_are_ignored():
    options = ServerOptions(
        engine="echo", speed=50.0, espeak=None, faults=[Fault(FaultKind.UNKNOWN_FIELDS, at="setup")]
    )
    async with LocalLiveServer(options) as server:
        rec = Recorder(session_for(server))
        await rec.session.send_text("still fine?")
        await rec.wait_for(TurnCompleted)
        assert rec.of(GenerationCompleted)
        await rec.close()


async def test_vertex_express_mode_speaks_the_vertex_flavour(server):
    from desktop_assistant.config.capabilities import Platform
    from desktop_assistant.session.connection import Endpoint

    settings = local_settings(
        model="gemini-live-2.5-flash-native-audio",
        backend={"kind": "vertex", "vertex_project": "p"},
    )
    endpoint = Endpoint(
        platform=Platform.VERTEX,
        base_url=server.base_url,
        ssl_context=server.client_ssl_context(),
        use_system_proxy=False,
    )
    rec = Recorder(session_for(server, settings, endpoint=endpoint))
    await rec.session.send_text("hola")
    await rec.wait_for(TurnCompleted)
    assert server.connections[0].backend == "vertex"
    assert server.connections[0].api_version == "v1beta1"
    assert "You said: hola" in "".join(e.text for e in rec.of(OutputTranscribed))
    await rec.close()
