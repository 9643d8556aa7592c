"""A bad setup, an unknown model or voice, a wrong first frame: the close codes the service gives."""

from __future__ import annotations

import json

import pytest
from google.genai import errors, types
from websockets.exceptions import ConnectionClosed

from desktop_assistant.server import LocalLiveServer
from desktop_assistant.server.catalog import HALF_CASCADE_VOICES, VOICES
from tests.integration.server.live import HALF_CASCADE, NATIVE, live, raw_socket, recv_json

pytestmark = pytest.mark.asyncio


async def refusal(
    server: LocalLiveServer, config: types.LiveConnectConfig, model: str
) -> errors.APIError:
    with pytest.raises(errors.APIError) as caught:
        async with live(server, config, model=model):
            pass
    return caught.value


def voice(name: str, modality: str = "AUDIO") -> types.LiveConnectConfig:
    return types.LiveConnectConfig(
        response_modalities=[modality],
        speech_config=types.SpeechConfig(
            voice_config=types.VoiceConfig(
                prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=name)
            )
        ),
    )


async def test_unknown_model_closes_1008_from_connect(server: LocalLiveServer) -> None:
    error = await refusal(server, voice("Puck"), "gemini-9-imaginary")
    assert error.code == 1008
    assert error.details == (
        "models/gemini-9-imaginary is not found for API version v1beta, "
        "or is not supported for bidiGenerateContent."
    )


async def test_retired_model_is_unknown(server: LocalLiveServer) -> None:
    assert (await refusal(server, voice("Puck"), "gemini-2.0-flash-live-001")).code == 1008


async def test_reason_is_cut_to_123_bytes(server: LocalLiveServer) -> None:
    error = await refusal(server, voice("Puck"), "x" * 300)
    assert error.code == 1008
    assert len(str(error.details).encode()) <= 123


async def test_every_voice_on_native_audio(server: LocalLiveServer) -> None:
    for name in VOICES:
        async with live(server, voice(name)) as session:
            assert session.setup_complete is not None


async def test_unknown_voice_closes_1007(server: LocalLiveServer) -> None:
    error = await refusal(server, voice("Nobody"), NATIVE)
    assert error.code == 1007
    assert error.details == "Request contains an invalid argument."


async def test_half_cascade_takes_only_the_first_eight_voices(server: LocalLiveServer) -> None:
    async with live(server, voice(HALF_CASCADE_VOICES[-1], "TEXT"), model=HALF_CASCADE) as s:
        assert s.setup_complete is not None
    assert (await refusal(server, voice(VOICES[8], "TEXT"), HALF_CASCADE)).code == 1007


async def test_text_modality_on_native_audio(server: LocalLiveServer) -> None:
    error = await refusal(server, voice("Puck", "TEXT"), NATIVE)
    assert error.code == 1007
    assert error.details == "Cannot extract voices from a non-audio request."
    # Gemini 3.1 Flash Live answers the same mistake with an internal error.
    assert (
        await refusal(server, voice("Puck", "TEXT"), "gemini-3.1-flash-live-preview")
    ).code == 1011


async def test_two_modalities_are_refused(server: LocalLiveServer) -> None:
    config = types.LiveConnectConfig(response_modalities=["AUDIO", "TEXT"])
    assert (await refusal(server, config, NATIVE)).code == 1007


@pytest.mark.parametrize(
    ("first", "reason"),
    [
        ("not json", "Invalid JSON payload received."),
        (json.dumps({"realtimeInput": {"text": "hi"}}), "Request contains an invalid argument."),
        (
            json.dumps({"setup": {"model": f"models/{NATIVE}", "modle": 1}}),
            "Invalid JSON payload received. Unknown name \"modle\" at 'setup': Cannot find field.",
        ),
        (json.dumps({"setup": {}}), "Request contains an invalid argument."),
    ],
)
async def test_bad_first_frame_closes_1007(
    server: LocalLiveServer, first: str, reason: str
) -> None:
    async with raw_socket(server) as ws:
        await ws.send(first)
        with pytest.raises(ConnectionClosed):
            await recv_json(ws)
    assert ws.close_code == 1007
    assert ws.close_reason == reason
    await server.wait_for(lambda: server.connections[-1].closed)
    assert not server.connections[-1].setup_completed
    assert server.stats.rejected == 1


async def test_bad_enum_value_is_refused(server: LocalLiveServer) -> None:
    setup = {
        "model": f"models/{NATIVE}",
        "realtimeInputConfig": {"activityHandling": "SOMETIMES"},
    }
    async with raw_socket(server) as ws:
        await ws.send(json.dumps({"setup": setup}))
        with pytest.raises(ConnectionClosed):
            await recv_json(ws)
    assert ws.close_code == 1007
    assert "SOMETIMES" in (ws.close_reason or "")
