"""``GenaiLiveSession``: the ``core.ports.LiveSession`` over google-genai's live client.

One conversation, many connections. A manager task owns the connection lifecycle: connect (with a
resumption handle when there is one), serve the link until it ends, then decide: hand over
(GoAway), retry within the failure budget (with backoff), or stop with a plain-language error. Per
link, one long-lived receive task loops ``receive()`` (which the SDK ends after every turn) and
turns each message into events (``session.messages``). Events from a link that is no longer the
current one are dropped, so a stale socket can never speak into the conversation.

Reconnects are meant to go unnoticed:

* **GoAway** schedules a handover at the next turn boundary (after the turn's resumption handle has
  arrived), or at the deadline, whichever comes first. From the boundary on, microphone audio is
  buffered instead of going to the old socket; the old socket is closed first, the new one resumes
  with the handle (used once), and the buffer is sent before anything new: no user audio is lost.
* **Unplanned drops** retry with the handle; without one, a fresh connection is re-seeded with the
  conversation so far (``clientContent``, ``turnComplete=false``).
* **A new conversation that continues an old one** (``initial_history``: the window reconnecting
  with changed settings) is seeded the same way on its first connection, with
  ``historyConfig.initialHistoryInClientContent`` where the model needs it; later re-seeds send
  that history first, then what was said since.
* **Failures** have a budget that resets once a link has been stable for a while.

Threading: everything runs on the event loop thread; every method is called there.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import functools
import logging
import time
import warnings
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pydantic
import websockets.exceptions
from google.genai import errors as genai_errors
from google.genai import live, types

from desktop_assistant.config.capabilities import Platform, Resolution, resolve
from desktop_assistant.config.settings import Settings
from desktop_assistant.core.conversation import Conversation
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    ErrorAction,
    GoAwayReceived,
    InputTranscribed,
    Interrupted,
    ModelAudioReceived,
    ModelTextReceived,
    OutputTranscribed,
    Reconnected,
    ResumptionHandleReceived,
    SessionErrored,
    SessionEvent,
    SessionStarted,
    TextSent,
    ToolCallCancelled,
    ToolCallRequested,
    TurnCompleted,
    VoiceActivityChanged,
)
from desktop_assistant.core.ports import AudioBlock, HistoryTurn, ToolDeclaration, ToolResponse
from desktop_assistant.core.tasks import TaskSupervisor
from desktop_assistant.session.connection import CredentialProvider, Endpoint, make_client
from desktop_assistant.session.errors import (
    FailureContext,
    MalformedMessageError,
    StallError,
    classify,
    close_code,
)
from desktop_assistant.session.live_config import build_live_config
from desktop_assistant.session.messages import LOCAL_CALL_ID_PREFIX, events_from_message
from desktop_assistant.session.reconnect import FailureBudget, ResumptionState, handover_deadline

log = logging.getLogger(__name__)

# Every token connection warns that token support is "experimental" (and not on v1alpha): we
# choose v1alpha for tokens, and a warning per reconnect would only alarm the user.
warnings.filterwarnings(
    "ignore",
    message=r"The SDK's ephemeral token support",
    category=genai_errors.ExperimentalWarning,
)

Clock = Callable[[], float]
HistoryProvider = Callable[[], Sequence[HistoryTurn]]

CONNECTION_LOST = "CONNECTION_LOST"
"""``TurnCompleted.reason`` of an answer cut short because its connection ended."""

TOKEN_REFRESH_MARGIN_S = 60.0
"""Move to a fresh token this long before the current one expires (a quarter of its life at most)."""

_ANSWERED_KINDS = frozenset({"text", "activity_end", "tools"})

USER_QUIET_S = 1.0
"""A GoAway between turns hands over at once unless the user spoke this recently."""

MAX_MALFORMED_IN_A_ROW = 20
"""Unreadable frames are skipped, but a link that sends nothing else is treated as broken."""

_SEND_ERRORS = (
    websockets.exceptions.ConnectionClosed,
    genai_errors.APIError,
    OSError,
    RuntimeError,
)


class _End(enum.Enum):
    END = "end"


@dataclass
class SessionStats:
    """Counters for tests and the benchmark."""

    connects: int = 0
    resumed_connects: int = 0
    reseeds: int = 0
    initial_seeds: int = 0
    """First connections seeded with ``initial_history``."""
    handovers: int = 0
    failures: int = 0
    messages: int = 0
    dispatch_s: float = 0.0
    """Time spent turning messages into events (the client's own overhead)."""
    stale_messages_dropped: int = 0
    malformed_frames: int = 0
    audio_blocks_accepted: int = 0
    audio_blocks_sent: int = 0
    audio_blocks_dropped: int = 0
    audio_blocks_buffered: int = 0
    connect_ms: list[float] = field(default_factory=list)
    handover_gap_ms: list[float] = field(default_factory=list)
    buffered_per_handover: list[int] = field(default_factory=list)


@dataclass(eq=False)
class _Link:
    generation: int
    session: live.AsyncSession
    stack: contextlib.AsyncExitStack
    resumed: bool
    opened_at: float
    with_token: bool
    goaway_at: float | None = None
    last_message_at: float = 0.0
    refresh_at: float | None = None
    """When the link's token nears its expiry: hand over to a fresh token before that."""
    token_expires_at: float | None = None
    """The token's expiry on this session's clock."""


@dataclass(frozen=True, slots=True)
class _Outgoing:
    kind: str  # audio | video | text | activity_start | activity_end | audio_stream_end | tools
    payload: Any = None


class _LinkEnded(Exception):
    def __init__(self, reason: str, error: BaseException | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


class GenaiLiveSession:
    """A live conversation that survives its connections. See the module docstring."""

    def __init__(
        self,
        settings: Settings,
        *,
        endpoint: Endpoint,
        credentials: CredentialProvider,
        tools: Sequence[ToolDeclaration] = (),
        resolution: Resolution | None = None,
        ephemeral: bool = False,
        history_provider: HistoryProvider | None = None,
        initial_history: Sequence[HistoryTurn] = (),
        clock: Clock = time.monotonic,
    ) -> None:
        self._resolution = resolution or resolve(
            settings, platform=endpoint.platform, ephemeral=ephemeral
        )
        self.settings = self._resolution.settings
        self._endpoint = endpoint
        self._credentials = credentials
        self._tools = tuple(tools)
        self.history_provider = history_provider
        """What was said on this session's connections (default: the session's own record)."""
        self.initial_history: tuple[HistoryTurn, ...] = tuple(
            turn for turn in initial_history if turn.text.strip()
        )
        """What was said before this session: seeded on the first connection, and on re-seeds."""
        self._clock = clock
        conn = self.settings.connection
        self._budget = FailureBudget(
            conn.reconnect_attempts,
            initial_s=conn.backoff_initial_s,
            max_s=conn.backoff_max_s,
            stable_after_s=conn.stable_after_s,
            clock=clock,
        )
        self._resumption = ResumptionState()
        self._own_history = Conversation(clock)
        self._events: asyncio.Queue[SessionEvent | _End] = asyncio.Queue()
        self._tasks = TaskSupervisor("live-session", self._on_task_failure)
        self._link: _Link | None = None
        self._sendable = False
        self._generation = 0
        self._outbox: collections.deque[_Outgoing] = collections.deque()
        self._outbox_audio = 0
        self._send_lock = asyncio.Lock()
        self._link_ended: asyncio.Future[_LinkEnded] | None = None
        self._started = False
        self._closed = False
        self._first_live = asyncio.Event()
        self._in_turn = False
        self._awaiting_answer = False
        """Input that the model will answer went out, and no answer has started yet."""
        self._pending_calls: set[str] = set()
        self._handover_pending = False
        self._handover_reason = ""
        self._at_boundary = False
        self._handle_due = False
        self._ephemeral = ephemeral
        self._last_user_activity = -1e9
        self._lost_at: float | None = None
        self._buffered_since_loss = 0
        self.stats = SessionStats()
        self.notes = self._resolution.notes

    # ------------------------------------------------------------------------------ lifecycle

    @property
    def resolution(self) -> Resolution:
        return self._resolution

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def connection_state(self) -> ConnectionState:
        if self._closed:
            return ConnectionState.DISCONNECTED
        return ConnectionState.LIVE if self._sendable else ConnectionState.CONNECTING

    async def start(self, timeout_s: float | None = None) -> None:
        """Begin connecting (``events()`` does this too); wait until live or given up."""
        self._ensure_started()
        waiter = asyncio.ensure_future(self._first_live.wait())
        manager = self._tasks.get("manager")
        wait_for: set[asyncio.Future[Any]] = {waiter}
        if manager is not None:
            wait_for.add(manager)
        try:
            await asyncio.wait(wait_for, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()

    def events(self) -> AsyncIterator[SessionEvent]:
        self._ensure_started()
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[SessionEvent]:
        while True:
            item = await self._events.get()
            if item is _End.END:
                self._events.put_nowait(_End.END)  # a second iterator ends too
                return
            assert not isinstance(item, _End)
            yield item

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._sendable = False
        await self._tasks.aclose(timeout_s=5.0)
        await self._close_link()
        self._emit(ConnectionStateChanged(ConnectionState.DISCONNECTED))
        self._events.put_nowait(_End.END)

    def _ensure_started(self) -> None:
        if not self._started and not self._closed:
            self._started = True
            self._tasks.spawn("manager", self._manage())

    def _on_task_failure(self, name: str, exc: BaseException) -> None:
        if name == "manager" and not self._closed:
            self._emit(
                SessionErrored(
                    "The connection manager failed unexpectedly; the conversation stopped.",
                    ErrorAction.STOP,
                    detail=f"{type(exc).__name__}: {exc}",
                )
            )
            self._emit(ConnectionStateChanged(ConnectionState.FAILED))
            self._events.put_nowait(_End.END)

    # ------------------------------------------------------------------------------ send verbs

    async def send_audio(self, block: AudioBlock) -> None:
        self.stats.audio_blocks_accepted += 1
        if _is_voiced(block.pcm):
            # The user is talking: a GoAway handover waits for the pause rather than splitting
            # the utterance across two connections.
            self._last_user_activity = self._clock()
        await self._send(_Outgoing("audio", block))

    async def send_video(self, jpeg: bytes) -> None:
        if not self._sendable:
            return  # frames are "latest wins": one missed while reconnecting is not worth keeping
        await self._send(_Outgoing("video", jpeg))

    async def send_text(self, text: str) -> None:
        if not text.strip():
            return
        self._own_history.apply(TextSent(text))
        self._awaiting_answer = True
        await self._send(_Outgoing("text", text))

    async def send_activity_start(self) -> None:
        self._last_user_activity = self._clock()
        await self._send(_Outgoing("activity_start"))

    async def send_activity_end(self) -> None:
        self._awaiting_answer = True
        await self._send(_Outgoing("activity_end"))

    async def send_audio_stream_end(self) -> None:
        await self._send(_Outgoing("audio_stream_end"))

    async def send_tool_responses(self, responses: Sequence[ToolResponse]) -> None:
        if not responses:
            return
        for response in responses:
            self._pending_calls.discard(response.call_id)
        self._awaiting_answer = True
        await self._send(_Outgoing("tools", tuple(responses)))
        self._maybe_hand_over_now()

    async def _send(self, item: _Outgoing) -> None:
        if self._closed:
            return
        if not self._sendable or self._outbox:
            self._queue(item)
            return
        link = self._link
        assert link is not None
        async with self._send_lock:
            if link is not self._link or not self._sendable:
                self._queue(item)
                return
            try:
                await self._deliver(link, item)
            except _SEND_ERRORS as exc:
                # The receive side sees the same close and reconnects; keep what must not be lost.
                log.debug("send failed (%s); keeping %s for the next connection", exc, item.kind)
                if item.kind != "video":
                    self._queue(item, front=True)
            except ValueError as exc:  # the SDK refused the message itself: resending cannot help
                log.warning("could not send %s: %s", item.kind, exc)
                self._emit(
                    SessionErrored(
                        f"A message could not be sent ({item.kind}); it was dropped.",
                        ErrorAction.CONTINUE,
                        detail=str(exc)[:300],
                    )
                )

    def _queue(self, item: _Outgoing, *, front: bool = False) -> None:
        if item.kind == "video":
            return
        if item.kind == "audio":
            limit_s = self.settings.connection.handover_buffer_s
            block: AudioBlock = item.payload
            max_blocks = max(1, int(limit_s / max(block.duration_s, 1e-3)))
            while self._outbox_audio >= max_blocks:
                self._drop_oldest_audio()
            self._outbox_audio += 1
            self._buffered_since_loss += 1
            self.stats.audio_blocks_buffered += 1
        if front:
            self._outbox.appendleft(item)
        else:
            self._outbox.append(item)

    def _drop_oldest_audio(self) -> None:
        for index, queued in enumerate(self._outbox):
            if queued.kind == "audio":
                del self._outbox[index]
                self._outbox_audio -= 1
                self.stats.audio_blocks_dropped += 1
                return

    async def _deliver(self, link: _Link, item: _Outgoing) -> None:
        session = link.session
        kind = item.kind
        if kind == "audio":
            block: AudioBlock = item.payload
            await session.send_realtime_input(
                audio=types.Blob(data=block.pcm, mime_type=f"audio/pcm;rate={block.sample_rate_hz}")
            )
            self.stats.audio_blocks_sent += 1
        elif kind == "video":
            await session.send_realtime_input(
                video=types.Blob(data=item.payload, mime_type="image/jpeg")
            )
        elif kind == "text":
            if self._resolution.capabilities.text_input_realtime:
                await session.send_realtime_input(text=item.payload)
            else:
                await session.send_client_content(
                    turns=types.Content(role="user", parts=[types.Part(text=item.payload)]),
                    turn_complete=True,
                )
        elif kind == "activity_start":
            await session.send_realtime_input(activity_start=types.ActivityStart())
        elif kind == "activity_end":
            await session.send_realtime_input(activity_end=types.ActivityEnd())
        elif kind == "audio_stream_end":
            await session.send_realtime_input(audio_stream_end=True)
        elif kind == "tools":
            # Vertex may call without ids (we made one up): it must not go back. The Gemini API
            # always gives ids and requires them.
            strip = self._endpoint.platform is Platform.VERTEX
            await session.send_tool_response(
                function_responses=[_function_response(r, strip) for r in item.payload]
            )
        else:  # pragma: no cover - every kind is listed above
            raise AssertionError(kind)

    async def _flush_outbox(self, link: _Link) -> int:
        """Send what was kept while no link was usable, in order, before anything new."""
        sent_audio = 0
        async with self._send_lock:
            while self._outbox and link is self._link:
                item = self._outbox[0]
                await self._deliver(link, item)
                self._outbox.popleft()
                if item.kind == "audio":
                    self._outbox_audio -= 1
                    sent_audio += 1
            if link is self._link:
                self._sendable = True
        return sent_audio

    # ------------------------------------------------------------------------------ manager

    async def _manage(self) -> None:
        planned_reason: str | None = None
        while not self._closed:
            reconnecting = self.stats.connects > 0 or self._budget.failures > 0
            self._emit(
                ConnectionStateChanged(
                    ConnectionState.RECONNECTING if reconnecting else ConnectionState.CONNECTING,
                    attempt=self._budget.failures,
                    max_attempts=self._budget.max_attempts,
                    detail=planned_reason or "",
                )
            )
            handle = self._resumption.take() if self.settings.session_resumption.enabled else None
            history = [] if handle else self._history_to_seed()
            started = self._clock()
            try:
                link = await self._open(handle, seed=bool(history))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                ctx = FailureContext(
                    self.settings.model,
                    resumed=handle is not None,
                    during_setup=True,
                    with_token=self._ephemeral,
                )
                if not await self._after_failure(exc, ctx):
                    return
                planned_reason = None
                continue

            self.stats.connect_ms.append((self._clock() - started) * 1000)
            resumed = handle is not None
            reseeded = False
            try:
                if history:
                    await self._seed(link, history)
                    if self.stats.connects == 0:
                        self.stats.initial_seeds += 1
                    else:
                        reseeded = True
                        self.stats.reseeds += 1
                self._budget.connected()
                self.stats.connects += 1
                self.stats.resumed_connects += int(resumed)
                self._emit(
                    SessionStarted(
                        link.session.session_id, resumed=resumed, model=self.settings.model
                    )
                )
                buffered = await self._flush_outbox(link)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._close_link()
                ctx = FailureContext(
                    self.settings.model, resumed=resumed, with_token=self._ephemeral
                )
                if not await self._after_failure(exc, ctx):
                    return
                continue
            self._emit(ConnectionStateChanged(ConnectionState.LIVE))
            if self._lost_at is not None:
                gap_ms = (self._clock() - self._lost_at) * 1000
                self.stats.handover_gap_ms.append(gap_ms)
                self.stats.buffered_per_handover.append(self._buffered_since_loss)
                log.info(
                    "reconnected (%s): resumed=%s reseeded=%s gap=%.0f ms, %d buffered blocks sent",
                    planned_reason or "retry",
                    resumed,
                    reseeded,
                    gap_ms,
                    buffered,
                )
                self._emit(
                    Reconnected(resumed, reseeded, gap_ms, planned_reason or "connection lost")
                )
            self._first_live.set()

            self._lost_at = None
            self._buffered_since_loss = 0
            ended = await self._serve(link)
            if self._lost_at is None:
                self._lost_at = self._clock()
            self._abandon_turn()
            self._sendable = False
            await self._close_link()
            if self.closed:
                return
            if ended.error is None:
                self.stats.handovers += 1
                planned_reason = ended.reason
                continue
            planned_reason = None
            planned = link.goaway_at is not None
            ctx = FailureContext(self.settings.model, resumed=resumed, with_token=self._ephemeral)
            if planned and close_code(ended.error)[0] in (1000, 1001, 1006, 1011):
                # The service ended a connection it had announced the end of: a late handover.
                self.stats.handovers += 1
                planned_reason = "goaway (deadline passed)"
                continue
            if not await self._after_failure(ended.error, ctx):
                return

    async def _after_failure(self, exc: BaseException, ctx: FailureContext) -> bool:
        """Report ``exc``; True to try again (after the backoff), False when the session ends."""
        self.stats.failures += 1
        if self._lost_at is None:
            self._lost_at = self._clock()
        error = classify(exc, ctx)
        log.warning("live connection failed: %s (%s)", error.message, error.detail)
        if error.action is ErrorAction.RETRY and ctx.with_token:
            self._credentials.invalidate()
        if error.action is not ErrorAction.RETRY:
            self._give_up(error)
            return False
        if not self._budget.failed():
            attempts = self._budget.max_attempts
            self._give_up(
                SessionErrored(
                    f"Could not reconnect after {attempts} attempts. {error.message.rstrip('…. ')}. "
                    "Check the network, then start the conversation again.",
                    ErrorAction.STOP,
                    error.code,
                    error.detail,
                )
            )
            return False
        self._emit(error)
        delay = self._budget.delay_s()
        if delay > 0:
            await asyncio.sleep(delay)
        return True

    def _abandon_turn(self) -> None:
        """A link ended mid-answer or with calls pending: the next connection will not finish them.

        The resumed session continues from the last completed turn, so the cut answer is closed
        here (``TurnCompleted`` with reason ``CONNECTION_LOST``) and pending calls are cancelled,
        exactly as the service would report them had the user interrupted.
        """
        if self._pending_calls:
            ids = tuple(sorted(self._pending_calls))
            self._pending_calls.clear()
            self._emit_tracked(ToolCallCancelled(ids))
        if self._in_turn:
            self._in_turn = False
            self._emit_tracked(TurnCompleted(reason=CONNECTION_LOST))

    def _emit_tracked(self, event: SessionEvent) -> None:
        self._own_history.apply(event)
        self._emit(event)

    def _give_up(self, error: SessionErrored) -> None:
        self._emit(error)
        self._emit(ConnectionStateChanged(ConnectionState.FAILED, detail=error.message))
        self._closed = True
        self._events.put_nowait(_End.END)

    async def _open(self, handle: str | None, *, seed: bool) -> _Link:
        credential = await self._credentials.credential(new_session=handle is None)
        self._ephemeral = self._ephemeral or credential.is_token
        # Building a client loads certificate bundles (tens of ms): not on the loop thread.
        client = await asyncio.get_running_loop().run_in_executor(
            None,
            functools.partial(
                make_client,
                self._endpoint,
                credential,
                self.settings.connection,
                api_version=self._resolution.api_version,
            ),
        )
        plan = build_live_config(
            self._resolution, self._tools, resumption_handle=handle, seeding_history=seed
        )
        for note in plan.notes:
            log.info("%s", note)
        stack = contextlib.AsyncExitStack()
        try:
            async with asyncio.timeout(self.settings.connection.connect_timeout_s) as scope:
                session = await stack.enter_async_context(
                    client.aio.live.connect(model=self.settings.model, config=plan.config)
                )
        except TimeoutError:
            await stack.aclose()
            if scope.expired():
                raise StallError("no setupComplete within the connect timeout") from None
            raise
        except BaseException:
            await stack.aclose()
            raise
        if session.setup_complete is None:
            await stack.aclose()
            raise MalformedMessageError("the service's first message was not setupComplete")
        self._generation += 1
        link = _Link(
            self._generation,
            session,
            stack,
            resumed=handle is not None,
            opened_at=self._clock(),
            with_token=credential.is_token,
            last_message_at=self._clock(),
            refresh_at=self._refresh_time(credential.expires_at),
            token_expires_at=None
            if credential.expires_at is None
            else self._clock() + credential.expires_at - time.time(),
        )
        self._link = link
        self._in_turn = False
        # Queued input the model will answer (not mere audio: silence gets no answer).
        self._awaiting_answer = any(i.kind in _ANSWERED_KINDS for i in self._outbox)
        self._pending_calls.clear()
        self._handover_pending = False
        self._at_boundary = False
        self._handle_due = False
        return link

    def _refresh_time(self, expires_at: float | None) -> float | None:
        """On this session's clock: when to move to a fresh token (``expires_at`` is epoch)."""
        if expires_at is None:
            return None
        left = expires_at - time.time()
        margin = min(TOKEN_REFRESH_MARGIN_S, max(0.0, left) / 4)
        return self._clock() + max(0.0, left - margin)

    async def _seed(self, link: _Link, history: Sequence[HistoryTurn]) -> None:
        turns: list[types.Content | types.ContentDict] = [
            types.Content(role=turn.role, parts=[types.Part(text=turn.text)]) for turn in history
        ]
        await link.session.send_client_content(turns=turns, turn_complete=False)

    def _history_to_seed(self) -> list[HistoryTurn]:
        """For a connection without a handle: the history before it, if it has to be told."""
        if self.stats.connects == 0:
            return list(self.initial_history)  # the caller asked for it: always sent
        if not self.settings.connection.reseed_history:
            return []
        provider = self.history_provider or self._own_history.history
        return [*self.initial_history, *provider()]

    async def _serve(self, link: _Link) -> _LinkEnded:
        loop = asyncio.get_running_loop()
        self._link_ended = loop.create_future()
        receiver = self._tasks.spawn(f"receive-{link.generation}", self._receive(link))
        watchdog = self._tasks.spawn(f"watchdog-{link.generation}", self._watch(link))
        try:
            return await self._link_ended
        finally:
            self._link_ended = None
            for task in (receiver, watchdog):
                task.cancel()
            await asyncio.wait([receiver, watchdog], timeout=5.0)

    def _end_link(self, link: _Link, reason: str, error: BaseException | None = None) -> None:
        if link is self._link and self._link_ended is not None and not self._link_ended.done():
            self._link_ended.set_result(_LinkEnded(reason, error))

    async def _close_link(self) -> None:
        link, self._link = self._link, None
        self._sendable = False
        if link is None:
            return
        try:
            async with asyncio.timeout(5.0):
                await link.stack.aclose()
        except Exception as exc:  # closing a dead socket may complain; it is closed either way
            log.debug("closing link %d: %s", link.generation, exc)

    # ------------------------------------------------------------------------------ receiving

    async def _receive(self, link: _Link) -> None:
        malformed = 0
        while True:
            try:
                async for message in link.session.receive():
                    malformed = 0
                    self._dispatch(link, message)
            except (ValueError, TypeError, pydantic.ValidationError) as exc:
                # The SDK could not read one frame; the socket itself is fine. Skip it.
                malformed += 1
                self.stats.malformed_frames += 1
                if link is self._link:
                    self._emit(classify(MalformedMessageError(str(exc)[:200]), self._ctx(link)))
                if malformed >= MAX_MALFORMED_IN_A_ROW:
                    self._end_link(
                        link, "malformed", MalformedMessageError("too many unreadable frames")
                    )
                    return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._end_link(link, "closed", exc)
                return

    async def _watch(self, link: _Link) -> None:
        """GoAway deadline and the mid-answer stall watchdog for ``link``."""
        stall_s = self.settings.connection.stall_timeout_s
        while link is self._link:
            now = self._clock()
            if link.goaway_at is not None and now >= link.goaway_at:
                self._end_link(link, f"{self._handover_reason or 'goaway'} (deadline)")
                return
            if (
                link.refresh_at is not None
                and now >= link.refresh_at
                and not self._handover_pending
            ):
                # The token will soon stop being accepted: a planned handover, like a GoAway,
                # to a connection with a fresh one (the provider refreshes near expiry).
                expires = link.token_expires_at if link.token_expires_at is not None else now
                link.goaway_at = now + max(0.0, expires - now) / 2
                self._handover_pending = True
                self._handover_reason = "token refresh"
                log.info("the access token expires soon; handing over at the next turn boundary")
            if self._in_turn and now - link.last_message_at >= stall_s:
                log.warning("no message from the service for %.0f s mid-answer", stall_s)
                self._end_link(link, "stalled", StallError("the service stopped mid-answer"))
                return
            self._maybe_hand_over_now()  # the user may have fallen silent since the last message
            waits = [0.25 if self._handover_pending else 1.0]
            if link.refresh_at is not None and not self._handover_pending:
                waits.append(link.refresh_at - now)
            if link.goaway_at is not None:
                waits.append(link.goaway_at - now)
            if self._in_turn:
                waits.append(link.last_message_at + stall_s - now)
            await asyncio.sleep(max(0.01, min(waits)))

    def _ctx(self, link: _Link) -> FailureContext:
        return FailureContext(self.settings.model, resumed=link.resumed, with_token=link.with_token)

    def _dispatch(self, link: _Link, message: types.LiveServerMessage) -> None:
        if link is not self._link:
            self.stats.stale_messages_dropped += 1
            return
        started = time.perf_counter()
        link.last_message_at = self._clock()
        events = events_from_message(message)
        for event in events:
            self._track(link, event)
            self._own_history.apply(event)
            self._emit(event)
        self.stats.messages += 1
        self.stats.dispatch_s += time.perf_counter() - started
        self._budget.check_stable()
        self._maybe_hand_over_now()

    def _track(self, link: _Link, event: SessionEvent) -> None:
        """Keep what reconnecting needs to know: turn boundaries, handles, calls, GoAway."""
        match event:
            case ModelAudioReceived() | ModelTextReceived() | OutputTranscribed() | Interrupted():
                self._in_turn = True  # an interrupted turn still ends with turnComplete
                self._awaiting_answer = False
            case InputTranscribed() | VoiceActivityChanged():
                self._last_user_activity = self._clock()
            case TurnCompleted():
                self._in_turn = False
                self._awaiting_answer = False
                # The turn's resumption handle follows its turnComplete: wait for it, or a
                # resumed connection would miss the turn that just ended.
                self._handle_due = self.settings.session_resumption.enabled
                if self._handover_pending and not self._pending_calls:
                    self._reach_boundary(link)
            case ToolCallRequested():
                self._pending_calls.add(event.call_id)
            case ToolCallCancelled():
                self._pending_calls.difference_update(event.call_ids)
            case ResumptionHandleReceived():
                if self._resumption.offer(event.handle, event.resumable):
                    self._handle_due = False
            case GoAwayReceived():
                deadline = handover_deadline(
                    event.time_left_s,
                    margin_s=self.settings.connection.handover_margin_s,
                    now=self._clock(),
                )
                link.goaway_at = deadline.deadline
                self._handover_pending = True
                self._handover_reason = "goaway"
                log.info(
                    "GoAway: %.1f s left; handing over at the next turn boundary",
                    event.time_left_s,
                )
            case _:
                pass

    def _reach_boundary(self, link: _Link) -> None:
        """From here on, user input waits for the new connection instead of the old one."""
        self._at_boundary = True
        self._sendable = False
        self._lost_at = self._clock()
        if self._handle_due and link.goaway_at is not None:
            link.goaway_at = min(
                link.goaway_at, self._clock() + self.settings.connection.handle_wait_s
            )

    def _maybe_hand_over_now(self) -> None:
        link = self._link
        if link is None or not self._handover_pending:
            return
        if not self._at_boundary:
            # Between turns, but the user may be mid-sentence: then their turn's end is the
            # boundary (the deadline still wins).
            if self._in_turn or self._pending_calls or self._awaiting_answer:
                return
            if self._clock() - self._last_user_activity < USER_QUIET_S:
                return
            self._reach_boundary(link)
        if self._handle_due:
            return  # the watchdog hands over anyway once the (shortened) wait is over
        self._end_link(link, self._handover_reason or "goaway")

    def _emit(self, event: SessionEvent) -> None:
        self._events.put_nowait(event)


VOICED_RMS = 32768 * 10 ** (-32 / 20)
"""Blocks louder than -32 dBFS RMS count as the user speaking (low room noise stays below)."""


def _is_voiced(pcm: bytes) -> bool:
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32)
    if samples.size == 0:
        return False
    return float(np.sqrt(np.mean(samples * samples))) > VOICED_RMS


def _function_response(response: ToolResponse, strip_local_ids: bool) -> types.FunctionResponse:
    local = response.call_id.startswith(LOCAL_CALL_ID_PREFIX)
    call_id = None if local and strip_local_ids else response.call_id
    scheduling = (
        types.FunctionResponseScheduling(response.scheduling) if response.scheduling else None
    )
    return types.FunctionResponse(
        id=call_id,
        name=response.name,
        response=dict(response.response),
        scheduling=scheduling,
        will_continue=response.will_continue,
    )
