"""The engine interface: what decides the model's side of a Live conversation.

The server owns the protocol (framing, voice activity, barge-in, pacing, tool-call bookkeeping,
resumption); an engine only answers. For each model turn the session calls
:meth:`EngineSession.respond` with an :class:`EngineRequest` and forwards what it yields:

* :class:`InputTranscript` -- what the user said (sent as ``inputTranscription`` if enabled),
* :class:`TextDelta` -- what the model says without speaking it (sent at once, as one
  ``outputTranscription`` in AUDIO sessions, a ``modelTurn`` text part in TEXT sessions),
* :class:`AudioOut` -- the model's speech, 24 kHz 16-bit mono PCM of any length (the session
  cuts it into frames and paces it), with the words it speaks as ``transcript``: the session
  streams them as ``outputTranscription`` fragments spread over the audio's frames, a word or so
  at a time, as the service does (in TEXT sessions the transcript is the text part),
* :class:`ToolCalls` -- function calls (``toolCall``),
* :class:`Pause` -- a deliberate silence (thinking time, a scripted delay).

The session may stop iterating at any moment: on barge-in it cancels the task that iterates, so an
engine must not hold locks or leave work half-done across an ``await`` or ``yield`` (use
``try/finally``), and must stop long computations promptly when cancelled. After a
:class:`ToolCalls` item naming a blocking function, the session stops iterating; once the client
answers every call, it calls :meth:`EngineSession.respond` again with a :class:`ToolResults`
input, continuing the same model turn. Non-blocking calls do not stop the iteration; their
results come back later as a new request (``scheduling`` decides when, see the session).

An engine must never block the event loop: synthesis, recognition and inference go to an
executor or a subprocess.

A *speculative* engine (:attr:`Engine.speculative`) may be asked for a turn before the turn is
known to be over (see :mod:`desktop_assistant.server.speculation`): the session holds what it
yields, and either sends it once the turn really ends, or stops iterating and calls
:meth:`EngineSession.discard`, after which the session must be as if that ``respond`` had never
been called (no remembered exchange, no pending call, no counter moved).
"""

from __future__ import annotations

import abc
import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from desktop_assistant.server.wire import JsonObject

INPUT_SAMPLE_RATE = 16_000  # user audio handed to engines: 16-bit mono PCM at this rate
OUTPUT_SAMPLE_RATE = 24_000  # model audio engines produce: 16-bit mono PCM at this rate


class Scheduling(enum.Enum):
    """What a NON_BLOCKING function's result does to the conversation."""

    INTERRUPT = "INTERRUPT"  # stop what the model is saying and react now
    WHEN_IDLE = "WHEN_IDLE"  # react once the current answer is finished (the default)
    SILENT = "SILENT"  # take note, say nothing


@dataclass(frozen=True, slots=True)
class FunctionDeclaration:
    name: str
    description: str = ""
    parameters: JsonObject | None = None  # the schema exactly as the client sent it
    non_blocking: bool = False


@dataclass(frozen=True, slots=True)
class FunctionCall:
    id: str
    name: str
    args: JsonObject = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FunctionResult:
    id: str
    name: str
    response: JsonObject = field(default_factory=dict)
    scheduling: Scheduling | None = None
    will_continue: bool = False


@dataclass(frozen=True, slots=True)
class Image:
    mime_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Message:
    """One entry of the conversation history, as an engine needs it."""

    role: Literal["user", "model"]
    text: str = ""
    audio_s: float = 0.0  # seconds of speech this entry carried
    images: int = 0
    function_calls: tuple[FunctionCall, ...] = ()
    function_results: tuple[FunctionResult, ...] = ()
    interrupted: bool = False  # a model entry cut short by barge-in (only what was sent is kept)


@dataclass(frozen=True, slots=True)
class UserTurn:
    """What the user gave for this turn: text, speech, images, or several of them."""

    text: str = ""
    audio: bytes = field(default=b"", repr=False)  # 16 kHz 16-bit mono PCM
    images: tuple[Image, ...] = ()
    speech_s: float | None = None  # speech length found by voice-activity detection, if any

    @property
    def audio_s(self) -> float:
        return len(self.audio) / (2 * INPUT_SAMPLE_RATE)


@dataclass(frozen=True, slots=True)
class ToolResults:
    """The client answered function calls; continue (or react) with these results."""

    results: tuple[FunctionResult, ...]


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """What the client asked for in its setup, as far as an engine cares."""

    model: str
    response_modality: Literal["AUDIO", "TEXT"] = "AUDIO"
    voice: str = "Puck"
    language_code: str | None = None
    system_instruction: str = ""
    tools: tuple[FunctionDeclaration, ...] = ()


@dataclass(frozen=True, slots=True)
class EngineRequest:
    input: UserTurn | ToolResults
    history: tuple[Message, ...]  # the conversation before this input (restored on resumption)
    turn_index: int  # 0-based number of this user turn in the conversation
    config: SessionConfig


@dataclass(frozen=True, slots=True)
class InputTranscript:
    text: str
    finished: bool = False


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class AudioOut:
    pcm: bytes = field(repr=False)  # 24 kHz 16-bit mono PCM, any length
    chunk_ms: int | None = None  # frame length to send it in (20-100 ms); server default if None
    pace: float | None = None  # speed relative to real time for this audio; server default if None
    transcript: str = ""  # the words this audio speaks, streamed in fragments along with it


@dataclass(frozen=True, slots=True)
class ToolCalls:
    calls: tuple[FunctionCall, ...]


@dataclass(frozen=True, slots=True)
class Pause:
    seconds: float  # in real time; the server's speed factor shortens it


OutputItem: TypeAlias = InputTranscript | TextDelta | AudioOut | ToolCalls | Pause


class EngineSession(abc.ABC):
    """One connection's conversation with an engine; may keep per-conversation state."""

    @abc.abstractmethod
    def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        """Stream the model's side of this turn (an async generator, usually)."""

    def discard(self, request: EngineRequest) -> None:  # noqa: B027 - stateless sessions
        """Forget the ``respond(request)`` just stopped unheard (speculative engines only).

        Called after its iteration was stopped and closed, before any other ``respond``: undo
        whatever that call recorded, so that the conversation goes on as if it never happened.
        """

    def can_reuse(self, speculated: EngineRequest, final: EngineRequest) -> bool:
        """Whether the answer to ``speculated`` is the answer ``final`` would get.

        The default is strict equality; an engine that ignores part of a request (images, say)
        may accept requests that differ only there.
        """
        return speculated == final

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most sessions hold nothing
        """Release what the session holds; called once when the connection ends."""


class Engine(abc.ABC):
    """Shared by every connection of a server: load models here, once."""

    name: str = "engine"
    default_silence_ms: float | None = None
    """End-of-turn silence the voice-activity detector waits for when the client's setup names
    none (``None``: the service's own default)."""
    speculative: bool = False
    """Whether the session may start answering at a tentative end of speech, before the turn is
    over, holding the answer until the turn ends (see :mod:`desktop_assistant.server.speculation`).
    A slow engine gains its own time back this way without a shorter silence cutting users off;
    its sessions must then implement :meth:`EngineSession.discard` for what they remember."""

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Load what the engine needs (off the event loop); called once before serving."""

    @abc.abstractmethod
    def open_session(self, config: SessionConfig) -> EngineSession:
        """A fresh conversation for one connection."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release what :meth:`start` loaded."""
