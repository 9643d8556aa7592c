"""``desktop-assistant chat --headless``: a whole conversation without a window or devices.

The runner is the same ``Assistant`` the window drives, wired to file-backed devices: a WAV file
as the microphone (streamed in real time, any format, resampled to 16 kHz mono), a WAV file as the
speaker (what would have been heard, cut where playback would have stopped), typed turns from
``--text``, and one JSON line per event in ``--transcript-jsonl``. ``HeadlessRunner`` takes any
``AudioSource``/``AudioSink``/``FrameSource`` objects, so real devices plug in unchanged.

Exit status: 0 when every turn was answered and the conversation ended cleanly; 1 when it failed
(an error the session could not recover from); 2 for bad arguments or settings; 3 on ``--timeout``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import enum
import json
import logging
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from desktop_assistant.app.backends import (
    BackendError,
    BackendOverrides,
    LocalServerOptions,
    OpenBackend,
    open_backend,
)
from desktop_assistant.config.capabilities import SettingsRefused, resolve
from desktop_assistant.config.persistence import SettingsStore
from desktop_assistant.config.secrets import SecretStore
from desktop_assistant.config.settings import BackendKind, Settings
from desktop_assistant.core import redact
from desktop_assistant.core.assistant import Assistant, AssistantOptions
from desktop_assistant.core.conversation import Role, TranscriptEntry
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    ErrorAction,
    SessionErrored,
    ToolCallFinished,
    ToolCallRequested,
    TurnCompleted,
)
from desktop_assistant.core.ports import AudioSink, AudioSource, FrameSource
from desktop_assistant.media.audio.wav_io import WavFileSink, WavFileSource, WavFormatError
from desktop_assistant.session.genai_session import GenaiLiveSession
from desktop_assistant.tools.builtin import builtin_registry
from desktop_assistant.tools.dispatch import RegistryDispatcher

log = logging.getLogger("desktop_assistant.headless")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3


# ------------------------------------------------------------------------------ transcript


def event_record(event: object, t: float) -> dict[str, Any] | None:
    """One JSON-able object for ``event`` (``None`` for events not worth a line, like audio)."""
    name = type(event).__name__
    kind = _TYPES.get(name)
    if kind is None:
        return None
    record: dict[str, Any] = {"type": kind, "t": round(t, 3)}
    values = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}  # type: ignore[arg-type]
    if name == "ModelTextReceived" and values.get("thought"):
        record["type"] = "model_thought"
    if name == "SessionErrored":
        values["text"] = values.pop("message")
    if name == "MediaErrored":
        values["text"] = values.pop("message")
    if name == "ResumptionHandleReceived":
        values.pop("handle", None)  # a live session credential: never written down
    for key, value in values.items():
        record[key] = _jsonable(value)
    return record


_TYPES = {
    "InputTranscribed": "user_transcript",
    "TextSent": "user_text",
    "OutputTranscribed": "model_transcript",
    "ModelTextReceived": "model_text",
    "Interrupted": "interrupted",
    "PlaybackCut": "playback_cut",
    "GenerationCompleted": "generation_complete",
    "TurnCompleted": "turn_complete",
    "ToolCallRequested": "tool_call",
    "ToolCallFinished": "tool_result",
    "ToolCallCancelled": "tool_cancelled",
    "ToolApprovalRequested": "tool_approval",
    "TurnStateChanged": "state",
    "Reconnected": "reconnected",
    "SessionErrored": "error",
    "MediaErrored": "error",
    "ConnectionStateChanged": "connection",
    "SessionStarted": "session_started",
    "GoAwayReceived": "goaway",
    "UsageUpdated": "usage",
    "ResumptionHandleReceived": "resumption",
    "GroundingReceived": "grounding",
    "UrlContextReceived": "url_context",
    "CodeExecutionReported": "code_execution",
    "VoiceActivityChanged": "voice_activity",
    "InputRequested": "input_requested",
    "InteractionStatusChanged": "interaction_status",
    "UplinkOverflowed": "uplink_overflow",
    "VideoFrameSent": "video_frame",
}


def _jsonable(value: object) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class TranscriptWriter:
    """Writes one JSON object per event, line by line, as the conversation goes."""

    def __init__(self, out: IO[str], clock: Callable[[], float], t0: float) -> None:
        self._out = out
        self._clock = clock
        self._t0 = t0
        self.lines = 0

    def __call__(self, event: object) -> None:
        record = event_record(event, self._clock() - self._t0)
        if record is not None:
            self.write(record)

    def write(self, record: Mapping[str, Any]) -> None:
        self._out.write(redact.redact(json.dumps(record, ensure_ascii=False)) + "\n")
        self.lines += 1


def summary_record(entries: Sequence[TranscriptEntry], t: float) -> dict[str, Any]:
    turns = []
    for entry in entries:
        item: dict[str, Any] = {"role": entry.role.value, "t": round(entry.started_at, 3)}
        if entry.role is Role.TOOL:
            item |= {"name": entry.tool_name, "outcome": entry.tool_outcome}
        else:
            item["text"] = entry.text
            if entry.role is Role.USER:
                item["source"] = entry.source
        if entry.interrupted:
            item |= {"interrupted": True, "heard_text": entry.heard_text}
        turns.append(item)
    return {"type": "summary", "t": round(t, 3), "turns": turns}


# ------------------------------------------------------------------------------ the runner


@dataclass
class RunResult:
    exit_code: int
    turns_answered: int = 0
    errors: list[SessionErrored] = field(default_factory=list)
    reason: str = ""


class _Watch:
    """Counts what the runner waits for, and wakes it on every event (no polling, no sleeps)."""

    def __init__(self) -> None:
        self.turns_completed = 0
        self.pending_tools: set[str] = set()
        self.fatal: SessionErrored | None = None
        self.errors: list[SessionErrored] = []
        self.live = False
        self._changed = asyncio.Event()

    def __call__(self, event: object) -> None:
        match event:
            case TurnCompleted():
                self.turns_completed += 1
            case ToolCallRequested():
                self.pending_tools.add(event.call_id)
            case ToolCallFinished():
                self.pending_tools.discard(event.call_id)
            case SessionErrored():
                self.errors.append(event)
                if event.action in (ErrorAction.STOP, ErrorAction.ASK_FOR_KEY):
                    self.fatal = event
            case ConnectionStateChanged():
                self.live = event.state is ConnectionState.LIVE
            case _:
                pass
        self._changed.set()

    async def until(self, condition: Callable[[], bool], assistant: Assistant) -> None:
        while not condition():
            if self.fatal is not None or assistant.session_ended:
                raise _Ended()
            self._changed.clear()
            await self._changed.wait()


class _Ended(Exception):
    pass


def _answered_after(watch: _Watch, turns_before: int) -> Callable[[], bool]:
    return lambda: watch.turns_completed > turns_before and not watch.pending_tools


class HeadlessRunner:
    """Runs one scripted conversation on any ports: speech from a source, then typed turns."""

    def __init__(
        self,
        assistant: Assistant,
        *,
        texts: Sequence[str] = (),
        answer_wait_s: float = 15.0,
        drain_timeout_s: float = 120.0,
    ) -> None:
        self.assistant = assistant
        self.texts = list(texts)
        self.answer_wait_s = answer_wait_s
        self.drain_timeout_s = drain_timeout_s
        self.watch = _Watch()
        assistant.subscribe(self.watch)

    async def run(self) -> RunResult:
        a = self.assistant
        watch = self.watch
        expected = 0
        try:
            before = watch.turns_completed
            await a.start()
            await watch.until(lambda: watch.live, a)
            if a.source is not None:
                await self._wait_event(a.microphone_ended, a)
                # Speech gets one answer; a silent file may get none, so that wait is bounded.
                try:
                    async with asyncio.timeout(self.answer_wait_s):
                        await watch.until(_answered_after(watch, before), a)
                    expected = watch.turns_completed
                except TimeoutError:
                    log.info("no answer to the microphone input within %.0f s", self.answer_wait_s)
            for text in self.texts:
                before = watch.turns_completed
                await a.send_text(text)
                expected = before + 1
                await watch.until(_answered_after(watch, before), a)
            if isinstance(a.sink, WavFileSink):
                await a.sink.drain(self.drain_timeout_s)
        except _Ended:
            pass
        finally:
            await a.stop()
        fatal = watch.fatal
        if fatal is not None:
            return RunResult(EXIT_FAILED, watch.turns_completed, watch.errors, fatal.message)
        if watch.turns_completed < expected:
            return RunResult(
                EXIT_FAILED, watch.turns_completed, watch.errors, "the conversation ended early"
            )
        return RunResult(EXIT_OK, watch.turns_completed, watch.errors)

    async def _wait_event(self, event: asyncio.Event, a: Assistant) -> None:
        waiter = asyncio.ensure_future(event.wait())
        ended = asyncio.ensure_future(a.wait_session_ended())
        try:
            await asyncio.wait({waiter, ended}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            ended.cancel()
        if not event.is_set():
            raise _Ended()


# ------------------------------------------------------------------------------ command line


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="desktop-assistant chat",
        description="Hold a conversation with the model without a window.",
    )
    add = p.add_argument
    add("--headless", action="store_true", help="run without a window (required for now)")
    add(
        "--backend",
        choices=[k.value for k in BackendKind if k is not BackendKind.AUTO],
        help="where to talk: local server (default without a key), gemini, ephemeral, vertex",
    )
    add("--base-url", help="any Live endpoint, e.g. https://127.0.0.1:8443")
    add("--ca-file", type=Path, help="PEM bundle to trust for --base-url")
    add(
        "--api-key",
        help="the key for --base-url (prefer GEMINI_API_KEY: argv is visible to others)",
    )
    add("--model", help="the Live model")
    add("--voice", help="one of the 30 prebuilt voices")
    add("--language", help="spoken language (half-cascade models)")
    add("--system-instruction", help="what the model should be")
    add("--settings", type=Path, help="a settings JSON file instead of the user's settings")
    add("--mic-wav", type=Path, metavar="IN", help="a WAV file streamed as the microphone")
    add("--text", action="append", default=[], metavar="T", help="a typed turn (repeatable)")
    add("--speaker-wav", type=Path, metavar="OUT", help="record what would be played (24 kHz)")
    add("--transcript-jsonl", type=Path, metavar="OUT", help="one JSON object per event")
    add("--timeout", type=float, default=300.0, metavar="S", help="give up after S seconds")
    add("--speed", type=float, default=1.0, help="play the mic (and speaker) this much faster")
    add("--tool", action="append", default=None, metavar="NAME", help="enable only these tools")
    add("--approve-tools", action="store_true", help="let side-effecting tools run unasked")
    add(
        "--answer-wait",
        type=float,
        default=15.0,
        metavar="S",
        help="how long to wait for an answer to the microphone input",
    )
    add(
        "--server-engine",
        help="local server engine: auto (offline when installed), offline, echo or script:PATH",
    )
    add("--server-speed", type=float, default=None, help="local server pacing factor")
    add(
        "--server-lifetime",
        type=float,
        default=None,
        metavar="S",
        help="local server connection lifetime (GoAway before it)",
    )
    add("--server-goaway-notice", type=float, default=None, metavar="S")
    add(
        "--server-fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault in the local server (e.g. close:1011@conn=1,frames=2)",
    )
    add("--mic", help="a microphone device (not available in this build yet)")
    add("--speaker", help="a speaker device (not available in this build yet)")
    add("--camera", help="a camera or video file (not available in this build yet)")
    add("-v", "--verbose", action="count", default=0)
    return p  # fmt: skip


def load_settings(args: argparse.Namespace) -> Settings:
    if args.settings is not None:
        store = SettingsStore(args.settings, policy_path=Path("/nonexistent/policy.json"))
    else:
        store = SettingsStore()
    loaded = store.load()
    for problem in loaded.problems:
        log.warning("%s", problem)
    changes: dict[str, Any] = {}
    if args.model:
        changes["model"] = args.model
    if args.voice:
        changes.setdefault("voice", {})["name"] = args.voice
    if args.language:
        changes.setdefault("voice", {})["language_code"] = args.language
    if args.system_instruction is not None:
        changes["system_instruction"] = args.system_instruction
    if args.tool is not None:
        changes["tools"] = {"enabled": [t for t in args.tool if t]}
    if args.backend:
        changes["backend"] = {"kind": args.backend}
    if args.server_engine:
        changes.setdefault("backend", {})["local_engine"] = args.server_engine
    return loaded.settings.updated(changes) if changes else loaded.settings


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    redact.install()
    if not args.headless:
        parser.error("only --headless conversations exist so far; add --headless")
    for flag in ("mic", "speaker", "camera"):
        if getattr(args, flag):
            parser.error(f"--{flag} needs the device backends, which this build does not have yet")
    if args.mic_wav is not None and not args.mic_wav.is_file():
        parser.error(f"--mic-wav: {args.mic_wav} does not exist")
    if args.speed <= 0 or args.timeout <= 0:
        parser.error("--speed and --timeout must be positive")
    try:
        settings = load_settings(args)
    except ValidationError as exc:
        print(f"desktop-assistant chat: invalid settings: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(_run(args, settings))
    except KeyboardInterrupt:
        return EXIT_FAILED


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    overrides = BackendOverrides(
        kind=BackendKind(args.backend) if args.backend else None,
        base_url=args.base_url,
        ca_file=args.ca_file,
        api_key=args.api_key,
    )
    local = LocalServerOptions(
        engine=settings.backend.local_engine,
        speed=args.server_speed if args.server_speed is not None else max(1.0, args.speed),
        connection_lifetime_s=args.server_lifetime if args.server_lifetime is not None else 600.0,
        goaway_notice_s=args.server_goaway_notice
        if args.server_goaway_notice is not None
        else 50.0,
        faults=tuple(args.server_fault),
    )
    try:
        secrets = SecretStore()
    except Exception as exc:  # no keychain at all is fine here: keys may come from flags/env
        log.info("no keychain: %s", exc)
        secrets = None
    clock = time.monotonic
    t0 = clock()
    out: IO[str] | None = None
    try:
        async with open_backend(settings, overrides, secrets=secrets, local=local) as backend:
            log.info("talking to %s", backend.description)
            source: AudioSource | None = None
            if args.mic_wav is not None:
                source = WavFileSource(args.mic_wav, speed=args.speed, trailing_silence_s=1.0)
            sink = WavFileSink(args.speaker_wav, speed=args.speed)
            if args.transcript_jsonl is not None:
                args.transcript_jsonl.parent.mkdir(parents=True, exist_ok=True)
                out = args.transcript_jsonl.open("w", encoding="utf-8")
            writer = TranscriptWriter(out, clock, t0) if out is not None else None
            result = await run_conversation(
                settings,
                backend,
                source=source,
                sink=sink,
                texts=args.text,
                approve_tools=args.approve_tools,
                listeners=[writer] if writer else [],
                answer_wait_s=args.answer_wait / args.speed,
                timeout_s=args.timeout,
                clock=clock,
            )
            if writer is not None:
                writer.write(summary_record(result.entries, clock() - t0))
    except SettingsRefused as exc:
        print(f"desktop-assistant chat: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BackendError as exc:
        print(f"desktop-assistant chat: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WavFormatError as exc:
        print(f"desktop-assistant chat: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if out is not None:
            out.close()
    if result.run.exit_code != EXIT_OK:
        print(f"desktop-assistant chat: {result.run.reason}", file=sys.stderr)
    return result.run.exit_code


@dataclass
class ConversationResult:
    run: RunResult
    entries: list[TranscriptEntry]
    session: GenaiLiveSession
    assistant: Assistant


async def run_conversation(
    settings: Settings,
    backend: OpenBackend,
    *,
    source: AudioSource | None = None,
    sink: AudioSink | None = None,
    frame_sources: Sequence[FrameSource] = (),
    texts: Sequence[str] = (),
    approve_tools: bool = False,
    listeners: Sequence[Callable[[object], None]] = (),
    answer_wait_s: float = 15.0,
    timeout_s: float = 300.0,
    clock: Callable[[], float] = time.monotonic,
) -> ConversationResult:
    """Wire settings, backend and ports into an ``Assistant`` and run the scripted conversation."""
    resolution = resolve(settings, platform=backend.endpoint.platform, ephemeral=backend.ephemeral)
    for note in resolution.notes:
        log.warning("%s", note)
    registry = builtin_registry(
        resolution.settings.tools.enabled,
        default_timeout_s=resolution.settings.tools.timeout_s,
        default_scheduling=resolution.settings.tools.non_blocking_scheduling.value,
    )
    dispatcher = RegistryDispatcher(registry)
    session = GenaiLiveSession(
        resolution.settings,
        endpoint=backend.endpoint,
        credentials=backend.credentials,
        tools=dispatcher.declarations(),
        resolution=resolution,
        ephemeral=backend.ephemeral,
        clock=clock,
    )
    assistant = Assistant(
        session,
        source=source,
        sink=sink,
        frame_sources=frame_sources,
        tools=dispatcher,
        options=AssistantOptions(
            push_to_talk=not resolution.settings.activity_detection.automatic,
            approval_policy=(lambda name, args: True) if approve_tools else (lambda n, a: False),
        ),
        clock=clock,
    )
    # Re-seeding after a lost handle replays what the user actually heard.
    session.history_provider = assistant.conversation.history
    for listener in listeners:
        assistant.subscribe(listener)
    runner = HeadlessRunner(assistant, texts=texts, answer_wait_s=answer_wait_s)
    try:
        async with asyncio.timeout(timeout_s):
            run = await runner.run()
    except TimeoutError:
        with contextlib.suppress(Exception):
            await assistant.stop()
        run = RunResult(
            EXIT_TIMEOUT,
            runner.watch.turns_completed,
            runner.watch.errors,
            f"the conversation did not finish within {timeout_s:g} s",
        )
    return ConversationResult(run, list(assistant.conversation.entries), session, assistant)
