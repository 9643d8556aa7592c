"""``desktop-assistant chat --headless``: a whole conversation without a window.

The runner is the same ``Assistant`` the window drives, wired to file-backed devices or real ones:

- a WAV file as the microphone (``--mic-wav``: streamed in real time, any format, resampled to
  16 kHz mono) and as the speaker (``--speaker-wav``: what would have been heard, cut where
  playback would have stopped);
- or a real microphone and speaker (``--mic default|NAME``, ``--speaker default|NAME``) through
  media's factories, with echo cancellation between them (``--headphones`` bypasses it);
- a camera or a video file standing in for one (``--camera INDEX|FILE``) or the screen
  (``--screen``), sent through media's pacing (``--video-fps``, slower while the user is silent,
  unchanged pictures skipped) as JPEG of at most ``--video-max-side`` pixels;
- typed turns from ``--text``, and one JSON line per event in ``--transcript-jsonl``.

A device that is missing or fails is an ``error`` line in the transcript (``MediaErrored``, handed
to the assistant's stream through ``Assistant.report``), never the end of the run. A file
microphone ends the conversation when it ends; a real one talks until ``--turns`` answers came,
Ctrl+C (or SIGTERM), or ``--timeout``.

Exit status: 0 when every turn was answered and the conversation ended cleanly (or the user ended
a live one); 1 when it failed (an error the session could not recover from); 2 for bad arguments
or settings; 3 on ``--timeout``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import enum
import json
import logging
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from desktop_assistant.core.assistant import Assistant, AssistantOptions, JpegEncoder
from desktop_assistant.core.conversation import Role, TranscriptEntry
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    ErrorAction,
    MediaErrored,
    SessionErrored,
    ToolCallFinished,
    ToolCallRequested,
    TurnCompleted,
)
from desktop_assistant.core.ports import AudioSink, AudioSource, FramePacing, FrameSource
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
    "VideoSendingChanged": "video_sending",
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
        self._out.flush()  # a live run is followed as it goes (``tail -f``), line by line
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
        self.stop_requested = False
        self._changed = asyncio.Event()

    def request_stop(self) -> None:
        """The user ended a live conversation (Ctrl+C): wrap up cleanly."""
        self.stop_requested = True
        self._changed.set()

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
            if self.fatal is not None or assistant.session_ended or self.stop_requested:
                raise _Ended()
            self._changed.clear()
            await self._changed.wait()


class _Ended(Exception):
    pass


class MediaRelay:
    """Device errors into the assistant's stream (``Assistant.report``): the transcript has them.

    Devices are made before the assistant that starts them; anything they say before it exists
    is held and handed over when it does.
    """

    def __init__(self) -> None:
        self._assistant: Assistant | None = None
        self._held: list[object] = []

    def __call__(self, event: object) -> None:
        if self._assistant is None:
            self._held.append(event)
        else:
            self._assistant.report(event)

    def attach(self, assistant: Assistant) -> None:
        self._assistant = assistant
        held, self._held = self._held, []
        for event in held:
            assistant.report(event)


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
        live_microphone: bool = False,
        turns: int | None = None,
        stop: asyncio.Event | None = None,
    ) -> None:
        self.assistant = assistant
        self.texts = list(texts)
        self.answer_wait_s = answer_wait_s
        self.drain_timeout_s = drain_timeout_s
        self.live_microphone = live_microphone
        """A real microphone: it never ends, so the run ends after ``turns`` answers or ``stop``."""
        self.turns = turns
        self.stop = stop
        self.watch = _Watch()
        assistant.subscribe(self.watch)

    async def run(self) -> RunResult:
        stopper: asyncio.Task[bool] | None = None
        if self.stop is not None:
            stopper = asyncio.ensure_future(self.stop.wait())
            stopper.add_done_callback(
                lambda task: None if task.cancelled() else self.watch.request_stop()
            )
        try:
            return await self._run()
        finally:
            if stopper is not None:
                stopper.cancel()

    async def _run(self) -> RunResult:
        a = self.assistant
        watch = self.watch
        expected = 0
        try:
            before = watch.turns_completed
            await a.start()
            await watch.until(lambda: watch.live, a)
            if a.source is not None and not self.live_microphone:
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
            if self.live_microphone:
                # The user talks as long as they like: until enough answers, or Ctrl+C.
                wanted = self.turns
                await watch.until(
                    lambda: (
                        wanted is not None
                        and watch.turns_completed >= wanted
                        and not watch.pending_tools
                    ),
                    a,
                )
                expected = watch.turns_completed
            await drain_sink(a.sink, self.drain_timeout_s)
        except _Ended:
            if watch.stop_requested:
                log.info("stopped by the user")
                expected = 0
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


async def drain_sink(sink: AudioSink | None, timeout_s: float) -> None:
    """Let what was written to ``sink`` play out before the conversation stops."""
    if isinstance(sink, WavFileSink):
        await sink.drain(timeout_s)
        return
    # Only a run with --speaker loaded the speaker (and PortAudio): no other sink can be one.
    if sink is None or "desktop_assistant.media.audio.playback" not in sys.modules:
        return
    from desktop_assistant.media.audio.playback import SpeakerPlayback

    if not isinstance(sink, SpeakerPlayback):
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while sink.device is not None:  # nothing plays without a device: nothing to wait for
        queued = sink.buffer.queued_samples()
        left = deadline - loop.time()
        if queued <= 0 or left <= 0:
            break
        # Playing out at the device's pace: no event says "the buffer ran dry".
        await asyncio.sleep(min(left, max(0.01, queued / sink.rate_hz)))
    if sink.device is not None:
        await asyncio.sleep(min(sink.latency_s, 0.5))  # PortAudio's own buffer, still audible


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
    add(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="give up after S seconds (default 300; none for a live --mic without --turns)",
    )
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
    add("--mic", metavar="DEVICE", help="talk through a microphone: default, or its name")
    add("--speaker", metavar="DEVICE", help="listen on a speaker: default, or its name")
    add(
        "--headphones",
        action="store_true",
        help="no echo path between speaker and mic: bypass the echo cancellation",
    )
    add(
        "--turns",
        type=int,
        default=None,
        metavar="N",
        help="with --mic: end after N answers (default: talk until Ctrl+C)",
    )
    add("--camera", metavar="INDEX|FILE", help="send a camera (0, 1, ...) or a video file")
    add("--screen", action="store_true", help="send the screen (the primary monitor)")
    add(
        "--video-fps",
        type=float,
        default=None,
        metavar="FPS",
        help="pictures a second at most, while you talk (<= 1; default from the settings)",
    )
    add(
        "--video-max-side",
        type=int,
        default=1024,
        metavar="PX",
        help="scale pictures down to at most PX on their longest side",
    )
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
    if args.mic and args.mic_wav is not None:
        parser.error("--mic and --mic-wav: choose one microphone")
    if args.speaker and args.speaker_wav is not None:
        parser.error("--speaker and --speaker-wav: choose one speaker")
    if args.camera and args.screen:
        parser.error("--camera and --screen: choose one picture to send")
    if args.turns is not None and (not args.mic or args.turns < 1):
        parser.error("--turns needs --mic and a number of answers (1 or more)")
    if args.mic_wav is not None and not args.mic_wav.is_file():
        parser.error(f"--mic-wav: {args.mic_wav} does not exist")
    if args.speed <= 0 or (args.timeout is not None and args.timeout <= 0):
        parser.error("--speed and --timeout must be positive")
    if args.video_fps is not None and not 0 < args.video_fps <= 1:
        parser.error("--video-fps must be more than 0 and at most 1 (the service's limit)")
    if args.video_max_side < 16:
        parser.error("--video-max-side must be at least 16")
    try:
        settings = load_settings(args)
    except ValidationError as exc:
        print(f"desktop-assistant chat: invalid settings: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(_run(args, settings))
    except KeyboardInterrupt:
        return EXIT_FAILED


@dataclass
class HeadlessDevices:
    """What the command line asked to talk, listen and show with."""

    source: AudioSource | None = None
    sink: AudioSink | None = None
    frame_sources: list[FrameSource] = field(default_factory=list)
    pacing: FramePacing | None = None
    encode_jpeg: JpegEncoder | None = None
    live_microphone: bool = False


def open_devices(
    args: argparse.Namespace, settings: Settings, report: Callable[[object], None]
) -> HeadlessDevices:
    """Files and devices from the flags; trouble with a device is reported, never raised.

    Media is imported only when a device is asked for: a run on files never loads PortAudio or
    OpenCV (and works where they are missing).
    """
    devices = HeadlessDevices()
    user_active: Callable[[], bool] | None = None
    if args.mic or args.speaker:
        try:
            from desktop_assistant.media.audio.factory import (
                open_audio,
                open_microphone,
                open_speaker,
            )

            if args.mic and args.speaker:
                # Mic and speaker share the echo canceller (``--headphones`` bypasses it).
                audio = open_audio(
                    args.mic, args.speaker, headphones=args.headphones, on_error=report
                )
                devices.source, devices.sink = audio.mic, audio.speaker
                user_active = audio.mic.user_active
            elif args.mic:
                mic = open_microphone(args.mic, on_error=report)  # no speaker: no echo to cancel
                devices.source, user_active = mic, mic.user_active
            else:
                devices.sink = open_speaker(args.speaker, on_error=report)
        except Exception as exc:  # PortAudio missing altogether: the run goes on without sound
            log.warning("no sound devices: %s", exc)
            device = "mic" if args.mic else "speaker"
            report(MediaErrored(device, f"No sound devices could be used: {exc}", False))
    devices.live_microphone = devices.source is not None
    if devices.source is None and args.mic_wav is not None:
        devices.source = WavFileSource(args.mic_wav, speed=args.speed, trailing_silence_s=1.0)
    if devices.sink is None and not args.speaker:
        devices.sink = WavFileSink(args.speaker_wav, speed=args.speed)
    if args.camera or args.screen:
        device = "camera" if args.camera else "screen"
        try:
            from desktop_assistant.media.video.encode import jpeg_encoder
            from desktop_assistant.media.video.factory import (
                open_camera,
                open_frame_pacing,
                open_screen,
            )

            frames: FrameSource = (
                open_camera(args.camera, on_error=report)
                if args.camera
                else open_screen(on_error=report)
            )
            devices.frame_sources = [frames]
            devices.encode_jpeg = jpeg_encoder(max_side=args.video_max_side)
            devices.pacing = open_frame_pacing(
                fps=args.video_fps or settings.video.frames_per_second, user_active=user_active
            )
        except Exception as exc:  # OpenCV/mss missing: the conversation goes on without video
            log.warning("no %s: %s", device, exc)
            report(MediaErrored(device, f"No pictures can be sent from the {device}: {exc}", False))
    return devices


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
            relay = MediaRelay()
            devices = open_devices(args, settings, relay)
            if args.transcript_jsonl is not None:
                args.transcript_jsonl.parent.mkdir(parents=True, exist_ok=True)
                out = args.transcript_jsonl.open("w", encoding="utf-8")
            writer = TranscriptWriter(out, clock, t0) if out is not None else None
            timeout_s = args.timeout
            if timeout_s is None and not (devices.live_microphone and args.turns is None):
                timeout_s = DEFAULT_TIMEOUT_S
            with _stop_on_signals(enabled=devices.live_microphone) as stop:
                result = await run_conversation(
                    settings,
                    backend,
                    source=devices.source,
                    sink=devices.sink,
                    frame_sources=devices.frame_sources,
                    encode_jpeg=devices.encode_jpeg,
                    pacing=devices.pacing,
                    texts=args.text,
                    approve_tools=args.approve_tools,
                    listeners=[writer] if writer else [],
                    media_relay=relay,
                    live_microphone=devices.live_microphone,
                    turns=args.turns,
                    stop=stop,
                    answer_wait_s=args.answer_wait / args.speed,
                    timeout_s=timeout_s,
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


DEFAULT_TIMEOUT_S = 300.0


@contextlib.contextmanager
def _stop_on_signals(*, enabled: bool) -> Iterator[asyncio.Event]:
    """Ctrl+C / SIGTERM end a live conversation cleanly (transcript and summary written)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    if enabled:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # no loop signal handlers (Windows)
                continue
            installed.append(sig)
    try:
        yield stop
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


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
    encode_jpeg: JpegEncoder | None = None,
    pacing: FramePacing | None = None,
    texts: Sequence[str] = (),
    approve_tools: bool = False,
    listeners: Sequence[Callable[[object], None]] = (),
    media_relay: MediaRelay | None = None,
    live_microphone: bool = False,
    turns: int | None = None,
    stop: asyncio.Event | None = None,
    answer_wait_s: float = 15.0,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
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
        encode_jpeg=encode_jpeg,
        pacing=pacing,
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
    if media_relay is not None:
        media_relay.attach(assistant)  # after the listeners: the transcript gets every error
    runner = HeadlessRunner(
        assistant,
        texts=texts,
        answer_wait_s=answer_wait_s,
        live_microphone=live_microphone,
        turns=turns,
        stop=stop,
    )
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
            f"the conversation did not finish within {timeout_s or 0:g} s",
        )
    return ConversationResult(run, list(assistant.conversation.entries), session, assistant)
