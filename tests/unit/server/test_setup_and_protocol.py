from __future__ import annotations

import json
from typing import Any

import pytest

from desktop_assistant.server.catalog import MODELS, Architecture, Backend
from desktop_assistant.server.engines.base import Scheduling
from desktop_assistant.server.errors import CloseCode, ProtocolError
from desktop_assistant.server.protocol import (
    ClientContent,
    ContextUpdate,
    RealtimeInput,
    SetupMessage,
    ToolResponse,
    parse_client_message,
)
from desktop_assistant.server.setup import (
    ActivityHandling,
    EndSensitivity,
    StartSensitivity,
    TurnCoverage,
    model_name,
    parse_setup,
)
from desktop_assistant.server.wire import normalize_names

NATIVE = "gemini-2.5-flash-native-audio-preview-09-2025"


def setup(**fields: Any) -> Any:
    raw = normalize_names({"model": f"models/{NATIVE}", **fields})
    return parse_setup(raw, Backend.DEVELOPER, "v1beta")  # type: ignore[arg-type]


def refused(**fields: Any) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        setup(**fields)
    return caught.value


def test_defaults() -> None:
    parsed = setup()
    assert parsed.response_modality == "AUDIO"
    assert parsed.voice == "Puck"
    assert not parsed.input_transcription
    assert not parsed.output_transcription
    assert parsed.activity.automatic
    assert parsed.activity.start_sensitivity is StartSensitivity.HIGH
    assert parsed.activity.activity_handling is ActivityHandling.INTERRUPTS
    assert not parsed.resumption
    assert parsed.resume_handle is None


def test_the_captured_rich_setup_of_the_sdk() -> None:
    parsed = setup(
        generationConfig={"responseModalities": ["AUDIO"], "topK": 40.0,
                          "speechConfig": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}},
                                           "language_code": "en-US"}},
        systemInstruction={"parts": [{"text": "You are a helpful assistant."}], "role": "user"},
        tools=[{"googleSearch": {}}, {"functionDeclarations": [
            {"name": "turn_on_lights", "behavior": "NON_BLOCKING",
             "parameters": {"properties": {"room": {"type": "STRING"}}, "type": "OBJECT"}},
            {"name": "get_weather", "parameters_json_schema": {"type": "object"}}]}],
        sessionResumption={"handle": "prev-handle-123"},
        inputAudioTranscription={}, outputAudioTranscription={},
        realtimeInputConfig={"automatic_activity_detection": {
            "disabled": False, "start_of_speech_sensitivity": "START_SENSITIVITY_LOW",
            "end_of_speech_sensitivity": "END_SENSITIVITY_HIGH", "prefix_padding_ms": 20,
            "silence_duration_ms": 100}, "activity_handling": "NO_INTERRUPTION",
            "turn_coverage": "TURN_INCLUDES_ALL_INPUT"},
        contextWindowCompression={"trigger_tokens": 25600, "sliding_window": {"target_tokens": 12800}},
        proactivity={"proactive_audio": True},
    )  # fmt: skip
    assert parsed.voice == "Kore"
    assert parsed.language_code == "en-US"
    assert parsed.system_instruction == "You are a helpful assistant."
    assert [(t.name, t.non_blocking) for t in parsed.tools] == [
        ("turn_on_lights", True),
        ("get_weather", False),
    ]
    assert parsed.tools[0].parameters == {
        "properties": {"room": {"type": "STRING"}},
        "type": "OBJECT",
    }
    assert parsed.resume_handle == "prev-handle-123"
    assert parsed.input_transcription
    assert parsed.output_transcription
    a = parsed.activity
    assert (a.start_sensitivity, a.end_sensitivity) == (StartSensitivity.LOW, EndSensitivity.HIGH)
    assert (a.prefix_padding_ms, a.silence_duration_ms) == (20, 100)
    assert a.activity_handling is ActivityHandling.NO_INTERRUPTION
    assert a.turn_coverage is TurnCoverage.ALL_INPUT


def test_models_without_async_calls_treat_every_call_as_blocking() -> None:
    raw = normalize_names({"model": "models/gemini-3.1-flash-live-preview", "tools": [
        {"functionDeclarations": [{"name": "f", "behavior": "NON_BLOCKING"}]}]})  # fmt: skip
    parsed = parse_setup(raw, Backend.DEVELOPER, "v1beta")  # type: ignore[arg-type]
    assert not parsed.tools[0].non_blocking


def test_refusals() -> None:
    assert refused(model="models/nope").code is CloseCode.POLICY
    assert refused(model="nope").code is CloseCode.POLICY  # the SDK always sends "models/..."
    assert refused(model="").code is CloseCode.INVALID_ARGUMENT
    assert refused(generationConfig={"responseModalities": ["AUDIO", "TEXT"]}).code == 1007
    assert refused(generationConfig={"responseModalities": ["TEXT"]}).reason == (
        "Cannot extract voices from a non-audio request."
    )
    voice = {"speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "puck"}}}}
    assert refused(generationConfig=voice).code == 1007  # names are case-sensitive
    assert "Unknown name" in refused(extra={}).reason
    assert refused(realtimeInputConfig={"turnCoverage": "SOMETIMES"}).code == 1007
    assert refused(sessionResumption={"transparent": True}).code == 1007
    assert refused(tools=[{"functionDeclarations": [{"description": "no name"}]}]).code == 1007


def test_model_names_per_backend() -> None:
    assert model_name("models/x", Backend.DEVELOPER) == "x"
    assert model_name("tunedModels/x", Backend.DEVELOPER) == ""
    assert model_name("publishers/google/models/x", Backend.VERTEX) == "x"
    assert model_name("projects/p/locations/l/publishers/google/models/x", Backend.VERTEX) == "x"
    assert model_name("models/x", Backend.VERTEX) == ""


def test_catalogue() -> None:
    half = [m for m in MODELS.values() if m.architecture is Architecture.HALF_CASCADE]
    assert half
    assert all(len(m.voices) == 8 and m.allows_text_output for m in half)
    native = MODELS[NATIVE]
    assert len(native.voices) == 30
    assert len(set(native.voices)) == 30


def message(obj: dict[str, Any]) -> Any:
    return parse_client_message(json.dumps(obj))


def test_realtime_input_in_both_spellings_and_legacy_chunks() -> None:
    parsed = message({"realtimeInput": {"mediaChunks": [
        {"mimeType": "audio/pcm;rate=24000", "data": "AAAA"}, {"mime_type": "image/jpeg", "data": "_9j_"}]}})  # fmt: skip
    assert isinstance(parsed, RealtimeInput)
    assert [b.sample_rate for b in parsed.audio] == [24000]
    assert parsed.video[0].data == b"\xff\xd8\xff"
    assert message({"realtime_input": {"activity_start": {}}}).activity_start
    assert message({"realtime_input": {"audioStreamEnd": True}}).audio_stream_end
    assert message({"realtime_input": {"audioStreamEnd": False}}).audio_stream_end is False


def test_non_pcm_audio_is_refused() -> None:
    with pytest.raises(ProtocolError) as caught:
        message({"realtimeInput": {"audio": {"mimeType": "audio/ogg", "data": ""}}})
    assert caught.value.code is CloseCode.POLICY


def test_client_content_and_tool_responses() -> None:
    parsed = message({"client_content": {"turns": [
        {"role": "user", "parts": [{"text": "a"}, {"inline_data": {"mime_type": "image/png", "data": "AA=="}}]},
        {"role": "model", "parts": [{"functionCall": {"id": "1", "name": "f", "args": {"x_Y": 1}}}]}],
        "turnComplete": True}})  # fmt: skip
    assert isinstance(parsed, ClientContent)
    assert parsed.turn_complete
    assert parsed.turns[0].text == "a"
    assert parsed.turns[0].images[0].data == b"\0"
    assert parsed.turns[1].function_calls[0].args == {"x_Y": 1}
    assert message({"client_content": {}}).turn_complete is False

    tools = message({"tool_response": {"function_responses": [
        {"id": "1", "name": "f", "response": {"output": 1}, "scheduling": "INTERRUPT", "will_continue": True},
        {"id": "2", "name": "f", "response": {"scheduling": "SILENT"}}]}})  # fmt: skip
    assert isinstance(tools, ToolResponse)
    assert [r.scheduling for r in tools.results] == [Scheduling.INTERRUPT, Scheduling.SILENT]
    assert tools.results[0].will_continue
    with pytest.raises(ProtocolError):
        message({"toolResponse": {"functionResponses": [{"name": "f", "response": {}}]}})
    vertex = parse_client_message(
        json.dumps({"toolResponse": {"functionResponses": [{"name": "f"}]}}), require_tool_ids=False
    )
    assert isinstance(vertex, ToolResponse)


def test_context_update_and_oneof() -> None:
    update = message({"contextUpdate": {"systemInstruction": {"parts": [{"text": "Be terse."}]},
                                        "tools": {"tools": []}}})  # fmt: skip
    assert isinstance(update, ContextUpdate)
    assert (update.system_instruction, update.tools) == ("Be terse.", [])
    assert isinstance(message({"setup": {}}), SetupMessage)
    for bad in ({}, {"setup": {}, "realtimeInput": {}}, {"toolCall": {}}):
        with pytest.raises(ProtocolError):
            message(bad)
