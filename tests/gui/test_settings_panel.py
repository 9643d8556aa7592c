"""Conversation settings: unsupported options say why, reconnect-needing changes say so."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_assistant.config.settings import Sensitivity
from tests.gui.fixtures_window import Rig
from tests.gui.helpers import wait_signal


def _open(rig: Rig):  # type: ignore[no-untyped-def]
    panel = rig.window.settings_panel
    assert panel is not None
    rig.window.tabs.setCurrentWidget(panel)
    return panel


def _choose(combo, data) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_a_model_without_proactive_audio_disables_it_and_says_why(rig: Rig) -> None:
    panel = _open(rig)
    section = panel.conversation_section
    assert section.proactive.isEnabled()
    _choose(panel.model_section.model, "gemini-3.1-flash-live-preview")
    assert not section.proactive.isEnabled()
    assert not section.affective.isEnabled()
    assert "does not support proactive audio" in section.proactive.toolTip()
    assert section.feature_note.isVisible()
    assert "gemini-3.1-flash-live-preview" in section.feature_note.text()


def test_half_cascade_models_offer_eight_voices_and_a_language(rig: Rig) -> None:
    panel = _open(rig)
    model = panel.model_section
    assert model.voice.count() == 30
    assert not model.language.isEnabled()  # native audio picks its own language
    _choose(model.model, "gemini-live-2.5-flash-preview")
    assert model.language.isEnabled()
    enabled = [
        model.voice.itemData(i)
        for i in range(model.voice.count())
        if model.voice.model().item(i).isEnabled()  # type: ignore[attr-defined]
    ]
    assert sorted(enabled) == [
        "Aoede",
        "Charon",
        "Fenrir",
        "Kore",
        "Leda",
        "Orus",
        "Puck",
        "Zephyr",
    ]
    assert "8 of the 30 voices" in model.voice_note.text()


@pytest.mark.asyncio
async def test_a_voice_change_says_it_reconnects_and_applies(rig: Rig, qtbot) -> None:
    panel = _open(rig)
    assert not panel.apply.isEnabled()
    _choose(panel.model_section.voice, "Kore")
    assert panel.apply.isEnabled()
    assert panel.apply.text() == "Apply and reconnect"
    assert "new connection" in panel.reconnect_note.text()
    applied = wait_signal(rig.model.settings.applied)  # type: ignore[union-attr]
    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    (reconnected,) = await applied
    assert reconnected is True
    settings, reconnect = rig.settings.applied[-1]
    assert settings.voice.name == "Kore"
    assert reconnect
    assert "voice Kore" in rig.window.summary.text()
    assert not panel.apply.isEnabled()


@pytest.mark.asyncio
async def test_video_rate_applies_without_reconnecting(rig: Rig, qtbot) -> None:
    panel = _open(rig)
    panel.video_section.rate.setValue(5)
    assert panel.apply.text() == "Apply"
    assert "without reconnecting" in panel.reconnect_note.text()
    applied = wait_signal(rig.model.settings.applied)  # type: ignore[union-attr]
    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    assert await applied == (False,)
    assert rig.settings.applied[-1][0].video.frames_per_second == 0.5
    assert rig.model.media.frames_per_second == 0.5


def test_presets_set_the_sliders_and_sliders_make_it_custom(rig: Rig) -> None:
    panel = _open(rig)
    turns = panel.turn_section
    _choose(turns.preset, "pauses")
    draft = rig.model.settings.draft  # type: ignore[union-attr]
    assert draft.activity_detection.silence_duration_ms == 1500
    assert draft.activity_detection.end_sensitivity is Sensitivity.LOW
    assert turns.silence.value() == 1500
    assert turns.silence_value.text() == "1500 ms"
    turns.silence.setValue(900)
    assert turns.preset.currentData() == "custom"
    qtbot_click = turns.push_to_talk
    qtbot_click.setChecked(True)
    assert not turns.silence.isEnabled()  # sliders tune automatic detection only


def test_translation_mode_switches_to_a_translation_model_and_back(rig: Rig) -> None:
    panel = _open(rig)
    section = panel.translation_section
    section.enabled.setChecked(True)
    vm = rig.model.settings
    assert vm is not None
    assert vm.draft.model == "gemini-3.5-live-translate-preview"
    assert vm.draft.translation.enabled
    _choose(section.target, "de")
    assert vm.draft.translation.target_language == "de"
    assert not panel.conversation_section.instruction.isEnabled()
    assert "takes no instructions" in panel.conversation_section.instruction_note.text()
    section.enabled.setChecked(False)
    assert vm.draft.model == "gemini-2.5-flash-native-audio-preview-12-2025"
    assert not vm.draft.translation.enabled


@pytest.mark.asyncio
async def test_applied_translation_shows_bilingual_captions(rig: Rig, qtbot) -> None:
    from desktop_assistant.core.events import InputTranscribed, OutputTranscribed

    panel = _open(rig)
    panel.translation_section.enabled.setChecked(True)
    _choose(panel.translation_section.source, "es")
    _choose(panel.translation_section.target, "en")
    applied = wait_signal(rig.model.settings.applied)  # type: ignore[union-attr]
    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    await applied
    captions = rig.window.conversation.captions
    assert captions.isVisible()
    assert captions.source_title.text() == "Spanish — es"
    rig.conversation.emit(
        InputTranscribed("¿Qué hora es?", finished=True), OutputTranscribed("What time is it?")
    )
    assert "¿Qué hora es?" in captions.source.text()
    assert "What time is it?" in captions.target.text()


def test_locked_settings_are_greyed_with_the_reason(qtbot, theme) -> None:
    from desktop_assistant.ui.main_window import MainWindow
    from desktop_assistant.ui.viewmodels.window_model import WindowModel
    from tests.gui.doubles import MemorySettings, RecordingConversation, StaticMedia

    settings = MemorySettings(locked=frozenset({"model", "system_instruction"}))
    model = WindowModel.build(RecordingConversation(), StaticMedia(), settings=settings)
    window = MainWindow(model)
    try:
        panel = window.settings_panel
        assert panel is not None
        assert not panel.model_section.model.isEnabled()
        assert panel.model_section.model.toolTip() == "Set by your organisation."
        assert not panel.conversation_section.instruction.isEnabled()
    finally:
        window.finish_close()
        window.deleteLater()
