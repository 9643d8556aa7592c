"""The real app for end-to-end GUI tests: the window over the real wiring, Assistant and session,
talking to the local Live server (script engine) over TLS on loopback.

``launch`` starts a server with the given script and opens the app against it, exactly as
``desktop-assistant gui --backend local`` would (settings and keychain in a temporary folder).
Tests then drive the window with clicks and keys and wait on signals and conditions.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest_asyncio
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_assistant.app.gui import GuiApp
from desktop_assistant.app.wiring import GuiOptions, compose
from desktop_assistant.config.secrets import EncryptedFileKeyring, SecretStore
from desktop_assistant.config.settings import BackendKind
from desktop_assistant.core.events import ConnectionState
from desktop_assistant.server import Fault, LocalLiveServer, ServerOptions
from desktop_assistant.tools.registry import ToolRegistry
from desktop_assistant.ui.main_window import MainWindow
from desktop_assistant.ui.viewmodels.window_model import WindowModel
from tests.gui.helpers import wait_until

LIVE_TIMEOUT_S = 20.0


@dataclass
class LiveApp:
    gui: GuiApp
    server: LocalLiveServer | None
    folder: Path
    qtbot: QtBot
    run: asyncio.Task[int]
    secrets: SecretStore
    states: list[object] = field(default_factory=list)

    @property
    def window(self) -> MainWindow:
        return self.gui.window

    @property
    def model(self) -> WindowModel:
        return self.gui.model

    def click(self, widget: Any) -> None:
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    async def start_conversation(self) -> None:
        self.click(self.window.start_button)
        await wait_until(
            lambda: self.model.session.connection is ConnectionState.LIVE,
            LIVE_TIMEOUT_S,
            "the conversation to be live",
        )

    async def say_by_typing(self, text: str) -> None:
        box = self.window.conversation.input
        self.qtbot.keyClicks(box, text)
        self.qtbot.keyClick(box, Qt.Key.Key_Return)
        await wait_until(lambda: box.text() == "", what="the message to be sent")

    async def close(self) -> int:
        if not self.run.done():
            self.window.close()
        return await asyncio.wait_for(self.run, LIVE_TIMEOUT_S)


Launch = Callable[..., Awaitable[LiveApp]]


def write_script(folder: Path, turns: Sequence[object], **extra: object) -> Path:
    path = folder / "script.json"
    path.write_text(json.dumps({"turns": list(turns), **extra}), encoding="utf-8")
    return path


@pytest_asyncio.fixture
async def launch(tmp_path: Path, qtbot: QtBot, theme: object) -> AsyncIterator[Launch]:
    apps: list[LiveApp] = []
    servers: list[LocalLiveServer] = []

    async def _launch(
        turns: Sequence[object] | None = None,
        *,
        speed: float = 2.0,
        faults: Sequence[Fault] = (),
        tools: ToolRegistry | None = None,
        audio: bool = False,
        camera: str = "0",
        backend: BackendKind | None = BackendKind.LOCAL,
        first_run: bool = False,
        settings: dict[str, Any] | Callable[[LocalLiveServer], dict[str, Any]] | None = None,
        server: bool = True,
    ) -> LiveApp:
        folder = tmp_path / f"app{len(apps)}"
        folder.mkdir()
        local: LocalLiveServer | None = None
        if server:
            engine = f"script:{write_script(folder, turns)}" if turns is not None else "echo"
            local = LocalLiveServer(ServerOptions(engine=engine, speed=speed, faults=faults))
            await local.start()
            servers.append(local)
        if callable(settings):
            assert local is not None, "settings from the server need the server"
            settings = settings(local)
        if settings is not None:
            (folder / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
        secrets = SecretStore(EncryptedFileKeyring(folder / "secrets.enc", passphrase="tests"))
        options = GuiOptions(
            settings_path=folder / "settings.json",
            policy_path=folder / "policy.json",
            backend=backend,
            audio=audio,
            camera=camera,
            first_run=first_run,
        )
        composition = compose(options, secrets=secrets, local_server=local, tools=tools)
        gui = GuiApp(composition)
        run = asyncio.get_running_loop().create_task(gui.run(), name="gui.run")
        app = LiveApp(gui, local, folder, qtbot, run, secrets)
        gui.model.turns.state_changed.connect(app.states.append)
        apps.append(app)
        await wait_until(gui.window.isVisible, what="the window to show")
        return app

    try:
        yield _launch
    finally:
        for app in apps:
            await app.close()
        for local in servers:
            await local.stop()
