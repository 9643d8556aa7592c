"""One Live connection: setup, then the turn state machine until the socket closes.

The receive loop handles client frames one at a time; the model's side of a turn runs in its own
task (the *generation*) so that barge-in can cancel it at once. The rules, as the service has them:

* a turn ends with ``generationComplete`` then ``turnComplete`` (+ ``usageMetadata``), then a
  fresh ``sessionResumptionUpdate`` if the setup asked for resumption;
* barge-in (voice onset with automatic detection, ``activityStart``, realtime text, or any
  ``clientContent``) sends ``interrupted``, ``toolCallCancellation`` for pending calls, then
  ``turnComplete`` -- never ``generationComplete``. ``NO_INTERRUPTION`` lets the model finish and
  answers the new input afterwards (``clientContent`` still interrupts);
* a blocking ``toolCall`` holds the turn open until the client answers every id; non-blocking
  calls let the model go on, and their results are handled by their ``scheduling``;
* spoken words go out as ``outputTranscription`` fragments interleaved with the audio frames
  that speak them, a word or so at a time (see :mod:`desktop_assistant.server.transcripts`).

With a speculative engine, a turn of speech is answered from its tentative end on and the answer
held until the turn really ends (see :mod:`desktop_assistant.server.speculation`); what goes out,
and when the turn counts as begun, is as without speculation.

Every task a connection starts (the generation, queued turns, the lifetime timer) is tracked: when
the connection ends, or the server shuts down, all of them are cancelled and awaited, so nothing
of a connection outlives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid
from collections import deque
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import soxr
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from desktop_assistant.server import messages
from desktop_assistant.server.auth import Credential, check_api_key, find_credential, refuse
from desktop_assistant.server.catalog import Backend
from desktop_assistant.server.engines.base import (
    INPUT_SAMPLE_RATE,
    OUTPUT_SAMPLE_RATE,
    AudioOut,
    Engine,
    EngineRequest,
    EngineSession,
    FunctionCall,
    FunctionResult,
    Image,
    InputTranscript,
    Message,
    OutputItem,
    Pause,
    Scheduling,
    TextDelta,
    ToolCalls,
    ToolResults,
    UserTurn,
)
from desktop_assistant.server.errors import (
    DEADLINE_EXPIRED,
    INTERNAL_ERROR,
    CloseCode,
    ProtocolError,
    fit_reason,
    invalid_argument,
)
from desktop_assistant.server.faults import Fault, FaultKind, FaultPlan
from desktop_assistant.server.outbox import Outbox
from desktop_assistant.server.protocol import (
    ClientContent,
    ContextUpdate,
    RealtimeInput,
    SetupMessage,
    ToolResponse,
    parse_client_message,
)
from desktop_assistant.server.resumption import ResumptionStore, Snapshot
from desktop_assistant.server.routes import Method, Route
from desktop_assistant.server.setup import (
    ActivityHandling,
    SessionSetup,
    TurnCoverage,
    parse_setup,
    parse_tools,
)
from desktop_assistant.server.speculation import SPECULATE_AFTER_MS, Speculator
from desktop_assistant.server.stats import ConnectionInfo, ServerStats
from desktop_assistant.server.tokens import TokenStore, apply_constraints
from desktop_assistant.server.transcripts import spread
from desktop_assistant.server.vad import VadEvent, VadModelPool, VadSettings, VoiceActivityDetector
from desktop_assistant.server.wire import FrameKind, JsonObject

log = logging.getLogger(__name__)

_BYTES_PER_OUTPUT_S = 2 * OUTPUT_SAMPLE_RATE
_BYTES_PER_INPUT_S = 2 * INPUT_SAMPLE_RATE
_MAX_BUFFERED_INPUT_S = 120.0  # audio kept for one user turn at most (TURN_INCLUDES_ALL_INPUT)
_MAX_TURN_IMAGES = 4  # the latest video frames handed to the engine with a turn
_OVERSIZED_PCM_BYTES = 800 * 1024  # base64 makes this ~1.07 MB: over the client's 1 MiB limit


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """The server-wide settings a connection needs."""

    api_key: str
    require_credential: bool = True
    speed: float = 1.0  # pacing relative to real time; math.inf sends as fast as possible
    audio_chunk_ms: int = 40
    frame_kind: FrameKind = "binary"
    connection_lifetime_s: float | None = 600.0
    goaway_notice_s: float = 50.0
    setup_timeout_s: float = 30.0


@dataclass
class SharedState:
    """What every connection of one server shares."""

    options: SessionOptions
    engine: Engine
    tokens: TokenStore
    resumption: ResumptionStore
    faults: FaultPlan
    stats: ServerStats
    vad_models: VadModelPool


class _ConnectionEnded(Exception):
    """A fault closed or reset the socket: stop whatever was running."""


class _TurnEnded(Exception):
    """The turn ended early (a bundled end-of-turn fault): stop generating."""


@dataclass
class _ModelTurn:
    """The model's side of the turn in progress."""

    number: int  # 1-based model turn on this connection (what faults count)
    frames: int = 0  # model frames (audio or text parts) sent in this turn
    text: list[str] = field(default_factory=list)
    audio_s: float = 0.0
    calls: list[FunctionCall] = field(default_factory=list)
    last_input_text: str = ""
    paced_from: float | None = None  # loop time the current run of audio started playing
    paced_s: float = 0.0  # seconds of audio sent in that run


class LiveConnection:
    def __init__(self, ws: ServerConnection, route: Route, shared: SharedState, index: int) -> None:
        self._ws = ws
        self._route = route
        self._shared = shared
        self._options = shared.options
        self._stats = shared.stats
        self.info = ConnectionInfo(
            index=index,
            backend=route.backend.value,
            api_version=route.api_version,
            method=route.method.value,
        )
        self._out = Outbox(ws, self._options.frame_kind, shared.stats, self.info)
        self._setup: SessionSetup | None = None
        self._engine: EngineSession | None = None
        self._token: str | None = None
        self._token_expires_at: float | None = None
        # conversation state (what resumption restores)
        self._history: list[Message] = []
        self._turn_index = 0
        self._usage = messages.Usage()
        # turn state
        self._turn: _ModelTurn | None = None
        self._turns_started = 0
        self._generation: asyncio.Task[None] | None = None
        self._blocking_calls: dict[str, FunctionCall] = {}
        self._background_calls: dict[str, FunctionCall] = {}  # NON_BLOCKING calls not answered yet
        self._answered: list[FunctionResult] = []
        self._queued: deque[UserTurn | ToolResults] = deque()
        # input state
        self._detector: VoiceActivityDetector | None = None
        self._input = bytearray()  # 16 kHz audio not yet given to a turn
        self._input_base = 0  # stream sample offset of self._input[0]
        self._speech_start: int | None = None
        self._activity_open = False
        self._images: deque[Image] = deque(maxlen=_MAX_TURN_IMAGES)
        self._speculator: Speculator | None = None  # a speculative engine with automatic VAD
        self._resamplers: dict[int, soxr.ResampleStream] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # all of this connection's, generation too
        self._closing = False  # no new work starts once set

    # ------------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        try:
            await self._serve()
        except ProtocolError as error:
            await self._close(error.code, error.reason)
        except (_ConnectionEnded, ConnectionClosed):
            pass
        except Exception:
            log.exception("connection %d failed", self.info.index)
            await self._close(CloseCode.INTERNAL, INTERNAL_ERROR)
        finally:
            await self._cleanup()

    async def _serve(self) -> None:
        credential = (
            find_credential(self._ws.request.headers, self._route)
            if self._ws.request
            else Credential()
        )
        try:
            first = await asyncio.wait_for(self._ws.recv(), self._options.setup_timeout_s)
        except TimeoutError:
            raise ProtocolError(CloseCode.INTERNAL, DEADLINE_EXPIRED) from None
        self._count_in(first)
        if not credential.is_token and self._options.require_credential:
            check_api_key(credential, self._options.api_key, self._route)
        message = parse_client_message(first, self._requires_tool_ids)
        if not isinstance(message, SetupMessage):
            raise invalid_argument()
        raw_setup = message.setup
        resumption = raw_setup.get("session_resumption")
        handle = resumption.get("handle") if isinstance(resumption, dict) else None
        resuming = isinstance(handle, str) and bool(handle)
        if credential.is_token:
            if (
                self._route.method is not Method.CONSTRAINED
                and self._route.backend is Backend.DEVELOPER
            ):
                raise refuse()
            constraints = self._shared.tokens.admit(credential.value, resuming=resuming)
            self._token = credential.value
            self._token_expires_at = self._shared.tokens.expires_at(credential.value)
            if constraints is not None:
                raw_setup = apply_constraints(raw_setup, constraints)
        setup = parse_setup(raw_setup, self._route.backend, self._route.api_version)
        if setup.resume_handle:
            snapshot = self._shared.resumption.take(setup.resume_handle)
            if snapshot is None:
                raise ProtocolError(
                    CloseCode.POLICY, "Session resumption handle is invalid or has expired."
                )
            self._restore(snapshot)
        self._setup = setup
        self.info.model = setup.model.name
        for fault in self._shared.faults.due_at_setup(self.info.index):
            await self._apply_fault(fault)
        if setup.activity.automatic:
            model = await self._shared.vad_models.acquire()
            engine = self._shared.engine
            vad = VadSettings.from_activity(setup.activity, engine.default_silence_ms)
            if engine.speculative:
                vad = replace(vad, pause_ms=SPECULATE_AFTER_MS)
            self._detector = VoiceActivityDetector(vad, model)
        self._engine = self._shared.engine.open_session(setup.engine_config())
        if self._detector is not None and self._shared.engine.speculative:
            self._speculator = Speculator(
                self._engine, lambda coro: self._spawn(coro, "speculation")
            )
        await self._out.send(messages.setup_complete())
        self.info.setup_completed = True
        self._stats.sessions_started += 1
        self._stats.notify()
        self._spawn(self._lifetime(), "lifetime")
        async for frame in self._ws:
            if self._closing:
                continue  # shutting down: nothing more is answered; the 1001 close ends the loop
            self._count_in(frame)
            await self._handle(frame)
            self._stats.notify()  # "the server has taken this frame in" is worth waiting for

    async def shutdown(self) -> None:
        """Stop the model mid-turn as a server going down would: cancel and await every task.

        The socket stays as it is (the server closes it with 1001 next); the receive loop stops
        answering, and :meth:`run` returns once the socket is closed.
        """
        self._closing = True
        await self._cancel_tasks()

    async def _cancel_tasks(self) -> None:
        # A task may start another as it ends (a queued turn, a close after an engine error):
        # repeat until none is left. _closing stops new ones, so this ends.
        current = asyncio.current_task()
        while pending := [t for t in self._tasks if not t.done() and t is not current]:
            for task in pending:
                task.cancel()
            await asyncio.wait(pending)

    async def _cleanup(self) -> None:
        self._closing = True
        try:
            await self._cancel_tasks()
        finally:
            if self._engine is not None:
                try:
                    await self._engine.aclose()
                except Exception:
                    log.exception("engine session did not close cleanly")
            if self._detector is not None:
                self._shared.vad_models.release(self._detector.model)
                self._detector = None
            self.info.closed = True
            if not self.info.setup_completed:
                self._stats.rejected += 1
            self._stats.notify()

    async def _close(self, code: int, reason: str) -> None:
        self.info.close_code = code
        self.info.close_reason = reason
        with contextlib.suppress(ConnectionClosed):
            await self._ws.close(code, fit_reason(reason))

    def _spawn(
        self, coro: Coroutine[object, object, None], what: str = "task"
    ) -> asyncio.Task[None] | None:
        """Run ``coro`` as a task of this connection (``None``: the connection is closing)."""
        if self._closing:
            coro.close()
            return None
        name = f"live-connection-{self.info.index}-{what}"
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()  # retrieved here, so asyncio never reports it as lost
        if error is None or isinstance(error, _ConnectionEnded | ConnectionClosed | _TurnEnded):
            return
        if task.get_name().endswith("-generation"):
            log.error("engine failed", exc_info=error)
        else:
            log.error("connection %d: %s failed", self.info.index, task.get_name(), exc_info=error)
        self._spawn(self._close(CloseCode.INTERNAL, INTERNAL_ERROR), "close")

    async def _lifetime(self) -> None:
        """``goAway`` before the connection's lifetime ends, then close as the service does."""
        lifetime = self._options.connection_lifetime_s
        if lifetime is None:
            return
        notice = min(self._options.goaway_notice_s, lifetime)
        await asyncio.sleep(lifetime - notice)
        with contextlib.suppress(ConnectionClosed):
            await self._out.send(messages.go_away(notice))
        await asyncio.sleep(notice)
        await self._close(CloseCode.INTERNAL, DEADLINE_EXPIRED)

    @property
    def _requires_tool_ids(self) -> bool:
        return self._route.backend is Backend.DEVELOPER

    def _count_in(self, frame: str | bytes) -> None:
        self._stats.frames_in += 1
        self._stats.bytes_in += len(frame)
        self.info.frames_in += 1

    def _restore(self, snapshot: Snapshot) -> None:
        self._history = list(snapshot.history)
        self._turn_index = snapshot.turn_index
        self._usage = snapshot.usage.copy()
        self.info.resumed = True

    def _snapshot(self) -> Snapshot:
        return Snapshot(tuple(self._history), self._turn_index, self._usage.copy(), self._token)

    @property
    def setup(self) -> SessionSetup:
        assert self._setup is not None
        return self._setup

    # ------------------------------------------------------------------ client frames

    async def _handle(self, frame: str | bytes) -> None:
        if (
            self._token_expires_at is not None
            and self._shared.tokens.clock() >= self._token_expires_at
        ):
            raise ProtocolError(CloseCode.POLICY, "The auth token has expired.")
        message = parse_client_message(frame, self._requires_tool_ids)
        if isinstance(message, RealtimeInput):
            await self._on_realtime(message)
        elif isinstance(message, ClientContent):
            await self._on_client_content(message)
        elif isinstance(message, ToolResponse):
            await self._on_tool_response(message)
        elif isinstance(message, ContextUpdate):
            self._on_context_update(message)
        else:  # a second setup
            raise invalid_argument()

    async def _on_realtime(self, message: RealtimeInput) -> None:
        activity = self.setup.activity
        if (message.activity_start or message.activity_end) and activity.automatic:
            raise invalid_argument(
                "Explicit activity control is not supported when automatic activity detection is enabled."
            )
        if message.activity_start:
            self._activity_open = True
            if activity.turn_coverage is TurnCoverage.ONLY_ACTIVITY:
                self._drop_input()
            await self._barge_in()
        for blob in message.video:
            self._images.append(Image(blob.mime_type, blob.data))
        for blob in message.audio:
            await self._on_audio(self._to_16k(blob.data, blob.sample_rate))
        if message.text:
            await self._barge_in()
            await self._begin_turn(UserTurn(text=message.text, images=self._take_images()))
        if message.activity_end and self._activity_open:
            self._activity_open = False
            await self._begin_turn(
                UserTurn(audio=self._take_input(len(self._input)), images=self._take_images())
            )
        if message.audio_stream_end and self._detector is not None:
            event = self._detector.force_end()
            if event is not None:
                await self._on_vad(event)

    def _to_16k(self, pcm: bytes, rate: int) -> bytes:
        """Input audio at 16 kHz: the service resamples other rates named in the MIME type."""
        pcm = pcm[: len(pcm) - len(pcm) % 2]
        if rate == INPUT_SAMPLE_RATE or not pcm:
            return pcm
        stream = self._resamplers.get(rate)
        if stream is None:
            stream = self._resamplers[rate] = soxr.ResampleStream(
                rate, INPUT_SAMPLE_RATE, 1, dtype="int16"
            )
        out = stream.resample_chunk(np.frombuffer(pcm, dtype="<i2"))
        return np.asarray(out, dtype="<i2").tobytes()

    async def _on_audio(self, pcm: bytes) -> None:
        self._stats.audio_in_s += len(pcm) / _BYTES_PER_INPUT_S
        self._input += pcm
        if self._detector is not None:
            for event in self._detector.feed(pcm):
                await self._on_vad(event)
            if not self._detector.in_speech:
                self._trim_idle_input()
        elif not self._activity_open:
            self._trim_idle_input()
        self._cap_input()

    async def _on_vad(self, event: VadEvent) -> None:
        self.info.vad_events.append((event.kind, event.sample / INPUT_SAMPLE_RATE))
        self._stats.notify()
        if event.kind == "start":
            self._speech_start = event.sample
            await self._barge_in()
        elif event.kind == "pause":
            await self._speculate(event.sample)
        elif event.kind == "resume":
            if self._speculator is not None:
                await self._speculator.drop()  # the user goes on: so does the turn
        else:
            await self._begin_turn(self._spoken_turn(event.sample, take=True), spoken=True)

    def _spoken_turn(self, end: int, take: bool) -> UserTurn:
        """The turn of speech that ends at sample ``end``; ``take`` consumes its input.

        Without ``take`` nothing changes: that is the turn a speculation answers, the very one
        the end of speech at ``end`` would make (unless more input comes in meanwhile).
        """
        start = self._speech_start if self._speech_start is not None else self._input_base
        first = self._input_base
        if self.setup.activity.turn_coverage is TurnCoverage.ONLY_ACTIVITY:
            assert self._detector is not None
            preroll = int(self._detector.settings.preroll_ms * INPUT_SAMPLE_RATE / 1000)
            first = max(self._input_base, start - preroll)
        first = min(first, self._input_base + len(self._input) // 2)
        speech_s = (end - start) / INPUT_SAMPLE_RATE
        if take:
            self._speech_start = None
            self._drop_input(before=first)
            audio = self._take_input((end - self._input_base) * 2)
            return UserTurn(audio=audio, images=self._take_images(), speech_s=speech_s)
        offset = (first - self._input_base) * 2
        size = max(0, min((end - first) * 2, len(self._input) - offset))
        audio = bytes(self._input[offset : offset + size])
        return UserTurn(audio=audio, images=tuple(self._images), speech_s=speech_s)

    async def _speculate(self, end: int) -> None:
        """A tentative end of speech: answer the turn so far, holding the answer unsent."""
        speculator = self._speculator
        if speculator is None:
            return
        if (
            self._turn is not None
            or self._queued
            or (self._generation is not None and not self._generation.done())
        ):
            # The turn would wait for the model's (NO_INTERRUPTION): nothing to gain.
            await speculator.drop()
            return
        await speculator.start(self._request(self._spoken_turn(end, take=False)), self._holds_turn)

    def _holds_turn(self, item: OutputItem) -> bool:
        """Whether the session stops iterating after ``item``: a call to a blocking function."""
        if not isinstance(item, ToolCalls):
            return False
        non_blocking = {t.name for t in self.setup.tools if t.non_blocking}
        return any(call.name not in non_blocking for call in item.calls)

    def _trim_idle_input(self) -> None:
        """Outside speech, keep only the pre-roll (or everything, for TURN_INCLUDES_ALL_INPUT)."""
        if self.setup.activity.turn_coverage is not TurnCoverage.ONLY_ACTIVITY:
            return
        keep_ms = 0.0
        if self._detector is not None:
            # Enough to reach back from a committed onset to its pre-roll.
            settings = self._detector.settings
            keep_ms = settings.preroll_ms + settings.min_speech_ms + 200.0
        keep = int(keep_ms * INPUT_SAMPLE_RATE / 1000)
        self._drop_input(before=self._input_base + len(self._input) // 2 - keep)

    def _cap_input(self) -> None:
        excess = len(self._input) // 2 - int(_MAX_BUFFERED_INPUT_S * INPUT_SAMPLE_RATE)
        if excess > 0:
            self._drop_input(before=self._input_base + excess)

    def _drop_input(self, before: int | None = None) -> None:
        end = self._input_base + len(self._input) // 2
        cut = end if before is None else min(max(before, self._input_base), end)
        del self._input[: (cut - self._input_base) * 2]
        self._input_base = cut

    def _take_input(self, nbytes: int) -> bytes:
        nbytes = max(0, min(nbytes - nbytes % 2, len(self._input)))
        taken = bytes(self._input[:nbytes])
        del self._input[:nbytes]
        self._input_base += nbytes // 2
        return taken

    def _take_images(self) -> tuple[Image, ...]:
        images = tuple(self._images)
        self._images.clear()
        return images

    async def _on_client_content(self, message: ClientContent) -> None:
        # Any clientContent interrupts the model, whatever activityHandling says.
        await self._barge_in(force=True)
        turns = list(message.turns)
        last: UserTurn | None = None
        if message.turn_complete:
            if turns and turns[-1].role == "user":
                final = turns.pop()
                last = UserTurn(text=final.text, images=final.images)
            else:
                last = UserTurn()
        for turn in turns:
            role: Literal["user", "model"] = "model" if turn.role == "model" else "user"
            self._history.append(
                Message(
                    role=role,
                    text=turn.text,
                    images=len(turn.images),
                    function_calls=turn.function_calls,
                    function_results=turn.function_results,
                )
            )
            self._usage.add_prompt("TEXT", messages.text_tokens(turn.text))
        if last is not None:
            await self._begin_turn(last)

    def _on_context_update(self, message: ContextUpdate) -> None:
        setup = self.setup
        if message.system_instruction is not None:
            setup = replace(setup, system_instruction=message.system_instruction)
        if message.tools is not None:
            setup = replace(setup, tools=parse_tools(message.tools, setup.model))
        self._setup = setup

    async def _on_tool_response(self, message: ToolResponse) -> None:
        self._history.append(Message(role="user", function_results=message.results))
        for result in message.results:
            self._usage.add_prompt("TEXT", messages.text_tokens(str(result.response)))
            if self._blocking_calls.pop(result.id, None) is not None:
                self._answered.append(result)
            elif self._background_calls.pop(result.id, None) is not None:
                await self._on_background_result(result)
            else:
                log.info("connection %d: result for unknown call id ignored", self.info.index)
        if self._answered and not self._blocking_calls and self._turn is not None:
            results, self._answered = ToolResults(tuple(self._answered)), []
            self._start_generation(self._request(results))

    async def _on_background_result(self, result: FunctionResult) -> None:
        scheduling = result.scheduling or Scheduling.WHEN_IDLE
        if scheduling is Scheduling.SILENT:
            return
        results = ToolResults((result,))
        if (
            scheduling is Scheduling.INTERRUPT
            and self._turn is not None
            and not self._blocking_calls
        ):
            # The model drops what it was saying and reacts now, in the same turn.
            await self._cancel_generation()
            self._start_generation(self._request(results))
            return
        await self._begin_turn(results)

    # ------------------------------------------------------------------ turns

    def _request(self, source: UserTurn | ToolResults) -> EngineRequest:
        # Tool results belong to the user turn in progress (the last one counted).
        index = self._turn_index if isinstance(source, UserTurn) else max(0, self._turn_index - 1)
        return EngineRequest(
            input=source,
            history=tuple(self._history),
            turn_index=index,
            config=self.setup.engine_config(),
        )

    async def _begin_turn(self, source: UserTurn | ToolResults, spoken: bool = False) -> None:
        """Answer ``source`` now, or after the current turn when the model still has the floor.

        ``spoken``: ``source`` is the turn a detected end of speech made, which a speculation
        may have answered already.
        """
        speculator = self._speculator
        if speculator is not None and (not spoken or self._turn is not None):
            await speculator.drop()  # it answered speech that is not what comes next
        if self._turn is None and self._generation is not None and not self._generation.done():
            await asyncio.wait([self._generation])  # the last turn is sending its final frames
        if self._turn is not None:
            self._queued.append(source)
            return
        request = self._request(source)
        held = await speculator.claim(request) if speculator is not None and spoken else None
        if isinstance(source, UserTurn):
            self._record_user_turn(source)
            self._turn_index += 1
        self._turns_started += 1
        self._turn = _ModelTurn(
            self._turns_started, last_input_text=source.text if isinstance(source, UserTurn) else ""
        )
        if self.setup.resumption:
            await self._out.send(messages.resumption_update(None))
        self._start_generation(request, held)

    def _record_user_turn(self, turn: UserTurn) -> None:
        self._history.append(
            Message(role="user", text=turn.text, audio_s=turn.audio_s, images=len(turn.images))
        )
        self._usage.add_prompt("TEXT", messages.text_tokens(turn.text))
        self._usage.add_prompt("AUDIO", messages.audio_tokens(turn.audio_s))
        self._usage.add_prompt("IMAGE", messages.IMAGE_TOKENS * len(turn.images))

    def _start_generation(
        self, request: EngineRequest, held: AsyncIterator[OutputItem] | None = None
    ) -> None:
        """Answer ``request`` in a new generation task (``held``: a committed speculation's)."""
        task = self._spawn(self._generate(request, held), "generation")
        if task is not None:
            self._generation = task

    async def _cancel_generation(self) -> None:
        task = self._generation
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # we are cancelled too (the connection is ending): do not swallow it

    async def _generate(
        self, request: EngineRequest, held: AsyncIterator[OutputItem] | None = None
    ) -> None:
        assert self._engine is not None
        assert self._turn is not None
        turn = self._turn
        items = held if held is not None else self._engine.respond(request)
        try:
            try:
                async for item in items:
                    if await self._emit(turn, item):
                        return  # waiting for the client's tool response; the turn stays open
            finally:
                aclose = getattr(items, "aclose", None)
                if aclose is not None:
                    await aclose()
            await self._finish_turn(turn)
        except _TurnEnded:
            return

    async def _emit(self, turn: _ModelTurn, item: OutputItem) -> bool:
        """Send one engine item; ``True`` once a blocking tool call holds the turn."""
        setup = self.setup
        if isinstance(item, InputTranscript):
            if setup.input_transcription:
                await self._out.send(messages.input_transcription(item.text, item.finished))
        elif isinstance(item, TextDelta):
            if setup.response_modality == "TEXT":
                turn.text.append(item.text)
                await self._model_frame(turn, messages.model_text(item.text))
                self._usage.add_response("TEXT", messages.text_tokens(item.text))
            else:
                await self._send_transcript(turn, item.text)
        elif isinstance(item, AudioOut):
            if setup.response_modality == "AUDIO":
                await self._send_audio(turn, item)
            elif item.transcript:  # a TEXT session gets the words, not the speech
                await self._emit(turn, TextDelta(item.transcript))
        elif isinstance(item, Pause):
            await self._pause(turn, item.seconds)
        elif isinstance(item, ToolCalls):
            return await self._send_tool_calls(turn, item)
        return False

    async def _send_tool_calls(self, turn: _ModelTurn, item: ToolCalls) -> bool:
        declared = {t.name: t for t in self.setup.tools}
        calls = tuple(
            c if c.id else replace(c, id=f"function-call-{uuid.uuid4().hex[:16]}")
            for c in item.calls
        )
        turn.calls.extend(calls)
        self._history.append(Message(role="model", function_calls=calls))
        blocking = False
        for call in calls:
            declaration = declared.get(call.name)
            if declaration is not None and declaration.non_blocking:
                self._background_calls[call.id] = call
            else:
                self._blocking_calls[call.id] = call
                blocking = True
        await self._out.send(messages.tool_call(calls))
        if blocking and self.setup.resumption:
            await self._out.send(messages.resumption_update(None))
        return blocking

    async def _send_transcript(self, turn: _ModelTurn, text: str) -> None:
        """Words the model said: kept for the history, sent if the setup asked for them."""
        turn.text.append(text)
        if self.setup.output_transcription:
            await self._out.send(messages.output_transcription(text))

    async def _send_audio(self, turn: _ModelTurn, item: AudioOut) -> None:
        chunk_ms = min(100, max(20, item.chunk_ms or self._options.audio_chunk_ms))
        chunk_bytes = OUTPUT_SAMPLE_RATE * 2 * chunk_ms // 1000
        speed = self._options.speed * (item.pace or 1.0)
        loop = asyncio.get_running_loop()
        pcm = item.pcm[: len(item.pcm) - len(item.pcm) % 2]
        offsets = range(0, len(pcm), chunk_bytes)
        # Each chunk's words go just before it: the caption grows as the speech plays.
        fragments = spread(item.transcript, [min(chunk_bytes, len(pcm) - o) for o in offsets])
        if item.transcript and not fragments:  # no audio to spread the words over
            await self._send_transcript(turn, item.transcript)
        upcoming = _next_fragments(fragments)
        for index, offset in enumerate(offsets):
            piece = pcm[offset : offset + chunk_bytes]
            seconds = len(piece) / _BYTES_PER_OUTPUT_S
            if math.isfinite(speed):
                # Keep the client's buffer about one chunk ahead of its playback.
                if turn.paced_from is None:
                    turn.paced_from, turn.paced_s = loop.time(), 0.0
                due = turn.paced_from + max(0.0, turn.paced_s - seconds) / speed
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                turn.paced_s += seconds
            await self._model_frame(
                turn,
                messages.model_audio(piece),
                pcm=piece,
                transcript=fragments[index],
                upcoming=upcoming[index],
            )
            turn.audio_s += seconds
            self._stats.audio_out_s += seconds
        # Counted per item, not per frame: rounding each 40 ms frame up would inflate the count.
        self._usage.add_response("AUDIO", messages.audio_tokens(len(pcm) / _BYTES_PER_OUTPUT_S))

    async def _pause(self, turn: _ModelTurn, seconds: float) -> None:
        if seconds == math.inf:
            await asyncio.Event().wait()  # held until barge-in cancels the generation
        speed = self._options.speed
        if math.isfinite(speed) and seconds > 0:
            await asyncio.sleep(seconds / speed)
        turn.paced_from = None  # audio after a pause starts a new run of playback

    async def _model_frame(
        self,
        turn: _ModelTurn,
        message: JsonObject,
        pcm: bytes = b"",
        transcript: str = "",
        upcoming: str = "",
    ) -> None:
        """Send a model-turn frame (after its ``transcript`` fragment), firing the faults due.

        ``upcoming`` is the next fragment still to come with this audio, what a bundled end of
        turn says when no fragment is due with this frame.
        """
        for fault in self._shared.faults.due_in_turn(self.info.index, turn.number, turn.frames):
            if fault.kind is FaultKind.BUNDLED:
                await self._send_bundled(turn, pcm, transcript or upcoming)
                return
            await self._apply_fault(fault)
        if transcript:
            await self._send_transcript(turn, transcript)
        await self._out.send(message)
        turn.frames += 1

    async def _finish_turn(self, turn: _ModelTurn) -> None:
        for fault in self._shared.faults.pending_in_turn(self.info.index, turn.number):
            if fault.kind is FaultKind.BUNDLED:
                await self._send_bundled(turn, b"", "")
                return
            await self._apply_fault(fault)
        # The turn is over from here on: nothing can interrupt it any more.
        self._turn = None
        self._history.append(Message(role="model", text="".join(turn.text), audio_s=turn.audio_s))
        await self._out.send(messages.generation_complete())
        await self._complete_turn()

    async def _complete_turn(self) -> None:
        await self._out.send(messages.turn_complete(self._usage))
        await self._after_turn()

    async def _after_turn(self) -> None:
        self.info.turns_completed += 1
        self._stats.turns_completed += 1
        self._stats.notify()
        if self.setup.resumption:
            handle = self._shared.resumption.issue(self._snapshot())
            await self._out.send(messages.resumption_update(handle))
        if self._queued:
            self._spawn(self._begin_turn(self._queued.popleft()), "queued-turn")

    async def _barge_in(self, force: bool = False) -> None:
        """The user takes the floor: cut the model's turn short (unless NO_INTERRUPTION)."""
        turn = self._turn
        if turn is None:
            return
        if not force and self.setup.activity.activity_handling is ActivityHandling.NO_INTERRUPTION:
            return
        self._turn = None
        await self._cancel_generation()
        cancelled = [*self._blocking_calls, *self._background_calls]
        self._blocking_calls.clear()
        self._background_calls.clear()
        self._answered.clear()
        self._history.append(
            Message(role="model", text="".join(turn.text), audio_s=turn.audio_s, interrupted=True)
        )
        self.info.interruptions += 1
        self._stats.interruptions += 1
        await self._out.send(messages.interrupted())
        if cancelled:
            await self._out.send(messages.tool_call_cancellation(cancelled))
        await self._complete_turn()

    async def _send_bundled(self, turn: _ModelTurn, pcm: bytes, transcript: str) -> None:
        """One message carrying the end of an interrupted turn, as 3.1 models may send it.

        Its ``outputTranscription`` is the last fragment (the fragments before it were sent
        already: repeating them would double the caption).
        """
        self._turn = None
        turn.text.append(transcript)
        self._history.append(
            Message(role="model", text="".join(turn.text), audio_s=turn.audio_s, interrupted=True)
        )
        content: JsonObject = {
            "interrupted": True,
            "inputTranscription": {"text": turn.last_input_text or "...", "finished": True},
            "outputTranscription": {"text": transcript or "...", "finished": True},
            "modelTurn": {"parts": [messages.audio_part(pcm or b"\0\0" * 480)]},
            "turnComplete": True,
        }
        await self._out.send({"serverContent": content, "usageMetadata": self._usage.to_json()})
        self.info.interruptions += 1
        await self._after_turn()
        raise _TurnEnded

    # ------------------------------------------------------------------ faults

    async def _apply_fault(self, fault: Fault) -> None:
        self.info.faults_fired.append(fault.kind.value)
        self._stats.notify()  # "the fault has fired" is worth waiting for
        log.info("connection %d: injecting fault %s", self.info.index, fault.kind.value)
        kind = fault.kind
        if kind is FaultKind.CLOSE:
            await self._close(fault.code, fault.reason)
            raise _ConnectionEnded
        if kind is FaultKind.RESET:
            self.info.close_code = 1006
            self._ws.transport.abort()
            raise _ConnectionEnded
        if kind is FaultKind.STALL:
            self._out.stall(fault.stall_s)
        elif kind is FaultKind.MALFORMED:
            frame = '{"serverContent": {"modelTurn": {"parts": [{"inlineData": '
            await self._out.send_raw(frame.encode() if self._out.kind == "binary" else frame)
        elif kind is FaultKind.OVERSIZED:
            await self._out.send(messages.model_audio(b"\0" * _OVERSIZED_PCM_BYTES))
        elif kind is FaultKind.UNKNOWN_FIELDS:
            self._out.unknown_fields = True
        elif kind is FaultKind.TEXT_FRAMES:
            self._out.kind = "text"
        elif kind is FaultKind.BINARY_FRAMES:
            self._out.kind = "binary"


def _next_fragments(fragments: list[str]) -> list[str]:
    """For each chunk, the first fragment due with it or after it (``""`` if none is left)."""
    out = [""] * len(fragments)
    following = ""
    for index in range(len(fragments) - 1, -1, -1):
        following = fragments[index] or following
        out[index] = following
    return out
