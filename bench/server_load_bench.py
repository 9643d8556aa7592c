"""Load on the local Live server: N SDK sessions streaming speech in real time, concurrently.

Each session streams 40 ms microphone blocks paced at real time (utterances of the en_weather
fixture, or espeak speech, separated by 4 s pauses) with automatic voice-activity detection,
and reads everything the server says. Prints one JSON object:

* ``reply_latency_ms``: end of an utterance's audio sent -> first model audio frame (p50/p95/max);
  it includes the silence the detector waits for (``silence_duration_ms``);
* ``send_lag_ms``: how late each block left the client compared with real time (p95/max), i.e.
  whether the event loop (shared by clients and server here) kept up;
* ``max_audio_gap_ms``: the longest pause between two model audio frames inside one reply;
* ``turns_*``, ``cpu_percent`` of this process, ``rss_mb``;
* ``pacing``: for one reply at speed factors 1 and 4, seconds of audio vs. seconds over which it
  arrived (a ratio near 1 means paced at that speed; the first chunk is sent at once).

Usage: python bench/server_load_bench.py [--sessions 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.speech import SpeechSynthesizer

BLOCK_MS = 40
RATE = 16_000
SILENCE_MS = 800
PAUSE_S = 4.0  # long enough for the echo reply to finish before the next question
FIXTURE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "speech" / "en_weather.wav"


@dataclass
class SessionFigures:
    latencies: list[float] = field(default_factory=list)
    send_lags: list[float] = field(default_factory=list)
    audio_gaps: list[float] = field(default_factory=list)
    turns: int = 0
    utterances: int = 0


async def utterance_pcm() -> bytes:
    if FIXTURE.exists():
        with wave.open(str(FIXTURE), "rb") as w:
            return w.readframes(w.getnframes())
    return await SpeechSynthesizer().synthesize(
        "What is the weather like in Berlin today?", sample_rate=RATE
    )


async def run_session(server: LocalLiveServer, utterance: bytes, seconds: float) -> SessionFigures:
    figures = SessionFigures()
    client = server.genai_client()
    config = types.LiveConnectConfig(
        response_modalities=["AUDIO"],
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(
                silence_duration_ms=SILENCE_MS
            )
        ),
    )
    pause = b"\0\0" * int(PAUSE_S * RATE)
    block = RATE * 2 * BLOCK_MS // 1000
    ends: list[float] = []  # when each utterance's last audio block was sent
    first_audio: list[float | None] = []  # per model turn: when its first audio frame came
    served = asyncio.Event()
    async with client.aio.live.connect(
        model="gemini-2.5-flash-native-audio-latest", config=config
    ) as s:

        async def read() -> None:
            turn_first: float | None = None
            last_audio: float | None = None
            while True:
                async for message in s.receive():
                    now = time.perf_counter()
                    if message.data:
                        if turn_first is None:
                            turn_first = now
                        elif last_audio is not None:
                            figures.audio_gaps.append((now - last_audio) * 1000)
                        last_audio = now
                    content = message.server_content
                    if content and content.turn_complete:
                        figures.turns += 1
                        first_audio.append(turn_first)
                        turn_first = last_audio = None
                        if figures.utterances and figures.turns >= figures.utterances:
                            served.set()

        reader = asyncio.create_task(read())
        start = time.perf_counter()
        sent_s = 0.0
        utterances = 0
        while sent_s < seconds:
            for chunk, is_speech in ((utterance, True), (pause, False)):
                for offset in range(0, len(chunk), block):
                    due = start + sent_s
                    delay = due - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    figures.send_lags.append(max(0.0, -delay) * 1000)
                    piece = chunk[offset : offset + block]
                    await s.send_realtime_input(
                        audio=types.Blob(data=piece, mime_type="audio/pcm;rate=16000")
                    )
                    sent_s += len(piece) / (2 * RATE)
                if is_speech:
                    ends.append(time.perf_counter())
                    utterances += 1
        figures.utterances = utterances
        if figures.turns >= utterances:
            served.set()
        try:
            async with asyncio.timeout(15):  # the last reply, within reason
                await served.wait()
        except TimeoutError:
            pass
        reader.cancel()
    figures.latencies = [
        (first - sent) * 1000 for sent, first in zip(ends, first_audio, strict=False) if first
    ]
    return figures


async def pacing(speed: float) -> dict[str, float]:
    """How long one spoken reply takes to arrive, against how long it plays."""
    async with LocalLiveServer(ServerOptions(speed=speed)) as server:
        client = server.genai_client()
        arrivals: list[float] = []
        audio = 0
        async with client.aio.live.connect(
            model="gemini-2.5-flash-native-audio-latest", config={}
        ) as s:
            await s.send_realtime_input(
                text="Please say something long enough to measure the pace."
            )
            async for message in s.receive():
                if message.data:
                    arrivals.append(time.perf_counter())
                    audio += len(message.data)
    audio_s = audio / 48_000
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    return {
        "speed": speed,
        "audio_s": round(audio_s, 3),
        "arrival_span_s": round(span, 3),
        "ratio": round(span * speed / audio_s, 3) if audio_s else 0.0,
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(sessions: int, seconds: float) -> dict[str, object]:
    utterance = await utterance_pcm()
    async with LocalLiveServer(ServerOptions(speed=1.0)) as server:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        results = await asyncio.gather(
            *(run_session(server, utterance, seconds) for _ in range(sessions))
        )
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        stats = server.stats.as_dict()
    latencies = [v for r in results for v in r.latencies]
    lags = [v for r in results for v in r.send_lags]
    gaps = [v for r in results for v in r.audio_gaps]
    return {
        "sessions": sessions,
        "seconds_streamed_per_session": seconds,
        "speech": server.speech_kind,
        "turns_expected": sum(r.utterances for r in results),
        "turns_completed": sum(r.turns for r in results),
        "sessions_fully_served": sum(1 for r in results if r.turns >= r.utterances),
        "reply_latency_ms": {
            "p50": round(statistics.median(latencies), 1) if latencies else None,
            "p95": round(percentile(latencies, 0.95), 1),
            "max": round(max(latencies, default=0.0), 1),
        },
        "send_lag_ms": {
            "p95": round(percentile(lags, 0.95), 1),
            "max": round(max(lags, default=0.0), 1),
        },
        "max_audio_gap_ms": round(max(gaps, default=0.0), 1),
        "cpu_percent": round(100 * cpu / wall, 1),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "wall_s": round(wall, 1),
        "server": stats,
        "pacing": [await pacing(1.0), await pacing(4.0)],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    sys.stdout.write(json.dumps(asyncio.run(main(args.sessions, args.seconds))) + "\n")
