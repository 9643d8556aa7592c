"""Helpers for talking to the local server with the unmodified SDK (and with raw websockets)."""

from __future__ import annotations

import asyncio
import json
import math
import ssl
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google import genai
from google.genai import types
from websockets.asyncio.client import ClientConnection, connect

from desktop_assistant.server import LocalLiveServer

NATIVE = "gemini-2.5-flash-native-audio-preview-09-2025"
HALF_CASCADE = "gemini-live-2.5-flash-preview"
WAIT_S = 20.0
CAMEL_SETUP_JSON = json.dumps(
    {"setup": {"model": f"models/{NATIVE}"}}
)  # generous: the CI machines are small and shared


def client_for(
    server: LocalLiveServer,
    api_key: str | None = None,
    api_version: str = "v1beta",
    base_url: str | None = None,
) -> genai.Client:
    if base_url is None:
        return server.genai_client(api_key=api_key, api_version=api_version)
    return genai.Client(
        api_key=api_key if api_key is not None else server.api_key,
        http_options=types.HttpOptions(
            base_url=base_url,
            api_version=api_version,
            async_client_args={"ssl": server.client_ssl_context(), "proxy": None},
        ),
    )


@asynccontextmanager
async def live(
    server: LocalLiveServer,
    config: types.LiveConnectConfig | dict[str, Any] | None = None,
    model: str = NATIVE,
    **client_args: Any,
) -> AsyncIterator[genai.live.AsyncSession]:
    client = client_for(server, **client_args)
    connecting = client.aio.live.connect(model=model, config=config or audio_config())
    async with asyncio.timeout(WAIT_S):
        session = await connecting.__aenter__()
    try:
        yield session
    except BaseException as exc:
        await connecting.__aexit__(type(exc), exc, exc.__traceback__)
        raise
    else:
        await connecting.__aexit__(None, None, None)


def audio_config(**overrides: Any) -> types.LiveConnectConfig:
    values: dict[str, Any] = {
        "response_modalities": ["AUDIO"],
        "output_audio_transcription": types.AudioTranscriptionConfig(),
        "input_audio_transcription": types.AudioTranscriptionConfig(),
    }
    values.update(overrides)
    return types.LiveConnectConfig(**values)


def manual_activity(**overrides: Any) -> types.LiveConnectConfig:
    return audio_config(
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(disabled=True),
            **overrides,
        )
    )


def auto_activity(**detection: Any) -> types.LiveConnectConfig:
    handling = detection.pop("activity_handling", None)
    return audio_config(
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(**detection),
            activity_handling=handling,
        )
    )


@dataclass
class Turn:
    """Everything one ``receive()`` yielded, in order."""

    messages: list[types.LiveServerMessage] = field(default_factory=list)

    def content(self) -> list[types.LiveServerContent]:
        return [m.server_content for m in self.messages if m.server_content]

    @property
    def audio(self) -> bytes:
        return b"".join(m.data for m in self.messages if m.data)

    @property
    def audio_parts(self) -> list[types.Blob]:
        return [
            p.inline_data
            for c in self.content()
            if c.model_turn and c.model_turn.parts
            for p in c.model_turn.parts
            if p.inline_data
        ]

    @property
    def text(self) -> str:
        return "".join(m.text for m in self.messages if m.text)

    @property
    def output_transcript(self) -> str:
        return "".join(
            c.output_transcription.text or "" for c in self.content() if c.output_transcription
        )

    @property
    def input_transcript(self) -> str:
        return "".join(
            c.input_transcription.text or "" for c in self.content() if c.input_transcription
        )

    @property
    def tool_calls(self) -> list[types.FunctionCall]:
        return [
            call
            for m in self.messages
            if m.tool_call and m.tool_call.function_calls
            for call in m.tool_call.function_calls
        ]

    @property
    def cancelled_ids(self) -> list[str]:
        return [
            i
            for m in self.messages
            if m.tool_call_cancellation
            for i in m.tool_call_cancellation.ids or []
        ]

    def has(self, flag: str) -> bool:
        return any(getattr(c, flag) for c in self.content())

    @property
    def usage(self) -> types.UsageMetadata | None:
        return next((m.usage_metadata for m in reversed(self.messages) if m.usage_metadata), None)

    @property
    def resumption_updates(self) -> list[types.LiveServerSessionResumptionUpdate]:
        return [m.session_resumption_update for m in self.messages if m.session_resumption_update]


async def receive_turn(session: genai.live.AsyncSession, until_tool_call: bool = False) -> Turn:
    """One ``receive()`` to its end (turnComplete), or up to the first toolCall."""
    turn = Turn()
    async with asyncio.timeout(WAIT_S):
        async for message in session.receive():
            turn.messages.append(message)
            if until_tool_call and message.tool_call:
                break
    return turn


async def next_message(session: genai.live.AsyncSession) -> types.LiveServerMessage:
    """The next message, whatever it is (e.g. the resumption update after turnComplete)."""
    stream = session.receive()
    try:
        async with asyncio.timeout(WAIT_S):
            return await anext(stream)
    finally:
        await stream.aclose()


async def stream_audio(
    session: genai.live.AsyncSession, pcm: bytes, block_ms: int = 40, rate: int = 16_000
) -> None:
    """Send PCM in small blocks, as a microphone would (without waiting between them)."""
    block = rate * 2 * block_ms // 1000
    for offset in range(0, len(pcm), block):
        await session.send_realtime_input(
            audio=types.Blob(data=pcm[offset : offset + block], mime_type=f"audio/pcm;rate={rate}")
        )


def silence(seconds: float, rate: int = 16_000) -> bytes:
    return b"\0\0" * int(seconds * rate)


def read_wav(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes())


def speech_bounds(pcm: bytes, rate: int = 16_000, threshold: float = 0.02) -> tuple[float, float]:
    """First and last sample louder than ``threshold`` of full scale, in seconds."""
    import numpy as np

    samples = np.abs(np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0)
    loud = np.nonzero(samples > threshold)[0]
    return float(loud[0]) / rate, float(loud[-1]) / rate


def duration_s(pcm: bytes, rate: int) -> float:
    return len(pcm) / (2 * rate)


def ws_url(
    server: LocalLiveServer, version: str = "v1beta", method: str = "BidiGenerateContent"
) -> str:
    host = server.base_url.removeprefix("https://")
    return f"wss://{host}/ws/google.ai.generativelanguage.{version}.GenerativeService.{method}"


@asynccontextmanager
async def raw_socket(
    server: LocalLiveServer, url: str | None = None, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientConnection]:
    ctx: ssl.SSLContext = server.client_ssl_context()
    sent = {"x-goog-api-key": server.api_key} if headers is None else headers
    async with asyncio.timeout(WAIT_S):
        ws = await connect(url or ws_url(server), ssl=ctx, additional_headers=sent, proxy=None)
    try:
        yield ws
    finally:
        await ws.close()


async def recv_json(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(WAIT_S):
        frame = await ws.recv()
    value = json.loads(frame)
    assert isinstance(value, dict)
    return value


async def recv_until(
    ws: ClientConnection, key: str, inner: str | None = None
) -> list[dict[str, Any]]:
    """Frames up to and including the first with ``key`` (and ``inner`` inside it)."""
    frames: list[dict[str, Any]] = []
    while True:
        frame = await recv_json(ws)
        frames.append(frame)
        if key in frame and (inner is None or inner in frame[key]):
            return frames


def approx(value: float, expected: float, tolerance: float) -> bool:
    return math.isclose(value, expected, abs_tol=tolerance)
