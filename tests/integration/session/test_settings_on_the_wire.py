"""Every setting, and every send verb, reaches the wire as the SDK sends it (recorded on TLS)."""

from __future__ import annotations

import base64

import pytest

from desktop_assistant.config.secrets import Secret
from desktop_assistant.core.events import SessionStarted, TurnCompleted
from desktop_assistant.core.ports import AudioBlock, ToolDeclaration, ToolResponse
from desktop_assistant.session.connection import Endpoint, StaticCredential
from desktop_assistant.session.genai_session import GenaiLiveSession
from tests.integration.session.conftest import Recorder, local_settings, session_for
from tests.integration.session.recording_endpoint import RecordingEndpoint

pytestmark = pytest.mark.asyncio

EVERYTHING = {
    "voice": {"name": "Charon"},
    "system_instruction": "You are terse.",
    "transcription": {"input": True, "output": True, "language_hints": ["en-US"]},
    "activity_detection": {
        "automatic": True,
        "start_sensitivity": "low",
        "end_sensitivity": "low",
        "prefix_padding_ms": 40,
        "silence_duration_ms": 700,
        "activity_handling": "interrupts",
        "turn_coverage": "only_activity",
    },
    "proactive_audio": True,
    "affective_dialog": True,
    "media_resolution": "medium",
    "thinking": {"budget_tokens": 512, "include_thoughts": True},
    "context_compression": {"trigger_tokens": 20000, "target_tokens": 10000},
    "tools": {"google_search": True},
    "sampling": {"temperature": 0.4, "seed": 3},
}
TOOL = ToolDeclaration(
    "lookup",
    "Look up.",
    {"type": "object", "properties": {"q": {"type": "string"}}},
    non_blocking=True,
)


def recorded_session(endpoint: RecordingEndpoint, settings, key="test-key", **kwargs):
    return GenaiLiveSession(
        settings,
        endpoint=Endpoint(
            base_url=endpoint.base_url,
            ssl_context=endpoint.client_ssl_context(),
            use_system_proxy=False,
        ),
        credentials=StaticCredential(Secret(key)),
        **kwargs,
    )


async def test_every_setting_reaches_the_setup_frame(tmp_path):
    async with RecordingEndpoint(tmp_path) as endpoint:
        rec = Recorder(recorded_session(endpoint, local_settings(**EVERYTHING), tools=[TOOL]))
        await rec.wait_for(SessionStarted)
        (capture,) = endpoint.captures
        # Proactive audio and affective dialog are served on v1alpha only.
        assert (
            capture.path
            == "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent"
        )
        assert capture.headers["x-goog-api-key"] == "test-key"
        setup = capture.setup
        assert setup["model"] == "models/gemini-2.5-flash-native-audio-preview-12-2025"
        gen = setup["generationConfig"]
        assert gen["responseModalities"] == ["AUDIO"]
        assert gen["speechConfig"] == {
            "voice_config": {"prebuilt_voice_config": {"voice_name": "Charon"}}
        }
        assert gen["mediaResolution"] == "MEDIA_RESOLUTION_MEDIUM"
        assert gen["enableAffectiveDialog"] is True
        assert gen["thinkingConfig"] == {"include_thoughts": True, "thinking_budget": 512}
        assert (gen["temperature"], gen["seed"]) == (0.4, 3)
        assert setup["systemInstruction"] == {"parts": [{"text": "You are terse."}], "role": "user"}
        assert setup["inputAudioTranscription"] == {"language_codes": ["en-US"]}
        assert setup["outputAudioTranscription"] == {}
        assert setup["realtimeInputConfig"] == {
            "automatic_activity_detection": {
                "disabled": False,
                "start_of_speech_sensitivity": "START_SENSITIVITY_LOW",
                "end_of_speech_sensitivity": "END_SENSITIVITY_LOW",
                "prefix_padding_ms": 40,
                "silence_duration_ms": 700,
            },
            "activity_handling": "START_OF_ACTIVITY_INTERRUPTS",
            "turn_coverage": "TURN_INCLUDES_ONLY_ACTIVITY",
        }
        assert setup["proactivity"] == {"proactive_audio": True}
        assert setup["contextWindowCompression"] == {
            "trigger_tokens": 20000,
            "sliding_window": {"target_tokens": 10000},
        }
        assert setup["sessionResumption"] == {}
        assert setup["tools"] == [
            {"googleSearch": {}},
            {"functionDeclarations": [{
                "description": "Look up.", "name": "lookup", "behavior": "NON_BLOCKING",
                "parameters_json_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
            }]},
        ]  # fmt: skip
        await rec.close()


async def test_the_local_server_accepts_the_same_settings(server):
    rec = Recorder(session_for(server, local_settings(**EVERYTHING), tools=[TOOL]))
    await rec.session.send_text("hello")
    await rec.wait_for(TurnCompleted)
    assert server.connections[0].api_version == "v1alpha"
    await rec.close()


async def test_each_send_verb_is_one_wire_message(tmp_path):
    async with RecordingEndpoint(tmp_path) as endpoint:
        settings = local_settings(activity_detection={"automatic": False})
        rec = Recorder(recorded_session(endpoint, settings))
        await rec.wait_for(SessionStarted)
        session = rec.session
        await session.send_activity_start()
        await session.send_audio(AudioBlock(b"\x01\x02" * 160, captured_at=0.0))
        await session.send_activity_end()
        await session.send_audio_stream_end()
        await session.send_video(b"\xff\xd8\xff\xe0jpeg")
        await session.send_text("typed")
        await session.send_tool_responses([
            ToolResponse("fc-1", "lookup", {"output": "x"}, scheduling="WHEN_IDLE"),
            ToolResponse("local:abc", "lookup", {"error": "boom"}),
        ])  # fmt: skip
        await endpoint.wait(lambda: len(endpoint.captures[0].frames) == 8)
        frames = endpoint.captures[0].frames[1:]
        assert frames[0] == {"realtime_input": {"activityStart": {}}}
        audio = frames[1]["realtime_input"]["audio"]
        assert audio["mime_type"] == "audio/pcm;rate=16000"
        assert base64.urlsafe_b64decode(audio["data"]) == b"\x01\x02" * 160
        assert frames[2] == {"realtime_input": {"activityEnd": {}}}
        assert frames[3] == {"realtime_input": {"audioStreamEnd": True}}
        assert frames[4]["realtime_input"]["video"]["mime_type"] == "image/jpeg"
        assert frames[5] == {"realtime_input": {"text": "typed"}}
        responses = frames[6]["tool_response"]["functionResponses"]
        assert responses[0] == {
            "id": "fc-1",
            "name": "lookup",
            "response": {"output": "x"},
            "scheduling": "WHEN_IDLE",
        }
        assert responses[1] == {"id": "local:abc", "name": "lookup", "response": {"error": "boom"}}
        await rec.close()


@pytest.mark.filterwarnings("ignore:The SDK's ephemeral token support")
async def test_an_ephemeral_token_uses_the_constrained_method_and_token_header(tmp_path):
    async with RecordingEndpoint(tmp_path) as endpoint:
        token = "auth_tokens/" + "t" * 40
        rec = Recorder(recorded_session(endpoint, local_settings(), key=token, ephemeral=True))
        await rec.wait_for(SessionStarted)
        capture = endpoint.captures[0]
        assert capture.path.endswith("v1alpha.GenerativeService.BidiGenerateContentConstrained")
        assert capture.headers["authorization"] == f"Token {token}"
        await rec.close()
