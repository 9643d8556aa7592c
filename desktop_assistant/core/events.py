"""Typed events: everything the session, the media and the conversation tell the rest of the app.

Events are frozen dataclasses with past-tense names. The session adapter turns every field of every
server message into one or more of these, in a fixed order (see ``SESSION_EVENT_ORDER``), so that
nothing downstream ever needs to know google-genai. The UI and the headless runner consume the
same events.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

# ------------------------------------------------------------------------------------------ states


class ConnectionState(enum.Enum):
    """Where the link to the Live service stands."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    FAILED = "failed"


class TurnState(enum.Enum):
    """Who has the floor right now (the state strip in the window, ``state`` in transcripts)."""

    IDLE = "idle"
    LISTENING = "listening"
    USER_SPEAKING = "user_speaking"
    MODEL_THINKING = "model_thinking"
    MODEL_SPEAKING = "model_speaking"
    INTERRUPTED = "interrupted"
    TOOL_RUNNING = "tool_running"


class ErrorAction(enum.Enum):
    """What the app does after an error; the message tells the user the same in words."""

    RETRY = "retry"  # reconnect (with resumption when a handle exists)
    STOP = "stop"  # give up this conversation; the user must change something
    ASK_FOR_KEY = "ask_for_key"  # the credential was refused
    CONTINUE = "continue"  # nothing to do: the conversation goes on (e.g. one unreadable frame)


# ---------------------------------------------------------------------------- session -> app


@dataclass(frozen=True, slots=True)
class ConnectionStateChanged:
    """The link changed state; ``attempt`` counts reconnect tries within the failure budget."""

    state: ConnectionState
    attempt: int = 0
    max_attempts: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """A connection finished its setup (``setupComplete``); ``resumed`` if a handle was used."""

    session_id: str | None
    resumed: bool
    model: str


@dataclass(frozen=True, slots=True)
class Reconnected:
    """A handover to a new connection finished; ``gap_ms`` is how long no connection was usable."""

    resumed: bool
    reseeded: bool
    gap_ms: float
    reason: str


@dataclass(frozen=True, slots=True)
class Interrupted:
    """The model's current turn was cut by the user (barge-in): stop playback at once."""


@dataclass(frozen=True, slots=True)
class InputTranscribed:
    """A fragment of what the user said, as the service heard it.

    ``interim`` fragments (``interimInputTranscription``) are provisional: each replaces the
    previous interim text instead of adding to it.
    """

    text: str
    finished: bool = False
    language_code: str | None = None
    interim: bool = False


@dataclass(frozen=True, slots=True)
class OutputTranscribed:
    """A fragment of what the model is saying (the transcript of its audio)."""

    text: str
    finished: bool = False
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class ModelAudioReceived:
    """A chunk of the model's speech: 16-bit little-endian mono PCM."""

    pcm: bytes = field(repr=False)
    sample_rate_hz: int = 24_000


@dataclass(frozen=True, slots=True)
class ModelTextReceived:
    """Text the model produced (TEXT modality, or thoughts when ``thought`` is set)."""

    text: str
    thought: bool = False


@dataclass(frozen=True, slots=True)
class GenerationCompleted:
    """The model finished generating this turn (playback may still be running)."""


@dataclass(frozen=True, slots=True)
class TurnCompleted:
    """The model's turn ended; ``reason`` carries ``turnCompleteReason`` when the service gives one."""

    reason: str | None = None
    waiting_for_input: bool = False


@dataclass(frozen=True, slots=True)
class GroundingReceived:
    """Search grounding for the current turn: queries, sources, and the suggestions chip HTML."""

    queries: tuple[str, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()  # (title, uri)
    rendered_content: str | None = None


@dataclass(frozen=True, slots=True)
class ToolCallRequested:
    """The model asks for one function call; answer with a ``ToolResponse`` of the same id."""

    call_id: str
    name: str
    args: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ToolCallCancelled:
    """The service cancelled pending calls (usually because the user barged in)."""

    call_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UsageUpdated:
    """Token counters as the service reports them: cumulative for the session, not deltas."""

    prompt_tokens: int = 0
    response_tokens: int = 0
    total_tokens: int = 0
    thoughts_tokens: int = 0
    tool_use_prompt_tokens: int = 0
    cached_tokens: int = 0
    prompt_by_modality: Mapping[str, int] = field(default_factory=dict)
    response_by_modality: Mapping[str, int] = field(default_factory=dict)
    cached_by_modality: Mapping[str, int] = field(default_factory=dict)
    tool_use_by_modality: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResumptionHandleReceived:
    """A session resumption handle; only ``resumable`` ones with a handle can be used."""

    handle: str | None
    resumable: bool
    last_consumed_index: int | None = None
    """Transparent resumption (Vertex): the last client message the service consumed."""


@dataclass(frozen=True, slots=True)
class GoAwayReceived:
    """The service will close this connection in ``time_left_s`` seconds."""

    time_left_s: float


@dataclass(frozen=True, slots=True)
class VoiceActivityChanged:
    """The service's own voice-activity signal (start or end of user speech), when it sends one."""

    speaking: bool


@dataclass(frozen=True, slots=True)
class CodeExecutionReported:
    """The model ran code on the service side: the code it wrote, or what running it gave."""

    code: str = ""
    language: str = ""
    outcome: str = ""  # OUTCOME_OK, OUTCOME_FAILED, OUTCOME_DEADLINE_EXCEEDED for results
    output: str = ""


@dataclass(frozen=True, slots=True)
class UrlContextReceived:
    """Pages the model fetched for this turn: ``(url, retrieval status)``."""

    urls: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class InputRequested:
    """The model signalled that it expects the user to go on (``waitingForInput``)."""


@dataclass(frozen=True, slots=True)
class InteractionStatusChanged:
    """The service's own view of the turn (``interactionStatus``: IN_PROGRESS or IDLE)."""

    status: str


@dataclass(frozen=True, slots=True)
class SessionErrored:
    """Something went wrong, in plain words, with what happens next.

    ``code`` is the WebSocket close code where there is one (1007, 1008, 1011, 1006 ...).
    """

    message: str
    action: ErrorAction
    code: int | None = None
    detail: str = ""


# ------------------------------------------------------------------------ conversation / media


@dataclass(frozen=True, slots=True)
class TurnStateChanged:
    """The conversation state machine moved (who has the floor)."""

    state: TurnState
    previous: TurnState


@dataclass(frozen=True, slots=True)
class ToolCallFinished:
    """A tool call ended: ``outcome`` is ok, error, timeout, cancelled or denied."""

    call_id: str
    name: str
    outcome: str
    result: Mapping[str, object]
    elapsed_ms: float


@dataclass(frozen=True, slots=True)
class ToolApprovalRequested:
    """A side-effecting tool wants to run; answer with ``Assistant.resolve_tool_call``."""

    call_id: str
    name: str
    args: Mapping[str, object]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PlaybackCut:
    """Playback of an interrupted model turn stopped: how much of it the user heard.

    ``heard_fraction`` is played / received samples of that turn; ``None`` when it is unknown:
    nothing arrived, or there is no speaker (none, or no output device open) to have played it.
    """

    heard_fraction: float | None
    turn: int = 0
    played_samples: int = 0
    received_samples: int = 0


@dataclass(frozen=True, slots=True)
class TextSent:
    """The user typed a message and it went into the conversation."""

    text: str


@dataclass(frozen=True, slots=True)
class VideoFrameSent:
    """One camera or screen frame went to the service (as JPEG, ``size_bytes`` long)."""

    sequence: int
    size_bytes: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class VideoSendingChanged:
    """Pictures started or stopped going out (the "camera is being sent" indicator).

    ``sending`` is true while a video source is chosen, not paused and has pictures: the service
    then has the latest one (unchanged pictures are not sent again, and fewer go out while the user
    is silent, but any change will be). Pausing turns it off at once.
    """

    sending: bool


@dataclass(frozen=True, slots=True)
class UplinkOverflowed:
    """Microphone blocks were dropped because the link could not keep up (latency stays bounded)."""

    dropped_blocks: int


@dataclass(frozen=True, slots=True)
class MediaErrored:
    """A device failed or is missing (``device`` names which: mic, speaker, camera, screen)."""

    device: str
    message: str
    recoverable: bool = True


SessionEvent = (
    ConnectionStateChanged
    | SessionStarted
    | Reconnected
    | Interrupted
    | InputTranscribed
    | OutputTranscribed
    | ModelAudioReceived
    | ModelTextReceived
    | GenerationCompleted
    | TurnCompleted
    | GroundingReceived
    | ToolCallRequested
    | ToolCallCancelled
    | UsageUpdated
    | ResumptionHandleReceived
    | GoAwayReceived
    | VoiceActivityChanged
    | SessionErrored
    | CodeExecutionReported
    | UrlContextReceived
    | InputRequested
    | InteractionStatusChanged
)
"""Everything a ``LiveSession`` yields."""

# The order in which one server message's fields become events. Interruption comes first so that
# playback is cut before anything else of the message is looked at; audio that arrives in the same
# message as ``interrupted`` belongs to the discarded generation and is dropped by the consumer.
SESSION_EVENT_ORDER: tuple[type, ...] = (
    Interrupted,
    InputTranscribed,
    ModelTextReceived,
    CodeExecutionReported,
    ModelAudioReceived,
    OutputTranscribed,
    GroundingReceived,
    UrlContextReceived,
    GenerationCompleted,
    TurnCompleted,
    InputRequested,
    InteractionStatusChanged,
    ToolCallCancelled,
    ToolCallRequested,
    UsageUpdated,
    ResumptionHandleReceived,
    GoAwayReceived,
    VoiceActivityChanged,
)
