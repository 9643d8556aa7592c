"""The offline engine behind the local Live server: one user turn in, a spoken reply out.

The server owns the protocol (turn detection, barge-in, pacing, tool-call bookkeeping); this
engine answers each turn:

1. find the speech in the turn's audio (Silero) and transcribe it (Whisper tiny.en);
2. match the rules (time, date, timer, weather); call the client's fitting tool through the normal
   ``toolCall`` flow, or answer from the local clock; otherwise stream SmolLM2's reply;
3. cut the reply into clauses and synthesise each (Piper joe) while the next is being written, so
   the first audio leaves long before the reply is complete.

The server paces the audio it is given at real time, so the reply is produced by a background
task into a queue and ``respond`` only hands items over. When the server stops iterating
(barge-in), the ``finally`` of ``respond`` stops the language model within one token, terminates
the synthesis in flight and cancels the producer.

The engine is speculative: the server starts a turn at the first short pause (~0.22 s) and holds
the answer until the end-of-turn silence has passed, so recognition, the first clause and its
voice mostly fit inside that silence. If the user goes on speaking the server stops the answer
(a recognition not yet begun is skipped) and :meth:`OfflineSession.discard` forgets it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from desktop_assistant.server.engines.base import (
    AudioOut,
    Engine,
    EngineRequest,
    EngineSession,
    FunctionCall,
    InputTranscript,
    Message,
    OutputItem,
    SessionConfig,
    TextDelta,
    ToolCalls,
    ToolResults,
    UserTurn,
)
from desktop_assistant.server.engines.offline import info
from desktop_assistant.server.engines.offline.intents import (
    Intent,
    ToolSpec,
    answer_from_tool,
    detect_intent,
    local_answer,
    route_to_tool,
)
from desktop_assistant.server.engines.offline.llm import Exchange
from desktop_assistant.server.engines.offline.loader import (
    LoadProgress,
    LoadState,
    ModelLoader,
    ProgressListener,
    shared_loader,
)
from desktop_assistant.server.engines.offline.models import ModelError
from desktop_assistant.server.engines.offline.sentences import SentenceSplitter
from desktop_assistant.server.engines.offline.tts import SynthesisCancelled
from desktop_assistant.server.engines.offline.vad import find_speech

if TYPE_CHECKING:
    from desktop_assistant.server.engines.offline.loader import Models

log = logging.getLogger(__name__)

IDENTITY = (
    "I'm the offline assistant. I run entirely on this computer, I speak English, and my "
    "knowledge is limited, so please double-check anything important."
)
EMPTY_REPLY = "Sorry, I have no answer to that."
_DONE = object()


def local_zone_name() -> str:
    """The IANA name of this machine's time zone, for tools that want one ('UTC' if unknown)."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if "/" in tz:
        return tz
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return "UTC"
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else "UTC"


def pcm16_to_float(pcm: bytes) -> np.ndarray:
    usable = len(pcm) - len(pcm) % 2
    return np.frombuffer(pcm[:usable], dtype="<i2").astype(np.float32) / 32768.0


def _log_progress(progress: LoadProgress) -> None:
    # The server's log (``desktop-assistant serve``) shows the loading as it goes.
    if progress.state is LoadState.FAILED:
        log.error("offline engine: %s", progress.message)
    elif progress.state is not LoadState.IDLE:
        log.info("offline engine: %s (%d/%d)", progress.message, progress.done, progress.total)


class OfflineEngine(Engine):
    """Shares one set of models (loaded once per process, in the background) by all sessions."""

    name = info.ENGINE_NAME
    label = info.BACKEND_LABEL
    description = info.BACKEND_DESCRIPTION
    # Answering from the first short pause gives back most of the engine's ~0.6 s, so the turn
    # can wait for a silence that does not cut people off between sentences (see info).
    speculative = True
    default_silence_ms = float(info.RECOMMENDED_SILENCE_MS)

    def __init__(
        self,
        loader: ModelLoader | None = None,
        *,
        wait_for_models: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._loader = loader if loader is not None else shared_loader()
        self._wait = wait_for_models
        self._logging = False
        self.clock = clock or (lambda: datetime.now().astimezone())

    @property
    def progress(self) -> LoadProgress:
        return self._loader.progress

    def add_progress_listener(self, listener: ProgressListener) -> Callable[[], None]:
        """Progress snapshots (from a loader thread); returns a function that unsubscribes."""
        return self._loader.add_listener(listener)

    async def models(self) -> Models:
        return await self._loader.wait()

    async def start(self) -> None:
        # Loading starts now and goes on in the background: the server accepts connections at
        # once and the first turn waits for the models, while the app shows the progress.
        if not self._logging:
            self._logging = True
            self._loader.add_listener(_log_progress)
        self._loader.start()
        if self._wait:
            with contextlib.suppress(ModelError):
                await self._loader.wait()

    def open_session(self, config: SessionConfig) -> EngineSession:
        return OfflineSession(self, config)


class OfflineSession(EngineSession):
    def __init__(self, engine: OfflineEngine, config: SessionConfig) -> None:
        self._engine = engine
        self._config = config
        self._exchanges: list[Exchange] = []
        # tool call id -> the intent that made it and what the user said
        self._pending: dict[str, tuple[Intent | None, str]] = {}
        self._t0 = 0.0  # when the current turn reached the engine (loop time)
        self._heard_ms = 0.0
        self._path = ""
        # The latest request and what the session remembered before it, for discard().
        self._undo: tuple[EngineRequest, int, dict[str, tuple[Intent | None, str]]] | None = None

    # ------------------------------------------------------------------ the turn

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """The conversation as the language model is told it: what was asked, what was said."""
        return tuple(self._exchanges)

    @property
    def waiting_calls(self) -> tuple[str, ...]:
        """Ids of the tool calls whose results this session still waits for."""
        return tuple(self._pending)

    def discard(self, request: EngineRequest) -> None:
        """The server dropped this (speculative) answer unheard: forget its exchange and call."""
        if self._undo is None or self._undo[0] is not request:
            return  # respond never started for it: there is nothing to forget
        _, exchanges, pending = self._undo
        del self._exchanges[exchanges:]
        self._pending = pending
        self._undo = None

    def can_reuse(self, speculated: EngineRequest, final: EngineRequest) -> bool:
        # This engine does not look at images: a video frame that came in meanwhile changes
        # nothing of the answer (the server still counts it in the turn's usage).
        return _without_images(speculated) == _without_images(final)

    async def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        self._undo = (request, len(self._exchanges), dict(self._pending))
        try:
            models = await self._engine.models()
        except ModelError as exc:
            log.warning("offline engine unavailable: %s", exc)
            yield TextDelta(str(exc))
            return
        config = request.config
        loop = asyncio.get_running_loop()
        self._t0 = loop.time()
        self._heard_ms = 0.0
        if isinstance(request.input, ToolResults):
            answer, asked = self._answer_results(request.input)
            self._path = "tool result"
            async for item in self._speak(models, config, fixed=answer, user=asked, history=()):
                yield item
            return
        turn: UserTurn = request.input
        heard = ""
        if turn.audio:
            abandoned = threading.Event()
            try:
                heard = await loop.run_in_executor(
                    models.listen_pool, self._recognize, models, turn, abandoned
                )
            except BaseException:
                abandoned.set()  # a recognition still waiting for the worker never starts
                raise
            self._heard_ms = 1000 * (loop.time() - self._t0)
            if heard:
                yield InputTranscript(heard, finished=True)
        user = " ".join(t for t in (turn.text.strip(), heard) if t)
        if not user:
            return  # nothing was said: the turn ends without a reply, as the service does
        intent = detect_intent(user)
        specs = [ToolSpec(t.name, t.description, t.parameters) for t in config.tools]
        routed = route_to_tool(intent, user, specs, local_zone_name())
        if routed is not None:
            spec, args = routed
            call = FunctionCall(f"offline-{uuid.uuid4().hex[:16]}", spec.name, args)
            self._pending[call.id] = (intent, user)
            log.info("offline turn: tool call %s after %.0f ms", spec.name, self._elapsed_ms())
            yield ToolCalls((call,))
            return
        history = tuple(self._exchanges) or history_from(request.history)
        self._path = "language model"
        if intent is not None:
            self._path = f"rule ({intent.kind.value})"
            answer = local_answer(intent, self._engine.clock(), IDENTITY)
            async for item in self._speak(models, config, fixed=answer, user=user, history=()):
                yield item
            return
        async for item in self._speak(models, config, fixed=None, user=user, history=history):
            yield item

    def _elapsed_ms(self) -> float:
        return 1000 * (asyncio.get_running_loop().time() - self._t0)

    def _recognize(self, models: Models, turn: UserTurn, abandoned: threading.Event) -> str:
        if abandoned.is_set():
            return ""
        audio = pcm16_to_float(turn.audio)
        span = find_speech(audio, models.vad)
        if span is None or abandoned.is_set():
            return ""
        return models.asr.transcribe(audio[span.start : span.end]).text

    def _answer_results(self, results: ToolResults) -> tuple[str, str]:
        """What to say about the results, and what the user had asked for."""
        answers = []
        asked = ""
        for result in results.results:
            intent, user = self._pending.pop(result.id, (None, ""))
            asked = asked or user
            answers.append(answer_from_tool(intent, result.name, result.response))
        return " ".join(answers) or "Done.", asked

    # ------------------------------------------------------------------ speaking

    async def _speak(
        self,
        models: Models,
        config: SessionConfig,
        *,
        fixed: str | None,
        user: str,
        history: tuple[Exchange, ...],
    ) -> AsyncIterator[OutputItem]:
        """Yield (text, audio) clause by clause while a producer task writes and voices ahead."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        cancel = threading.Event()
        may_run = threading.Event()
        may_run.set()
        owner = object()  # marks our synthesis runs, so cancelling never hits another session's
        with_audio = config.response_modality == "AUDIO"
        spoken: list[str] = []

        async def voice(clause: str) -> bytes:
            if not with_audio:
                return b""
            if not models.plan.overlap:
                may_run.clear()  # one free core: the model waits while the voice works
            try:
                return await loop.run_in_executor(
                    models.voice_pool, models.voice.synthesize, clause, owner, cancel
                )
            finally:
                may_run.set()

        async def produce() -> None:
            try:
                splitter = SentenceSplitter()
                if fixed is not None:
                    for clause in splitter.push(fixed) + splitter.flush():
                        await queue.put((clause, await voice(clause)))
                else:
                    deltas: asyncio.Queue[object] = asyncio.Queue()

                    def emit(delta: object) -> None:
                        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                            loop.call_soon_threadsafe(deltas.put_nowait, delta)

                    loop.run_in_executor(
                        models.think_pool, self._think, models, user, history, cancel, may_run, emit
                    )
                    wrote = False
                    while (delta := await deltas.get()) is not _DONE:
                        if isinstance(delta, BaseException):
                            raise delta
                        for clause in splitter.push(str(delta)):
                            wrote = True
                            await queue.put((clause, await voice(clause)))
                    rest = splitter.flush() or ([] if wrote else [EMPTY_REPLY])
                    for clause in rest:
                        await queue.put((clause, await voice(clause)))
                await queue.put(_DONE)
            except SynthesisCancelled:
                return
            except Exception as exc:
                await queue.put(exc)

        producer = loop.create_task(produce(), name="offline-engine-reply")
        first_audio = True
        try:
            first = True
            while (item := await queue.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, tuple)
                clause, pcm = str(item[0]), bytes(item[1])
                spoken.append(clause)
                yield TextDelta(clause if first else " " + clause)
                first = False
                if pcm:
                    if first_audio:
                        first_audio = False
                        # The figure that matters: from the turn's end to the first sound.
                        log.info(
                            "offline turn: %s; heard in %.0f ms, first audio after %.0f ms",
                            self._path,
                            self._heard_ms,
                            self._elapsed_ms(),
                        )
                    yield AudioOut(pcm)
        finally:
            # Barge-in or the end: stop everything still running for this reply, at once.
            cancel.set()
            may_run.set()
            models.voice.cancel(owner)
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError, SynthesisCancelled):
                await producer
            if user:
                self._exchanges.append(Exchange(user, " ".join(spoken)))

    @staticmethod
    def _think(
        models: Models,
        user: str,
        history: tuple[Exchange, ...],
        cancel: threading.Event,
        may_run: threading.Event,
        emit: Callable[[object], None],
    ) -> None:
        """Runs on a worker thread: stream the language model's deltas to ``emit``."""
        try:
            stream: Iterator[str] = models.llm.stream(user, history, cancel=cancel, may_run=may_run)
            for delta in stream:
                if cancel.is_set():
                    break
                emit(delta)
        except Exception as exc:
            emit(exc)
        finally:
            emit(_DONE)


def _without_images(request: EngineRequest) -> EngineRequest:
    source = request.input
    if isinstance(source, UserTurn) and source.images:
        return replace(request, input=replace(source, images=()))
    return request


def history_from(messages: tuple[Message, ...]) -> tuple[Exchange, ...]:
    """Text exchanges from the server's record (after resumption the session has no other)."""
    out: list[Exchange] = []
    user: str | None = None
    for m in messages:
        if m.role == "user" and m.text:
            user = m.text
        elif m.role == "model" and m.text and user is not None:
            out.append(Exchange(user, m.text))
            user = None
    return tuple(out)
