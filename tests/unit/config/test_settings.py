from __future__ import annotations

import pytest
from pydantic import ValidationError

from desktop_assistant.config.settings import BackendKind, Settings
from desktop_assistant.config.voices import PREBUILT_VOICES, VOICE_NAMES


def test_defaults_describe_a_working_audio_conversation():
    s = Settings()
    assert s.response_modality.value == "AUDIO"
    assert s.voice.name == "Puck"
    assert s.transcription.input
    assert s.transcription.output
    assert s.activity_detection.automatic
    assert s.session_resumption.enabled
    assert s.context_compression.enabled
    assert s.backend.kind is BackendKind.AUTO
    assert s.media_resolution.value == "low"


def test_all_thirty_prebuilt_voices_are_accepted_and_unknown_ones_are_named():
    assert len(PREBUILT_VOICES) == 30 == len(VOICE_NAMES)
    for voice in PREBUILT_VOICES:
        assert Settings().updated({"voice": {"name": voice.name}}).voice.name == voice.name
    with pytest.raises(ValidationError, match=r"unknown voice 'Bob'.*Kore"):
        Settings().updated({"voice": {"name": "Bob"}})


def test_voice_names_are_stored_in_the_spelling_the_wire_needs():
    assert Settings().updated({"voice": {"name": "kore"}}).voice.name == "Kore"


@pytest.mark.parametrize("tag", ["de-DE", "en", "cmn", "zh-Hant-TW"])
def test_language_tags_are_accepted(tag):
    assert Settings().updated({"voice": {"language_code": tag}}).voice.language_code == tag


@pytest.mark.parametrize("tag", ["german", "de_DE", "", "1234"])
def test_things_that_are_not_language_tags_are_refused(tag):
    with pytest.raises(ValidationError, match="language tag"):
        Settings().updated({"voice": {"language_code": tag}})


def test_model_names_lose_the_models_prefix_and_reject_url_tricks():
    assert (
        Settings(model="models/gemini-live-2.5-flash-preview").model
        == "gemini-live-2.5-flash-preview"
    )
    for bad in ("a?b", "../x", "", "a b"):
        with pytest.raises(ValidationError):
            Settings(model=bad)


def test_cross_field_rules():
    with pytest.raises(ValidationError, match="either a thinking budget or a thinking level"):
        Settings().updated({"thinking": {"budget_tokens": 100, "level": "low"}})
    with pytest.raises(ValidationError, match="target_tokens must be smaller"):
        Settings().updated({"context_compression": {"trigger_tokens": 2000, "target_tokens": 4000}})
    with pytest.raises(ValidationError, match="target_language"):
        Settings().updated({"translation": {"enabled": True}})
    with pytest.raises(ValidationError, match="custom backend needs base_url"):
        Settings().updated({"backend": {"kind": "custom"}})
    with pytest.raises(ValidationError, match="vertex_project"):
        Settings().updated({"backend": {"kind": "vertex"}})
    with pytest.raises(ValidationError, match="https"):
        Settings().updated({"backend": {"token_endpoint": "http://tokens.example/x"}})


def test_ranges_are_enforced():
    with pytest.raises(ValidationError):
        Settings().updated({"activity_detection": {"silence_duration_ms": -1}})
    with pytest.raises(ValidationError):
        Settings().updated({"sampling": {"temperature": 3}})
    with pytest.raises(ValidationError):
        Settings().updated({"video": {"frames_per_second": 2}})


def test_a_secret_can_never_hide_in_the_settings():
    with pytest.raises(ValidationError, match="api_key"):
        Settings().updated({"api_key": "AIzaSomething"})
    with pytest.raises(ValidationError, match="api_key"):
        Settings().updated({"backend": {"api_key": "AIzaSomething"}})


def test_settings_are_frozen_and_updated_returns_a_validated_copy():
    s = Settings()
    with pytest.raises(ValidationError):
        s.model = "x"  # type: ignore[misc]
    changed = s.updated({"activity_detection": {"automatic": False, "prefix_padding_ms": 20}})
    assert changed.activity_detection.prefix_padding_ms == 20
    assert not changed.activity_detection.automatic
    assert s.activity_detection.automatic  # the original is untouched
    assert changed.voice == s.voice  # untouched sections survive the deep merge
