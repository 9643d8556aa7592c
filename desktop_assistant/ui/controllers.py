"""What the window needs from the rest of the app, as ``typing.Protocol``s.

The UI never builds sessions, devices or tools. ``app.wiring`` hands it objects that satisfy these
protocols (adapters over the ``Assistant``, the media factories and the settings store), so panels
can be built and tested against any implementation that keeps the contract.

Threading contract: every method is called on the Qt main thread, which is the asyncio loop thread
under qasync; listeners are called there too.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from desktop_assistant.config.settings import Settings
from desktop_assistant.core.ports import Level

EventListener = Callable[[object], None]
"""Receives every event of the conversation (``core.events`` objects), on the loop thread."""


@dataclass(frozen=True, slots=True)
class ConversationEnded:
    """The conversation is over (stopped, or the session gave up); ``running`` is now False."""

    reason: str = ""


# ----------------------------------------------------------------------------------- backends


@dataclass(frozen=True, slots=True)
class BackendLabel:
    """Which backend a conversation talks to, in the user's words (translated by the app)."""

    name: str
    """What the header, the settings and the first-run dialog call it."""
    description: str = ""
    """What it can and cannot do: the tooltip and the accessible description."""
    local: bool = False
    """The bundled local server: its engine answers and speaks, whatever model and voice the
    settings name, so the window shows the engine instead of them."""
    speaker: str = ""
    """What the transcript calls the one answering (``""``: Gemini)."""


@dataclass(frozen=True, slots=True)
class BackendInUse:
    """A conversation is starting on this backend (published before it connects)."""

    backend: BackendLabel


@dataclass(frozen=True, slots=True)
class BackendProgress:
    """The backend is getting ready, e.g. the offline engine loading its models in the background.

    Conversations may already be live meanwhile: the first answer waits for the models.
    """

    message: str
    """What the status bar says (translated)."""
    done: int = 0
    total: int = 0
    ready: bool = False
    problem: str = ""
    """Set when getting ready failed: why, in plain words, and what to do."""
    detail: str = ""
    """The engine's own words for the current step (English), for the tooltip."""

    @property
    def loading(self) -> bool:
        return not self.ready and not self.problem


@runtime_checkable
class BackendLabels(Protocol):
    """Names for the backends the user chooses between and talks to."""

    def local(self, settings: Settings) -> BackendLabel:
        """What the local backend runs with ``settings`` (the offline engine, or a test one)."""
        ...

    async def in_use(self, settings: Settings) -> BackendLabel:
        """The backend a conversation started now would talk to.

        With ``auto`` a key in the keychain decides; the lookup does not block the loop.
        """
        ...


@runtime_checkable
class ConversationController(Protocol):
    """Start, stop and steer one conversation; every event comes back through ``subscribe``."""

    @property
    def running(self) -> bool:
        """True from a successful ``start`` until ``stop``."""
        ...

    def subscribe(self, listener: EventListener) -> Callable[[], None]:
        """Register a listener; returns the function that unregisters it."""
        ...

    async def start(self) -> None:
        """Connect and open the microphone (and the video source, if one is chosen)."""

    async def stop(self) -> None:
        """Stop streams, then the session, then the tasks; safe to call when not running."""

    async def set_muted(self, muted: bool) -> None:
        """Mute stops sending microphone audio (and tells the service the stream ended)."""

    async def push_to_talk(self, pressed: bool) -> None:
        """Press starts a user turn, release ends it (manual activity detection)."""

    async def send_text(self, text: str) -> None:
        """Send a typed message into the same conversation."""

    async def resolve_tool_call(self, call_id: str, approved: bool) -> None:
        """Answer a ``core.events.ToolApprovalRequested``."""


# -------------------------------------------------------------------------------------- media


class VideoSourceKind(enum.Enum):
    OFF = "off"
    CAMERA = "camera"
    SCREEN = "screen"


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    """One entry of a device picker; ``device_id`` is what the media layer needs to open it."""

    device_id: str
    name: str
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class SentImage:
    """The last video frame that went to the service, exactly as sent (``sent_at``: monotonic)."""

    jpeg: bytes
    sequence: int
    sent_at: float


@runtime_checkable
class MediaController(Protocol):
    """Devices and what they send; levels and the preview are pulled by the UI on timers."""

    def microphones(self) -> Sequence[DeviceChoice]: ...

    def speakers(self) -> Sequence[DeviceChoice]: ...

    def cameras(self) -> Sequence[DeviceChoice]: ...

    async def select_microphone(self, device_id: str | None) -> None: ...

    async def select_speaker(self, device_id: str | None) -> None: ...

    async def select_camera(self, device_id: str | None) -> None: ...

    def mic_level(self) -> Level | None:
        """The latest microphone reading, or ``None`` when there is no open microphone."""
        ...

    def speaker_level(self) -> Level | None: ...

    async def set_echo_cancellation(self, enabled: bool) -> None: ...

    async def set_headphones(self, headphones: bool) -> None:
        """Headphones mean no echo path: echo cancellation can be bypassed."""

    async def set_video_source(self, kind: VideoSourceKind) -> None: ...

    def set_video_paused(self, paused: bool) -> None: ...

    def last_sent_image(self) -> SentImage | None: ...


# ----------------------------------------------------------------------------------- settings


@runtime_checkable
class SettingsController(Protocol):
    """The settings in force, and the way to change them (save, and reconnect when needed)."""

    def current(self) -> Settings: ...

    def locked(self) -> frozenset[str]:
        """Dotted paths the organisation's policy fixes; the panel greys them out."""
        ...

    async def apply(self, settings: Settings, *, reconnect: bool) -> None:
        """Persist ``settings`` and use them; ``reconnect`` when they change the session setup.

        A running conversation is handed over to a new connection without losing the transcript.
        """


@runtime_checkable
class BackendSetup(Protocol):
    """First-run help: the API key in the OS keychain, checked before it is kept."""

    def stored_key_hint(self) -> str:
        """The stored (or environment) key, masked, or ``""`` when there is none."""
        ...

    async def validate_api_key(self, key: str) -> str:
        """``""`` when the service accepts ``key``, else why not, in plain words."""
        ...

    async def store_api_key(self, key: str) -> None:
        """Put ``key`` in the keychain; raises ``ValueError`` with a plain message on failure."""
