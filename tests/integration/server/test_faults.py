"""Every fault, seen through the SDK the way the real failure would look."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from google.genai import errors

from desktop_assistant.server import Fault, FaultKind, LocalLiveServer, ServerOptions
from tests.integration.server.live import CAMEL_SETUP_JSON, Turn, live, raw_socket, receive_turn

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def bare() -> AsyncIterator[LocalLiveServer]:
    async with LocalLiveServer(ServerOptions(speed=50)) as server:
        yield server


async def talk(server: LocalLiveServer, text: str = "hello there, how are you today?") -> Turn:
    async with live(server) as session:
        await session.send_realtime_input(text=text)
        return await receive_turn(session)


async def failure(server: LocalLiveServer) -> BaseException:
    with pytest.raises((errors.APIError, ValueError)) as caught:
        await talk(server)
    return caught.value


async def test_close_mid_turn_is_an_api_error_with_the_code(bare: LocalLiveServer) -> None:
    bare.faults.add(
        Fault(FaultKind.CLOSE, code=1011, reason="Internal error encountered.", after_frames=2)
    )
    error = await failure(bare)
    assert isinstance(error, errors.APIError)
    assert error.code == 1011
    assert "Internal error encountered." in str(error)


async def test_reset_is_1006(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault(FaultKind.RESET, after_frames=3))
    error = await failure(bare)
    assert isinstance(error, errors.APIError)
    assert error.code == 1006


async def test_oversized_frame_is_1006(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault(FaultKind.OVERSIZED))
    error = await failure(bare)
    assert isinstance(error, errors.APIError)
    assert error.code == 1006


async def test_malformed_frame_fails_to_parse(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault(FaultKind.MALFORMED))
    error = await failure(bare)
    assert isinstance(error, ValueError)
    assert "Failed to parse response" in str(error)


async def test_stall_holds_frames_then_the_turn_completes(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault(FaultKind.STALL, stall_s=0.3, after_frames=1))
    turn = await talk(bare)
    assert turn.has("turn_complete")
    assert bare.connections[0].faults_fired == ["stall"]


async def test_unknown_fields_are_ignored_by_the_sdk(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault(FaultKind.UNKNOWN_FIELDS, after_frames=0))
    turn = await talk(bare, "still fine")
    assert turn.output_transcript.strip() == "You said: still fine"


async def test_text_frames_mid_session_are_read_the_same(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault(FaultKind.TEXT_FRAMES, after_frames=2))
    turn = await talk(bare, "mixed frames")
    assert turn.output_transcript.strip() == "You said: mixed frames"


async def test_bundled_end_of_turn(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault(FaultKind.BUNDLED, after_frames=2))
    turn = await talk(bare, "bundle it")
    last = turn.messages[-1]
    content = last.server_content
    assert content.interrupted
    assert content.turn_complete
    assert content.input_transcription.text == "bundle it"
    assert content.output_transcription.text
    # The bundled fragment is the last one, not a repeat of those before: the caption reads once.
    caption = "".join(c.output_transcription.text for c in turn.content() if c.output_transcription)
    assert "You said: bundle it ".startswith(caption)
    assert last.data  # the audio rode along: a client must not play it after `interrupted`
    assert last.usage_metadata is not None


async def test_fault_targets_one_connection(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault(FaultKind.CLOSE, connection=2, code=1011, after_frames=1))
    first = await talk(bare, "first")
    assert first.has("turn_complete")
    error = await failure(bare)
    assert isinstance(error, errors.APIError)
    assert error.code == 1011
    third = await talk(bare, "third")
    assert third.has("turn_complete")


async def test_close_at_setup_fails_connect(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault.parse("close:1011:The service is currently unavailable.@at=setup"))
    with pytest.raises(errors.APIError) as caught:
        async with live(bare):
            pass
    assert caught.value.code == 1011
    assert "The service is currently unavailable." in str(caught.value)


async def test_faults_from_options_and_text() -> None:
    options = ServerOptions(speed=50, faults=(Fault.parse("reset@turn=2,frames=1"),))
    async with LocalLiveServer(options) as server:
        async with live(server) as session:
            await session.send_realtime_input(text="one")
            assert (await receive_turn(session)).has("turn_complete")
            await session.send_realtime_input(text="two")
            with pytest.raises(errors.APIError) as caught:
                await receive_turn(session)
    assert caught.value.code == 1006


async def test_raw_client_sees_text_frames_after_the_fault(bare: LocalLiveServer) -> None:
    bare.faults.add(Fault(FaultKind.TEXT_FRAMES, at="setup"))
    async with raw_socket(bare) as ws:
        await ws.send(CAMEL_SETUP_JSON)
        assert isinstance(await ws.recv(), str)
