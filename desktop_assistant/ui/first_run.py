"""The first-run dialog: the only wizard. It never blocks the loop (``open()``, not ``exec()``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.config.settings import BackendKind
from desktop_assistant.ui.viewmodels.first_run_vm import CHOICES, FirstRunViewModel


class FirstRunDialog(QDialog):
    def __init__(self, vm: FirstRunViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setWindowTitle(self.tr("Welcome to Desktop Assistant"))
        self.setObjectName("firstRun")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Choose how to talk to Gemini. Without a key the app works with the local engine, "
                "and you can change this later in Settings."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.group = QButtonGroup(self)
        self.radios: dict[BackendKind, QRadioButton] = {}
        local = vm.local
        labels = {
            BackendKind.GEMINI: self.tr("Gemini API key"),
            BackendKind.EPHEMERAL: self.tr("My organisation's token service"),
            BackendKind.VERTEX: self.tr("Vertex AI (Google Cloud)"),
            BackendKind.LOCAL: self.tr("Local engine only (offline, no key)")
            if local is None
            else self.tr("{0} — on this computer, no key").format(local.name),
        }
        self.pages = QStackedWidget()
        for kind in CHOICES:
            radio = QRadioButton(labels[kind])
            radio.setAccessibleName(labels[kind])
            self.group.addButton(radio)
            self.radios[kind] = radio
            if kind is BackendKind.LOCAL and local is not None:
                radio.setToolTip(local.description)
                radio.setAccessibleDescription(local.description)
            layout.addWidget(radio)
            radio.toggled.connect(lambda on, k=kind: self._on_choice(k) if on else None)
        layout.addWidget(self.pages)

        key_page = QWidget()
        key_form = QFormLayout(key_page)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName(self.tr("API key"))
        hint = vm.key_hint
        self.key.setPlaceholderText(
            self.tr("Stored: {0} (paste a new one to replace it)").format(hint)
            if hint
            else self.tr("Paste the key from Google AI Studio")
        )
        key_form.addRow(self.tr("Key"), self.key)
        key_note = QLabel(self.tr("The key is checked, then kept in your system's keychain."))
        key_note.setObjectName("hint")
        key_note.setWordWrap(True)
        key_form.addRow(key_note)
        token_page = QWidget()
        token_form = QFormLayout(token_page)
        self.token_endpoint = QLineEdit(vm.token_endpoint)
        self.token_endpoint.setAccessibleName(self.tr("Token service address"))
        self.token_endpoint.setPlaceholderText("https://tokens.example.org/gemini")
        token_form.addRow(self.tr("Address"), self.token_endpoint)
        vertex_page = QWidget()
        vertex_form = QFormLayout(vertex_page)
        self.vertex_project = QLineEdit(vm.vertex_project)
        self.vertex_project.setAccessibleName(self.tr("Google Cloud project"))
        self.vertex_location = QLineEdit(vm.vertex_location)
        self.vertex_location.setAccessibleName(self.tr("Vertex AI location"))
        vertex_form.addRow(self.tr("Project"), self.vertex_project)
        vertex_form.addRow(self.tr("Location"), self.vertex_location)
        local_page = QLabel(
            local.description
            if local is not None and local.description
            else self.tr(
                "Conversations stay on this computer. Understanding and voice are simpler."
            )
        )
        local_page.setObjectName("localDescription")
        local_page.setWordWrap(True)
        self.local_description = local_page
        self._page_of = {
            BackendKind.GEMINI: self.pages.addWidget(key_page),
            BackendKind.EPHEMERAL: self.pages.addWidget(token_page),
            BackendKind.VERTEX: self.pages.addWidget(vertex_page),
            BackendKind.LOCAL: self.pages.addWidget(local_page),
        }

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.skip = QPushButton(self.tr("Use the local engine for now"))
        self.skip.setAccessibleName(self.tr("Use the local engine for now"))
        if local is not None:
            self.skip.setToolTip(local.name)
            self.skip.setAccessibleDescription(local.name)
        self.ok = QPushButton(self.tr("Continue"))
        self.ok.setDefault(True)
        self.ok.setAccessibleName(self.tr("Continue"))
        buttons.addWidget(self.skip)
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        layout.addLayout(buttons)

        self.ok.clicked.connect(self._submit)
        self.skip.clicked.connect(vm.use_local)
        vm.busy_changed.connect(self._on_busy)
        vm.problem_changed.connect(self._on_problem)
        vm.finished.connect(lambda _kind: self.accept())
        self.radios[vm.choice].setChecked(True)

    def _on_choice(self, kind: BackendKind) -> None:
        self._vm.choose(kind)
        self.pages.setCurrentIndex(self._page_of[kind])

    def _submit(self) -> None:
        vm = self._vm
        vm.token_endpoint = self.token_endpoint.text()
        vm.vertex_project = self.vertex_project.text()
        vm.vertex_location = self.vertex_location.text()
        vm.submit(self.key.text())

    def _on_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)
        self.skip.setEnabled(not busy)
        self.ok.setText(self.tr("Checking…") if busy else self.tr("Continue"))

    def _on_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
