"""Conversation settings: sections over a draft, and an Apply bar that says what applying does."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.config.settings import BackendKind
from desktop_assistant.ui.languages import TRANSLATION_LANGUAGES, language_name
from desktop_assistant.ui.panels.settings_sections import (
    ConversationSection,
    ModelSection,
    TurnSection,
    VideoSection,
    _caption,
    _gate,
    _select,
)
from desktop_assistant.ui.viewmodels.backend_vm import BackendViewModel
from desktop_assistant.ui.viewmodels.settings_vm import SettingsViewModel


class TranslationSection(QGroupBox):
    def __init__(self, vm: SettingsViewModel) -> None:
        super().__init__(QCoreApplication.translate("Settings", "Translation"))
        self._vm = vm
        form = QFormLayout(self)
        self.enabled = QCheckBox(self.tr("Translate what I say (uses a translation model)"))
        self.enabled.setAccessibleName(self.tr("Translation mode"))
        self.source = QComboBox()
        self.source.setAccessibleName(self.tr("Language spoken"))
        self.source.addItem(self.tr("Detect automatically"), None)
        self.target = QComboBox()
        self.target.setAccessibleName(self.tr("Translate into"))
        for tag in TRANSLATION_LANGUAGES:
            self.source.addItem(language_name(tag), tag)
            self.target.addItem(language_name(tag), tag)
        self.echo = QCheckBox(self.tr("Also speak when I already use the target language"))
        self.echo.setAccessibleName(self.tr("Repeat speech already in the target language"))
        self.note = _caption()
        form.addRow(self.enabled)
        form.addRow(self.tr("From"), self.source)
        form.addRow(self.tr("Into"), self.target)
        form.addRow(self.echo)
        form.addRow(self.note)
        self.enabled.toggled.connect(vm.set_translation_mode)
        self.source.activated.connect(
            lambda _: vm.set("translation.source_language", self.source.currentData())
        )
        self.target.activated.connect(
            lambda _: vm.set("translation.target_language", self.target.currentData())
        )
        self.echo.toggled.connect(lambda on: vm.set("translation.echo_target_language", on))

    def refresh(self) -> None:
        vm, tr = self._vm, self._vm.draft.translation
        for widget in (self.enabled, self.echo):
            widget.blockSignals(True)
        self.enabled.setChecked(tr.enabled)
        self.echo.setChecked(tr.echo_target_language)
        for widget in (self.enabled, self.echo):
            widget.blockSignals(False)
        _select(self.source, tr.source_language)
        _select(self.target, tr.target_language or "en")
        available = bool(vm.translation_models())
        reason = vm.reason("translation") or (
            "" if available else self.tr("No translation model is offered on this backend.")
        )
        _gate(self.enabled, self.note, reason)
        for control in (self.source, self.target, self.echo):
            control.setEnabled(tr.enabled and not reason)
        if tr.enabled and not reason:
            self.note.setText(self.tr("Model: {0}").format(vm.draft.model))
            self.note.show()


_MAY_BE_LOCAL = (BackendKind.AUTO, BackendKind.LOCAL)


class SettingsPanel(QWidget):
    backend_setup_requested = Signal()

    def __init__(
        self,
        vm: SettingsViewModel,
        ptt_key_text: str = "F9",
        parent: QWidget | None = None,
        *,
        backend: BackendViewModel | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self._backend = backend
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        backend_row = QHBoxLayout()
        self.backend = QLabel()
        self.backend.setObjectName("hint")
        self.backend.setWordWrap(True)
        self.change_backend = QPushButton(self.tr("Change…"))
        self.change_backend.setAccessibleName(self.tr("Change how to reach Gemini"))
        self.change_backend.clicked.connect(self.backend_setup_requested)
        backend_row.addWidget(self.backend, 1)
        backend_row.addWidget(self.change_backend)
        layout.addLayout(backend_row)
        scroll = QScrollArea()
        scroll.setObjectName("settingsScroll")
        scroll.setAccessibleName(self.tr("Conversation settings"))
        scroll.setWidgetResizable(True)
        content = QWidget()
        sections = QVBoxLayout(content)
        self.model_section = ModelSection(vm)
        self.conversation_section = ConversationSection(vm)
        self.turn_section = TurnSection(vm, ptt_key_text)
        self.video_section = VideoSection(vm)
        self.translation_section = TranslationSection(vm)
        self.sections = (
            self.model_section,
            self.conversation_section,
            self.turn_section,
            self.video_section,
            self.translation_section,
        )
        for section in self.sections:
            sections.addWidget(section)
        sections.addStretch(1)
        scroll.setWidget(content)
        layout.addWidget(scroll, 1)

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        bar = QHBoxLayout()
        self.reconnect_note = QLabel()
        self.reconnect_note.setObjectName("reconnectNote")
        self.reconnect_note.setWordWrap(True)
        self.revert = QPushButton(self.tr("Revert"))
        self.revert.setAccessibleName(self.tr("Revert the settings"))
        self.apply = QPushButton(self.tr("Apply"))
        self.apply.setObjectName("applyButton")
        self.apply.setAccessibleName(self.tr("Apply the settings"))
        bar.addWidget(self.reconnect_note, 1)
        bar.addWidget(self.revert)
        bar.addWidget(self.apply)
        layout.addLayout(bar)

        self.apply.clicked.connect(vm.apply)
        self.revert.clicked.connect(vm.revert)
        vm.draft_changed.connect(self.refresh)
        vm.busy_changed.connect(self.refresh)
        vm.problem_changed.connect(self._on_problem)
        if backend is not None:
            backend.label_changed.connect(self.refresh)
        self.refresh()

    def _on_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def refresh(self, *_: object) -> None:
        vm = self._vm
        local = self._backend.local_label() if self._backend is not None else None
        names = {
            BackendKind.AUTO: self.tr("Gemini API when a key is stored, else the local engine")
            if local is None
            else self.tr("Gemini API when a key is stored, else {0}").format(local.name),
            BackendKind.GEMINI: self.tr("Gemini API"),
            BackendKind.EPHEMERAL: self.tr("Gemini API through your organisation's tokens"),
            BackendKind.VERTEX: self.tr("Vertex AI"),
            BackendKind.LOCAL: self.tr("Local engine") if local is None else local.name,
            BackendKind.CUSTOM: self.tr("Custom endpoint"),
        }
        kind = vm.current.backend.kind
        self.backend.setText(self.tr("Backend: {0}").format(names[kind]))
        about = local.description if local is not None and kind in _MAY_BE_LOCAL else ""
        self.backend.setToolTip(about)
        self.backend.setAccessibleDescription(about)
        for section in self.sections:
            section.refresh()
        dirty = vm.dirty
        self.apply.setEnabled(dirty and not vm.busy)
        self.revert.setEnabled(dirty and not vm.busy)
        if vm.busy:
            note = self.tr("Applying…")
        elif not dirty:
            note = ""
        elif vm.needs_reconnect:
            note = self.tr("Needs a new connection: Apply reconnects and keeps the transcript.")
        else:
            note = self.tr("Applies at once, without reconnecting.")
        self.reconnect_note.setText(note)
        self.apply.setText(
            self.tr("Apply and reconnect") if dirty and vm.needs_reconnect else self.tr("Apply")
        )
        self.apply.setAccessibleName(self.apply.text())
