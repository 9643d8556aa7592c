"""The window's composition root: the controllers the UI drives, built from the options.

Settings, secrets, backend, tools and devices are all created here.

Everything the window touches is created here and handed to ``ui`` through its protocols
(``ui.controllers``); nothing in ``ui`` builds a session or opens a device.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_assistant.app.gui_backend import BackendNames, Backends
from desktop_assistant.app.gui_conversation import AssistantConversation
from desktop_assistant.app.gui_media import DeviceMedia
from desktop_assistant.app.gui_settings import KeychainSetup, StoreSettings
from desktop_assistant.config.persistence import SettingsStore, log_problems
from desktop_assistant.config.secrets import SecretStore
from desktop_assistant.config.settings import BackendKind, Settings
from desktop_assistant.core.assistant import Assistant, AssistantOptions
from desktop_assistant.core.ports import HistoryTurn
from desktop_assistant.media.video.encode import jpeg_encoder
from desktop_assistant.server import LocalLiveServer
from desktop_assistant.tools.builtin import BUILTIN_TOOL_NAMES, builtin_registry
from desktop_assistant.tools.dispatch import RegistryDispatcher
from desktop_assistant.tools.registry import ToolRegistry
from desktop_assistant.ui.controllers import BackendLabel


@dataclass
class GuiOptions:
    settings_path: Path | None = None
    policy_path: Path | None = None
    backend: BackendKind | None = None
    """Use this backend for this run only (not saved)."""
    engine: str | None = None
    """The local server's engine for this run: ``offline``, ``echo`` or ``script:PATH``."""
    audio: bool = True
    """False: no microphone or speaker at all (type only)."""
    camera: str = "0"
    """Camera index, or a video file standing in for a camera."""
    first_run: bool | None = None
    """Show the first-run dialog (``None``: when there is no settings file yet)."""
    screen_display: str | None = None


def _registry_for(settings: Settings) -> ToolRegistry:
    enabled = [name for name in settings.tools.enabled if name in BUILTIN_TOOL_NAMES]
    return builtin_registry(
        enabled,
        default_timeout_s=settings.tools.timeout_s,
        default_scheduling=settings.tools.non_blocking_scheduling.value,
    )


@dataclass
class GuiComposition:
    conversation: AssistantConversation
    media: DeviceMedia
    settings: StoreSettings
    setup: KeychainSetup
    backends: Backends
    first_run: bool
    problems: tuple[str, ...] = field(default=())
    names: BackendNames | None = None
    backend: BackendLabel | None = None
    """The backend a conversation would talk to at launch (the header names it)."""

    async def aclose(self) -> None:
        """Streams, then the session, then the tasks (the assistant's order), then the server."""
        await self.conversation.stop()
        await self.backends.aclose()


def compose(
    options: GuiOptions,
    *,
    secrets: SecretStore | None = None,
    local_server: LocalLiveServer | None = None,
    tools: ToolRegistry | None = None,
) -> GuiComposition:
    """Build the window's controllers; blocking file and keychain reads happen here, once."""
    store = SettingsStore(options.settings_path, options.policy_path)
    first_run = options.first_run if options.first_run is not None else not store.path.exists()
    loaded = store.load()
    log_problems(loaded)
    overrides: dict[str, Any] = {}
    if options.backend is not None:
        overrides.setdefault("backend", {})["kind"] = options.backend.value
    if options.engine is not None:
        overrides.setdefault("backend", {})["local_engine"] = options.engine
    backends = Backends(secrets or SecretStore(), local_server=local_server)
    settings = StoreSettings(store, loaded.settings, locked=loaded.locked, overrides=overrides)

    def _approval_policy(_name: str, _args: Mapping[str, object]) -> bool | None:
        # Read at each call: switching approvals off applies to the running conversation.
        return None if settings.current().tools.approve_side_effects else True

    async def make_assistant(history: Sequence[HistoryTurn]) -> Assistant:
        current = settings.current()
        dispatcher = RegistryDispatcher(tools if tools is not None else _registry_for(current))
        session = await backends.open_session(current, dispatcher.declarations(), history)
        source, sink = media.open_audio()
        assistant = Assistant(
            session,
            source=source,
            sink=sink,
            frame_sources=[media.frames],
            encode_jpeg=jpeg_encoder(),
            # The user's rate lives in the pacing, so it changes without reconnecting.
            pacing=media.pacing,
            tools=dispatcher,
            options=AssistantOptions(
                push_to_talk=not current.activity_detection.automatic,
                approval_policy=_approval_policy,
            ),
        )
        # Re-seeding a later connection of this session replays what the user actually heard.
        session.history_provider = assistant.conversation.history
        assistant.subscribe(media.on_event)
        media.bind(lambda: assistant.last_sent_jpeg, assistant.set_video_paused)
        return assistant

    conversation = AssistantConversation(make_assistant)
    # Which backend a conversation starts on, and the offline engine's loading, to the window.
    backends.on_event = conversation.publish

    async def restart_if_running() -> None:
        if conversation.running:
            await conversation.restart()

    media = DeviceMedia(
        conversation.publish,
        audio=options.audio,
        camera=options.camera,
        restart=restart_if_running,
        screen_display=options.screen_display,
    )
    settings.restart = restart_if_running
    media.set_video_rate(settings.current().video.frames_per_second)
    settings.on_applied = lambda applied: media.set_video_rate(applied.video.frames_per_second)
    setup = KeychainSetup(backends, settings.current)
    # Looking for the offline engine's packages takes a moment the first time: here, off the
    # loop, so that the window's later look-ups are instant.
    backends.local_engine(settings.current())
    return GuiComposition(
        conversation,
        media,
        settings,
        setup,
        backends,
        first_run,
        tuple(loaded.problems),
        names=BackendNames(backends),
        # Reads the keychain (auto: is there a key?) and looks for the offline engine: here,
        # off the loop, once.
        backend=backends.label_now(settings.current()),
    )
