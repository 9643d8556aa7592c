"""Resumption restores the conversation on a new connection (once per handle); goAway then close."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.genai import errors, types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.server.live import audio_config, live, next_message, receive_turn

pytestmark = pytest.mark.asyncio


def resumable(handle: str | None = None) -> types.LiveConnectConfig:
    return audio_config(session_resumption=types.SessionResumptionConfig(handle=handle))


async def test_resuming_restores_history_and_turn_count(tmp_path: Path) -> None:
    script = tmp_path / "s.json"
    script.write_text(json.dumps({"turns": ["Turn {turn}. Before you said {previous_user_text}."]}))
    async with LocalLiveServer(ServerOptions(engine=f"script:{script}", speed=50)) as server:
        async with live(server, resumable()) as session:
            await session.send_realtime_input(text="alpha")
            first = await receive_turn(session)
            update = (await next_message(session)).session_resumption_update
        assert first.output_transcript.strip() == "Turn 1. Before you said ."
        assert update is not None
        assert update.new_handle

        async with live(server, resumable(update.new_handle)) as session:
            await session.send_realtime_input(text="beta")
            second = await receive_turn(session)
            again = (await next_message(session)).session_resumption_update
        assert second.output_transcript.strip() == "Turn 2. Before you said alpha."
        assert server.connections[1].resumed
        assert again is not None
        assert again.new_handle != update.new_handle

        # A handle works once.
        with pytest.raises(errors.APIError) as caught:
            async with live(server, resumable(update.new_handle)):
                pass
        assert caught.value.code == 1008


async def test_unknown_handle_is_refused(server: LocalLiveServer) -> None:
    with pytest.raises(errors.APIError) as caught:
        async with live(server, resumable("no-such-handle")):
            pass
    assert caught.value.code == 1008
    assert "resumption handle" in str(caught.value)


async def test_go_away_with_time_left_then_close() -> None:
    options = ServerOptions(speed=50, connection_lifetime_s=0.6, goaway_notice_s=0.3)
    async with LocalLiveServer(options) as server:
        async with live(server, resumable()) as session:
            message = await next_message(session)
            assert message.go_away is not None
            assert message.go_away.time_left == "0.300s"
            with pytest.raises(errors.APIError) as caught:
                await next_message(session)
    assert caught.value.code == 1011
    assert "Deadline expired before operation could complete." in str(caught.value)


async def test_server_shutdown_closes_sessions(server: LocalLiveServer) -> None:
    async with live(server) as session:
        await server.stop()
        with pytest.raises(errors.APIError) as caught:
            await next_message(session)
    assert caught.value.code == 1001
