"""``desktop-assistant gui`` (the default): the window, with asyncio on the Qt loop via qasync.

Nothing here blocks the loop. Closing the window asks first; the app then stops the streams, the
session and the tasks (``GuiComposition.aclose``), lets the UI's own work finish, and only then
lets the window go and the loop end. An exception that escapes anywhere is logged and shown in the
banner in plain words; the app keeps running.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import types
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")  # qasync must pick PySide6 even if PyQt is around

import qasync
from PySide6.QtWidgets import QApplication

from desktop_assistant import APP_ID, APP_NAME, __version__
from desktop_assistant.app.wiring import GuiComposition, GuiOptions, compose
from desktop_assistant.config.settings import BackendKind
from desktop_assistant.core import redact
from desktop_assistant.ui.first_run import FirstRunDialog
from desktop_assistant.ui.i18n import UI_LANGUAGES, install_translations
from desktop_assistant.ui.main_window import MainWindow
from desktop_assistant.ui.resources import icon
from desktop_assistant.ui.theme import ThemeChoice, ThemeManager
from desktop_assistant.ui.viewmodels.banner_vm import BannerLevel, BannerMessage
from desktop_assistant.ui.viewmodels.first_run_vm import FirstRunViewModel
from desktop_assistant.ui.viewmodels.window_model import WindowModel

log = logging.getLogger(__name__)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="desktop-assistant gui", description="Open the window.")
    p.add_argument("--backend", choices=[k.value for k in BackendKind], help="this run only")
    p.add_argument("--engine", help="local engine for this run: auto, offline, echo or script:PATH")
    p.add_argument("--settings", type=Path, help="settings file (default: the user's)")
    p.add_argument("--policy", type=Path, help="organisation policy file")
    p.add_argument("--language", choices=UI_LANGUAGES, help="window language (default: system)")
    p.add_argument("--theme", choices=[t.value for t in ThemeChoice], default="system")
    p.add_argument("--camera", default="0", help="camera index, or a video file to use as one")
    p.add_argument("--no-audio", action="store_true", help="no microphone or speaker")
    p.add_argument("--first-run", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--log-level", default="INFO")
    return p


def options_from(args: argparse.Namespace) -> GuiOptions:
    return GuiOptions(
        settings_path=args.settings,
        policy_path=args.policy,
        backend=BackendKind(args.backend) if args.backend else None,
        engine=args.engine,
        audio=not args.no_audio,
        camera=args.camera,
        first_run=args.first_run,
    )


def application(argv0: str = "desktop-assistant") -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([argv0])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Desktop Assistant")
    app.setDesktopFileName(APP_ID)  # Wayland and docks find the .desktop file and icon by it
    app.setWindowIcon(icon("app"))
    # The window decides when the app ends: after the conversation has shut down (qasync #39).
    app.setQuitOnLastWindowClosed(False)
    return app


class GuiApp:
    """One window over one composition; ``run`` returns when the window has closed cleanly."""

    def __init__(self, composition: GuiComposition) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # Closing the window must not end the loop before the conversation has shut down.
            app.setQuitOnLastWindowClosed(False)
        self.composition = composition
        self.model = WindowModel.build(
            composition.conversation,
            composition.media,
            settings=composition.settings,
            labels=composition.names,
            backend=composition.backend,
        )
        self.window = MainWindow(self.model)
        self.closed = asyncio.Event()
        self.dialog: FirstRunDialog | None = None
        self.window.close_requested.connect(self.closed.set)
        self.window.backend_setup_requested.connect(self.show_backend_setup)
        for problem in composition.problems:
            self.model.banner.show(BannerMessage(problem, BannerLevel.WARNING, source="settings"))

    def show_backend_setup(self) -> None:
        settings_vm = self.model.settings
        if settings_vm is None:
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return
        names = self.composition.names
        vm = FirstRunViewModel(
            self.composition.setup,
            settings_vm,
            self.model.tasks,
            local=names.local(settings_vm.current) if names is not None else None,
        )
        self.dialog = FirstRunDialog(vm, self.window)
        self.dialog.open()  # window-modal, but no nested loop: the asyncio loop keeps running

    def report(self, what: str, error: BaseException | None = None) -> None:
        self.model.banner.report_failure(what, error or RuntimeError(what))

    async def run(self) -> int:
        self.window.show()
        self.model.media.activate()
        log.info("window ready")  # the packaged smoke test and the entry-point test wait for it
        if self.composition.first_run:
            self.show_backend_setup()
        await self.closed.wait()
        await self.shutdown()
        return 0

    async def shutdown(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.model.media.deactivate()
        try:
            await self.composition.aclose()
        except Exception:
            log.exception("shutting the conversation down failed")
        await self.model.close()
        self.window.finish_close()
        log.info("window closed cleanly")


def _install_excepthook(gui: GuiApp) -> None:
    def hook(
        kind: type[BaseException], error: BaseException, tb: types.TracebackType | None
    ) -> None:
        log.error("unexpected error", exc_info=(kind, error, tb))
        with contextlib.suppress(Exception):
            gui.report("Something went wrong; the app keeps running. Details are in the log.")

    sys.excepthook = hook


def _stop_on_signals(gui: GuiApp) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, gui.closed.set)
        except (NotImplementedError, RuntimeError, ValueError):
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(gui.closed.set))


async def run_gui(options: GuiOptions) -> int:
    loop = asyncio.get_running_loop()
    # Settings file and keychain reads block briefly (D-Bus, scrypt): off the loop.
    composition = await loop.run_in_executor(None, compose, options)
    gui = GuiApp(composition)
    _install_excepthook(gui)
    _stop_on_signals(gui)
    return await gui.run()


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    redact.install()
    app = application()
    translators = install_translations(app, args.language)
    theme = ThemeManager(app, ThemeChoice(args.theme))
    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            return runner.run(run_gui(options_from(args)))
    finally:
        del translators, theme
