from __future__ import annotations

import pytest

from desktop_assistant.config.capabilities import (
    KNOWN_MODELS,
    Platform,
    SettingsRefused,
    capabilities_of,
    resolve,
)
from desktop_assistant.config.settings import Settings
from desktop_assistant.config.voices import HALF_CASCADE_VOICES

NATIVE = "gemini-2.5-flash-native-audio-preview-12-2025"
LIVE_31 = "gemini-3.1-flash-live-preview"
HALF = "gemini-live-2.5-flash-preview"
TRANSLATE = "gemini-3.5-live-translate-preview"


def settings(**changes):
    return Settings().updated(changes)


@pytest.mark.parametrize(
    "name",
    [n for n, c in KNOWN_MODELS.items() if c.status != "retired" and c.translation.value == "none"],
)
def test_every_current_conversation_model_accepts_the_defaults_on_its_platform(name):
    caps = KNOWN_MODELS[name]
    platform = next(iter(sorted(caps.platforms)))
    resolution = resolve(settings(model=name), platform=platform)
    assert resolution.settings.model == name
    assert resolution.api_version == ("v1beta1" if platform is Platform.VERTEX else "v1beta")


def test_text_replies_from_a_model_that_only_speaks_are_refused_with_the_fix():
    with pytest.raises(SettingsRefused) as refused:
        resolve(settings(response_modality="TEXT"))
    assert "only answers with speech" in str(refused.value)
    assert "output transcription" in str(refused.value)
    assert (
        resolve(settings(model=HALF, response_modality="TEXT")).settings.response_modality.value
        == "TEXT"
    )


def test_half_cascade_models_have_eight_voices():
    assert capabilities_of(HALF).voices == HALF_CASCADE_VOICES
    with pytest.raises(SettingsRefused, match="has no voice Sulafat"):
        resolve(settings(model=HALF, voice={"name": "Sulafat"}))


def test_optional_features_the_model_lacks_are_turned_off_and_said_so():
    r = resolve(settings(model=LIVE_31, proactive_audio=True, affective_dialog=True))
    assert not r.settings.proactive_audio
    assert not r.settings.affective_dialog
    assert any("proactive audio" in n for n in r.notes)
    assert any("affective dialog" in n for n in r.notes)


def test_features_served_only_on_v1alpha_choose_that_version():
    assert resolve(settings(affective_dialog=True)).api_version == "v1alpha"
    assert resolve(settings(proactive_audio=True)).api_version == "v1alpha"
    assert resolve(settings()).api_version == "v1beta"
    assert resolve(settings(), ephemeral=True).api_version == "v1alpha"


def test_a_forced_api_version_wins_but_a_conflict_is_reported():
    r = resolve(settings(affective_dialog=True, backend={"api_version": "v1beta"}))
    assert r.api_version == "v1beta"
    assert any("needs API version v1alpha" in n for n in r.notes)


def test_thinking_settings_are_translated_between_budget_and_level_models():
    r = resolve(settings(model=LIVE_31, thinking={"budget_tokens": 0}))
    assert r.settings.thinking.level.value == "minimal"
    assert r.settings.thinking.budget_tokens is None
    r = resolve(settings(thinking={"level": "high"}))
    assert r.settings.thinking.budget_tokens == 16384
    assert r.settings.thinking.level is None
    r = resolve(settings(model=HALF, thinking={"budget_tokens": 512}))
    assert r.settings.thinking.budget_tokens is None
    assert any("does not think" in n for n in r.notes)


def test_native_audio_models_pick_their_language_themselves():
    r = resolve(settings(voice={"language_code": "de-DE"}))
    assert r.settings.voice.language_code is None
    assert any("system instruction" in n for n in r.notes)
    assert (
        resolve(settings(model=HALF, voice={"language_code": "de-DE"})).settings.voice.language_code
        == "de-DE"
    )


def test_translation_needs_a_translation_model_and_a_translation_model_only_translates():
    with pytest.raises(SettingsRefused, match="needs a translation model"):
        resolve(settings(translation={"enabled": True, "target_language": "es"}))
    with pytest.raises(SettingsRefused, match="only translates"):
        resolve(settings(model=TRANSLATE))
    r = resolve(
        settings(
            model=TRANSLATE,
            system_instruction="Be nice",
            translation={"enabled": True, "target_language": "es", "source_language": "de"},
        )
    )
    assert r.settings.system_instruction == ""
    assert r.settings.tools.enabled == ()


def test_models_are_checked_against_the_platform_and_retirement():
    with pytest.raises(SettingsRefused, match="not offered on Vertex AI"):
        resolve(settings(), platform=Platform.VERTEX)
    with pytest.raises(SettingsRefused, match="not offered on the Gemini API"):
        resolve(settings(model="gemini-live-2.5-flash-native-audio"))
    with pytest.raises(SettingsRefused, match=r"retired.*gemini-2.5-flash-native-audio"):
        resolve(settings(model="gemini-2.0-flash-live-001"))


def test_unknown_models_pass_unchecked_with_a_note():
    r = resolve(settings(model="gemini-9-live-experimental", response_modality="TEXT"))
    assert not r.capabilities.known
    assert any("not in the capability table" in n for n in r.notes)


def test_tools_the_model_cannot_use_are_turned_off():
    r = resolve(
        settings(tools={"code_execution": True, "url_context": True, "google_search": True})
    )
    assert r.settings.tools.google_search
    assert not r.settings.tools.code_execution
    assert not r.settings.tools.url_context


def test_transparent_resumption_is_vertex_only():
    r = resolve(settings(session_resumption={"transparent": True}))
    assert not r.settings.session_resumption.transparent
    v = resolve(
        settings(
            model="gemini-live-2.5-flash-native-audio",
            backend={"kind": "vertex", "vertex_project": "p"},
            session_resumption={"transparent": True},
        )
    )
    assert v.settings.session_resumption.transparent
    assert v.api_version == "v1beta1"


def test_compression_cannot_start_beyond_the_context_window():
    r = resolve(settings(model=HALF, context_compression={"trigger_tokens": 100_000}))
    assert r.settings.context_compression.trigger_tokens == 32_000
