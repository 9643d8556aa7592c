"""Close codes and reasons, as the real service uses them.

The Live service never sends a JSON error body: every failure is a WebSocket close with a code and
a short reason. RFC 6455 limits a close reason to 123 bytes of UTF-8, so every reason passes
through :func:`fit_reason`.
"""

from __future__ import annotations

import enum

MAX_REASON_BYTES = 123


class CloseCode(enum.IntEnum):
    """The close codes the service uses and what they mean to a client."""

    NORMAL = 1000
    GOING_AWAY = 1001
    INVALID_ARGUMENT = 1007  # malformed frame, invalid setup, refused credential
    POLICY = 1008  # unknown model, unsupported feature, unusable resumption handle
    MESSAGE_TOO_BIG = 1009
    INTERNAL = 1011  # internal error, deadline expired (end of the connection's lifetime)


# Reasons worded as the service words them (seen in the field; see the protocol reference §4.4).
INVALID_ARGUMENT = "Request contains an invalid argument."
INVALID_JSON = "Invalid JSON payload received."
API_KEY_INVALID = "API key not valid. Please pass a valid API key."
NOT_IMPLEMENTED = "Operation is not implemented, or supported, or enabled."
INTERNAL_ERROR = "Internal error encountered."
DEADLINE_EXPIRED = "Deadline expired before operation could complete."
NON_AUDIO_VOICES = "Cannot extract voices from a non-audio request."


def fit_reason(reason: str) -> str:
    """Cut ``reason`` to what a close frame may carry, never splitting a UTF-8 character."""
    data = reason.encode("utf-8")
    if len(data) <= MAX_REASON_BYTES:
        return reason
    return data[: MAX_REASON_BYTES - 3].decode("utf-8", errors="ignore") + "..."


class ProtocolError(Exception):
    """A client did something the service refuses; the connection closes with ``code``."""

    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(f"{int(code)} {reason}")
        self.code = code
        self.reason = fit_reason(reason)


def invalid_argument(reason: str = INVALID_ARGUMENT) -> ProtocolError:
    return ProtocolError(CloseCode.INVALID_ARGUMENT, reason)


def unknown_field(name: str, where: str) -> ProtocolError:
    """The service's proto3 JSON parser refuses names it does not know."""
    return ProtocolError(
        CloseCode.INVALID_ARGUMENT,
        f"{INVALID_JSON} Unknown name \"{name}\" at '{where}': Cannot find field.",
    )
