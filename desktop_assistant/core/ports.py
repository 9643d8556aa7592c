"""Ports: the capabilities core needs, as ``typing.Protocol``s that the sibling packages implement.

``session`` implements ``LiveSession``; ``media`` implements ``AudioSource``, ``AudioSink`` (and
``OutputDevice``), ``FrameSource`` and ``FramePacing``; ``app`` wires concrete objects together.
Nothing here names a vendor type.

Threading contract: every method here is called on the asyncio loop thread (the Qt main thread
under qasync). Implementations that own device threads hand data across themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from desktop_assistant.core.events import SessionEvent

UPLINK_SAMPLE_RATE_HZ = 16_000
"""What the model hears: 16-bit PCM, little-endian, mono, 16 kHz."""

DOWNLINK_SAMPLE_RATE_HZ = 24_000
"""What the model says: 16-bit PCM, little-endian, mono, 24 kHz."""


# ------------------------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class AudioBlock:
    """One block of uplink audio, already 16 kHz mono int16 (20-40 ms of it).

    ``captured_at`` is ``time.monotonic()`` of the block's first sample at the device (or the best
    estimate), so latency can be measured end to end.
    """

    pcm: bytes = field(repr=False)
    captured_at: float
    sample_rate_hz: int = UPLINK_SAMPLE_RATE_HZ

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate_hz


@dataclass(frozen=True, slots=True)
class Frame:
    """One video frame, BGR uint8 of shape (height, width, 3), as the camera or screen gave it."""

    pixels: npt.NDArray[np.uint8] = field(repr=False)
    captured_at: float
    sequence: int

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


@dataclass(frozen=True, slots=True)
class Level:
    """A meter reading in dBFS (``-inf`` for digital silence)."""

    rms_dbfs: float
    peak_dbfs: float


@dataclass(frozen=True, slots=True)
class ToolResponse:
    """The answer to one ``ToolCallRequested``; ``scheduling`` applies to NON_BLOCKING tools only.

    ``scheduling`` is one of ``"INTERRUPT"``, ``"WHEN_IDLE"``, ``"SILENT"`` or ``None``.
    """

    call_id: str
    name: str
    response: Mapping[str, object]
    scheduling: str | None = None
    will_continue: bool | None = None


@dataclass(frozen=True, slots=True)
class HistoryTurn:
    """One turn of conversation history, used to re-seed a fresh connection."""

    role: str  # "user" or "model"
    text: str


@dataclass(frozen=True, slots=True)
class ToolDeclaration:
    """A function the model may call, as the session declares it at setup.

    ``parameters`` is the JSON Schema (an ``object`` schema) of the arguments; ``non_blocking``
    tools let the conversation go on while they run and answer with a ``scheduling``.
    """

    name: str
    description: str
    parameters: Mapping[str, object]
    non_blocking: bool = False
    response: Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """How one tool call ended and what goes back to the model.

    ``outcome`` is ``ok``, ``error``, ``timeout``, ``cancelled`` or ``denied``; ``response`` is the
    body of the function response (``{"output": ...}`` or ``{"error": "..."}``).
    """

    outcome: str
    response: Mapping[str, object]
    scheduling: str | None = None


ApprovalHook = Callable[[str, str, Mapping[str, object]], Awaitable[bool]]
"""``(call_id, name, args) -> approved``: asked before a side-effecting tool runs."""


# ------------------------------------------------------------------------------------- ports


@runtime_checkable
class LiveSession(Protocol):
    """A live conversation with the model: one verb per intent, events out.

    Implementations survive reconnects themselves (GoAway, resumption, retry budget) and report
    them as events; callers never see a stale connection.
    """

    async def send_audio(self, block: AudioBlock) -> None:
        """Stream one block of microphone audio."""

    async def send_video(self, jpeg: bytes) -> None:
        """Stream one JPEG frame (camera or screen)."""

    async def send_text(self, text: str) -> None:
        """Send typed text into the same conversation."""

    async def send_activity_start(self) -> None:
        """The user started speaking (manual activity detection / push-to-talk)."""

    async def send_activity_end(self) -> None:
        """The user stopped speaking (manual activity detection / push-to-talk)."""

    async def send_audio_stream_end(self) -> None:
        """The microphone was muted or paused: flush what the service has buffered."""

    async def send_tool_responses(self, responses: Sequence[ToolResponse]) -> None:
        """Answer tool calls by id."""

    def events(self) -> AsyncIterator[SessionEvent]:
        """Every event of the conversation, in order, until the session is closed."""
        ...

    async def aclose(self) -> None:
        """Close the connection and end ``events()``."""


@runtime_checkable
class AudioSource(Protocol):
    """A microphone (or a WAV file standing in for one) delivering 16 kHz mono int16 blocks."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def read(self) -> AudioBlock:
        """The next block; raises ``EOFError`` when a finite source (a file) has ended."""
        ...

    def level(self) -> Level:
        """The latest meter reading, pulled by the UI on a timer."""
        ...


@runtime_checkable
class AudioSink(Protocol):
    """A speaker (or a WAV file standing in for one) playing 24 kHz mono int16."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def write(self, pcm: bytes, turn: int) -> None:
        """Queue model audio of model turn number ``turn`` for playback (never blocks)."""

    def interrupt(self) -> None:
        """Barge-in: drop everything queued and fade out within one audio period."""

    def played_samples(self, turn: int) -> int:
        """How many samples of model turn ``turn`` actually reached the device."""
        ...

    def level(self) -> Level: ...


@runtime_checkable
class OutputDevice(Protocol):
    """An ``AudioSink`` that can say whether a device is open to play on (a speaker can).

    A sink without ``device`` (a file) plays everything it is given. One whose ``device`` is
    ``None`` (missing, unplugged) played nothing: how much of a turn was heard is then unknown.
    """

    @property
    def device(self) -> object | None:
        """The output device in use, or ``None`` while none is open."""
        ...


@runtime_checkable
class FrameSource(Protocol):
    """A camera or screen: a reader keeps the latest frame; consumers pull it."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def latest(self) -> Frame | None:
        """The newest frame, or ``None`` before the first one."""
        ...


@runtime_checkable
class FramePacing(Protocol):
    """Which video frames go to the service, and how often the video loop looks for one.

    The ``Assistant``'s video loop looks at the latest frame every ``interval_s()``; a frame it has
    not sent yet goes out if ``should_send(frame)`` (a cheap difference measure, a lower rate while
    the user is silent, ...), after which it calls ``sent(frame)``. ``reset()`` (a resume, a switch
    of source) makes the next frame go whatever it shows. ``should_send`` runs in an executor,
    right before the JPEG encode, never at the same time as the other methods: it may do some
    arithmetic on the pixels, and must not touch loop objects.
    """

    def interval_s(self) -> float:
        """Seconds until the loop looks at the latest frame again."""
        ...

    def should_send(self, frame: Frame) -> bool: ...

    def sent(self, frame: Frame) -> None: ...

    def reset(self) -> None: ...


@runtime_checkable
class ToolDispatcher(Protocol):
    """Runs the model's function calls: declarations for setup, one ``run`` per call.

    ``run`` never raises for a tool's failure (it becomes an ``error``/``timeout`` outcome); it is
    cancelled by the caller when the service cancels the call.
    """

    def declarations(self) -> Sequence[ToolDeclaration]: ...

    def is_non_blocking(self, name: str) -> bool: ...

    async def run(
        self, call_id: str, name: str, args: Mapping[str, object], approve: ApprovalHook
    ) -> ToolOutcome: ...
