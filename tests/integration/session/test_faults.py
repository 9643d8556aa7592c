"""Every fault the local server can inject leads to its documented outcome.

| Fault                          | Outcome                                                          |
|--------------------------------|------------------------------------------------------------------|
| close 1011 / 1000 / reset mid-turn | "Reconnecting…" (retry), resumed with the handle; cut turn closed |
| close 1007 on a fresh setup    | stop: "refused the conversation settings", no retry               |
| close 1007 after a resume      | stop: context exhausted, no retry                                 |
| close 1008 at setup            | stop, naming the model or feature                                 |
| a refused API key              | ask for a key, no retry                                           |
| stall shorter than the watchdog | nothing: the answer arrives late                                 |
| stall longer than the watchdog | "stopped answering", reconnect with resumption                     |
| malformed frame                | skipped with a notice (continue); the turn still completes        |
| oversized frame (> 1 MiB)      | accepted (the client allows 16 MiB); nothing breaks               |
| text or binary frames          | both read alike                                                   |
| failures on every connection   | stop after the failure budget, saying so                          |
"""

from __future__ import annotations

import pytest

from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    ErrorAction,
    OutputTranscribed,
    Reconnected,
    SessionErrored,
    SessionStarted,
    TurnCompleted,
)
from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.faults import Fault, FaultKind
from desktop_assistant.session.genai_session import CONNECTION_LOST
from tests.integration.session.conftest import Recorder, local_settings, session_for

pytestmark = pytest.mark.asyncio


def serving(*faults: Fault, **options):
    return LocalLiveServer(
        ServerOptions(engine="echo", speed=20.0, espeak=None, faults=list(faults), **options)
    )


async def answered(rec: Recorder, text: str, n: int) -> None:
    await rec.session.send_text(text)
    await rec.wait_for(TurnCompleted, n)


async def failed(rec: Recorder) -> SessionErrored:
    await rec.wait(
        lambda: any(e.state is ConnectionState.FAILED for e in rec.of(ConnectionStateChanged))
    )
    return rec.of(SessionErrored)[-1]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(FaultKind.CLOSE, connection=1, turn=2, after_frames=2, code=1011),
        Fault(FaultKind.CLOSE, connection=1, turn=2, after_frames=2, code=1000, reason=""),
        Fault(FaultKind.RESET, connection=1, turn=2, after_frames=2),
    ],
    ids=["close-1011", "close-1000", "tcp-reset"],
)
async def test_a_dropped_connection_resumes_and_the_conversation_goes_on(fault):
    async with serving(fault) as server:
        rec = Recorder(session_for(server))
        await answered(rec, "first", 1)
        await rec.wait(lambda: rec.session._resumption.available)
        await rec.session.send_text("second, cut short")
        reconnected = await rec.wait_for(Reconnected)
        assert reconnected.resumed
        assert not reconnected.reseeded
        notice = rec.of(SessionErrored)[0]
        assert notice.action is ErrorAction.RETRY
        assert "Reconnecting" in notice.message
        cut = await rec.wait_for(TurnCompleted, 2)
        assert cut.reason == CONNECTION_LOST
        await answered(rec, "third", 3)
        assert server.connections[1].resumed
        assert "You said: third" in "".join(e.text for e in rec.of(OutputTranscribed))
        await rec.close()


async def test_a_refused_setup_stops_without_retrying():
    async with serving(
        Fault(
            FaultKind.CLOSE, at="setup", code=1007, reason="Request contains an invalid argument."
        )
    ) as server:
        rec = Recorder(session_for(server))
        error = await failed(rec)
        assert error.action is ErrorAction.STOP
        assert error.code == 1007
        assert "refused the conversation settings" in error.message
        assert server.stats.connections_total == 1
        await rec.close()


async def test_1007_after_a_resume_means_the_context_is_exhausted():
    faults = (
        Fault(FaultKind.CLOSE, connection=1, turn=2, after_frames=1, code=1011),
        Fault(
            FaultKind.CLOSE,
            connection=2,
            at="setup",
            code=1007,
            reason="Request contains an invalid argument.",
        ),
    )
    async with serving(*faults) as server:
        rec = Recorder(session_for(server))
        await answered(rec, "first", 1)
        await rec.wait(lambda: rec.session._resumption.available)
        await rec.session.send_text("second")
        error = await failed(rec)
        assert error.action is ErrorAction.STOP
        assert "longer than the model can remember" in error.message
        assert server.stats.connections_total == 2
        await rec.close()


async def test_1008_stops_and_says_what_is_not_available():
    async with serving(
        Fault(
            FaultKind.CLOSE,
            at="setup",
            code=1008,
            reason="Operation is not implemented, or supported, or enabled.",
        )
    ) as server:
        rec = Recorder(session_for(server))
        error = await failed(rec)
        assert error.action is ErrorAction.STOP
        assert error.code == 1008
        assert "not available with gemini-2.5-flash-native-audio-preview-12-2025" in error.message
        assert server.stats.connections_total == 1
        await rec.close()


async def test_an_unknown_model_is_refused_by_the_service_and_named():
    async with serving() as server:
        rec = Recorder(session_for(server, local_settings(model="gemini-9-imaginary-live")))
        error = await failed(rec)
        assert error.code == 1008
        assert "gemini-9-imaginary-live is not available" in error.message
        await rec.close()


async def test_a_bad_key_asks_for_a_key_once():
    async with serving() as server:
        rec = Recorder(session_for(server, api_key="not-the-key"))
        error = await failed(rec)
        assert error.action is ErrorAction.ASK_FOR_KEY
        assert "API key was refused" in error.message
        assert server.stats.connections_total == 1
        assert "not-the-key" not in error.detail
        await rec.close()


async def test_a_short_stall_is_ridden_out():
    async with serving(Fault(FaultKind.STALL, after_frames=1, stall_s=0.5)) as server:
        rec = Recorder(session_for(server))
        await answered(rec, "slowly", 1)
        assert not rec.of(SessionErrored)
        assert server.stats.connections_total == 1
        await rec.close()


async def test_a_long_stall_mid_answer_reconnects():
    async with serving(
        Fault(FaultKind.STALL, connection=1, turn=2, after_frames=1, stall_s=60)
    ) as server:
        rec = Recorder(session_for(server, local_settings(connection={"stall_timeout_s": 0.5})))
        await answered(rec, "first", 1)
        await rec.wait(lambda: rec.session._resumption.available)
        await rec.session.send_text("second")
        reconnected = await rec.wait_for(Reconnected)
        assert reconnected.resumed
        assert "stopped answering" in rec.of(SessionErrored)[0].message
        await answered(rec, "third", 3)
        await rec.close()


async def test_a_malformed_frame_is_skipped_and_the_turn_completes():
    async with serving(Fault(FaultKind.MALFORMED, after_frames=1)) as server:
        rec = Recorder(session_for(server))
        await answered(rec, "anything", 1)
        notice = rec.of(SessionErrored)[0]
        assert notice.action is ErrorAction.CONTINUE
        assert "could not be read" in notice.message
        assert rec.session.stats.malformed_frames == 1
        assert server.stats.connections_total == 1
        await rec.close()


async def test_an_oversized_frame_is_accepted():
    async with serving(Fault(FaultKind.OVERSIZED, after_frames=1)) as server:
        rec = Recorder(session_for(server))
        await answered(rec, "big", 1)
        assert not rec.of(SessionErrored)
        assert server.stats.connections_total == 1
        await rec.close()


@pytest.mark.parametrize("kind", [FaultKind.TEXT_FRAMES, FaultKind.BINARY_FRAMES])
async def test_text_and_binary_frames_read_alike(kind):
    async with serving(Fault(kind, at="setup")) as server:
        rec = Recorder(session_for(server))
        await answered(rec, "framing", 1)
        assert not rec.of(SessionErrored)
        await rec.close()


async def test_failures_on_every_connection_spend_the_budget_and_stop():
    async with serving(Fault(FaultKind.CLOSE, at="setup", code=1011)) as server:
        settings = local_settings(connection={"reconnect_attempts": 3})
        rec = Recorder(session_for(server, settings))
        error = await failed(rec)
        assert error.action is ErrorAction.STOP
        assert "Could not reconnect after 3 attempts" in error.message
        assert server.stats.connections_total == 4  # the first try and three retries
        attempts = [
            e.attempt
            for e in rec.of(ConnectionStateChanged)
            if e.state is ConnectionState.RECONNECTING
        ]
        assert attempts == [1, 2, 3]
        assert not rec.of(SessionStarted)
        await rec.close()
