"""JSON on the wire: field-name spellings, base64 alphabets and frame encoding.

The service parses client frames as proto3 JSON, which accepts a field as ``lowerCamelCase`` or as
``snake_case``; the SDK itself sends a mix of both at every depth. We normalise every *field name*
to snake_case, but never the keys inside user payloads (function arguments and results, JSON
schemas, labels): those are data, and a tool whose argument is called ``cityName`` must receive
``cityName``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Literal, TypeAlias

from desktop_assistant.server.errors import INVALID_JSON, invalid_argument, unknown_field

# JSON values as they come out of json.loads.
JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"

FrameKind: TypeAlias = Literal["binary", "text"]

# Fields whose value is user data (a Struct, a map or a schema), kept verbatim. Names in snake_case.
OPAQUE_FIELDS = frozenset(
    {
        "args",  # FunctionCall.args
        "response",  # FunctionResponse.response
        "parameters",  # FunctionDeclaration.parameters (Schema: property names are user data)
        "parameters_json_schema",
        "response_json_schema",
        "response_schema",
        "labels",
        "partial_args",
    }
)

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def to_snake(name: str) -> str:
    """``mimeType`` -> ``mime_type``; snake_case names are returned unchanged."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def to_camel(name: str) -> str:
    """``mime_type`` -> ``mimeType``; camelCase names are returned unchanged."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def normalize_names(value: JsonValue) -> JsonValue:
    """Rewrite every field name to snake_case, leaving user payloads as they are."""
    if isinstance(value, dict):
        out: JsonObject = {}
        for key, item in value.items():
            name = to_snake(key)
            out[name] = item if name in OPAQUE_FIELDS else normalize_names(item)
        return out
    if isinstance(value, list):
        return [normalize_names(item) for item in value]
    return value


def camelize_names(value: JsonValue) -> JsonValue:
    """The canonical server spelling: camelCase field names, user payloads verbatim."""
    if isinstance(value, dict):
        out: JsonObject = {}
        for key, item in value.items():
            opaque = to_snake(key) in OPAQUE_FIELDS
            out[to_camel(key)] = item if opaque else camelize_names(item)
        return out
    if isinstance(value, list):
        return [camelize_names(item) for item in value]
    return value


def decode_bytes(text: str) -> bytes:
    """Decode proto3 JSON ``bytes``: standard or URL-safe alphabet, padded or not."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid_argument(
            f"Invalid value at 'data' (TYPE_BYTES), Base64 decoding failed: {exc}"
        ) from exc


def encode_bytes(data: bytes) -> str:
    """What the service sends: standard base64 with padding."""
    return base64.b64encode(data).decode("ascii")


def parse_frame(frame: str | bytes) -> JsonObject:
    """One client frame (text, or binary holding UTF-8 JSON) as a JSON object with snake_case names."""
    try:
        value = json.loads(frame)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_argument(INVALID_JSON) from exc
    if not isinstance(value, dict):
        raise invalid_argument(INVALID_JSON)
    normalized = normalize_names(value)
    assert isinstance(normalized, dict)
    return normalized


def encode_frame(message: JsonObject, kind: FrameKind) -> str | bytes:
    """Serialise one server message; binary frames carry UTF-8 JSON, as the real service sends."""
    text = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8") if kind == "binary" else text


# ------------------------------------------------------------------ typed access to parsed JSON


def field_obj(parent: JsonObject, name: str) -> JsonObject | None:
    """``parent[name]`` if it is an object; a present non-object is an invalid argument."""
    value = parent.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_argument(f"Invalid value at '{name}': expected an object.")
    return value


def field_list(parent: JsonObject, name: str) -> list[JsonValue]:
    value = parent.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_argument(f"Invalid value at '{name}': expected a list.")
    return value


def field_str(parent: JsonObject, name: str) -> str | None:
    value = parent.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_argument(f"Invalid value at '{name}' (TYPE_STRING), {json.dumps(value)}")
    return value


def field_bool(parent: JsonObject, name: str, default: bool = False) -> bool:
    value = parent.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid_argument(f"Invalid value at '{name}' (TYPE_BOOL), {json.dumps(value)}")
    return value


def field_number(parent: JsonObject, name: str) -> float | None:
    """Numbers may arrive as JSON numbers or, for int64 fields, as strings."""
    value = parent.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        raise invalid_argument(f"Invalid value at '{name}', {json.dumps(value)}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise invalid_argument(f"Invalid value at '{name}', {json.dumps(value)}")


def objects(values: list[JsonValue], where: str) -> list[JsonObject]:
    """The items of a repeated message field, each of which must be an object."""
    out: list[JsonObject] = []
    for item in values:
        if not isinstance(item, dict):
            raise invalid_argument(f"Invalid value at '{where}': expected objects.")
        out.append(item)
    return out


def reject_unknown(obj: JsonObject, known: frozenset[str], where: str) -> None:
    """Refuse names the service does not know, as its proto3 JSON parser does."""
    for name in obj:
        if name not in known:
            raise unknown_field(name, where)
