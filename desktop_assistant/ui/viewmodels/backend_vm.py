"""Which backend the conversation talks to, and how far it is with getting ready.

The label comes from the app (``BackendLabels``): at launch, again after the settings change, and
from ``BackendInUse`` when a conversation starts, which is the final word. ``BackendProgress``
(the offline engine loading its models in the background) shows until the engine is ready; a
failure goes to the banner.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_assistant.ui.controllers import (
    BackendInUse,
    BackendLabel,
    BackendLabels,
    BackendProgress,
)
from desktop_assistant.ui.tasks import UiTasks
from desktop_assistant.ui.viewmodels.banner_vm import BannerLevel, BannerMessage, BannerViewModel
from desktop_assistant.ui.viewmodels.router import EventRouter
from desktop_assistant.ui.viewmodels.settings_vm import SettingsViewModel


class BackendViewModel(QObject):
    label_changed = Signal()  # read ``label``
    progress_changed = Signal()  # read ``progress``

    def __init__(
        self,
        router: EventRouter,
        tasks: UiTasks,
        banner: BannerViewModel,
        labels: BackendLabels | None = None,
        settings: SettingsViewModel | None = None,
        label: BackendLabel | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._banner = banner
        self._labels = labels
        self._settings = settings
        self._asked = 0  # answers to older questions are dropped
        self.label = label
        self.progress: BackendProgress | None = None
        router.on(BackendInUse, self._on_in_use)
        router.on(BackendProgress, self._on_progress)
        if settings is not None and labels is not None:
            settings.applied.connect(lambda _reconnected: self.refresh())

    @property
    def loading(self) -> bool:
        return self.progress is not None and self.progress.loading

    def local_label(self) -> BackendLabel | None:
        """What the local backend runs with the settings in force (``None``: not known)."""
        if self._labels is None or self._settings is None:
            return None
        return self._labels.local(self._settings.current)

    def refresh(self) -> None:
        """Ask the app again (the settings changed: the backend may have too)."""
        if self._labels is None or self._settings is None:
            return
        self._asked += 1
        self._tasks.spawn(
            self._refresh(self._labels, self._settings, self._asked),
            name="ui.backend_label",
            failure=self.tr("The backend in use could not be determined."),
        )

    async def _refresh(
        self, labels: BackendLabels, settings: SettingsViewModel, asked: int
    ) -> None:
        label = await labels.in_use(settings.current)
        if asked == self._asked:
            self._set_label(label)

    def _set_label(self, label: BackendLabel) -> None:
        if label != self.label:
            self.label = label
            self.label_changed.emit()

    def _on_in_use(self, event: BackendInUse) -> None:
        self._asked += 1  # what a conversation actually started on beats an earlier question
        self._set_label(event.backend)

    def _on_progress(self, event: BackendProgress) -> None:
        if event == self.progress:
            return
        failed_now = event.problem and (self.progress is None or not self.progress.problem)
        self.progress = event
        self.progress_changed.emit()
        if failed_now:
            self._banner.show(BannerMessage(event.problem, BannerLevel.ERROR, source="backend"))
