"""Session core figures against the local server: connect time, client overhead, handovers.

Runs the real ``GenaiLiveSession`` (and the ``Assistant`` with a WAV microphone) over TLS on
loopback and prints one JSON object:

* ``connect_to_setup_complete_ms``: from starting a connection to ``setupComplete``, over
  ``--connects`` fresh sessions (p50/p95/max);
* ``client_overhead_per_message_us``: time the session spends turning one server message into
  events and dispatching them (mean and p95 over a conversation's messages);
* ``handover_gap_ms``: per GoAway handover, how long no connection took user input (from the
  turn boundary to the resumed connection being live), p50/max;
* ``user_audio_blocks_lost_per_handover``: blocks the microphone captured that the server never
  received, divided by the number of handovers (0 is the only good value);
* ``blocks_buffered_per_handover``: blocks that waited for a new connection (they arrive late,
  not never).

Usage: python bench/session_bench.py [--connects 20] [--seconds 20] [--speed 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from desktop_assistant.config.secrets import Secret
from desktop_assistant.config.settings import Settings
from desktop_assistant.core.assistant import Assistant, AssistantOptions
from desktop_assistant.core.events import Reconnected, SessionStarted, TurnCompleted
from desktop_assistant.media.audio.wav_io import WavFileSink, WavFileSource, write_wav
from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.session.connection import Endpoint, StaticCredential
from desktop_assistant.session.genai_session import GenaiLiveSession

ROOT = Path(__file__).resolve().parents[1]
BLOCK_MS = 40


def _settings() -> Settings:
    return Settings().updated(
        {
            "backend": {"kind": "local"},
            "connection": {"backoff_initial_s": 0, "backoff_max_s": 0, "handover_margin_s": 0.3},
        }
    )


def _session(server: LocalLiveServer) -> GenaiLiveSession:
    return GenaiLiveSession(
        _settings(),
        endpoint=Endpoint(
            base_url=server.base_url,
            ssl_context=server.client_ssl_context(),
            use_system_proxy=False,
        ),
        credentials=StaticCredential(Secret(server.api_key)),
    )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _connect_times(count: int) -> list[float]:
    times: list[float] = []
    async with LocalLiveServer(ServerOptions(engine="echo", espeak=None)) as server:
        for _ in range(count):
            session = _session(server)
            await session.start(timeout_s=30)
            times.extend(session.stats.connect_ms)
            await session.aclose()
    return times


def _question_wav(directory: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.support.fixtures import speech  # the shared spoken fixtures

    question = np.frombuffer(speech("en_weather").pcm16(), dtype="<i2")
    cycle = np.zeros(16_000 * 6, dtype="<i2")  # a question, then silence: 6 s a cycle
    cycle[: question.size] = question
    path = directory / "cycle.wav"
    write_wav(path, cycle.tobytes(), 16_000)
    return path


async def _conversation(seconds: float, speed: float, directory: Path) -> dict[str, object]:
    lifetime = 3.0
    options = ServerOptions(
        engine="echo",
        espeak=None,
        speed=max(4.0, speed * 2),
        connection_lifetime_s=lifetime,
        goaway_notice_s=lifetime * 0.8,
    )
    async with LocalLiveServer(options) as server:
        session = _session(server)
        rounds = max(1, int(seconds * speed / 6))
        source = WavFileSource(
            _question_wav(directory), block_ms=BLOCK_MS, speed=speed, repeat=rounds
        )
        assistant = Assistant(
            session,
            source=source,
            sink=WavFileSink(None, speed=speed),
            options=AssistantOptions(uplink_queue_blocks=int(10 * speed)),
        )
        session.history_provider = assistant.conversation.history
        turns = 0
        done = asyncio.Event()

        def on_event(event: object) -> None:
            nonlocal turns
            if isinstance(event, TurnCompleted):
                turns += 1
            if isinstance(event, SessionStarted | Reconnected | TurnCompleted):
                done.set()

        assistant.subscribe(on_event)
        started = time.perf_counter()
        await assistant.start()
        await asyncio.wait_for(assistant.microphone_ended.wait(), seconds * 4 + 60)
        # Let the last answer finish.
        deadline = time.perf_counter() + 20
        while (
            assistant.conversation.current_model_entry is not None
            and time.perf_counter() < deadline
        ):
            done.clear()
            try:
                await asyncio.wait_for(done.wait(), 5)
            except TimeoutError:
                break
        await server.wait_for(
            lambda: round(server.stats.audio_in_s * 1000 / BLOCK_MS) >= source.blocks_read, 10
        )
        wall = time.perf_counter() - started
        await assistant.stop()
        stats = session.stats
        handovers = max(1, stats.handovers)
        received = round(server.stats.audio_in_s * 1000 / BLOCK_MS)
        per_message = stats.dispatch_s / max(1, stats.messages) * 1e6
        return {
            "wall_s": round(wall, 2),
            "speed": speed,
            "turns": turns,
            "messages": stats.messages,
            "handovers": stats.handovers,
            "resumed_connects": stats.resumed_connects,
            "reseeds": stats.reseeds,
            "failures": stats.failures,
            "client_overhead_per_message_us": round(per_message, 1),
            "handover_gap_ms": {
                "p50": round(statistics.median(stats.handover_gap_ms), 1)
                if stats.handover_gap_ms
                else None,
                "max": round(max(stats.handover_gap_ms), 1) if stats.handover_gap_ms else None,
            },
            "user_audio_blocks_captured": source.blocks_read,
            "user_audio_blocks_received_by_server": received,
            "user_audio_blocks_lost_per_handover": (source.blocks_read - received) / handovers,
            "blocks_buffered_per_handover": round(statistics.mean(stats.buffered_per_handover), 1)
            if stats.buffered_per_handover
            else 0,
        }


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connects", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="wall time of the conversation")
    parser.add_argument("--speed", type=float, default=4.0, help="microphone time compression")
    args = parser.parse_args(argv)
    connects = await _connect_times(args.connects)
    with tempfile.TemporaryDirectory() as tmp:
        conversation = await _conversation(args.seconds, args.speed, Path(tmp))
    result = {
        "connect_to_setup_complete_ms": {
            "p50": round(statistics.median(connects), 1),
            "p95": round(_pct(connects, 0.95), 1),
            "max": round(max(connects), 1),
            "n": len(connects),
        },
        **conversation,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
