"""The window names the backend it talks to, honestly, and shows the offline engine loading.

The names come from the app's real ``BackendNames`` over real ``Backends`` (no server started:
naming one needs none); the conversation is the recording stand-in, fed the events the app sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop_assistant.app.gui_backend import BackendNames, Backends
from desktop_assistant.app.gui_labels import engine_label, progress_of
from desktop_assistant.app.gui_settings import KeychainSetup
from desktop_assistant.config.secrets import EncryptedFileKeyring, SecretStore
from desktop_assistant.config.settings import BackendKind, Settings
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    OutputTranscribed,
    TurnCompleted,
)
from desktop_assistant.server.engines.offline import BACKEND_DESCRIPTION, BACKEND_LABEL
from desktop_assistant.server.engines.offline.loader import LoadProgress, LoadState
from desktop_assistant.ui.controllers import BackendInUse
from desktop_assistant.ui.first_run import FirstRunDialog
from desktop_assistant.ui.main_window import MainWindow
from desktop_assistant.ui.viewmodels.banner_vm import BannerLevel
from desktop_assistant.ui.viewmodels.first_run_vm import FirstRunViewModel
from desktop_assistant.ui.viewmodels.window_model import WindowModel
from tests.gui.doubles import MemorySettings, RecordingConversation, StaticMedia
from tests.gui.helpers import wait_signal

GEMINI_DESCRIPTION = "Google's Gemini Live API, with your API key."


@dataclass
class Labelled:
    conversation: RecordingConversation
    settings: MemorySettings
    backends: Backends
    names: BackendNames
    model: WindowModel
    window: MainWindow


@pytest.fixture
def open_window(qtbot: Any, theme: object, tmp_path: Path) -> Iterator[Any]:
    windows: list[Labelled] = []

    def _open(backend: dict[str, object]) -> Labelled:
        secrets = SecretStore(EncryptedFileKeyring(tmp_path / "secrets.enc", passphrase="tests"))
        backends = Backends(secrets)
        names = BackendNames(backends)
        settings = MemorySettings(Settings.model_validate({"backend": backend}))
        conversation = RecordingConversation()
        model = WindowModel.build(
            conversation,
            StaticMedia(),
            settings=settings,
            labels=names,
            backend=backends.label_now(settings.current()),
        )
        window = MainWindow(model)
        window.show()
        opened = Labelled(conversation, settings, backends, names, model, window)
        windows.append(opened)
        return opened

    yield _open
    for opened in windows:
        opened.model.router.detach()
        opened.window.finish_close()
        opened.window.deleteLater()


def _snapshot(state: LoadState, done: int, message: str) -> LoadProgress:
    return LoadProgress(state, done, 4, message)


def test_the_header_names_the_offline_engine_instead_of_a_model_and_voice(open_window) -> None:
    w = open_window({"kind": "local", "local_engine": "offline"})
    summary = w.window.summary
    assert summary.text() == f"Not connected · {BACKEND_LABEL}"
    w.conversation.emit(ConnectionStateChanged(ConnectionState.LIVE))
    assert summary.text() == f"Live · {BACKEND_LABEL}"
    assert "voice" not in summary.text()
    assert summary.toolTip() == BACKEND_DESCRIPTION
    assert summary.accessibleDescription() == BACKEND_DESCRIPTION


def test_a_test_engine_says_it_is_one(open_window) -> None:
    w = open_window({"kind": "local", "local_engine": "echo"})
    assert w.window.summary.text() == "Not connected · Local test engine (echo)"
    assert "does not answer questions" in w.window.summary.toolTip()


def test_the_gemini_api_header_keeps_the_model_and_voice(open_window) -> None:
    w = open_window({"kind": "gemini"})
    current = w.settings.current()
    assert w.window.summary.text() == (
        f"Not connected · {current.model} · voice {current.voice.name}"
    )
    assert w.window.summary.toolTip() == GEMINI_DESCRIPTION


def test_the_engine_a_conversation_starts_on_is_the_one_named(open_window) -> None:
    w = open_window({"kind": "local", "local_engine": "offline"})
    w.conversation.emit(BackendInUse(engine_label("echo")))
    assert w.window.summary.text() == "Not connected · Local test engine (echo)"


def test_the_transcript_says_who_answered(open_window) -> None:
    w = open_window({"kind": "local", "local_engine": "offline"})
    w.conversation.emit(OutputTranscribed("It's 3:07 PM.", finished=True), TurnCompleted())
    (answer,) = w.window.conversation.view.entries
    assert "Offline assistant" in answer.header.text()
    assert "Gemini" not in answer.header.text()
    assert answer.body.accessibleName() == "Offline assistant said"
    # A later turn on another backend is that backend's; the earlier one stays the engine's.
    w.conversation.emit(BackendInUse(engine_label("echo")))
    w.conversation.emit(OutputTranscribed("You said: hi", finished=True), TurnCompleted())
    assert w.model.transcript.plain_text() == (
        "Offline assistant: It's 3:07 PM.\nEcho test: You said: hi"
    )


def test_gemini_answers_as_gemini(open_window) -> None:
    w = open_window({"kind": "gemini"})
    w.conversation.emit(OutputTranscribed("Hello.", finished=True), TurnCompleted())
    (answer,) = w.window.conversation.view.entries
    assert "Gemini" in answer.header.text()
    assert w.model.transcript.plain_text() == "Gemini: Hello."


def test_the_settings_panel_names_the_local_engine(open_window) -> None:
    panel = open_window({"kind": "local", "local_engine": "offline"}).window.settings_panel
    assert panel.backend.text() == f"Backend: {BACKEND_LABEL}"
    assert panel.backend.toolTip() == BACKEND_DESCRIPTION
    auto = open_window({"kind": "auto", "local_engine": "offline"}).window.settings_panel
    assert auto.backend.text() == (
        f"Backend: Gemini API when a key is stored, else {BACKEND_LABEL}"
    )
    assert auto.backend.toolTip() == BACKEND_DESCRIPTION
    gemini = open_window({"kind": "gemini"}).window.settings_panel
    assert gemini.backend.text() == "Backend: Gemini API"
    assert gemini.backend.toolTip() == ""


@pytest.mark.asyncio
async def test_a_changed_backend_is_named_once_applied(open_window) -> None:
    w = open_window({"kind": "local", "local_engine": "offline"})
    settings_vm = w.model.settings
    assert settings_vm is not None
    renamed = wait_signal(w.model.backend.label_changed)
    await settings_vm.apply_changes({"backend": {"kind": "gemini"}})
    await renamed
    assert w.window.summary.text().startswith(f"Not connected · {w.settings.current().model}")
    assert w.window.summary.toolTip() == GEMINI_DESCRIPTION
    assert w.window.settings_panel.backend.text() == "Backend: Gemini API"


@pytest.mark.asyncio
async def test_the_first_run_dialog_names_the_local_choice(open_window) -> None:
    w = open_window({"kind": "auto", "local_engine": "offline"})
    settings_vm = w.model.settings
    assert settings_vm is not None
    setup = KeychainSetup(w.backends, w.settings.current)
    vm = FirstRunViewModel(
        setup, settings_vm, w.model.tasks, local=w.names.local(settings_vm.current)
    )
    dialog = FirstRunDialog(vm, w.window)
    try:
        dialog.open()
        local = dialog.radios[BackendKind.LOCAL]
        assert local.text() == f"{BACKEND_LABEL} — on this computer, no key"
        assert local.toolTip() == BACKEND_DESCRIPTION
        assert local.accessibleDescription() == BACKEND_DESCRIPTION
        local.setChecked(True)
        assert dialog.pages.currentWidget() is dialog.local_description
        assert dialog.local_description.text() == BACKEND_DESCRIPTION
    finally:
        dialog.reject()
        dialog.deleteLater()


def test_the_status_bar_shows_the_offline_engine_loading_until_it_is_ready(
    open_window,
) -> None:
    w = open_window({"kind": "local", "local_engine": "offline"})
    status = w.window.status
    assert not status.preparing.isVisible()
    assert not status.preparing_bar.isVisible()
    snapshots = [
        _snapshot(LoadState.LOADING, 0, "Loading the offline engine…"),
        _snapshot(LoadState.LOADING, 0, "Preparing the offline language model (first run only)…"),
        _snapshot(LoadState.LOADING, 2, "Loaded the language model."),
    ]
    lines = []
    for snapshot in snapshots:
        event = progress_of(snapshot)
        assert event is not None
        w.conversation.emit(event)
        assert status.preparing.isVisible()
        assert status.preparing_bar.isVisible()
        lines.append(status.preparing.text())
        assert status.preparing.toolTip() == snapshot.message
        assert status.preparing_bar.value() == snapshot.done
        assert status.preparing_bar.maximum() == 4
    assert lines == [
        "Loading the offline speech engine… 0/4",
        "Preparing the offline language model (first run only)… 0/4",
        "Loading the offline speech engine… 2/4",
    ]
    ready = progress_of(_snapshot(LoadState.READY, 4, "The offline engine is ready."))
    assert ready is not None
    w.conversation.emit(ready)
    assert not status.preparing.isVisible()
    assert not status.preparing_bar.isVisible()
    assert status.currentMessage() == "The offline speech engine is ready."
    assert not w.window.banner.isVisible()


def test_a_failed_load_says_why_in_the_banner(open_window) -> None:
    w = open_window({"kind": "local", "local_engine": "offline"})
    w.conversation.emit(progress_of(_snapshot(LoadState.LOADING, 1, "Loaded the voice.")))
    why = "The offline engine is not installed (onnxruntime). Install it with the offline extra."
    failed = progress_of(_snapshot(LoadState.FAILED, 0, why))
    assert failed is not None
    w.conversation.emit(failed)
    assert not w.window.status.preparing.isVisible()
    message = w.model.banner.message
    assert message is not None
    assert message.level is BannerLevel.ERROR
    assert message.text == f"The offline speech engine could not load: {why}"
    assert w.window.banner.isVisible()
