"""Raw frames: both field-name spellings, both base64 alphabets, binary and text server frames."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.server.live import NATIVE, raw_socket, recv_json, recv_until

pytestmark = pytest.mark.asyncio

# 0.5 s of PCM whose standard base64 is full of '+' and '/' (and '-'/'_' in the URL-safe form).
PCM = bytes([0xFB, 0xEF, 0xBE, 0xFF]) * 4000


def frame(message: dict[str, Any]) -> str:
    return json.dumps(message)


def transcript(frames: list[dict[str, Any]]) -> str:
    return "".join(
        f["serverContent"]["outputTranscription"]["text"]
        for f in frames
        if "outputTranscription" in f.get("serverContent", {})
    )


CAMEL_SETUP = {
    "setup": {
        "model": f"models/{NATIVE}",
        "generationConfig": {
            "responseModalities": ["AUDIO"],
            "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
        },
        "outputAudioTranscription": {},
        "realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}},
        "tools": [{"functionDeclarations": [{"name": "get_weather", "parameters": {
            "type": "OBJECT", "properties": {"cityName": {"type": "STRING"}}}}]}],
    }
}  # fmt: skip
SNAKE_SETUP = {
    "setup": {
        "model": f"models/{NATIVE}",
        "generation_config": {
            "response_modalities": ["AUDIO"],
            "speech_config": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}}},
        },
        "output_audio_transcription": {},
        "realtime_input_config": {"automatic_activity_detection": {"disabled": True}},
        "tools": [{"function_declarations": [{"name": "get_weather", "parameters_json_schema": {
            "type": "object", "properties": {"city_name": {"type": "string"}}}}]}],
    }
}  # fmt: skip


async def test_camel_case_and_standard_padded_base64(server: LocalLiveServer) -> None:
    async with raw_socket(server) as ws:
        await ws.send(frame(CAMEL_SETUP))
        assert await recv_json(ws) == {"setupComplete": {}}
        await ws.send(frame({"realtimeInput": {"activityStart": {}}}))
        data = base64.b64encode(PCM).decode()
        assert "+" in data
        assert "/" in data
        await ws.send(
            frame({"realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=16000", "data": data}}})
        )
        await ws.send(frame({"realtimeInput": {"activityEnd": {}}}))
        frames = await recv_until(ws, "serverContent", "turnComplete")
    assert "I heard 0.5 seconds of speech." in transcript(frames)


async def test_snake_case_and_url_safe_unpadded_base64(server: LocalLiveServer) -> None:
    data = base64.urlsafe_b64encode(PCM[:-1] + b"\0").decode().rstrip("=")
    assert "-" in data
    assert "_" in data
    async with raw_socket(server) as ws:
        await ws.send(frame(SNAKE_SETUP))
        assert await recv_json(ws) == {"setupComplete": {}}
        await ws.send(frame({"realtime_input": {"activity_start": {}}}))
        chunk = {"mime_type": "audio/pcm;rate=16000", "data": data}
        await ws.send(frame({"realtime_input": {"media_chunks": [chunk]}}))
        await ws.send(frame({"realtime_input": {"activity_end": {}}}))
        frames = await recv_until(ws, "serverContent", "turnComplete")
    assert "I heard 0.5 seconds of speech." in transcript(frames)


@pytest.mark.parametrize("outer", ["toolResponse", "tool_response"])
async def test_user_payload_names_are_kept_verbatim(server: LocalLiveServer, outer: str) -> None:
    async with raw_socket(server) as ws:
        await ws.send(frame(CAMEL_SETUP))
        await recv_json(ws)
        await ws.send(frame({"realtimeInput": {"text": 'call get_weather {"cityName": "Rome"}'}}))
        frames = await recv_until(ws, "toolCall")
        (call,) = frames[-1]["toolCall"]["functionCalls"]
        assert call["args"] == {"cityName": "Rome"}
        inner = "functionResponses" if outer == "toolResponse" else "function_responses"
        payload = {"cityName": "Rome", "sky_state": "clear", "nested": {"someKey": [{"a_b": 1}]}}
        await ws.send(
            frame(
                {outer: {inner: [{"id": call["id"], "name": "get_weather", "response": payload}]}}
            )
        )
        frames = await recv_until(ws, "serverContent", "turnComplete")
    assert json.dumps(payload, sort_keys=True) in transcript(frames)


async def test_server_frames_are_binary_camel_case_and_setup_complete_first(
    server: LocalLiveServer,
) -> None:
    async with raw_socket(server) as ws:
        await ws.send(frame(CAMEL_SETUP))
        first = await ws.recv()
        assert isinstance(first, bytes)
        assert json.loads(first) == {"setupComplete": {}}
        await ws.send(frame({"realtimeInput": {"text": "hi"}}))
        frames = await recv_until(ws, "serverContent", "turnComplete")
    allowed = {"serverContent", "usageMetadata", "sessionResumptionUpdate", "toolCall"}
    assert all(set(f) <= allowed for f in frames)
    audio = [
        p["inlineData"]
        for f in frames
        for p in f["serverContent"].get("modelTurn", {}).get("parts", [])
    ]
    assert audio
    assert all(a["mimeType"] == "audio/pcm;rate=24000" for a in audio)
    # Standard base64, with padding, as the service sends it.
    assert all(len(a["data"]) % 4 == 0 and "-" not in a["data"] for a in audio)
    assert all(len(json.dumps(f)) < 64 * 1024 for f in frames)


async def test_text_frames_when_asked() -> None:
    async with LocalLiveServer(ServerOptions(frame_kind="text", speed=50)) as server:
        async with raw_socket(server) as ws:
            await ws.send(frame(CAMEL_SETUP))
            first = await ws.recv()
    assert isinstance(first, str)
    assert json.loads(first) == {"setupComplete": {}}


async def test_bad_base64_closes_1007(server: LocalLiveServer) -> None:
    async with raw_socket(server) as ws:
        await ws.send(frame(CAMEL_SETUP))
        await recv_json(ws)
        await ws.send(frame({"realtimeInput": {"audio": {"mimeType": "audio/pcm", "data": "***"}}}))
        with pytest.raises(ConnectionClosed):
            await recv_json(ws)
    assert ws.close_code == 1007
    assert "Base64 decoding failed" in (ws.close_reason or "")


async def test_unknown_field_closes_1007_with_its_name(server: LocalLiveServer) -> None:
    async with raw_socket(server) as ws:
        await ws.send(frame(CAMEL_SETUP))
        await recv_json(ws)
        await ws.send(frame({"realtimeInput": {"audioo": {}}}))
        with pytest.raises(ConnectionClosed):
            await recv_json(ws)
    assert ws.close_code == 1007
    assert ws.close_reason == (
        "Invalid JSON payload received. Unknown name \"audioo\" at 'realtime_input': Cannot find field."
    )
