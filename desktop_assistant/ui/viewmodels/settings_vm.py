"""Conversation settings: a draft the panel edits, checked against the model's capabilities.

The draft is a validated ``Settings`` copy; nothing reaches the session until Apply. Options the
chosen model does not honour are reported with the reason; a change that needs a new connection
says so before it is applied, and applying it hands the conversation to a new connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal

from desktop_assistant.config.capabilities import (
    KNOWN_MODELS,
    Architecture,
    ModelCapabilities,
    SettingsRefused,
    capabilities_of,
    platform_for,
    resolve,
)
from desktop_assistant.config.settings import DEFAULT_MODEL, Settings
from desktop_assistant.ui.controllers import SettingsController
from desktop_assistant.ui.settings_rules import needs_new_connection, unsupported_reasons
from desktop_assistant.ui.tasks import UiTasks


def nested(path: str, value: object) -> dict[str, Any]:
    """``"voice.name", "Kore"`` -> ``{"voice": {"name": "Kore"}}``."""
    keys = path.split(".")
    out: dict[str, Any] = {keys[-1]: value}
    for key in reversed(keys[:-1]):
        out = {key: out}
    return out


class SettingsViewModel(QObject):
    draft_changed = Signal()
    problem_changed = Signal(str)  # "" when the draft is fine
    applied = Signal(bool)  # reconnected
    busy_changed = Signal(bool)

    def __init__(
        self, controller: SettingsController, tasks: UiTasks, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._tasks = tasks
        self.current = controller.current()
        self.draft = self.current
        self.locked = controller.locked()
        self.problem = ""
        self.notes: tuple[str, ...] = ()
        self.busy = False
        # The conversation model to return to when translation mode is switched off again.
        self._conversation_model = (
            self.current.model
            if capabilities_of(self.current.model).architecture is not Architecture.TRANSLATION
            else DEFAULT_MODEL
        )

    # --------------------------------------------------------------------------- reading

    @property
    def capabilities(self) -> ModelCapabilities:
        return capabilities_of(self.draft.model)

    @property
    def dirty(self) -> bool:
        return self.draft != self.current

    @property
    def needs_reconnect(self) -> bool:
        return needs_new_connection(self.current, self.draft)

    def reason(self, path: str) -> str:
        """Why ``path`` cannot be changed now; empty when it can."""
        if any(path == lock or path.startswith(lock + ".") for lock in self.locked):
            return self.tr("Set by your organisation.")
        reasons = unsupported_reasons(self.capabilities)
        for key, text in reasons.items():
            if path == key or path.startswith(key + "."):
                return text
        return ""

    def models(self) -> list[str]:
        """Models offered on the configured backend (retired ones left out), current first."""
        platform = platform_for(self.draft.backend.kind)
        names = [
            name
            for name, caps in KNOWN_MODELS.items()
            if platform in caps.platforms and caps.status != "retired"
        ]
        if self.draft.model not in names:
            names.insert(0, self.draft.model)
        return names

    def translation_models(self) -> list[str]:
        platform = platform_for(self.draft.backend.kind)
        return [
            name
            for name, caps in KNOWN_MODELS.items()
            if caps.architecture is Architecture.TRANSLATION and platform in caps.platforms
        ]

    # --------------------------------------------------------------------------- editing

    def set(self, path: str, value: object) -> bool:
        return self.update(nested(path, value))

    def update(self, changes: Mapping[str, Any]) -> bool:
        """Merge ``changes`` into the draft; False (draft kept) with a problem if invalid."""
        try:
            draft = self.draft.updated(changes)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"] if not isinstance(p, int))
            self._set_problem(self.tr("{0}: {1}").format(where or "settings", first["msg"]))
            return False
        if draft.model != self.draft.model:
            if capabilities_of(draft.model).architecture is not Architecture.TRANSLATION:
                self._conversation_model = draft.model
        self.draft = draft
        self._set_problem("")
        self.draft_changed.emit()
        return True

    def set_translation_mode(self, enabled: bool) -> bool:
        """Translation uses a translation model and its own configuration; off returns to chat."""
        if enabled:
            models = self.translation_models()
            if not models:
                self._set_problem(self.tr("No translation model is offered on this backend."))
                return False
            target = self.draft.translation.target_language or "en"
            return self.update(
                {
                    "model": models[0],
                    "translation": {"enabled": True, "target_language": target},
                }
            )
        return self.update({"model": self._conversation_model, "translation": {"enabled": False}})

    def revert(self) -> None:
        self.draft = self.current
        self._set_problem("")
        self.draft_changed.emit()

    # -------------------------------------------------------------------------- applying

    def apply(self) -> None:
        if self.busy or not self.dirty:
            return
        try:
            resolution = resolve(self.draft)
        except SettingsRefused as refused:
            self._set_problem(" ".join(p.message for p in refused.problems))
            return
        reconnect = needs_new_connection(self.current, resolution.settings)
        self.notes = resolution.notes
        self._set_busy(True)
        self._tasks.spawn(
            self._apply(resolution.settings, reconnect),
            name="ui.apply_settings",
            failure=self.tr("The settings could not be applied."),
        )

    async def apply_changes(self, changes: Mapping[str, Any]) -> None:
        """Apply ``changes`` to the settings in force at once, leaving any pending draft edits.

        Raises ``ValidationError`` or ``SettingsRefused`` for settings that cannot work.
        """
        settings = resolve(self.current.updated(changes)).settings
        reconnect = needs_new_connection(self.current, settings)
        pending = self.draft.model_dump(mode="json") if self.dirty else None
        await self._apply(settings, reconnect)
        if pending is not None:
            self.update(pending)

    async def _apply(self, settings: Settings, reconnect: bool) -> None:
        try:
            await self._controller.apply(settings, reconnect=reconnect)
        finally:
            self._set_busy(False)
        self.current = settings
        self.draft = settings
        self.draft_changed.emit()
        self.applied.emit(reconnect)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    def _set_problem(self, text: str) -> None:
        if text != self.problem:
            self.problem = text
            self.problem_changed.emit(text)
