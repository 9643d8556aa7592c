"""Benchmark of the offline engine, end to end through the local server and the real SDK.

Prints one JSON object:

* ``load_s``: the models loaded from a cold start of this process (imports, checksums, runtimes);
* ``latency_end_of_speech_to_first_audio``: end of user speech -> first model audio byte, p50 /
  p95 / max, with speculation (the engine starts at the first 224 ms of silence and the server
  holds its answer until the turn ends) and without, each for the engine's default end-of-turn
  silence (600 ms) and for 300 ms. The audio is streamed at real time, as a microphone would,
  and "end of speech" is when the last voiced sample of the utterance was sent. ``split_turns``
  counts utterances the silence cut into more than one turn (the user was cut off); ``cpu_s``
  is this process's CPU time per utterance (server, engine and client), cancelled speculations
  included; ``speculations`` how they ended;
* ``engine_turn_to_first_audio``: the engine's share: from the moment it is asked (the turn
  handed over, or a speculation started) to its first synthesised clause (recognition, rules or
  language model, voice), without the silence the server waits for;
* ``wer``: word error rate of the input transcriptions on the English fixtures;
* ``rss_mb``: resident memory of this process (server, engine and client) at the end, and peak;
* ``stages_ms``: the models on their own (speech recognition per utterance, time to first token,
  tokens/s, the first clause's synthesis);
* ``cpu``: usable cores, the load average before and after, so a contended run shows as such.

Usage: python bench/offline_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.engines.offline.engine import OfflineEngine
from desktop_assistant.server.engines.offline.loader import Models, shared_loader
from desktop_assistant.server.engines.offline.threads import usable_cores
from desktop_assistant.server.engines.offline.wer import word_error_rate
from tests.integration.server.live import client_for
from tests.support.fixtures import speech_fixtures

RATE = 16_000
BLOCK_MS = 40
OWN_ENGLISH = (
    "Set a timer for ten minutes.",
    "Turn off the light in the living room.",
    "Can you explain what a black hole is?",
    "What should I cook for dinner tonight?",
    "How far away is the moon?",
    "Tell me a joke about computers.",
)


def espeak_pcm(text: str) -> bytes:
    from desktop_assistant.server.engines.offline.resample import resample

    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "s.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(wav), text], check=True)
        raw = np.frombuffer(wav.read_bytes()[44:], "<i2").astype(np.float32) / 32768.0
    audio = np.concatenate([np.zeros(4800, np.float32), resample(raw, 22050, RATE)])
    return bytes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def speech_end_s(pcm: bytes, threshold: float = 0.02) -> float:
    samples = np.abs(np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0)
    loud = np.nonzero(samples > threshold)[0]
    return float(loud[-1] + 1) / RATE


def rss_mb() -> tuple[float, float]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def one_turn(session: Any, pcm: bytes) -> tuple[float | None, str]:
    """Stream ``pcm`` then silence at real time; seconds from end of speech to first audio.

    The whole utterance is always sent, as a person keeps talking: with a short end-of-turn
    silence the server may cut "Wait, stop. Tell me ..." in two, answer the first part and be
    interrupted by the rest. What counts is the first audio after the user has finished, and
    the transcript is everything the server heard, over all the turns.
    """
    block = RATE * 2 * BLOCK_MS // 1000
    end_s = speech_end_s(pcm)
    loop = asyncio.get_running_loop()
    state: dict[str, float] = {}
    heard: list[str] = []

    async def listen() -> None:
        while True:
            async for message in session.receive():
                content = message.server_content
                if content and content.input_transcription and content.input_transcription.text:
                    heard.append(content.input_transcription.text)
                if message.data and "speech_end" in state and "first_audio" not in state:
                    state["first_audio"] = loop.time()
                if content and content.turn_complete and "first_audio" in state:
                    return

    listener = asyncio.create_task(listen())
    t0 = loop.time()
    padded = pcm + b"\0\0" * RATE * 3  # room for the end-of-turn silence
    for offset in range(0, len(padded), block):
        if "first_audio" in state or listener.done():
            break
        due = t0 + offset / (2 * RATE)
        await asyncio.sleep(max(0.0, due - loop.time()))
        await session.send_realtime_input(
            audio=types.Blob(data=padded[offset : offset + block], mime_type="audio/pcm;rate=16000")
        )
        if "speech_end" not in state and (offset + block) / (2 * RATE) >= end_s:
            # The block holding the last voiced sample is out: the user has stopped speaking.
            state["speech_end"] = t0 + end_s
    try:
        async with asyncio.timeout(30):
            await listener
    except TimeoutError:
        return None, " ".join(heard)
    return state["first_audio"] - state["speech_end"], " ".join(heard)


async def latency_run(
    server: LocalLiveServer, items: list[tuple[str, bytes]], rounds: int, silence_ms: int | None
) -> tuple[list[float], list[str], list[str]]:
    detection = types.AutomaticActivityDetection(silence_duration_ms=silence_ms)
    config = types.LiveConnectConfig(
        response_modalities=["AUDIO"],
        input_audio_transcription=types.AudioTranscriptionConfig(),
        output_audio_transcription=types.AudioTranscriptionConfig(),
        realtime_input_config=types.RealtimeInputConfig(automatic_activity_detection=detection),
    )
    client = client_for(server)
    latencies: list[float] = []
    refs: list[str] = []
    hyps: list[str] = []
    async with client.aio.live.connect(
        model="gemini-2.5-flash-native-audio-preview-09-2025", config=config
    ) as session:
        for _ in range(rounds):
            for text, pcm in items:
                latency, heard = await one_turn(session, pcm)
                if latency is not None:
                    latencies.append(latency)
                refs.append(text)
                hyps.append(heard)
    return latencies, refs, hyps


def stage_figures(models: Models) -> dict[str, float]:
    from desktop_assistant.server.engines.offline.engine import pcm16_to_float
    from desktop_assistant.server.engines.offline.vad import find_speech

    out: dict[str, float] = {}
    asr = []
    for fixture in speech_fixtures().values():
        if fixture.lang == "en-US":
            audio = pcm16_to_float(fixture.pcm16())
            span = find_speech(audio, models.vad)
            assert span is not None
            t = time.perf_counter()
            models.asr.transcribe(audio[span.start : span.end])
            asr.append(time.perf_counter() - t)
    out["asr_per_utterance"] = 1000 * statistics.mean(asr)
    ttft, rates = [], []
    for question in ("Tell me about Paris.", "What should I cook tonight?", "Why is the sky blue?"):
        t = time.perf_counter()
        first = None
        n = 0
        for _delta in models.llm.stream(question):
            first = first if first is not None else time.perf_counter() - t
            n += 1
        total = time.perf_counter() - t
        ttft.append(first or total)
        rates.append(n / max(1e-6, total - (first or 0)))
    out["llm_first_token"] = 1000 * statistics.mean(ttft)
    out["llm_deltas_per_s"] = statistics.mean(rates)
    tts = []
    for clause in ("It's 3:42 PM in Tokyo.", "Sure, Paris is the capital of France,", "Done."):
        t = time.perf_counter()
        models.voice.synthesize(clause)
        tts.append(time.perf_counter() - t)
    out["tts_per_clause"] = 1000 * statistics.mean(tts)
    return {k: round(v, 1) for k, v in out.items()}


class PlainOfflineEngine(OfflineEngine):
    """The offline engine asked only once the turn has ended (no speculation)."""

    speculative = False


class SpeculationOutcomes(logging.Handler):
    """How the server's speculations ended: started, cancelled, stale, committed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.counts: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        kind = record.getMessage().rsplit(" ", 1)[-1]
        self.counts[kind] = self.counts.get(kind, 0) + 1


class EngineTimings(logging.Handler):
    """Collects the engine's own per-turn figure: turn handed over -> first audio ready."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.first_audio_ms: list[float] = []
        self.heard_ms: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "first audio after" in record.getMessage():
            args = record.args
            assert isinstance(args, tuple)
            self.heard_ms.append(float(args[1]))
            self.first_audio_ms.append(float(args[2]))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    timings = EngineTimings()
    engine_log = logging.getLogger("desktop_assistant.server.engines.offline.engine")
    engine_log.setLevel(logging.INFO)
    engine_log.addHandler(timings)
    load_before = os.getloadavg()
    t = time.perf_counter()
    models = await shared_loader().wait()
    load_s = time.perf_counter() - t

    items = [(f.text, f.pcm16()) for f in speech_fixtures().values() if f.lang == "en-US"]
    items += [(text, espeak_pcm(text)) for text in OWN_ENGLISH]
    result: dict[str, Any] = {
        "load_s": round(load_s, 2),
        "load_by_model_s": {k: round(v, 2) for k, v in models.timings.items()},
        "thread_plan": {"asr": models.plan.asr, "llm": models.plan.llm, "tts": models.plan.tts},
    }
    latency: dict[str, Any] = {}
    refs: list[str] = []
    hyps: list[str] = []
    outcomes = SpeculationOutcomes()
    speculation_log = logging.getLogger("desktop_assistant.server.speculation")
    speculation_log.setLevel(logging.DEBUG)
    speculation_log.addHandler(outcomes)
    for label, engine_class, silence_ms in (
        ("speculative_default_silence", OfflineEngine, None),
        ("speculative_silence_300ms", OfflineEngine, 300),
        ("plain_default_silence", PlainOfflineEngine, None),
        ("plain_silence_300ms", PlainOfflineEngine, 300),
    ):
        outcomes.counts = {}
        engine_from = len(timings.first_audio_ms)
        cpu_before = os.times()
        engine = engine_class()
        async with LocalLiveServer(ServerOptions(engine=engine, speed=math.inf)) as server:
            values, r, h = await latency_run(server, items, args.rounds, silence_ms)
            ends = sum(1 for kind, _ in server.connections[-1].vad_events if kind == "end")
        cpu_after = os.times()
        cpu_s = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
        refs += r
        hyps += h
        own = timings.first_audio_ms[engine_from:]
        latency[label] = {
            "silence_ms": silence_ms or engine.default_silence_ms,
            "n": len(values),
            "p50_ms": round(1000 * percentile(values, 0.5)),
            "p95_ms": round(1000 * percentile(values, 0.95)),
            "max_ms": round(1000 * max(values)),
            "engine_first_audio_p50_ms": round(percentile(own, 0.5)),
            "split_turns": ends - len(r),
            "wer": round(word_error_rate(r, h), 4),
            "wer_errors": sorted(
                {f"{a} -> {b}" for a, b in zip(r, h, strict=True) if word_error_rate([a], [b]) > 0}
            ),
            "cpu_s_per_utterance": round(cpu_s / len(r), 2),
            "speculations": dict(sorted(outcomes.counts.items())),
            "loadavg_after": round(os.getloadavg()[0], 2),
        }
    result["latency_end_of_speech_to_first_audio"] = latency
    result["engine_turn_to_first_audio"] = {
        "n": len(timings.first_audio_ms),
        "p50_ms": round(percentile(timings.first_audio_ms, 0.5)),
        "p95_ms": round(percentile(timings.first_audio_ms, 0.95)),
        "recognition_p50_ms": round(percentile(timings.heard_ms, 0.5)),
    }
    result["wer"] = round(word_error_rate(refs, hyps), 4)
    result["wer_utterances"] = len(refs)
    result["wer_errors"] = sorted(
        {f"{r} -> {h}" for r, h in zip(refs, hyps, strict=True) if word_error_rate([r], [h]) > 0}
    )
    result["stages_ms"] = stage_figures(models)
    rss, peak = rss_mb()
    result["rss_mb"] = round(rss)
    result["rss_peak_mb"] = round(peak)
    result["cpu"] = {
        "usable_cores": usable_cores(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))
    models.close()


if __name__ == "__main__":
    asyncio.run(main())
