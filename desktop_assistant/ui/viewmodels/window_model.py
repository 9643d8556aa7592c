"""All view-models of one window, built from the controllers that ``app.wiring`` provides."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop_assistant.ui.controllers import (
    BackendLabel,
    BackendLabels,
    ConversationController,
    MediaController,
    SettingsController,
)
from desktop_assistant.ui.tasks import UiTasks
from desktop_assistant.ui.viewmodels.backend_vm import BackendViewModel
from desktop_assistant.ui.viewmodels.banner_vm import BannerViewModel
from desktop_assistant.ui.viewmodels.media_vm import MediaViewModel
from desktop_assistant.ui.viewmodels.router import EventRouter
from desktop_assistant.ui.viewmodels.session_vm import SessionViewModel
from desktop_assistant.ui.viewmodels.settings_vm import SettingsViewModel
from desktop_assistant.ui.viewmodels.status_vm import StatusViewModel
from desktop_assistant.ui.viewmodels.tools_vm import ToolsViewModel
from desktop_assistant.ui.viewmodels.transcript_vm import TranscriptViewModel
from desktop_assistant.ui.viewmodels.turns_vm import TurnsViewModel


@dataclass
class WindowModel:
    router: EventRouter
    tasks: UiTasks
    banner: BannerViewModel
    session: SessionViewModel
    tools: ToolsViewModel
    transcript: TranscriptViewModel
    turns: TurnsViewModel
    status: StatusViewModel
    media: MediaViewModel
    backend: BackendViewModel
    settings: SettingsViewModel | None = None

    @classmethod
    def build(
        cls,
        conversation: ConversationController,
        media: MediaController,
        clock: Callable[[], float] = time.monotonic,
        settings: SettingsController | None = None,
        labels: BackendLabels | None = None,
        backend: BackendLabel | None = None,
    ) -> WindowModel:
        """``labels`` names the backends; ``backend`` is the one in use at launch."""
        router = EventRouter()
        tasks = UiTasks()
        banner = BannerViewModel(router)
        tasks.set_reporter(banner.report_failure)
        session = SessionViewModel(conversation, router, tasks)
        tools = ToolsViewModel(conversation, router, tasks, clock)
        transcript = TranscriptViewModel(conversation, router, tools, tasks, clock)
        turns = TurnsViewModel(router, clock)
        status = StatusViewModel(router, clock)
        media_vm = MediaViewModel(media, router, tasks, clock)
        # Typed text and a released push-to-talk end the user's turn: the latency clock starts.
        transcript.text_sent.connect(lambda _text: status.user_turn_ended())
        session.talking_changed.connect(
            lambda talking: None if talking else status.user_turn_ended()
        )
        settings_vm = SettingsViewModel(settings, tasks) if settings is not None else None
        if settings_vm is not None:
            media_vm.frames_per_second = settings_vm.current.video.frames_per_second
            settings_vm.applied.connect(
                lambda _reconnected: setattr(
                    media_vm, "frames_per_second", settings_vm.current.video.frames_per_second
                )
            )
        backend_vm = BackendViewModel(router, tasks, banner, labels, settings_vm, backend)

        def name_the_speaker() -> None:
            # New model turns are attributed to the engine that answers them.
            transcript.speaker = backend_vm.label.speaker if backend_vm.label is not None else ""

        backend_vm.label_changed.connect(name_the_speaker)
        name_the_speaker()
        router.attach(conversation)
        return cls(
            router,
            tasks,
            banner,
            session,
            tools,
            transcript,
            turns,
            status,
            media_vm,
            backend_vm,
            settings_vm,
        )

    async def close(self) -> None:
        """Stop listening and let in-flight UI work finish (the window is going away)."""
        self.media.deactivate()
        self.router.detach()
        await self.tasks.drain()
