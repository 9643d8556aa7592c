"""Media benchmark: the real devices (a private PulseAudio server) against the local Live server.

One run is one spoken conversation through the virtual microphone and speaker, with the
speaker audible to the microphone (a 50 ms loopback, so the echo canceller works for its living)
and the stand-in camera file sent at 1 FPS. The model tells a story; every few seconds the user
(a speech fixture played into the microphone) barges in; the server's VAD cuts the model off and,
once the user is done, the model starts the next story. It prints one JSON object:

- ``barge_in_ms``: the ``interrupted`` frame arriving at the client -> the speaker monitor silent;
- ``mic_to_wire_ms``: a sample at the microphone's ADC -> its block handed to the socket
  (per block: the oldest sample, the newest, and the mean sample);
- ``first_audio_ms``: the first model audio frame of a turn arriving -> its first sample at the
  DAC (and, as a cross-check, audible on the monitor);
- ``underruns_per_min``, ``cpu_percent_of_one_core`` (this process: devices, DSP, SDK; the server
  and the measuring recorder run in their own processes), ``jpeg``: encode time and size.

Times come from ``time.monotonic()`` (CLOCK_MONOTONIC, shared by all processes) and PortAudio's
ADC/DAC timestamps; ``timestamp_check_ms`` compares the speaker's DAC estimate with the monitor's
ADC estimate of the same sound, which should agree to a few milliseconds.

    python bench/media_bench.py                # 2 minutes, as issue 5 asks
    python bench/media_bench.py --duration 30  # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

THIS_FILE = Path(__file__).resolve()
REPO = THIS_FILE.parents[1]
sys.path.insert(0, str(REPO))

STORY = (
    "Once upon a time there was a lighthouse keeper who counted the ships every night. "
    "He wrote their names in a little book, and sang to the sea when the fog came in. "
    "One winter a ship with no name sailed past, and he followed its light until morning."
)
USER_LINES = ("en_interrupt", "en_weather", "en_time")
MODEL = "gemini-2.5-flash-native-audio-preview-09-2025"
LOUD_DBFS = -50.0
SILENT_DBFS = -60.0
BIN_S = 0.001


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    arr = np.asarray(values, dtype=np.float64)
    return {
        "p50": round(float(np.percentile(arr, 50)), 2),
        "p95": round(float(np.percentile(arr, 95)), 2),
        "n": int(arr.size),
    }


# ---------------------------------------------------------------------------- the recorder process


async def record_monitor(out: Path) -> None:
    """Child process: record the speaker's monitor with ADC timestamps until stdin closes."""
    from desktop_assistant.media.audio.devices import refresh_devices
    from desktop_assistant.media.audio.factory import open_microphone

    refresh_devices()
    monitor = open_microphone("speaker.monitor")
    await monitor.start()
    blocks = []

    async def read() -> None:
        while True:
            blocks.append(await monitor.read())

    reader = asyncio.create_task(read())
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reader
    await monitor.stop()
    starts = np.array([b.captured_at for b in blocks], dtype=np.float64)
    pcm = np.frombuffer(b"".join(b.pcm for b in blocks), dtype="<i2")
    np.savez(out, starts=starts, pcm=pcm)


class MonitorTrace:
    """The monitor's loudness in 1 ms bins, on the monotonic clock."""

    def __init__(self, path: Path) -> None:
        data = np.load(path)
        starts, pcm = data["starts"], data["pcm"].astype(np.float64)
        per_block = 320
        times = (starts[:, None] + np.arange(per_block)[None, :] / 16_000).ravel()[: pcm.size]
        bins = pcm.size // 16
        ms = np.mean(pcm[: bins * 16].reshape(bins, 16) ** 2, axis=1)
        self.levels = 10 * np.log10(np.maximum(ms, 1e-9) / 32768.0**2)
        self.times = times[: bins * 16 : 16]

    def was_loud_before(self, t: float, window_s: float = 0.03) -> bool:
        mask = (self.times >= t - window_s) & (self.times < t)
        return bool(mask.any() and np.max(self.levels[mask]) > LOUD_DBFS)

    def silent_from(self, t: float, horizon_s: float = 0.5) -> float | None:
        """When the sound stopped for good after ``t`` (the end of the last loud bin)."""
        mask = (self.times >= t - 0.05) & (self.times < t + horizon_s)
        if not mask.any():
            return None
        times, levels = self.times[mask], self.levels[mask]
        loud = np.nonzero(levels > SILENT_DBFS)[0]
        return float(times[loud[-1]] + BIN_S) if loud.size else float(times[0])

    def onset_after(self, t: float, horizon_s: float = 1.0) -> float | None:
        mask = (self.times >= t) & (self.times < t + horizon_s)
        loud = np.nonzero(self.levels[mask] > LOUD_DBFS)[0]
        return float(self.times[mask][loud[0]]) if loud.size else None


# ---------------------------------------------------------------------------- the conversation


class Conversation:
    """The SDK session with our devices on both ends (as the Assistant wires them)."""

    def __init__(self, session: Any, audio: Any) -> None:
        self.session = session
        self.audio = audio
        self.turn = 1
        self.interrupted_at: list[float] = []
        self.audio_at: dict[int, float] = {}
        self.send_times: list[tuple[float, float]] = []
        self.user_windows: list[tuple[float, float]] = []
        """(start, end) of each time the user spoke (a fixture played into the mic)."""
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._uplink(), name="bench-uplink"),
            asyncio.create_task(self._downlink(), name="bench-downlink"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, EOFError):
                await task

    async def _uplink(self) -> None:
        from google.genai import types

        while True:
            block = await self.audio.mic.read()
            await self.session.send_realtime_input(
                audio=types.Blob(data=block.pcm, mime_type="audio/pcm;rate=16000")
            )
            self.send_times.append((block.captured_at, time.monotonic()))

    async def _downlink(self) -> None:
        while True:
            async for message in self.session.receive():
                content = message.server_content
                if content is not None and content.interrupted:
                    now = time.monotonic()
                    self.audio.speaker.interrupt()
                    self.interrupted_at.append(now)
                    self.turn += 1
                    continue
                if message.data:
                    self.audio_at.setdefault(self.turn, time.monotonic())
                    self.audio.speaker.write(message.data, self.turn)
                if content is not None and content.turn_complete:
                    self.turn += 1


async def wait_for(condition: Any, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


class Helpers:
    """The local server and the monitor recorder, each in its own process (so that neither counts
    in this process's CPU figure)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.server: subprocess.Popen[bytes] | None = None
        self.monitor: subprocess.Popen[str] | None = None
        self.monitor_out = work / "monitor.npz"

    def start(self) -> dict[str, str]:
        script = self.work / "script.json"
        turn = {"steps": [{"say": STORY}, {"hold": True}]}
        script.write_text(json.dumps({"turns": [turn], "after_last": "repeat_last"}))
        ready = self.work / "ready.json"
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "desktop_assistant",
                "serve",
                f"--engine=script:{script}",
                f"--ready-file={ready}",
                "--lifetime=0",
                "--log-level=WARNING",
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,  # stdout carries the one JSON object only
        )
        deadline = time.monotonic() + 60
        while not ready.exists():
            if time.monotonic() > deadline or self.server.poll() is not None:
                raise RuntimeError("the local server did not start")
            time.sleep(0.05)
        self.monitor = subprocess.Popen(
            [sys.executable, str(THIS_FILE), "--monitor", str(self.monitor_out)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self.monitor.stdout is not None
        if self.monitor.stdout.readline().strip() != "ready":
            raise RuntimeError("the monitor recorder did not start")
        details: dict[str, str] = json.loads(ready.read_text())
        return details

    def finish_monitor(self) -> MonitorTrace:
        assert self.monitor is not None
        assert self.monitor.stdin is not None
        self.monitor.stdin.close()
        self.monitor.wait(60)
        return MonitorTrace(self.monitor_out)

    def stop(self) -> None:
        if self.monitor is not None and self.monitor.poll() is None:
            self.monitor.kill()
        if self.server is not None:
            self.server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.server.wait(10)


@dataclass
class Measured:
    wall_s: float = 0.0
    cpu_s: float = 0.0
    underruns: int = 0
    underflows: int = 0
    input_latency_ms: float = 0.0
    output_latency_ms: float = 0.0


async def converse(pulse: Any, talk: Conversation, audio: Any, duration_s: float) -> Measured:
    """The model talks; the user barges in every few seconds; until ``duration_s`` has passed."""
    from tests.support.fixtures import speech

    user_pcm = {name: speech(name).pcm16() for name in USER_LINES}
    measured = Measured()
    cpu0, wall0 = time.process_time(), time.monotonic()
    underruns0, underflows0 = audio.speaker.underruns, audio.speaker.device_underflows
    cycle = 0
    while time.monotonic() - wall0 < duration_s:
        current = talk.turn
        if not await wait_for(lambda turn=current: turn in talk.audio_at, 30):
            break
        # Let the model talk for 2.5 s, then the user speaks over it.
        await wait_for(lambda turn=current: audio.speaker.played_samples(turn) >= 2.5 * 24_000, 30)
        started, seen = time.monotonic(), len(talk.interrupted_at)
        feed = pulse.feed_microphone(user_pcm[USER_LINES[cycle % len(USER_LINES)]], 16_000)
        await wait_for(lambda count=seen: len(talk.interrupted_at) > count, 20)
        await asyncio.to_thread(feed.wait)
        talk.user_windows.append((started, time.monotonic()))
        cycle += 1
    measured.cpu_s = time.process_time() - cpu0
    measured.wall_s = time.monotonic() - wall0
    measured.underruns = audio.speaker.underruns - underruns0
    measured.underflows = audio.speaker.device_underflows - underflows0
    measured.input_latency_ms = round(audio.mic.latency_s * 1000, 1)
    measured.output_latency_ms = round(audio.speaker.latency_s * 1000, 1)
    return measured


class VideoUplink:
    """The app's video uplink (the Assistant's video loop, media's pacing and encoder), measured.

    The bench talks to the SDK directly, so the Assistant gets a session that only sends video.
    """

    def __init__(self, camera: Any, send: Any, *, user_active: Any) -> None:
        from desktop_assistant.core.assistant import Assistant
        from desktop_assistant.media.video.encode import encode_jpeg
        from desktop_assistant.media.video.factory import open_frame_pacing

        self.encode_ms: list[float] = []
        self.jpeg_bytes: list[int] = []

        def encode(frame: Any) -> bytes:
            encoded = encode_jpeg(frame)
            self.encode_ms.append(encoded.encode_ms)
            self.jpeg_bytes.append(len(encoded.jpeg))
            return encoded.jpeg

        self.pacing = open_frame_pacing(fps=1.0, user_active=user_active)
        self.assistant = Assistant(
            _VideoOnlySession(send), frame_sources=[camera], encode_jpeg=encode, pacing=self.pacing
        )

    @property
    def frames_sent(self) -> int:
        return self.assistant.stats.frames_sent

    @property
    def frames_skipped(self) -> int:
        return self.assistant.stats.frames_skipped

    async def start(self) -> None:
        await self.assistant.start()

    async def stop(self) -> None:
        await self.assistant.stop()


class _VideoOnlySession:
    """A ``LiveSession`` that forwards video and nothing else (the bench sends audio itself)."""

    def __init__(self, send: Any) -> None:
        self._send = send
        self._closed = asyncio.Event()

    async def send_video(self, jpeg: bytes) -> None:
        await self._send(jpeg)

    async def send_audio(self, block: Any) -> None: ...

    async def send_text(self, text: str) -> None: ...

    async def send_activity_start(self) -> None: ...

    async def send_activity_end(self) -> None: ...

    async def send_audio_stream_end(self) -> None: ...

    async def send_tool_responses(self, responses: Any) -> None: ...

    async def events(self) -> Any:
        await self._closed.wait()
        return
        yield

    async def aclose(self) -> None:
        self._closed.set()


async def run(
    duration_s: float, speaker_period_ms: int, speaker_latency_s: float
) -> dict[str, Any]:
    import ssl

    from google import genai
    from google.genai import types

    from desktop_assistant.media.audio.devices import refresh_devices
    from desktop_assistant.media.audio.factory import open_audio
    from desktop_assistant.media.video.factory import open_camera
    from tests.support.fixtures import camera_video
    from tests.support.pulse import VirtualAudio

    work = Path(tempfile.mkdtemp(prefix="da-media-bench-"))
    pulse = VirtualAudio()
    pulse.start()
    refresh_devices()
    helpers = Helpers(work)
    try:
        details = await asyncio.to_thread(helpers.start)
        context = ssl.create_default_context(cafile=details["ca_file"])
        client = genai.Client(
            api_key=details["api_key"],
            http_options=types.HttpOptions(
                base_url=details["base_url"],
                api_version="v1beta",
                async_client_args={"ssl": context, "proxy": None},
            ),
        )
        audio = open_audio(speaker_period_ms=speaker_period_ms, speaker_latency_s=speaker_latency_s)
        camera = open_camera(camera_video())
        with pulse.echo_path(latency_ms=50):
            await audio.start()
            config = types.LiveConnectConfig(response_modalities=["AUDIO"])
            async with client.aio.live.connect(model=MODEL, config=config) as session:

                async def send_video(jpeg: bytes) -> None:
                    await session.send_realtime_input(
                        video=types.Blob(data=jpeg, mime_type="image/jpeg")
                    )

                talk = Conversation(session, audio)
                talk.start()
                uplink = VideoUplink(camera, send_video, user_active=audio.mic.user_active)
                await uplink.start()
                await wait_for(lambda: len(talk.send_times) > 25, 20)
                await session.send_client_content(
                    turns=types.Content(role="user", parts=[types.Part(text="A story, please.")]),
                    turn_complete=True,
                )
                measured = await converse(pulse, talk, audio, duration_s)
                await uplink.stop()
                await talk.stop()
            echo_stats = audio.echo.stats()
            overflows = audio.mic.overflows
            frame = camera.latest()
            await audio.stop()
        trace = await asyncio.to_thread(helpers.finish_monitor)
    finally:
        helpers.stop()
        pulse.stop()
    return report(talk, audio, trace, measured, uplink, frame, echo_stats, overflows)


def report(
    talk: Conversation,
    audio: Any,
    trace: MonitorTrace,
    measured: Measured,
    uplink: Any,
    frame: Any,
    echo_stats: Any,
    overflows: int,
) -> dict[str, Any]:
    from desktop_assistant.core.ports import Frame
    from desktop_assistant.media.video.encode import encode_jpeg

    # A barge-in the user did not cause (none of their speech in the second before it): the model
    # heard itself. The server's VAD needs ~0.1-0.3 s, hence the margin after each window.
    false_barge_ins = sum(
        1
        for t in talk.interrupted_at
        if not any(start <= t <= end + 1.0 for start, end in talk.user_windows)
    )
    barge, was_quiet = [], 0
    for t in talk.interrupted_at:
        if not trace.was_loud_before(t):
            was_quiet += 1  # the model was between words: nothing to cut
            continue
        silent = trace.silent_from(t)
        if silent is not None:
            barge.append((silent - t) * 1000)
    first_dac, first_monitor, check = [], [], []
    for turn_no, arrived in talk.audio_at.items():
        dac = audio.speaker.first_sample_dac.get(turn_no)
        if dac is None:
            continue
        first_dac.append((dac - arrived) * 1000)
        onset = trace.onset_after(arrived)
        if onset is not None:
            first_monitor.append((onset - arrived) * 1000)
            check.append((onset - dac) * 1000)
    oldest = [(wire - captured) * 1000 for captured, wire in talk.send_times]
    big = []
    if frame is not None:
        import cv2

        pixels = cv2.resize(frame.pixels, (1280, 720))
        big = [encode_jpeg(Frame(pixels=pixels, captured_at=0.0, sequence=i)) for i in range(20)]
    wall = measured.wall_s
    minutes = wall / 60
    result: dict[str, Any] = {
        "benchmark": "media",
        "conversation_s": round(wall, 1),
        "barge_ins": len(talk.interrupted_at),
        "barge_in_ms": {**percentiles(barge), "model_already_quiet": was_quiet},
        "false_barge_ins": false_barge_ins,
        "mic_to_wire_ms": {
            "mean_sample": percentiles([x - 10.0 for x in oldest]),
            "newest_sample": percentiles([x - 20.0 for x in oldest]),
            "oldest_sample": percentiles(oldest),
            "block_ms": 20,
            "input_latency_ms": measured.input_latency_ms,
        },
        "first_audio_ms": {
            "dac": percentiles(first_dac),
            "monitor": percentiles(first_monitor),
            "output_latency_ms": measured.output_latency_ms,
            "period_ms": audio.speaker.period_ms,
        },
        "timestamp_check_ms": percentiles(check),
        "underruns_per_min": round(measured.underruns / minutes, 2) if minutes else None,
        "device_underflows_per_min": round(measured.underflows / minutes, 2) if minutes else None,
        "mic_overflows": overflows,
        "cpu_percent_of_one_core": round(100 * measured.cpu_s / wall, 2) if wall else None,
        "video": {
            "frames_sent": uplink.frames_sent,
            "frames_skipped": uplink.frames_skipped,
            "fps_sent": round(uplink.frames_sent / wall, 2) if wall else None,
        },
        "jpeg": {
            "camera_640x360": {
                "encode_ms": percentiles(uplink.encode_ms),
                "bytes_mean": int(np.mean(uplink.jpeg_bytes)) if uplink.jpeg_bytes else None,
            },
            "frame_1280x720_to_1024": {
                "encode_ms": percentiles([e.encode_ms for e in big]),
                "bytes_mean": int(np.mean([len(e.jpeg) for e in big])) if big else None,
            },
        },
        "echo": {
            "erle_db_over_run": round(echo_stats.erle_db, 1),
            "delay_hint_ms": echo_stats.delay_ms,
            "note": "ERLE over the whole run includes the user's speech (double talk)",
        },
        "targets": {
            "barge_in_p95_ms": 30,
            "mic_to_wire_p95_ms": 40,
            "first_audio_p95_ms": 40,
            "cpu_percent": 10,
        },
    }
    result["met"] = {
        "barge_in": _le(result["barge_in_ms"]["p95"], 30),
        "mic_to_wire": _le(result["mic_to_wire_ms"]["mean_sample"]["p95"], 40),
        "first_audio": _le(result["first_audio_ms"]["dac"]["p95"], 40),
        "cpu": _le(result["cpu_percent_of_one_core"], 10),
    }
    return result


def _le(value: object, target: float) -> bool | None:
    return None if not isinstance(value, int | float) else bool(value <= target)


def main() -> None:
    from desktop_assistant.media.audio.playback import OUTPUT_LATENCY_S, PERIOD_MS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of conversation")
    parser.add_argument("--speaker-period-ms", type=int, default=PERIOD_MS, help="output period")
    parser.add_argument("--speaker-latency", type=float, default=OUTPUT_LATENCY_S, help="seconds")
    parser.add_argument("--monitor", type=Path, help=argparse.SUPPRESS)  # the recorder child
    args = parser.parse_args()
    if args.monitor is not None:
        asyncio.run(record_monitor(args.monitor))
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(json.dumps(asyncio.run(run(args.duration, args.speaker_period_ms, args.speaker_latency))))


if __name__ == "__main__":
    main()
