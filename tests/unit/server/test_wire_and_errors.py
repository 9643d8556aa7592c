from __future__ import annotations

import base64

import pytest

from desktop_assistant.server.errors import CloseCode, ProtocolError, fit_reason
from desktop_assistant.server.wire import (
    camelize_names,
    decode_bytes,
    encode_frame,
    normalize_names,
    parse_frame,
    to_camel,
    to_snake,
)


@pytest.mark.parametrize(
    ("camel", "snake"),
    [("mimeType", "mime_type"), ("realtimeInput", "realtime_input"), ("setup", "setup"),
     ("prefixPaddingMs", "prefix_padding_ms")],
)  # fmt: skip
def test_names_convert_both_ways(camel: str, snake: str) -> None:
    assert to_snake(camel) == snake
    assert to_snake(snake) == snake
    assert to_camel(snake) == camel
    assert to_camel(camel) == camel


def test_normalize_renames_fields_at_every_depth_but_not_user_payloads() -> None:
    raw = {
        "toolResponse": {
            "functionResponses": [{"id": "a", "response": {"cityName": {"innerKey": 1}}}]
        },
        "setup": {"tools": [{"functionDeclarations": [{"parametersJsonSchema": {"properties": {"fooBar": {}}}}]}]},
        "clientContent": {"turns": [{"parts": [{"functionCall": {"args": {"someArg": 1}}}]}]},
    }  # fmt: skip
    assert normalize_names(raw) == {
        "tool_response": {
            "function_responses": [{"id": "a", "response": {"cityName": {"innerKey": 1}}}]
        },
        "setup": {"tools": [{"function_declarations": [{"parameters_json_schema": {"properties": {"fooBar": {}}}}]}]},
        "client_content": {"turns": [{"parts": [{"function_call": {"args": {"someArg": 1}}}]}]},
    }  # fmt: skip


def test_camelize_keeps_payloads() -> None:
    assert camelize_names({"tool_call": {"function_calls": [{"args": {"a_b": 1}}]}}) == {
        "toolCall": {"functionCalls": [{"args": {"a_b": 1}}]}
    }


@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
@pytest.mark.parametrize("strip_padding", [False, True])
def test_both_base64_alphabets_padded_or_not(encode: object, strip_padding: bool) -> None:
    data = bytes(range(256)) + b"\xfb\xff"
    text = encode(data).decode()  # type: ignore[operator]
    if strip_padding:
        text = text.rstrip("=")
    assert decode_bytes(text) == data


def test_bad_base64_is_an_invalid_argument() -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_bytes("not base64!")
    assert caught.value.code is CloseCode.INVALID_ARGUMENT


@pytest.mark.parametrize("frame", ["nope", "[1, 2]", b"\xff\xfe", '"text"'])
def test_frames_that_are_not_json_objects(frame: str | bytes) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_frame(frame)
    assert caught.value.reason == "Invalid JSON payload received."


def test_binary_frames_carry_utf8_json() -> None:
    assert encode_frame({"a": "é"}, "binary") == '{"a":"é"}'.encode()
    assert encode_frame({"a": "é"}, "text") == '{"a":"é"}'
    assert parse_frame(b'{"setupComplete": {}}') == {"setup_complete": {}}


def test_close_reasons_fit_in_123_bytes_without_breaking_characters() -> None:
    assert fit_reason("short") == "short"
    long = "é" * 100  # 200 bytes
    cut = fit_reason(long)
    assert len(cut.encode()) <= 123
    assert cut.endswith("...")
    cut.encode("utf-8")  # still valid text
    assert len(ProtocolError(CloseCode.POLICY, "x" * 500).reason.encode()) <= 123
