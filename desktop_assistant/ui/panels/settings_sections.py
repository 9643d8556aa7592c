"""The settings panel's sections; each binds its controls to the settings view-model.

A section writes every user change into the draft (``vm.set``) and redraws itself from the draft
in ``refresh``, with signals blocked, so a control always shows what will be applied. Controls the
model does not honour are disabled and say why, in a caption and in their tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QSlider,
    QWidget,
)

from desktop_assistant.config.settings import MediaResolution, Sensitivity
from desktop_assistant.config.voices import CONVERSATION_LANGUAGES, PREBUILT_VOICES
from desktop_assistant.ui.languages import language_name
from desktop_assistant.ui.settings_rules import TURN_PRESETS, matching_preset
from desktop_assistant.ui.viewmodels.settings_vm import SettingsViewModel

SENSITIVITIES = (Sensitivity.LOW, Sensitivity.DEFAULT, Sensitivity.HIGH)


def _gate(widget: QWidget, caption: QLabel | None, reason: str) -> None:
    widget.setEnabled(not reason)
    widget.setToolTip(reason)
    if caption is not None:
        caption.setText(reason)
        caption.setVisible(bool(reason))


def _caption() -> QLabel:
    label = QLabel()
    label.setObjectName("capabilityNote")
    label.setWordWrap(True)
    label.hide()
    return label


def _select(combo: QComboBox, data: object) -> None:
    combo.blockSignals(True)
    index = combo.findData(data)
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


class ModelSection(QGroupBox):
    def __init__(self, vm: SettingsViewModel) -> None:
        super().__init__(QCoreApplication.translate("Settings", "Model and voice"))
        self._vm = vm
        form = QFormLayout(self)
        self.model = QComboBox()
        self.model.setAccessibleName(self.tr("Model"))
        self.voice = QComboBox()
        self.voice.setAccessibleName(self.tr("Voice"))
        for voice in PREBUILT_VOICES:
            self.voice.addItem(f"{voice.name} — {voice.character}", voice.name)
        self.language = QComboBox()
        self.language.setAccessibleName(self.tr("Spoken language"))
        self.language.addItem(self.tr("Automatic"), None)
        for tag in CONVERSATION_LANGUAGES:
            self.language.addItem(language_name(tag), tag)
        self.voice_note = _caption()
        self.language_note = _caption()
        form.addRow(self.tr("Model"), self.model)
        form.addRow(self.tr("Voice"), self.voice)
        form.addRow("", self.voice_note)
        form.addRow(self.tr("Language"), self.language)
        form.addRow("", self.language_note)
        self.model.activated.connect(lambda _: vm.set("model", self.model.currentData()))
        self.voice.activated.connect(lambda _: vm.set("voice.name", self.voice.currentData()))
        self.language.activated.connect(
            lambda _: vm.set("voice.language_code", self.language.currentData())
        )

    def refresh(self) -> None:
        vm, draft = self._vm, self._vm.draft
        self.model.blockSignals(True)
        self.model.clear()
        for name in vm.models():
            self.model.addItem(name, name)
        self.model.blockSignals(False)
        _select(self.model, draft.model)
        _gate(self.model, None, vm.reason("model"))
        voices = vm.capabilities.voices
        for index in range(self.voice.count()):
            items = self.voice.model()
            assert isinstance(items, QStandardItemModel)  # what a QComboBox builds by default
            item = items.item(index)
            item.setEnabled(self.voice.itemData(index) in voices)
        _select(self.voice, draft.voice.name)
        reason = vm.reason("voice.name")
        if not reason and len(voices) < len(PREBUILT_VOICES):
            self.voice_note.setText(
                self.tr("{0} offers {1} of the 30 voices.").format(draft.model, len(voices))
            )
            self.voice_note.show()
            self.voice.setEnabled(True)
        else:
            _gate(self.voice, self.voice_note, reason)
        _select(self.language, draft.voice.language_code)
        _gate(self.language, self.language_note, vm.reason("voice.language_code"))


class ConversationSection(QGroupBox):
    def __init__(self, vm: SettingsViewModel) -> None:
        super().__init__(QCoreApplication.translate("Settings", "Conversation"))
        self._vm = vm
        form = QFormLayout(self)
        self.proactive = QCheckBox(self.tr("Proactive audio (answers only when it is relevant)"))
        self.proactive.setAccessibleName(self.tr("Proactive audio"))
        self.affective = QCheckBox(self.tr("Affective dialog (responds to your tone)"))
        self.affective.setAccessibleName(self.tr("Affective dialog"))
        self.feature_note = _caption()
        self.instruction = QPlainTextEdit()
        self.instruction.setAccessibleName(self.tr("System instruction"))
        self.instruction.setPlaceholderText(self.tr("How the assistant should behave…"))
        self.instruction.setFixedHeight(72)
        self.instruction_note = _caption()
        self.input_transcript = QCheckBox(self.tr("Transcribe what I say"))
        self.input_transcript.setAccessibleName(self.tr("Transcribe what I say"))
        self.output_transcript = QCheckBox(self.tr("Transcribe what the assistant says"))
        self.output_transcript.setAccessibleName(self.tr("Transcribe what the assistant says"))
        form.addRow(self.proactive)
        form.addRow(self.affective)
        form.addRow(self.feature_note)
        form.addRow(self.tr("Instruction"), self.instruction)
        form.addRow("", self.instruction_note)
        form.addRow(self.input_transcript)
        form.addRow(self.output_transcript)
        self.proactive.toggled.connect(lambda on: vm.set("proactive_audio", on))
        self.affective.toggled.connect(lambda on: vm.set("affective_dialog", on))
        self.instruction.textChanged.connect(
            lambda: vm.set("system_instruction", self.instruction.toPlainText())
        )
        self.input_transcript.toggled.connect(lambda on: vm.set("transcription.input", on))
        self.output_transcript.toggled.connect(lambda on: vm.set("transcription.output", on))

    def refresh(self) -> None:
        vm, draft = self._vm, self._vm.draft
        for box, value in (
            (self.proactive, draft.proactive_audio),
            (self.affective, draft.affective_dialog),
            (self.input_transcript, draft.transcription.input),
            (self.output_transcript, draft.transcription.output),
        ):
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)
        reasons = [r for r in (vm.reason("proactive_audio"), vm.reason("affective_dialog")) if r]
        _gate(self.proactive, None, vm.reason("proactive_audio"))
        _gate(self.affective, None, vm.reason("affective_dialog"))
        self.feature_note.setText(" ".join(dict.fromkeys(reasons)))
        self.feature_note.setVisible(bool(reasons))
        if self.instruction.toPlainText() != draft.system_instruction:
            self.instruction.blockSignals(True)
            self.instruction.setPlainText(draft.system_instruction)
            self.instruction.blockSignals(False)
        _gate(self.instruction, self.instruction_note, vm.reason("system_instruction"))
        _gate(self.input_transcript, None, vm.reason("transcription.input"))
        _gate(self.output_transcript, None, vm.reason("transcription.output"))


def _slider(minimum: int, maximum: int, step: int, name: str) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(minimum, maximum)
    slider.setSingleStep(step)
    slider.setPageStep(step * 4)
    slider.setAccessibleName(name)
    return slider


class TurnSection(QGroupBox):
    def __init__(self, vm: SettingsViewModel, ptt_key_text: str) -> None:
        super().__init__(QCoreApplication.translate("Settings", "Turns"))
        self._vm = vm
        form = QFormLayout(self)
        modes = QHBoxLayout()
        self.automatic = QRadioButton(self.tr("Automatic"))
        self.automatic.setAccessibleName(self.tr("Automatic turn detection"))
        self.push_to_talk = QRadioButton(self.tr("Push to talk (hold {0})").format(ptt_key_text))
        self.push_to_talk.setAccessibleName(self.tr("Push to talk"))
        modes.addWidget(self.automatic)
        modes.addWidget(self.push_to_talk)
        form.addRow(modes)
        self.preset = QComboBox()
        self.preset.setAccessibleName(self.tr("Turn preset"))
        for preset in TURN_PRESETS:
            self.preset.addItem(preset.label(), preset.key)
        self.preset.addItem(self.tr("Custom"), "custom")
        self.start = _slider(0, 2, 1, self.tr("Start sensitivity"))
        self.end = _slider(0, 2, 1, self.tr("End sensitivity"))
        self.prefix = _slider(0, 1000, 20, self.tr("Speech start padding"))
        self.silence = _slider(100, 3000, 50, self.tr("Silence before the turn ends"))
        self.start_value = QLabel()
        self.end_value = QLabel()
        self.prefix_value = QLabel()
        self.silence_value = QLabel()
        self.barge_in = QCheckBox(self.tr("My speech interrupts the assistant"))
        self.barge_in.setAccessibleName(self.tr("Speech interrupts the assistant"))
        self.note = _caption()
        form.addRow(self.tr("Preset"), self.preset)
        form.addRow(self.tr("Start"), self._with_value(self.start, self.start_value))
        form.addRow(self.tr("End"), self._with_value(self.end, self.end_value))
        form.addRow(self.tr("Padding"), self._with_value(self.prefix, self.prefix_value))
        form.addRow(self.tr("Silence"), self._with_value(self.silence, self.silence_value))
        form.addRow(self.barge_in)
        form.addRow(self.note)
        self.automatic.toggled.connect(
            lambda on: vm.set("activity_detection.automatic", on) if on else None
        )
        self.push_to_talk.toggled.connect(
            lambda on: vm.set("activity_detection.automatic", False) if on else None
        )
        self.preset.activated.connect(self._on_preset)
        self.start.valueChanged.connect(
            lambda i: vm.set("activity_detection.start_sensitivity", SENSITIVITIES[i].value)
        )
        self.end.valueChanged.connect(
            lambda i: vm.set("activity_detection.end_sensitivity", SENSITIVITIES[i].value)
        )
        self.prefix.valueChanged.connect(
            lambda v: vm.set("activity_detection.prefix_padding_ms", v)
        )
        self.silence.valueChanged.connect(
            lambda v: vm.set("activity_detection.silence_duration_ms", v)
        )
        self.barge_in.toggled.connect(
            lambda on: vm.set(
                "activity_detection.activity_handling", None if on else "no_interruption"
            )
        )

    @staticmethod
    def _with_value(slider: QSlider, value: QLabel) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(slider, 1)
        value.setMinimumWidth(64)
        row.addWidget(value)
        return box

    def _on_preset(self, index: int) -> None:
        key = self.preset.itemData(index)
        for preset in TURN_PRESETS:
            if preset.key == key:
                self._vm.update(preset.changes())

    def refresh(self) -> None:
        vm, a = self._vm, self._vm.draft.activity_detection
        widgets: tuple[QWidget, ...] = (
            self.automatic,
            self.push_to_talk,
            self.preset,
            self.start,
            self.end,
            self.prefix,
            self.silence,
            self.barge_in,
        )
        for widget in widgets:
            widget.blockSignals(True)
        self.automatic.setChecked(a.automatic)
        self.push_to_talk.setChecked(not a.automatic)
        preset = matching_preset(vm.draft)
        _select(self.preset, preset.key if preset else "custom")
        self.start.setValue(SENSITIVITIES.index(a.start_sensitivity))
        self.end.setValue(SENSITIVITIES.index(a.end_sensitivity))
        self.prefix.setValue(a.prefix_padding_ms if a.prefix_padding_ms is not None else 0)
        self.silence.setValue(a.silence_duration_ms if a.silence_duration_ms is not None else 100)
        self.barge_in.setChecked(
            a.activity_handling is None or a.activity_handling.value == "interrupts"
        )
        for widget in widgets:
            widget.blockSignals(False)
        default = self.tr("default")
        names = {
            Sensitivity.LOW: self.tr("low"),
            Sensitivity.DEFAULT: default,
            Sensitivity.HIGH: self.tr("high"),
        }
        self.start_value.setText(names[a.start_sensitivity])
        self.end_value.setText(names[a.end_sensitivity])
        self.prefix_value.setText(
            f"{a.prefix_padding_ms} ms" if a.prefix_padding_ms is not None else default
        )
        self.silence_value.setText(
            f"{a.silence_duration_ms} ms" if a.silence_duration_ms is not None else default
        )
        reason = vm.reason("turns") or vm.reason("activity_detection")
        for widget in widgets:
            _gate(widget, None, reason)
        for widget in (self.preset, self.start, self.end, self.prefix, self.silence):
            widget.setEnabled(not reason and a.automatic)
        self.note.setText(reason)
        self.note.setVisible(bool(reason))


class VideoSection(QGroupBox):
    def __init__(self, vm: SettingsViewModel) -> None:
        super().__init__(QCoreApplication.translate("Settings", "Video"))
        self._vm = vm
        form = QFormLayout(self)
        self.rate = _slider(1, 10, 1, self.tr("Frames per second"))
        self.rate_value = QLabel()
        self.resolution = QComboBox()
        self.resolution.setAccessibleName(self.tr("Resolution sent"))
        for value, text in (
            (MediaResolution.LOW, self.tr("Low (about 64 tokens a frame)")),
            (MediaResolution.MEDIUM, self.tr("Medium (about 256 tokens a frame)")),
            (MediaResolution.HIGH, self.tr("High")),
            (MediaResolution.DEFAULT, self.tr("Model default")),
        ):
            self.resolution.addItem(text, value.value)
        self.note = _caption()
        form.addRow(self.tr("Rate"), TurnSection._with_value(self.rate, self.rate_value))
        form.addRow(self.tr("Resolution"), self.resolution)
        form.addRow(self.note)
        self.rate.valueChanged.connect(lambda v: vm.set("video.frames_per_second", v / 10))
        self.resolution.activated.connect(
            lambda _: vm.set("media_resolution", self.resolution.currentData())
        )

    def refresh(self) -> None:
        vm, draft = self._vm, self._vm.draft
        self.rate.blockSignals(True)
        self.rate.setValue(round(draft.video.frames_per_second * 10))
        self.rate.blockSignals(False)
        self.rate_value.setText(self.tr("{0} fps").format(f"{draft.video.frames_per_second:g}"))
        _select(self.resolution, draft.media_resolution.value)
        reason = vm.reason("video")
        _gate(self.rate, None, reason)
        _gate(self.resolution, self.note, reason)
