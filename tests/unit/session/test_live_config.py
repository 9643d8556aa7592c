"""Every setting reaches the setup message at the wire path the service reads (recorded via the SDK)."""

from __future__ import annotations

import pytest

from desktop_assistant.config.capabilities import Platform, resolve
from desktop_assistant.config.settings import Settings
from desktop_assistant.core.ports import ToolDeclaration
from desktop_assistant.session.live_config import build_live_config
from tests.unit.session.sdk_wire import setup_frame

NATIVE = "gemini-2.5-flash-native-audio-preview-12-2025"
HALF = "gemini-live-2.5-flash-preview"


def wire(settings: Settings, tools=(), platform=Platform.GEMINI_API, **kwargs):
    plan = build_live_config(resolve(settings, platform=platform), tools, **kwargs)
    return setup_frame(settings.model, plan.config, vertex=platform is Platform.VERTEX)


def test_defaults_send_only_what_the_user_chose():
    setup = wire(Settings())
    assert setup["model"] == f"models/{NATIVE}"
    assert setup["generationConfig"] == {
        "responseModalities": ["AUDIO"],
        "mediaResolution": "MEDIA_RESOLUTION_LOW",
        "speechConfig": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Puck"}}},
    }
    assert setup["inputAudioTranscription"] == {}
    assert setup["outputAudioTranscription"] == {}
    assert setup["sessionResumption"] == {}
    assert setup["contextWindowCompression"] == {"sliding_window": {}}
    for absent in ("systemInstruction", "realtimeInputConfig", "proactivity", "tools"):
        assert absent not in setup


def test_voice_language_instruction_and_sampling():
    s = Settings(model=HALF).updated(
        {
            "voice": {"name": "Kore", "language_code": "de-DE"},
            "system_instruction": "Answer in German.",
            "sampling": {
                "temperature": 0.7,
                "top_p": 0.9,
                "top_k": 40,
                "max_output_tokens": 512,
                "seed": 7,
            },
            "media_resolution": "high",
        }
    )
    setup = wire(s)
    gen = setup["generationConfig"]
    assert gen["speechConfig"] == {
        "voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}},
        "language_code": "de-DE",
    }
    assert (gen["temperature"], gen["topP"], gen["topK"], gen["maxOutputTokens"], gen["seed"]) == (
        0.7,
        0.9,
        40.0,
        512,
        7,
    )
    assert gen["mediaResolution"] == "MEDIA_RESOLUTION_HIGH"
    assert setup["systemInstruction"] == {"parts": [{"text": "Answer in German."}], "role": "user"}


def test_text_modality_and_transcription_switches():
    s = Settings(model=HALF).updated(
        {"response_modality": "TEXT", "transcription": {"input": False, "output": True}}
    )
    setup = wire(s)
    assert setup["generationConfig"]["responseModalities"] == ["TEXT"]
    assert "inputAudioTranscription" not in setup
    assert "outputAudioTranscription" not in setup  # nothing to transcribe in a text reply
    hinted = wire(Settings().updated({"transcription": {"language_hints": ["de-DE", "en-US"]}}))
    assert hinted["inputAudioTranscription"] == {"language_codes": ["de-DE", "en-US"]}


def test_activity_detection_turn_coverage_and_activity_handling():
    s = Settings().updated(
        {
            "activity_detection": {
                "automatic": False,
                "start_sensitivity": "low",
                "end_sensitivity": "high",
                "prefix_padding_ms": 20,
                "silence_duration_ms": 100,
                "activity_handling": "no_interruption",
                "turn_coverage": "all_input",
            }
        }
    )
    assert wire(s)["realtimeInputConfig"] == {
        "automatic_activity_detection": {
            "disabled": True,
            "start_of_speech_sensitivity": "START_SENSITIVITY_LOW",
            "end_of_speech_sensitivity": "END_SENSITIVITY_HIGH",
            "prefix_padding_ms": 20,
            "silence_duration_ms": 100,
        },
        "activity_handling": "NO_INTERRUPTION",
        "turn_coverage": "TURN_INCLUDES_ALL_INPUT",
    }
    automatic = wire(Settings().updated({"activity_detection": {"silence_duration_ms": 800}}))
    assert automatic["realtimeInputConfig"] == {
        "automatic_activity_detection": {"disabled": False, "silence_duration_ms": 800}
    }


def test_proactive_audio_affective_dialog_and_thinking():
    s = Settings().updated(
        {
            "proactive_audio": True,
            "affective_dialog": True,
            "thinking": {"budget_tokens": 1024, "include_thoughts": True},
        }
    )
    setup = wire(s)
    assert setup["proactivity"] == {"proactive_audio": True}
    assert setup["generationConfig"]["enableAffectiveDialog"] is True
    assert setup["generationConfig"]["thinkingConfig"] == {
        "include_thoughts": True,
        "thinking_budget": 1024,
    }
    level = wire(
        Settings(model="gemini-3.1-flash-live-preview").updated({"thinking": {"level": "medium"}})
    )
    assert level["generationConfig"]["thinkingConfig"] == {"thinking_level": "MEDIUM"}


def test_compression_resumption_and_history_seeding():
    s = Settings().updated(
        {"context_compression": {"trigger_tokens": 25600, "target_tokens": 12800}}
    )
    setup = wire(s, resumption_handle="handle-1")
    assert setup["contextWindowCompression"] == {
        "trigger_tokens": 25600,
        "sliding_window": {"target_tokens": 12800},
    }
    assert setup["sessionResumption"] == {"handle": "handle-1"}
    off = wire(
        Settings().updated(
            {"context_compression": {"enabled": False}, "session_resumption": {"enabled": False}}
        )
    )
    assert "contextWindowCompression" not in off
    assert "sessionResumption" not in off
    seeded = wire(Settings(model="gemini-3.1-flash-live-preview"), seeding_history=True)
    assert seeded["historyConfig"] == {"initial_history_in_client_content": True}
    assert "historyConfig" not in wire(Settings(), seeding_history=True)  # 2.5 seeds without it


def test_tools_become_one_function_declarations_entry_after_the_builtin_tools():
    tools = [
        ToolDeclaration(
            "current_time",
            "The time.",
            {"type": "object", "properties": {"tz": {"type": "string"}}},
        ),
        ToolDeclaration(
            "slow_lookup",
            "Looks up slowly.",
            {"type": "object", "properties": {}},
            non_blocking=True,
        ),
    ]
    s = Settings().updated({"tools": {"google_search": True}})
    setup = wire(s, tools)
    assert setup["tools"][0] == {"googleSearch": {}}
    functions = setup["tools"][1]["functionDeclarations"]
    assert functions[0] == {
        "description": "The time.",
        "name": "current_time",
        "parameters_json_schema": {"type": "object", "properties": {"tz": {"type": "string"}}},
    }
    assert functions[1]["behavior"] == "NON_BLOCKING"


def test_non_blocking_tools_become_blocking_where_the_model_has_only_sync_calls():
    tools = [
        ToolDeclaration("slow", "Slow.", {"type": "object", "properties": {}}, non_blocking=True)
    ]
    plan = build_live_config(resolve(Settings(model="gemini-3.1-flash-live-preview")), tools)
    assert "runs as a blocking tool" in plan.notes[0]
    setup = setup_frame("gemini-3.1-flash-live-preview", plan.config)
    assert "behavior" not in setup["tools"][0]["functionDeclarations"][0]


def test_speech_translation_uses_the_translation_models_own_config():
    s = Settings(model="gemini-3.5-live-translate-preview").updated(
        {
            "translation": {
                "enabled": True,
                "source_language": "de",
                "target_language": "es",
                "echo_target_language": True,
            }
        }
    )
    setup = wire(s)
    assert setup["generationConfig"]["translationConfig"] == {
        "echoTargetLanguage": True,
        "targetLanguageCode": "es",
    }
    assert setup["inputAudioTranscription"] == {"language_codes": ["de"]}
    s2st = Settings(model="gemini-2.5-flash-s2st-exp-11-2025").updated(
        {
            "backend": {"kind": "vertex", "vertex_project": "p"},
            "translation": {"enabled": True, "target_language": "cmn"},
        }
    )
    vertex = wire(s2st, platform=Platform.VERTEX)
    assert vertex["generationConfig"]["speechConfig"]["languageCode"] == "cmn"
    assert vertex["model"] == "publishers/google/models/gemini-2.5-flash-s2st-exp-11-2025"


def test_vertex_flavour_and_transparent_resumption():
    s = Settings(model="gemini-live-2.5-flash-native-audio").updated(
        {
            "backend": {"kind": "vertex", "vertex_project": "p"},
            "session_resumption": {"transparent": True},
        }
    )
    setup = wire(s, platform=Platform.VERTEX, resumption_handle="h")
    assert setup["sessionResumption"] == {"handle": "h", "transparent": True}
    assert setup["generationConfig"]["speechConfig"] == {
        "voiceConfig": {"prebuiltVoiceConfig": {"voice_name": "Puck"}}
    }


@pytest.mark.parametrize("voice", ["Zephyr", "Sulafat", "Zubenelgenubi"])
def test_voice_names_reach_the_wire_exactly(voice):
    setup = wire(Settings().updated({"voice": {"name": voice.lower()}}))
    assert setup["generationConfig"]["speechConfig"]["voice_config"]["prebuilt_voice_config"] == {
        "voice_name": voice
    }
