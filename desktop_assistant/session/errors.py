"""Every way a Live connection can fail, as a plain-language message, a next action and a verdict.

The service reports failures as WebSocket close codes with a short reason; the SDK turns them into
``errors.APIError(code)``; the network adds its own exceptions. ``classify`` maps each to a
``SessionErrored`` event whose ``action`` the session acts on (retry with resumption, stop, ask for
a key) and whose ``message`` the window shows in its one banner.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

import websockets.exceptions
from google.genai import errors

from desktop_assistant.core.events import ErrorAction, SessionErrored
from desktop_assistant.core.redact import redact
from desktop_assistant.session.tokens import TokenError


@dataclass(frozen=True, slots=True)
class FailureContext:
    """What the session was doing when it failed (the same code means different things)."""

    model: str
    resumed: bool = False
    """The failing connection was opened with a resumption handle."""
    during_setup: bool = False
    """The failure came before ``setupComplete``."""
    with_token: bool = False
    """The credential was an ephemeral token (a fresh one may fix it)."""


class StallError(TimeoutError):
    """The service answered nothing (not even ``setupComplete``) for too long."""


class MalformedMessageError(ValueError):
    """A server frame could not be read (not JSON, or JSON the SDK cannot parse)."""


def close_code(exc: BaseException) -> tuple[int | None, str]:
    """The close code and reason carried by ``exc``, if it is a close."""
    if isinstance(exc, errors.APIError):
        details = exc.details
        reason = details if isinstance(details, str) else (exc.message or "")
        return exc.code, reason or ""
    if isinstance(exc, websockets.exceptions.ConnectionClosed):
        frame = exc.rcvd
        if frame is None:
            return 1006, "abnormal closure"
        return frame.code, frame.reason
    return None, ""


def classify(exc: BaseException, ctx: FailureContext) -> SessionErrored:
    code, reason = close_code(exc)
    detail = redact(f"{type(exc).__name__}: {exc}")[:500]
    lowered = reason.lower()
    if code is not None:
        return _by_code(code, reason, lowered, ctx, detail)

    if isinstance(exc, TokenError):
        return SessionErrored(
            str(exc) + ("" if not exc.retryable else " Trying again…"),
            ErrorAction.RETRY if exc.retryable else ErrorAction.STOP,
            detail=detail,
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SessionErrored(
            "The server's certificate is not trusted. Check the server address, or give the "
            "certificate authority of a self-hosted server (--ca-file).",
            ErrorAction.STOP,
            detail=detail,
        )
    if isinstance(exc, websockets.exceptions.InvalidStatus):
        status = exc.response.status_code
        if status in (401, 403):
            return _bad_credential(ctx, detail)
        if status == 404:
            return SessionErrored(
                "The server has no Live endpoint at this address. Check the server address.",
                ErrorAction.STOP,
                detail=detail,
            )
        if status == 429:
            return SessionErrored(
                "The service is busy (too many requests). Trying again shortly…",
                ErrorAction.RETRY,
                detail=detail,
            )
        return SessionErrored(
            f"The server refused the connection (HTTP {status}). Trying again…",
            ErrorAction.RETRY if status >= 500 else ErrorAction.STOP,
            detail=detail,
        )
    if isinstance(exc, StallError | asyncio.TimeoutError | TimeoutError):
        return SessionErrored(
            "The service stopped answering. Reconnecting…", ErrorAction.RETRY, detail=detail
        )
    if isinstance(exc, MalformedMessageError):
        return SessionErrored(
            "The service sent a message that could not be read; it was skipped.",
            ErrorAction.CONTINUE,
            detail=detail,
        )
    if isinstance(exc, ConnectionRefusedError):
        return SessionErrored(
            "Nothing answers at the server address. Is the server running? Retrying…",
            ErrorAction.RETRY,
            detail=detail,
        )
    if isinstance(exc, OSError | websockets.exceptions.WebSocketException | EOFError):
        return SessionErrored(
            "The connection dropped. Reconnecting…", ErrorAction.RETRY, detail=detail
        )
    if isinstance(exc, ValueError) and "api key" in str(exc).lower():
        return _bad_credential(ctx, detail)
    return SessionErrored(
        "Something unexpected went wrong with the connection. Reconnecting…",
        ErrorAction.RETRY,
        detail=detail,
    )


def _by_code(
    code: int, reason: str, lowered: str, ctx: FailureContext, detail: str
) -> SessionErrored:
    said = f" (the service said: {reason.strip()})" if reason.strip() else ""
    if "api key" in lowered or "auth token" in lowered or "permission" in lowered:
        return _bad_credential(ctx, detail, code)
    if "quota" in lowered or "resource_exhausted" in lowered or "resource exhausted" in lowered:
        return SessionErrored(
            "Your quota for this model is used up. Wait a while, or use another key or model.",
            ErrorAction.STOP,
            code,
            detail,
        )
    if code == 1007:
        if ctx.resumed:
            # What was valid for the first connection is refused for its resumption: the
            # conversation no longer fits the model's context. Retrying would loop.
            return SessionErrored(
                "The conversation has grown longer than the model can remember. Start a new "
                "conversation (turning on context compression lets conversations run longer).",
                ErrorAction.STOP,
                code,
                detail,
            )
        return SessionErrored(
            f"The service refused the conversation settings{said}. Check the model, voice and "
            "language settings.",
            ErrorAction.STOP,
            code,
            detail,
        )
    if code == 1008:
        if "not found" in lowered or "not supported for bidigeneratecontent" in lowered:
            what = f"The model {ctx.model} is not available for live conversations here"
        elif "publisher model" in lowered:
            what = f"Your project has no access to the model {ctx.model}"
        elif "handle" in lowered or "resum" in lowered:
            return SessionErrored(
                "The previous conversation could not be resumed; starting it afresh.",
                ErrorAction.RETRY,
                code,
                detail,
            )
        else:
            what = f"A feature you turned on is not available with {ctx.model}"
        return SessionErrored(
            f"{what}{said}. Choose another model, or turn the feature off in the settings.",
            ErrorAction.STOP,
            code,
            detail,
        )
    if code in (1011, 1006, 1001, 1000, 1009, 1012, 1013, 1014):
        text = {
            1000: "The service ended the connection.",
            1001: "The service is going away.",
            1006: "The connection dropped.",
            1009: "The service sent a message too large to accept.",
            1011: "The service had an internal error.",
            1012: "The service is restarting.",
            1013: "The service is overloaded.",
            1014: "The service's gateway failed.",
        }[code]
        return SessionErrored(f"{text} Reconnecting…", ErrorAction.RETRY, code, detail)
    if 4000 <= code < 5000 or 1002 <= code <= 1003 or code == 1010:
        return SessionErrored(
            f"The service closed the connection with code {code}{said}.",
            ErrorAction.STOP,
            code,
            detail,
        )
    if 400 <= code < 500:
        if code in (401, 403):
            return _bad_credential(ctx, detail, code)
        return SessionErrored(
            f"The service rejected a request (HTTP {code}){said}.", ErrorAction.STOP, code, detail
        )
    if 500 <= code < 600:
        return SessionErrored(
            f"The service failed (HTTP {code}). Reconnecting…", ErrorAction.RETRY, code, detail
        )
    return SessionErrored(
        f"The connection closed unexpectedly (code {code}). Reconnecting…",
        ErrorAction.RETRY,
        code,
        detail,
    )


def _bad_credential(ctx: FailureContext, detail: str, code: int | None = None) -> SessionErrored:
    if ctx.with_token:
        return SessionErrored(
            "The access token was refused or has expired. Fetching a new one…",
            ErrorAction.RETRY,
            code,
            detail,
        )
    return SessionErrored(
        "The API key was refused. Enter a valid Gemini API key in the settings.",
        ErrorAction.ASK_FOR_KEY,
        code,
        detail,
    )
