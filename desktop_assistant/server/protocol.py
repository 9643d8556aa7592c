"""Client frames after setup: parsed the way the service's proto3 JSON parser reads them.

Field names arrive in either spelling at any depth (normalised by :mod:`wire`); bytes in either
base64 alphabet. Names the service does not know are refused at the levels it checks (the message
and the ``realtimeInput``/``toolResponse``/``clientContent`` bodies), with the 1007 reason the
service gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeAlias

from desktop_assistant.server.engines.base import (
    FunctionCall,
    FunctionResult,
    Image,
    Scheduling,
)
from desktop_assistant.server.errors import CloseCode, ProtocolError, invalid_argument
from desktop_assistant.server.setup import text_of
from desktop_assistant.server.wire import (
    JsonObject,
    JsonValue,
    decode_bytes,
    field_bool,
    field_list,
    field_obj,
    field_str,
    objects,
    parse_frame,
    reject_unknown,
)

MESSAGE_FIELDS = frozenset(
    {"setup", "client_content", "realtime_input", "tool_response", "context_update"}
)
REALTIME_FIELDS = frozenset(
    {"audio", "video", "text", "media_chunks", "activity_start", "activity_end", "audio_stream_end"}
)
CLIENT_CONTENT_FIELDS = frozenset({"turns", "turn_complete"})
TOOL_RESPONSE_FIELDS = frozenset({"function_responses"})

_RATE = re.compile(r"rate=(\d+)")


@dataclass(frozen=True, slots=True)
class Blob:
    mime_type: str
    data: bytes = field(repr=False)

    @property
    def sample_rate(self) -> int:
        """For ``audio/pcm``: the rate in the MIME type, else the native 16 kHz."""
        found = _RATE.search(self.mime_type)
        return int(found.group(1)) if found else 16_000


@dataclass(frozen=True, slots=True)
class SetupMessage:
    setup: JsonObject


@dataclass(frozen=True, slots=True)
class RealtimeInput:
    audio: tuple[Blob, ...] = ()
    video: tuple[Blob, ...] = ()
    text: str | None = None
    activity_start: bool = False
    activity_end: bool = False
    audio_stream_end: bool = False


@dataclass(frozen=True, slots=True)
class ContentTurn:
    role: str
    text: str = ""
    images: tuple[Image, ...] = ()
    function_calls: tuple[FunctionCall, ...] = ()
    function_results: tuple[FunctionResult, ...] = ()


@dataclass(frozen=True, slots=True)
class ClientContent:
    turns: tuple[ContentTurn, ...]
    turn_complete: bool


@dataclass(frozen=True, slots=True)
class ToolResponse:
    results: tuple[FunctionResult, ...]


@dataclass(frozen=True, slots=True)
class ContextUpdate:
    system_instruction: str | None
    tools: list[JsonValue] | None  # parsed against the model by the session


ClientMessage: TypeAlias = (
    SetupMessage | RealtimeInput | ClientContent | ToolResponse | ContextUpdate
)


def parse_client_message(frame: str | bytes, require_tool_ids: bool = True) -> ClientMessage:
    """One client frame as a typed message.

    Args:
        frame: the frame as received.
        require_tool_ids: the Developer API requires an id on every function response; Vertex not.

    Raises:
        ProtocolError: 1007 for malformed JSON, unknown names, bad values or an empty message.
    """
    message = parse_frame(frame)
    reject_unknown(message, MESSAGE_FIELDS, "")
    present = [name for name in MESSAGE_FIELDS if message.get(name) is not None]
    if len(present) != 1:
        # A oneof with none or several members set.
        raise invalid_argument()
    kind = present[0]
    body = field_obj(message, kind) or {}
    if kind == "setup":
        return SetupMessage(body)
    if kind == "realtime_input":
        return parse_realtime_input(body)
    if kind == "client_content":
        return parse_client_content(body)
    if kind == "tool_response":
        return parse_tool_response(body, require_tool_ids)
    tools = field_obj(body, "tools")
    return ContextUpdate(
        system_instruction=text_of(field_obj(body, "system_instruction"))
        if body.get("system_instruction") is not None
        else None,
        tools=field_list(tools, "tools") if tools is not None else None,
    )


def parse_blob(raw: JsonObject) -> Blob:
    mime = field_str(raw, "mime_type") or ""
    return Blob(mime, decode_bytes(field_str(raw, "data") or ""))


def parse_realtime_input(body: JsonObject) -> RealtimeInput:
    reject_unknown(body, REALTIME_FIELDS, "realtime_input")
    audio: list[Blob] = []
    video: list[Blob] = []
    if (raw := field_obj(body, "audio")) is not None:
        audio.append(parse_blob(raw))
    if (raw := field_obj(body, "video")) is not None:
        video.append(parse_blob(raw))
    for raw in objects(field_list(body, "media_chunks"), "realtime_input.media_chunks"):
        blob = parse_blob(raw)
        (video if blob.mime_type.startswith("image/") else audio).append(blob)
    for blob in audio:
        if not blob.mime_type.startswith("audio/pcm"):
            raise ProtocolError(CloseCode.POLICY, f"Unsupported audio MIME type: {blob.mime_type}")
    return RealtimeInput(
        audio=tuple(audio),
        video=tuple(video),
        text=field_str(body, "text"),
        activity_start=body.get("activity_start") is not None,
        activity_end=body.get("activity_end") is not None,
        audio_stream_end=field_bool(body, "audio_stream_end"),
    )


def _object_or_empty(raw: JsonObject, name: str) -> JsonObject:
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def parse_function_call(raw: JsonObject) -> FunctionCall:
    return FunctionCall(
        id=field_str(raw, "id") or "",
        name=field_str(raw, "name") or "",
        args=_object_or_empty(raw, "args"),
    )


def parse_function_result(raw: JsonObject, require_id: bool) -> FunctionResult:
    call_id = field_str(raw, "id") or ""
    if require_id and not call_id:
        raise invalid_argument()
    response = _object_or_empty(raw, "response")
    # The SDK has a top-level ``scheduling`` field; the docs' examples put it inside ``response``.
    scheduling_raw = field_str(raw, "scheduling")
    if scheduling_raw is None and isinstance(response.get("scheduling"), str):
        scheduling_raw = str(response["scheduling"])
    scheduling: Scheduling | None = None
    if scheduling_raw and not scheduling_raw.endswith("_UNSPECIFIED"):
        try:
            scheduling = Scheduling(scheduling_raw)
        except ValueError:
            raise invalid_argument(
                f"Invalid value at 'tool_response.function_responses[0].scheduling', \"{scheduling_raw}\""
            ) from None
    return FunctionResult(
        id=call_id,
        name=field_str(raw, "name") or "",
        response=response,
        scheduling=scheduling,
        will_continue=field_bool(raw, "will_continue"),
    )


def parse_client_content(body: JsonObject) -> ClientContent:
    reject_unknown(body, CLIENT_CONTENT_FIELDS, "client_content")
    turns: list[ContentTurn] = []
    for turn in objects(field_list(body, "turns"), "client_content.turns"):
        texts: list[str] = []
        images: list[Image] = []
        calls: list[FunctionCall] = []
        results: list[FunctionResult] = []
        for part in objects(field_list(turn, "parts"), "client_content.turns.parts"):
            if (text := field_str(part, "text")) is not None:
                texts.append(text)
            if (inline := field_obj(part, "inline_data")) is not None:
                blob = parse_blob(inline)
                images.append(Image(blob.mime_type, blob.data))
            if (call := field_obj(part, "function_call")) is not None:
                calls.append(parse_function_call(call))
            if (result := field_obj(part, "function_response")) is not None:
                results.append(parse_function_result(result, require_id=False))
        turns.append(
            ContentTurn(
                role=field_str(turn, "role") or "user",
                text="".join(texts),
                images=tuple(images),
                function_calls=tuple(calls),
                function_results=tuple(results),
            )
        )
    return ClientContent(tuple(turns), field_bool(body, "turn_complete"))


def parse_tool_response(body: JsonObject, require_ids: bool = True) -> ToolResponse:
    reject_unknown(body, TOOL_RESPONSE_FIELDS, "tool_response")
    raws = objects(field_list(body, "function_responses"), "tool_response.function_responses")
    if not raws:
        raise invalid_argument()
    return ToolResponse(tuple(parse_function_result(raw, require_ids) for raw in raws))
