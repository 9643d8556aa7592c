"""End to end through the real app: settings on the wire, tool approval, video, reconnects."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_assistant.config.settings import BackendKind
from desktop_assistant.core.events import ConnectionState, TurnState
from desktop_assistant.server import Fault, FaultKind, LocalLiveServer
from desktop_assistant.server.engines.offline import (
    BACKEND_DESCRIPTION,
    BACKEND_LABEL,
    is_installed,
)
from desktop_assistant.tools.builtin import builtin_registry
from desktop_assistant.tools.registry import ToolRegistry
from desktop_assistant.ui.controllers import BackendProgress, VideoSourceKind
from desktop_assistant.ui.transcript import EntryKind, ToolState
from tests.gui.helpers import wait_signal, wait_until
from tests.gui.live_app import Launch, LiveApp
from tests.support.fixtures import camera_video

LOAD_TIMEOUT_S = 180.0
"""The offline models' first load in a process (seconds on a laptop; CI machines are slower)."""


def _clock_reading(moment: datetime) -> str:
    """How the time is said in English: 3:07 PM."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def _last_model_text(app: LiveApp) -> str:
    entries = [e for e in app.model.transcript.transcript.entries if e.kind is EntryKind.MODEL]
    return entries[-1].text.strip() if entries and entries[-1].finished else ""


async def _answer(app: LiveApp, typed: str, within_s: float = 30.0) -> str:
    before = len(app.model.transcript.transcript.entries)
    await app.say_by_typing(typed)
    await wait_until(
        lambda: (
            len(app.model.transcript.transcript.entries) > before + 1
            and bool(_last_model_text(app))
        ),
        within_s,
        f"the answer to {typed!r}",
    )
    return _last_model_text(app)


@pytest.mark.asyncio
async def test_a_changed_setting_reaches_the_server_after_reconnecting(launch: Launch) -> None:
    app = await launch(["My instruction is: {system_instruction}"], speed=4.0)
    await app.start_conversation()
    assert await _answer(app, "hello") == "My instruction is:"

    panel = app.window.settings_panel
    assert panel is not None
    app.window.tabs.setCurrentWidget(panel)
    box = panel.conversation_section.instruction
    box.setFocus()
    app.qtbot.keyClicks(box, "Speak like a pirate")
    model_box = panel.model_section.model
    model_box.setCurrentIndex(model_box.findData("gemini-2.5-flash-native-audio-preview-09-2025"))
    model_box.activated.emit(model_box.currentIndex())
    assert panel.apply.text() == "Apply and reconnect"
    server = app.server
    assert server is not None
    app.click(panel.apply)
    await server.stats.wait_for(lambda: server.stats.sessions_started == 2, within_s=20)
    await wait_until(lambda: app.model.session.connection is ConnectionState.LIVE)

    assert server.stats.connections[-1].model == "gemini-2.5-flash-native-audio-preview-09-2025"
    assert await _answer(app, "again") == "My instruction is: Speak like a pirate"
    # The conversation so far stayed in the window across the new connection.
    texts = [e.text.strip() for e in app.model.transcript.transcript.entries]
    assert texts[:2] == ["hello", "My instruction is:"]
    saved = (app.folder / "settings.json").read_text(encoding="utf-8")
    assert "Speak like a pirate" in saved
    assert '"local"' not in saved  # --backend local was for this run only


def _notes_registry(folder: Path) -> ToolRegistry:
    registry = builtin_registry()
    notes = folder / "notes.txt"

    @registry.tool(side_effects=True)
    def save_note(text: str) -> str:
        """Append a note to the user's notes file.

        Args:
            text: what to write down.
        """
        with notes.open("a", encoding="utf-8") as out:
            out.write(text + "\n")
        return f"saved {text}"

    return registry


@pytest.mark.asyncio
async def test_side_effecting_tools_wait_for_approve_or_deny(
    launch: Launch, tmp_path: Path
) -> None:
    call = {"name": "save_note", "on_result": [{"say": "Result: {result}"}]}
    app = await launch(
        [
            {"steps": [{"tool_call": {**call, "args": {"text": "milk"}, "id": "fc-1"}}]},
            {"steps": [{"tool_call": {**call, "args": {"text": "eggs"}, "id": "fc-2"}}]},
        ],
        speed=4.0,
        tools=_notes_registry(tmp_path),
    )
    await app.start_conversation()
    window, tools = app.window, app.model.tools

    asked = wait_signal(tools.pending_approvals_changed, check=lambda n: n == 1)
    await app.say_by_typing("note milk")
    await asked
    assert window.tabs.currentWidget() is window.tools
    assert app.model.turns.state is TurnState.TOOL_RUNNING
    card = window.tools.console.cards["fc-1"]
    assert '"text": "milk"' in card.args.text()
    assert not (tmp_path / "notes.txt").exists()  # nothing happens before the user agrees
    app.click(card.approve)
    await wait_until(lambda: tools.calls["fc-1"].info.state is ToolState.OK, 20.0, "the call")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "milk\n"
    await wait_until(lambda: "saved milk" in _last_model_text(app), 20.0, "the model's answer")

    asked = wait_signal(tools.pending_approvals_changed, check=lambda n: n == 1)
    await app.say_by_typing("note eggs")
    await asked
    card = window.tools.console.cards["fc-2"]
    app.click(card.deny)
    await wait_until(lambda: tools.calls["fc-2"].info.state is ToolState.DENIED, 20.0, "denial")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "milk\n"
    await wait_until(lambda: "did not allow" in _last_model_text(app), 20.0, "the answer")
    assert "denied" in card.state.text()
    inline = [w.body.text() for w in window.conversation.view.entries]
    assert any("save_note" in t and "done" in t for t in inline)
    assert any("save_note" in t and "denied" in t for t in inline)


@pytest.mark.asyncio
async def test_camera_screen_and_off_show_exactly_what_is_sent(launch: Launch) -> None:
    app = await launch(None, speed=4.0, camera=str(camera_video()))  # the echo engine
    await app.start_conversation()
    media, panel = app.model.media, app.window.media

    shown = wait_signal(media.preview_changed, check=lambda image: not image.isNull())
    app.click(panel.source_buttons[VideoSourceKind.CAMERA])
    (image,) = await shown
    assert (image.width(), image.height()) == (640, 360)  # the stand-in camera's frames
    await wait_until(lambda: media.sending, what="the sending dot")
    assert panel.sending.text().startswith("● sending")
    assert "I saw" in await _answer(app, "what do you see")

    camera_frame = media.preview_sequence
    shown = wait_signal(media.preview_changed, check=lambda image: image.width() != 640)
    app.qtbot.keyClick(app.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    (image,) = await shown
    assert media.video_source is VideoSourceKind.SCREEN
    assert media.preview_sequence != camera_frame
    assert image.width() == image.height()  # the offscreen platform's square virtual screen

    app.click(panel.pause)
    await wait_until(lambda: not media.sending)
    assert panel.sending.text() == "○ paused — not sending"
    app.click(panel.pause)

    app.click(panel.source_buttons[VideoSourceKind.OFF])
    assert panel.preview.image.isNull()
    assert panel.sending.text() == "○ not sending video"
    assert not media.sending


@pytest.mark.asyncio
async def test_a_dropped_connection_shows_progress_and_recovers(launch: Launch) -> None:
    story = [{"say": f"Sentence number {n}."} for n in range(1, 6)]
    app = await launch(
        [{"steps": story}],
        speed=2.0,
        faults=[Fault(FaultKind.RESET, connection=1, turn=1, after_frames=3)],
    )
    banners: list[str] = []
    app.model.banner.changed.connect(
        lambda: banners.append(app.model.banner.message.text if app.model.banner.message else "")
    )
    await app.start_conversation()
    await app.say_by_typing("talk to me")
    server = app.server
    assert server is not None
    await server.stats.wait_for(lambda: server.stats.sessions_started >= 2, within_s=20)
    await wait_until(lambda: app.model.session.connection is ConnectionState.LIVE, 20.0)
    await wait_until(lambda: "reconnected 1×" in app.window.status.connection.text(), 20.0)  # noqa: RUF001
    assert any("reconnecting" in text for text in banners)
    assert not app.window.banner.isVisible()  # recovered: the banner went away by itself
    # The conversation goes on over the new connection.
    assert await _answer(app, "are you there?")


@pytest.mark.asyncio
async def test_without_a_key_the_app_opens_and_talks_locally(launch: Launch) -> None:
    # What a new user gets: no key, no settings, the first-run dialog; the README's install
    # includes the offline speech engine, so "auto" talks to it.
    assert is_installed(), "the offline extra is part of the test environment"
    app = await launch(None, backend=None, first_run=True, server=False)
    dialog = app.gui.dialog
    assert dialog is not None
    await wait_until(dialog.isVisible, what="the first-run dialog")
    local_choice = dialog.radios[BackendKind.LOCAL]
    assert local_choice.text().startswith(BACKEND_LABEL)
    assert local_choice.toolTip() == BACKEND_DESCRIPTION
    app.click(dialog.skip)
    await wait_until(lambda: not dialog.isVisible(), what="the dialog to close")
    assert '"local"' in (app.folder / "settings.json").read_text(encoding="utf-8")
    panel = app.window.settings_panel
    assert panel is not None
    assert panel.backend.text() == f"Backend: {BACKEND_LABEL}"

    progress: list[BackendProgress] = []
    backend = app.model.backend
    backend.progress_changed.connect(lambda: progress.append(backend.progress))  # type: ignore[arg-type]
    await app.start_conversation()
    summary = app.window.summary
    assert summary.text() == f"Live · {BACKEND_LABEL}"  # not a Gemini model, not its voice
    assert summary.toolTip() == BACKEND_DESCRIPTION
    assert summary.accessibleDescription() == BACKEND_DESCRIPTION

    # The models load in the background (a few seconds the first time in a process): the status
    # bar says so until they are ready, and the first answer waits for them.
    before = datetime.now().astimezone()
    answer = await _answer(app, "What time is it?", within_s=LOAD_TIMEOUT_S)
    after = datetime.now().astimezone()
    assert progress, "the offline engine's loading reached the window"
    assert all(p.loading or p.ready for p in progress), [p.problem for p in progress]
    assert progress[-1].ready
    assert not app.window.status.preparing.isVisible()
    # A time question is answered by rule through the app's own current_time tool, from the
    # local clock: "It's 3:07 PM." (allowing for the minute, or hour, turning meanwhile).
    calls = list(app.model.tools.calls.values())
    assert [c.info.name for c in calls] == ["current_time"]
    assert calls[0].info.state is ToolState.OK
    assert answer.startswith("It's ")
    assert answer.endswith(("AM.", "PM.")), answer
    said = answer.removeprefix("It's ").removesuffix(".")
    assert said in {_clock_reading(before), _clock_reading(after)}, (answer, before, after)
    assert "Offline assistant" in app.window.conversation.view.entries[-1].header.text()
    assert app.window.media.no_mic.isVisible()  # no audio devices in this test: still works


@pytest.mark.asyncio
async def test_a_pasted_key_is_checked_then_kept_in_the_keychain(launch: Launch) -> None:
    def gemini_at(server: LocalLiveServer) -> dict[str, object]:
        return {"backend": {"base_url": server.base_url, "ca_file": str(server.ca_file)}}

    app = await launch(None, backend=None, first_run=True, settings=gemini_at)
    dialog = app.gui.dialog
    assert dialog is not None
    await wait_until(dialog.isVisible, what="the first-run dialog")
    app.click(dialog.radios[dialog._vm.choice])
    dialog.key.setText("not-the-key")
    app.click(dialog.ok)
    await wait_until(lambda: dialog.problem.isVisible(), 20.0, "the refusal")
    assert app.secrets.api_key() is None
    assert dialog.isVisible()

    server = app.server
    assert server is not None
    dialog.key.setText(server.api_key)
    app.click(dialog.ok)
    await wait_until(lambda: not dialog.isVisible(), 20.0, "the dialog to close")
    stored = app.secrets.api_key()
    assert stored is not None
    assert stored.secret.reveal() == server.api_key
    assert server.api_key not in (app.folder / "settings.json").read_text(encoding="utf-8")
    await app.start_conversation()
    assert await _answer(app, "hi") == "You said: hi"


@pytest.mark.asyncio
async def test_translation_mode_reconnects_with_a_translation_model(launch: Launch) -> None:
    app = await launch(None, speed=4.0)  # the echo engine
    await app.start_conversation()
    panel = app.window.settings_panel
    assert panel is not None
    app.window.tabs.setCurrentWidget(panel)
    section = panel.translation_section
    app.click(section.enabled)
    target = section.target
    target.setCurrentIndex(target.findData("de"))
    target.activated.emit(target.currentIndex())
    assert panel.apply.text() == "Apply and reconnect"
    server = app.server
    assert server is not None
    app.click(panel.apply)
    await server.stats.wait_for(lambda: server.stats.sessions_started == 2, within_s=20)
    await wait_until(lambda: app.model.session.connection is ConnectionState.LIVE)
    assert server.stats.connections[-1].model == "gemini-3.5-live-translate-preview"
    assert app.window.conversation.captions.isVisible()
    assert app.window.conversation.captions.target_title.text() == "German — de"
    assert "en → de" not in app.window.summary.text()
    assert "auto → de" in app.window.summary.text()
