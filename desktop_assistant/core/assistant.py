"""The orchestrator: microphone → session → speaker, tools, and one stream of events for the UI.

``Assistant`` takes the ports (a ``LiveSession``, an ``AudioSource``, an ``AudioSink``, optional
``FrameSource``s with a JPEG encoder, a ``ToolDispatcher``) and runs the conversation:

* **Uplink**: a reader task takes microphone blocks into a bounded drop-oldest queue (latency can
  never grow; drops are counted and reported), a sender task forwards them to the session. Mute
  stops the audio and sends ``audioStreamEnd``; push-to-talk sends activity start (then a short
  pre-roll of what was said just before the press) and always activity end on release.
* **Downlink**: every session event is handled in order. ``Interrupted`` cuts the speaker first
  (before anything else is looked at) and drops the late audio of the cut turn; model audio goes to
  ``sink.write(pcm, turn)``; tool calls run as supervised tasks and are cancelled when the service
  cancels them.
* **Video**: one loop looks at the active frame source every ``FramePacing.interval_s()`` and
  sends the frames the pacing lets through (media's pacing skips unchanged pictures and slows
  down while the user is silent; without one, every new frame at ``video_fps``). The decision and
  the JPEG encode run in an executor; pausing stops it in one call (a frame being encoded then is
  dropped), and ``VideoSendingChanged`` says whether pictures are going out.
* **Events out**: everything the session says, plus ``TurnStateChanged``, ``PlaybackCut``,
  ``ToolApprovalRequested``, ``ToolCallFinished``, ``TextSent``, ``VideoFrameSent``,
  ``VideoSendingChanged``, ``UplinkOverflowed`` and ``MediaErrored`` (the devices' own, handed in
  by the app through ``report``), to synchronous subscribers (``subscribe``) or an async stream
  (``events``), all on the loop thread.

Every task is named and supervised; ``stop()`` stops the streams, then the session, then the tasks.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_assistant.core.conversation import Conversation
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    ErrorAction,
    Interrupted,
    MediaErrored,
    ModelAudioReceived,
    PlaybackCut,
    SessionErrored,
    TextSent,
    ToolApprovalRequested,
    ToolCallCancelled,
    ToolCallFinished,
    ToolCallRequested,
    TurnCompleted,
    UplinkOverflowed,
    VideoFrameSent,
    VideoSendingChanged,
)
from desktop_assistant.core.observers import EventHub
from desktop_assistant.core.ports import (
    DOWNLINK_SAMPLE_RATE_HZ,
    AudioBlock,
    AudioSink,
    AudioSource,
    Frame,
    FramePacing,
    FrameSource,
    LiveSession,
    OutputDevice,
    ToolDispatcher,
    ToolOutcome,
    ToolResponse,
)
from desktop_assistant.core.tasks import TaskSupervisor

log = logging.getLogger(__name__)

Clock = Callable[[], float]
JpegEncoder = Callable[[Frame], bytes]
ApprovalPolicy = Callable[[str, Mapping[str, object]], bool | None]
"""``(name, args) -> True/False`` decides at once; ``None`` asks the user (``ToolApprovalRequested``)."""


@dataclass(frozen=True, slots=True)
class AssistantOptions:
    push_to_talk: bool = False
    """Manual turns: audio goes out only between press and release (activity start/end)."""
    uplink_queue_blocks: int = 10
    """Bounded uplink between microphone and link (10 x 20 ms: at most 200 ms of extra latency)."""
    preroll_ms: int = 300
    """Push-to-talk: audio from just before the press that is sent after activity start."""
    video_fps: float = 1.0
    """How often the video loop looks for a new frame when no ``FramePacing`` is given."""
    approval_policy: ApprovalPolicy | None = None
    overflow_report_interval_s: float = 5.0


@dataclass
class AssistantStats:
    blocks_captured: int = 0
    blocks_sent: int = 0
    blocks_dropped_uplink: int = 0
    blocks_dropped_muted: int = 0
    late_audio_chunks_dropped: int = 0
    model_audio_chunks: int = 0
    frames_sent: int = 0
    frames_skipped: int = 0
    """New frames the pacing held back (unchanged, or not due while the user is silent)."""
    video_looks: int = 0
    """Times the video loop looked at the active source (sent, skipped, paused or no picture)."""
    tool_calls: int = 0


class SteadyPacing:
    """The pacing without media's help: every new frame, looked for ``fps`` times a second."""

    def __init__(self, fps: float = 1.0) -> None:
        if fps <= 0:
            raise ValueError("the video rate must be positive")
        self.fps = fps

    def interval_s(self) -> float:
        return 1.0 / self.fps

    def should_send(self, frame: Frame) -> bool:
        return True

    def sent(self, frame: Frame) -> None:
        return None

    def reset(self) -> None:
        return None


class _DropOldestQueue:
    """A bounded queue whose ``put`` never waits: the oldest item makes room."""

    def __init__(self, maxsize: int) -> None:
        self._items: collections.deque[AudioBlock | None] = collections.deque()
        self._maxsize = max(1, maxsize)
        self._ready = asyncio.Event()
        self.dropped = 0

    def put(self, item: AudioBlock | None) -> None:
        """Queue a block; ``None`` marks the end of a finite source."""
        if len(self._items) >= self._maxsize:
            self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        self._ready.set()

    async def get(self) -> AudioBlock | None:
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def clear(self) -> int:
        """Drop the queued blocks (an end-of-stream mark stays); returns how many."""
        ended = None in self._items
        count = len(self._items) - int(ended)
        self._items.clear()
        if ended:
            self._items.append(None)
        return count

    def __len__(self) -> int:
        return len(self._items)


class Assistant:
    """One conversation. Methods are called on the loop thread (the Qt thread under qasync)."""

    def __init__(
        self,
        session: LiveSession,
        *,
        source: AudioSource | None = None,
        sink: AudioSink | None = None,
        frame_sources: Sequence[FrameSource] = (),
        encode_jpeg: JpegEncoder | None = None,
        pacing: FramePacing | None = None,
        tools: ToolDispatcher | None = None,
        options: AssistantOptions | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.session = session
        self.source = source
        self.sink = sink
        self.frame_sources = list(frame_sources)
        self._encode_jpeg = encode_jpeg
        self.tools = tools
        self.options = options or AssistantOptions()
        self.pacing: FramePacing = pacing or SteadyPacing(self.options.video_fps)
        self._clock = clock
        self.conversation = Conversation(clock)
        self.stats = AssistantStats()
        self._hub: EventHub[object] = EventHub()
        self._tasks = TaskSupervisor("assistant", self._on_task_failure)
        self._uplink = _DropOldestQueue(self.options.uplink_queue_blocks)
        self._preroll: collections.deque[AudioBlock] = collections.deque()
        self._approvals: dict[str, asyncio.Future[bool]] = {}
        self._tool_calls: dict[str, ToolCallRequested] = {}
        self._tool_started: dict[str, float] = {}
        self._active_frames: FrameSource | None = self.frame_sources[0] if frame_sources else None
        self._video_paused = False
        self._video_sending = False
        self._video_wake = asyncio.Event()
        self._last_frame_sequence: int | None = None
        self._encode_failed = False
        self.last_sent_jpeg: bytes | None = None
        self._muted = False
        self._pressed = False
        self._running = False
        self._stopping = False
        self._session_ended = asyncio.Event()
        self.microphone_ended = asyncio.Event()
        """Set when a finite source (a WAV file) has delivered its last block."""
        self._last_overflow_report = -1e9
        self._reported_drops = 0
        self._audio_rate_warned = False

    # ------------------------------------------------------------------------------ observing

    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]:
        """Call ``listener`` with every event, synchronously; returns the unsubscribe function."""
        return self._hub.subscribe(listener)

    def events(self) -> AsyncIterator[object]:
        """Every event from now on, as an async iterator (ends at ``stop()``)."""
        return self._hub.stream()

    @property
    def running(self) -> bool:
        return self._running

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def push_to_talk_pressed(self) -> bool:
        return self._pressed

    @property
    def video_paused(self) -> bool:
        return self._video_paused

    @property
    def video_sending(self) -> bool:
        """Whether pictures are going out now (see ``VideoSendingChanged``)."""
        return self._video_sending

    def report(self, event: object) -> None:
        """Put an event from outside the session into this conversation's stream, in order.

        For what the app's other parts say, a device's ``MediaErrored`` above all: subscribers
        (the window, the headless transcript) then see it among everything else. Loop thread.
        """
        self._dispatch_local(event)

    # ------------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Open the devices and start the conversation (returns once everything is running)."""
        if self._running:
            return
        self._running = True
        self._stopping = False
        if self.sink is not None and not await self._start_device("speaker", self.sink.start):
            self.sink = None
        if self.source is not None and not await self._start_device("mic", self.source.start):
            self.source = None
        for frames in list(self.frame_sources):
            if not await self._start_device("camera", frames.start):
                self.frame_sources.remove(frames)
                if self._active_frames is frames:
                    self._active_frames = None
        self._tasks.spawn("downlink", self._downlink())
        if self.source is not None:
            self._tasks.spawn("mic-reader", self._read_microphone())
            self._tasks.spawn("uplink", self._send_uplink())
        else:
            self.microphone_ended.set()
        if self.frame_sources and self._encode_jpeg is not None:
            self.pacing.reset()  # a new conversation: its first picture goes whatever it shows
            self._tasks.spawn("video", self._send_video())

    async def stop(self) -> None:
        """Streams first, then the session, then the tasks; safe to call more than once."""
        if not self._running or self._stopping:
            return
        self._stopping = True
        self._set_video_sending(False)
        if self.source is not None:
            await self._stop_device("mic", self.source.stop)
        for frames in self.frame_sources:
            await self._stop_device("camera", frames.stop)
        for future in self._approvals.values():
            future.cancel()
        await self.session.aclose()
        await self._tasks.aclose(timeout_s=5.0)
        if self.sink is not None:
            await self._stop_device("speaker", self.sink.stop)
        self._running = False
        self._hub.close()

    async def wait_session_ended(self) -> None:
        """Until the session's events end (stopped, or the session gave up)."""
        await self._session_ended.wait()

    @property
    def session_ended(self) -> bool:
        return self._session_ended.is_set()

    async def _start_device(self, device: str, start: Callable[[], Any]) -> bool:
        try:
            await start()
        except Exception as exc:
            log.warning("%s could not start: %s", device, exc)
            self._publish(
                MediaErrored(device, f"The {_device_name(device)} could not start: {exc}")
            )
            return False
        return True

    async def _stop_device(self, device: str, stop: Callable[[], Any]) -> None:
        try:
            await stop()
        except Exception as exc:
            log.warning("%s did not stop cleanly: %s", device, exc)

    def _on_task_failure(self, name: str, exc: BaseException) -> None:
        device = {"mic-reader": "mic", "video": "camera"}.get(name)
        if device is not None:
            self._publish(
                MediaErrored(device, f"The {_device_name(device)} stopped: {exc}", recoverable=True)
            )
        elif name == "downlink":
            self._publish(
                SessionErrored(
                    "The conversation stopped unexpectedly.",
                    ErrorAction.STOP,
                    detail=f"{type(exc).__name__}: {exc}",
                )
            )
            self._session_ended.set()

    # ------------------------------------------------------------------------------ user intents

    async def set_muted(self, muted: bool) -> None:
        """Muting stops sending the microphone and tells the service the stream ended."""
        if muted == self._muted:
            return
        self._muted = muted
        if muted:
            self.stats.blocks_dropped_muted += self._uplink.clear()
            if self._pressed:
                await self.push_to_talk(False)
            elif not self.options.push_to_talk:
                await self.session.send_audio_stream_end()
            self._apply(self.conversation.user_activity(False))

    async def push_to_talk(self, pressed: bool) -> None:
        """Press starts a user turn, release ends it (and always sends activity end).

        With automatic activity detection the service finds the turns itself, so holding the
        key simply opens the microphone (mute on release, with ``audioStreamEnd``).
        """
        if pressed == self._pressed:
            return
        self._pressed = pressed
        if not self.options.push_to_talk:
            await self.set_muted(not pressed)
            return
        if pressed:
            await self.session.send_activity_start()
            self._apply(self.conversation.user_activity(True))
            preroll, self._preroll = list(self._preroll), collections.deque()
            for block in preroll:
                await self.session.send_audio(block)
                self.stats.blocks_sent += 1
        else:
            await self.session.send_activity_end()
            self._apply(self.conversation.user_activity(False))

    async def send_text(self, text: str) -> None:
        """A typed message, into the same conversation."""
        text = text.strip()
        if not text:
            return
        await self.session.send_text(text)
        self._dispatch_local(TextSent(text))

    async def resolve_tool_call(self, call_id: str, approved: bool) -> None:
        """Answer a ``ToolApprovalRequested`` (later answers for a finished call are ignored)."""
        future = self._approvals.get(call_id)
        if future is not None and not future.done():
            future.set_result(approved)

    def set_frame_source(self, source: FrameSource | None) -> None:
        """Which of the frame sources sends (``None``: no video)."""
        if source is not None and source not in self.frame_sources:
            raise ValueError("not one of this assistant's frame sources")
        if source is self._active_frames:
            return
        self._active_frames = source
        self._last_frame_sequence = None
        self.pacing.reset()
        if source is None:
            self._set_video_sending(False)
        self._video_wake.set()

    def set_video_paused(self, paused: bool) -> None:
        """Pause stops pictures at once (one being encoded is dropped); resume sends the next."""
        if paused == self._video_paused:
            return
        self._video_paused = paused
        if paused:
            self._set_video_sending(False)
        else:
            self._last_frame_sequence = None
            self.pacing.reset()
            self._video_wake.set()

    # ------------------------------------------------------------------------------ uplink

    async def _read_microphone(self) -> None:
        assert self.source is not None
        while True:
            try:
                block = await self.source.read()
            except EOFError:
                log.info("the microphone source has ended")
                self._uplink.put(None)  # behind the last block: the sender ends the stream
                return
            self.stats.blocks_captured += 1
            self._uplink.put(block)
            self._report_overflow()

    async def _send_uplink(self) -> None:
        while True:
            block = await self._uplink.get()
            if block is None:
                if not self._muted and not self.options.push_to_talk:
                    await self.session.send_audio_stream_end()
                self.microphone_ended.set()
                return
            await self._forward(block)

    async def _forward(self, block: AudioBlock) -> None:
        if self._muted:
            self.stats.blocks_dropped_muted += 1
            return
        if self.options.push_to_talk and not self._pressed:
            self._preroll.append(block)
            keep = max(1, int(self.options.preroll_ms / 1000 / max(block.duration_s, 1e-3)))
            while len(self._preroll) > keep:
                self._preroll.popleft()
            return
        await self.session.send_audio(block)
        self.stats.blocks_sent += 1

    def _report_overflow(self) -> None:
        dropped = self._uplink.dropped
        self.stats.blocks_dropped_uplink = dropped
        now = self._clock()
        if (
            dropped > self._reported_drops
            and now - self._last_overflow_report >= self.options.overflow_report_interval_s
        ):
            self._publish(UplinkOverflowed(dropped - self._reported_drops))
            self._reported_drops = dropped
            self._last_overflow_report = now

    async def _send_video(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = self._clock()
            self._video_wake.clear()
            await self._look_at_video(loop)
            self.stats.video_looks += 1
            delay = max(0.0, self.pacing.interval_s() - (self._clock() - started))
            # Pacing, not waiting for a condition: the next look is due then, or at once after a
            # resume or a switch of source.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._video_wake.wait(), timeout=delay)

    async def _look_at_video(self, loop: asyncio.AbstractEventLoop) -> None:
        encode = self._encode_jpeg
        assert encode is not None
        source = self._active_frames
        if source is None or self._video_paused:
            return
        frame = source.latest()
        self._set_video_sending(frame is not None)
        if frame is None or frame.sequence == self._last_frame_sequence:
            return  # no picture yet, or the one the service already has
        pacing = self.pacing

        def decide_and_encode() -> bytes | None:
            return encode(frame) if pacing.should_send(frame) else None

        try:
            jpeg = await loop.run_in_executor(None, decide_and_encode)
        except Exception as exc:  # one bad frame must not end the video
            if not self._encode_failed:
                log.warning("a video frame could not be encoded: %s", exc)
            self._encode_failed = True
            return
        if jpeg is None:
            self.stats.frames_skipped += 1
            return
        if self._video_paused or self._active_frames is not source:
            return  # paused or switched while encoding: this picture must not go out
        await self.session.send_video(jpeg)
        pacing.sent(frame)
        self._last_frame_sequence = frame.sequence
        self.last_sent_jpeg = jpeg
        self.stats.frames_sent += 1
        self._publish(VideoFrameSent(frame.sequence, len(jpeg), frame.width, frame.height))

    def _set_video_sending(self, sending: bool) -> None:
        if sending != self._video_sending:
            self._video_sending = sending
            self._publish(VideoSendingChanged(sending))

    # ------------------------------------------------------------------------------ downlink

    async def _downlink(self) -> None:
        try:
            async for event in self.session.events():
                self._on_session_event(event)
        finally:
            self._session_ended.set()

    def _on_session_event(self, event: object) -> None:
        match event:
            case Interrupted():
                self._on_interrupted(event)
                return
            case ModelAudioReceived():
                if not self._play(event):
                    return
            case TurnCompleted():
                entry = self.conversation.current_model_entry
                played = self._played(entry.turn) if entry is not None and entry.turn else None
                if entry is not None and entry.turn is not None and played is not None:
                    self.conversation.mark_played(entry.turn, played)
            case ToolCallRequested():
                self._dispatch_local(event)
                self._start_tool(event)
                return
            case ToolCallCancelled():
                self._dispatch_local(event)
                for call_id in event.call_ids:
                    self._tasks.cancel(f"tool:{call_id}")
                return
            case ConnectionStateChanged() if event.state is ConnectionState.FAILED:
                self._pressed = False
            case _:
                pass
        self._dispatch_local(event)

    def _on_interrupted(self, event: Interrupted) -> None:
        # Cut the sound before anything else, then account for what was heard.
        if self.sink is not None:
            self.sink.interrupt()
        entry = self.conversation.current_model_entry
        turn = entry.turn if entry is not None and entry.turn is not None else None
        played = self._played(turn) if turn else None
        if turn is not None and played is not None:
            self.conversation.mark_played(turn, played)
        received = entry.received_samples if entry is not None else 0
        self._dispatch_local(event)
        self._publish(
            PlaybackCut(
                heard_fraction=min(1.0, played / received)
                if received and played is not None
                else None,
                turn=turn or 0,
                played_samples=played or 0,
                received_samples=received,
            )
        )

    def _played(self, turn: int) -> int | None:
        """Samples of ``turn`` that reached a speaker; ``None`` if there was none to play them."""
        sink = self.sink
        if sink is None:
            return None
        played = sink.played_samples(turn)
        if played == 0 and isinstance(sink, OutputDevice) and sink.device is None:
            return None  # no output device: nothing could be heard, "0 %" would be a guess
        return played

    def _play(self, event: ModelAudioReceived) -> bool:
        if not self.conversation.accepting_model_audio:
            self.stats.late_audio_chunks_dropped += 1
            return False  # audio of a generation the user already cut off: never play it
        self.stats.model_audio_chunks += 1
        turn = self.conversation.begin_model_output()
        if event.sample_rate_hz != DOWNLINK_SAMPLE_RATE_HZ and not self._audio_rate_warned:
            self._audio_rate_warned = True
            log.warning("model audio at %d Hz, the speaker expects 24 kHz", event.sample_rate_hz)
        if self.sink is not None:
            self.sink.write(event.pcm, turn)
        return True

    def _dispatch_local(self, event: object) -> None:
        """Feed the conversation, publish the event, then the state change it caused."""
        changes = self.conversation.apply(event)
        self._publish(event)
        self._apply(changes)

    def _apply(self, changes: Sequence[object]) -> None:
        for change in changes:
            self._publish(change)

    def _publish(self, event: object) -> None:
        self._hub.publish(event)

    # ------------------------------------------------------------------------------ tools

    def _start_tool(self, call: ToolCallRequested) -> None:
        self.stats.tool_calls += 1
        self._tool_calls[call.call_id] = call
        self._tool_started[call.call_id] = self._clock()
        try:
            self._tasks.spawn(f"tool:{call.call_id}", self._run_tool(call))
        except ValueError:
            log.warning("duplicate tool call id %s ignored", call.call_id)

    async def _run_tool(self, call: ToolCallRequested) -> None:
        outcome: ToolOutcome
        try:
            if self.tools is None:
                outcome = ToolOutcome("error", {"error": "No tools are available in this app."})
            else:
                outcome = await self.tools.run(call.call_id, call.name, call.args, self._approve)
        except asyncio.CancelledError:
            self._finish_tool(call, ToolOutcome("cancelled", {}))
            raise
        except Exception as exc:  # a dispatcher bug must not end the conversation either
            log.exception("tool dispatch failed for %s", call.name)
            outcome = ToolOutcome("error", {"error": f"{call.name} failed: {exc}"})
        try:
            await self.session.send_tool_responses(
                [ToolResponse(call.call_id, call.name, outcome.response, outcome.scheduling)]
            )
        finally:
            self._finish_tool(call, outcome)

    def _finish_tool(self, call: ToolCallRequested, outcome: ToolOutcome) -> None:
        started = self._tool_started.pop(call.call_id, self._clock())
        self._tool_calls.pop(call.call_id, None)
        self._approvals.pop(call.call_id, None)
        self._dispatch_local(
            ToolCallFinished(
                call.call_id,
                call.name,
                outcome.outcome,
                dict(outcome.response),
                (self._clock() - started) * 1000,
            )
        )

    async def _approve(self, call_id: str, name: str, args: Mapping[str, object]) -> bool:
        policy = self.options.approval_policy
        if policy is not None:
            decision = policy(name, args)
            if decision is not None:
                return decision
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._approvals[call_id] = future
        self._publish(
            ToolApprovalRequested(call_id, name, dict(args), "it changes something outside the app")
        )
        return await future


def _device_name(device: str) -> str:
    return {"mic": "microphone", "speaker": "speaker", "camera": "camera"}.get(device, device)
