"""``desktop-assistant demo``: a short spoken exchange with the local server, saved as a WAV file.

It starts the local Live server in-process (echo engine), connects to it with the unmodified
google-genai SDK over TLS, types one question and speaks another (synthesised speech, streamed in
40 ms blocks like a microphone, turn ends found by the server's voice-activity detection), prints
both sides of the conversation and writes the model's audio to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import wave
from dataclasses import dataclass, field
from pathlib import Path

from google import genai
from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from desktop_assistant.server.speech import SpeechSynthesizer

MODEL = "gemini-2.5-flash-native-audio-preview-09-2025"
OUTPUT_RATE = 24_000
INPUT_RATE = 16_000
BLOCK_MS = 40
TURN_TIMEOUT_S = 60.0


@dataclass
class Reply:
    heard: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _receive_reply(session: genai.live.AsyncSession, reply: Reply) -> None:
    async with asyncio.timeout(TURN_TIMEOUT_S):
        async for message in session.receive():
            if message.data:
                reply.audio += message.data
            content = message.server_content
            if content and content.input_transcription and content.input_transcription.text:
                reply.heard.append(content.input_transcription.text)
            if content and content.output_transcription and content.output_transcription.text:
                reply.said.append(content.output_transcription.text)


async def _speak(session: genai.live.AsyncSession, pcm: bytes, speed: float) -> None:
    """Stream speech like a microphone: 40 ms blocks at (speed x) real time, then silence."""
    block = INPUT_RATE * 2 * BLOCK_MS // 1000
    stream = pcm + b"\0" * (INPUT_RATE * 2)  # a second of silence lets the detector end the turn
    for offset in range(0, len(stream), block):
        await session.send_realtime_input(
            audio=types.Blob(data=stream[offset : offset + block], mime_type="audio/pcm;rate=16000")
        )
        await asyncio.sleep(BLOCK_MS / 1000 / speed)


async def run_demo(out: Path, question: str, spoken: str, speed: float) -> int:
    async with LocalLiveServer(ServerOptions(engine="echo", speed=speed)) as server:
        client = server.genai_client()
        config = types.LiveConnectConfig(
            response_modalities=[types.Modality.AUDIO],
            input_audio_transcription=types.AudioTranscriptionConfig(),
            output_audio_transcription=types.AudioTranscriptionConfig(),
        )
        voice = SpeechSynthesizer()
        user_speech = await voice.synthesize(spoken, voice="Kore", sample_rate=INPUT_RATE)
        audio = bytearray()
        _say(f"local server at {server.base_url} (speech: {server.speech_kind})")
        async with client.aio.live.connect(model=MODEL, config=config) as session:
            _say(f"you (typed): {question}")
            typed = Reply()
            await session.send_realtime_input(text=question)
            await _receive_reply(session, typed)
            _say(f"assistant: {''.join(typed.said).strip()}")
            audio += typed.audio

            _say(f"you (spoken, {len(user_speech) / (2 * INPUT_RATE):.1f} s): {spoken}")
            heard = Reply()
            receiving = asyncio.create_task(_receive_reply(session, heard))
            await _speak(session, user_speech, speed)
            await session.send_realtime_input(audio_stream_end=True)
            await receiving
            _say(f"  (the server heard: {''.join(heard.heard).strip()})")
            _say(f"assistant: {''.join(heard.said).strip()}")
            audio += heard.audio
    await asyncio.get_running_loop().run_in_executor(None, _write_wav, out, bytes(audio))
    _say(f"saved {len(audio) / (2 * OUTPUT_RATE):.1f} s of the assistant's voice to {out}")
    return 0


def _write_wav(path: Path, pcm: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(OUTPUT_RATE)
        w.writeframes(pcm)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="desktop-assistant demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("desktop-assistant-demo.wav"),
                        help="where to save the assistant's audio (default: %(default)s)")  # fmt: skip
    parser.add_argument("--question", default="Hello! Can you hear me?", help="the typed question")
    parser.add_argument("--spoken", default="What is the weather like in Berlin today?",
                        help="the spoken question (synthesised)")  # fmt: skip
    parser.add_argument("--speed", type=float, default=1.0,
                        help="time scale: 2 runs twice as fast as real time")  # fmt: skip
    args = parser.parse_args(argv)
    if args.speed <= 0:
        parser.error("--speed must be positive")
    try:
        return asyncio.run(run_demo(args.out, args.question, args.spoken, args.speed))
    except TimeoutError:
        sys.stderr.write("demo: the local server did not answer in time\n")
        return 1
    except KeyboardInterrupt:
        return 130
