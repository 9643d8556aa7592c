"""First run: choose how to reach Gemini, or keep to the local engine.

An API key is checked with the service before it goes into the keychain, so a typo is caught here
and not at the first spoken word. Every choice ends as a change of ``backend`` settings.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal

from desktop_assistant.config.capabilities import (
    KNOWN_MODELS,
    Architecture,
    SettingsRefused,
    capabilities_of,
    platform_for,
)
from desktop_assistant.config.settings import BackendKind
from desktop_assistant.ui.controllers import BackendLabel, BackendSetup
from desktop_assistant.ui.tasks import UiTasks
from desktop_assistant.ui.viewmodels.settings_vm import SettingsViewModel

CHOICES = (BackendKind.GEMINI, BackendKind.EPHEMERAL, BackendKind.VERTEX, BackendKind.LOCAL)


class FirstRunViewModel(QObject):
    busy_changed = Signal(bool)
    problem_changed = Signal(str)
    finished = Signal(object)  # the BackendKind now in use

    def __init__(
        self,
        setup: BackendSetup,
        settings: SettingsViewModel,
        tasks: UiTasks,
        parent: QObject | None = None,
        *,
        local: BackendLabel | None = None,
    ) -> None:
        super().__init__(parent)
        self.local = local
        """What the local choice runs (the offline engine, or a test one), when the app says."""
        self._setup = setup
        self._settings = settings
        self._tasks = tasks
        self.choice = BackendKind.GEMINI
        self.busy = False
        self.problem = ""
        backend = settings.current.backend
        self.token_endpoint = backend.token_endpoint or ""
        self.vertex_project = backend.vertex_project or ""
        self.vertex_location = backend.vertex_location

    @property
    def key_hint(self) -> str:
        return self._setup.stored_key_hint()

    def choose(self, kind: BackendKind) -> None:
        self.choice = kind
        self._set_problem("")

    def submit(self, api_key: str = "") -> None:
        if self.busy:
            return
        self._set_busy(True)
        self._set_problem("")
        self._tasks.spawn(
            self._submit(self.choice, api_key.strip()),
            name="ui.first_run",
            failure=self.tr("The backend could not be set up."),
        )

    def use_local(self) -> None:
        """Skip: talk to the bundled local engine for now (the app works without a key)."""
        self.choose(BackendKind.LOCAL)
        self.submit()

    async def _submit(self, kind: BackendKind, api_key: str) -> None:
        try:
            problem = await self._configure(kind, api_key)
        finally:
            self._set_busy(False)
        if problem:
            self._set_problem(problem)
        else:
            self.finished.emit(kind)

    async def _configure(self, kind: BackendKind, api_key: str) -> str:
        changes: dict[str, Any] = {"kind": kind.value}
        if kind is BackendKind.GEMINI:
            if not api_key and not self.key_hint:
                return self.tr("Paste your Gemini API key, or choose the local engine.")
            if api_key:
                problem = await self._setup.validate_api_key(api_key)
                if problem:
                    return problem
                try:
                    await self._setup.store_api_key(api_key)
                except ValueError as error:
                    return str(error)
        elif kind is BackendKind.EPHEMERAL:
            if not self.token_endpoint.strip():
                return self.tr("Enter your organisation's token address (https://…).")
            changes["token_endpoint"] = self.token_endpoint.strip()
        elif kind is BackendKind.VERTEX:
            if not self.vertex_project.strip():
                return self.tr("Enter the Google Cloud project that runs Vertex AI.")
            changes["vertex_project"] = self.vertex_project.strip()
            changes["vertex_location"] = self.vertex_location.strip() or "us-central1"
        update: dict[str, Any] = {"backend": changes}
        platform = platform_for(kind)
        if platform not in capabilities_of(self._settings.current.model).platforms:
            # Vertex and the Gemini API offer different model names: pick one that is offered.
            offered = [
                name
                for name, caps in KNOWN_MODELS.items()
                if platform in caps.platforms
                and caps.status != "retired"
                and caps.architecture is Architecture.NATIVE_AUDIO
            ]
            if offered:
                update["model"] = offered[0]
        try:
            await self._settings.apply_changes(update)
        except ValidationError as error:
            first = error.errors()[0]
            return self.tr("{0}: {1}").format(first["loc"][-1], first["msg"])
        except SettingsRefused as refused:
            return str(refused)
        return ""

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    def _set_problem(self, text: str) -> None:
        if text != self.problem:
            self.problem = text
            self.problem_changed.emit(text)
