"""Controllers for the view-model unit tests: they record what the UI asked for.

The end-to-end GUI tests drive the real Assistant against the local server; these stand-ins exist
so that a panel's own logic (what a click asks for, what an event shows) is tested on its own,
with real core event objects fed through the real router.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from desktop_assistant.config.settings import Settings
from desktop_assistant.core.ports import Level
from desktop_assistant.ui.controllers import DeviceChoice, EventListener, SentImage, VideoSourceKind


class RecordingConversation:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.listeners: list[EventListener] = []
        self._running = False
        self.called = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._running

    def subscribe(self, listener: EventListener) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def emit(self, *events: object) -> None:
        for event in events:
            for listener in list(self.listeners):
                listener(event)

    def _record(self, name: str, value: object = None) -> None:
        self.calls.append((name, value))
        self.called.set()

    async def start(self) -> None:
        self._running = True
        self._record("start")

    async def stop(self) -> None:
        self._running = False
        self._record("stop")

    async def set_muted(self, muted: bool) -> None:
        self._record("set_muted", muted)

    async def push_to_talk(self, pressed: bool) -> None:
        self._record("push_to_talk", pressed)

    async def send_text(self, text: str) -> None:
        self._record("send_text", text)

    async def resolve_tool_call(self, call_id: str, approved: bool) -> None:
        self._record("resolve_tool_call", (call_id, approved))


class StaticMedia:
    def __init__(
        self,
        microphones: Sequence[DeviceChoice] = (DeviceChoice("mic0", "Built-in microphone", True),),
        speakers: Sequence[DeviceChoice] = (DeviceChoice("spk0", "Speakers", True),),
        cameras: Sequence[DeviceChoice] = (),
    ) -> None:
        self._microphones = tuple(microphones)
        self._speakers = tuple(speakers)
        self._cameras = tuple(cameras)
        self.mic = Level(-18.0, -6.0) if microphones else None
        self.speaker = Level(-30.0, -12.0)
        self.sent: SentImage | None = None
        self.calls: list[tuple[str, object]] = []

    def microphones(self) -> Sequence[DeviceChoice]:
        return self._microphones

    def speakers(self) -> Sequence[DeviceChoice]:
        return self._speakers

    def cameras(self) -> Sequence[DeviceChoice]:
        return self._cameras

    async def select_microphone(self, device_id: str | None) -> None:
        self.calls.append(("select_microphone", device_id))

    async def select_speaker(self, device_id: str | None) -> None:
        self.calls.append(("select_speaker", device_id))

    async def select_camera(self, device_id: str | None) -> None:
        self.calls.append(("select_camera", device_id))

    def mic_level(self) -> Level | None:
        return self.mic

    def speaker_level(self) -> Level | None:
        return self.speaker

    async def set_echo_cancellation(self, enabled: bool) -> None:
        self.calls.append(("set_echo_cancellation", enabled))

    async def set_headphones(self, headphones: bool) -> None:
        self.calls.append(("set_headphones", headphones))

    async def set_video_source(self, kind: VideoSourceKind) -> None:
        self.calls.append(("set_video_source", kind))

    def set_video_paused(self, paused: bool) -> None:
        self.calls.append(("set_video_paused", paused))

    def last_sent_image(self) -> SentImage | None:
        return self.sent


class MemorySettings:
    """Settings held in memory; records every apply and whether it asked for a reconnect."""

    def __init__(
        self, settings: Settings | None = None, locked: frozenset[str] = frozenset()
    ) -> None:
        self.settings = settings or Settings()
        self._locked = locked
        self.applied: list[tuple[Settings, bool]] = []

    def current(self) -> Settings:
        return self.settings

    def locked(self) -> frozenset[str]:
        return self._locked

    async def apply(self, settings: Settings, *, reconnect: bool) -> None:
        self.settings = settings
        self.applied.append((settings, reconnect))
