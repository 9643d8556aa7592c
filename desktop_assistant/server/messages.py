"""Server messages, built the way the service spells them (camelCase, standard base64)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from desktop_assistant.server.engines.base import OUTPUT_SAMPLE_RATE, FunctionCall
from desktop_assistant.server.wire import JsonObject, JsonValue, encode_bytes

OUTPUT_AUDIO_MIME = f"audio/pcm;rate={OUTPUT_SAMPLE_RATE}"

# Token accounting as the service documents it: 32 tokens per second of audio, 258 per image.
AUDIO_TOKENS_PER_S = 32
IMAGE_TOKENS = 258
CHARS_PER_TEXT_TOKEN = 4


def text_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TEXT_TOKEN)


def audio_tokens(seconds: float) -> int:
    return math.ceil(seconds * AUDIO_TOKENS_PER_S)


@dataclass
class Usage:
    """Tokens used so far on this session, per modality (cumulative, restored on resumption)."""

    prompt: dict[str, int] = field(default_factory=dict)  # modality -> tokens
    response: dict[str, int] = field(default_factory=dict)

    def add_prompt(self, modality: str, tokens: int) -> None:
        if tokens > 0:
            self.prompt[modality] = self.prompt.get(modality, 0) + tokens

    def add_response(self, modality: str, tokens: int) -> None:
        if tokens > 0:
            self.response[modality] = self.response.get(modality, 0) + tokens

    def copy(self) -> Usage:
        return Usage(dict(self.prompt), dict(self.response))

    def to_json(self) -> JsonObject:
        prompt = sum(self.prompt.values())
        response = sum(self.response.values())
        return {
            "promptTokenCount": prompt,
            "responseTokenCount": response,
            "totalTokenCount": prompt + response,
            "promptTokensDetails": _details(self.prompt),
            "responseTokensDetails": _details(self.response),
        }


def _details(counts: dict[str, int]) -> list[JsonValue]:
    return [{"modality": m, "tokenCount": n} for m, n in sorted(counts.items())]


def duration(seconds: float) -> str:
    """A protobuf Duration in JSON: ``"50s"``, ``"0.500s"``."""
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{seconds:.3f}s"


def setup_complete(session_id: str | None = None) -> JsonObject:
    return {"setupComplete": {"sessionId": session_id} if session_id else {}}


def server_content(**fields: JsonValue) -> JsonObject:
    return {"serverContent": dict(fields)}


def input_transcription(text: str, finished: bool = False) -> JsonObject:
    body: JsonObject = {"text": text}
    if finished:
        body["finished"] = True
    return server_content(inputTranscription=body)


def output_transcription(text: str, finished: bool = False) -> JsonObject:
    body: JsonObject = {"text": text}
    if finished:
        body["finished"] = True
    return server_content(outputTranscription=body)


def audio_part(pcm: bytes) -> JsonObject:
    return {"inlineData": {"mimeType": OUTPUT_AUDIO_MIME, "data": encode_bytes(pcm)}}


def model_audio(pcm: bytes) -> JsonObject:
    return server_content(modelTurn={"parts": [audio_part(pcm)]})


def model_text(text: str) -> JsonObject:
    return server_content(modelTurn={"parts": [{"text": text}]})


def generation_complete() -> JsonObject:
    return server_content(generationComplete=True)


def turn_complete(usage: Usage) -> JsonObject:
    return {"serverContent": {"turnComplete": True}, "usageMetadata": usage.to_json()}


def interrupted() -> JsonObject:
    return server_content(interrupted=True)


def tool_call(calls: Iterable[FunctionCall]) -> JsonObject:
    return {
        "toolCall": {"functionCalls": [{"id": c.id, "name": c.name, "args": c.args} for c in calls]}
    }


def tool_call_cancellation(ids: Iterable[str]) -> JsonObject:
    return {"toolCallCancellation": {"ids": list(ids)}}


def go_away(time_left_s: float) -> JsonObject:
    return {"goAway": {"timeLeft": duration(time_left_s)}}


def resumption_update(handle: str | None) -> JsonObject:
    """A fresh handle (resumable), or ``None`` while the session cannot be resumed."""
    if handle is None:
        return {"sessionResumptionUpdate": {"resumable": False}}
    return {"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}}
