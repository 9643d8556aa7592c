"""The one REST call a Live client makes: ``POST /{version}/auth_tokens`` (ephemeral tokens).

``websockets`` parses GET requests only, so the server's connection class looks at the first
bytes of each TLS connection: a WebSocket upgrade (``GET``) goes to websockets as usual, anything
else comes here as a small HTTP/1.1 exchange on the same port (one request, then the connection
closes). So ``client.auth_tokens.create`` works against the same ``base_url`` as the Live socket.
REST errors are JSON bodies in Google's error format (REST is not the WebSocket protocol).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
from dataclasses import dataclass, field
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection

from desktop_assistant.server.routes import match_auth_tokens_route
from desktop_assistant.server.tokens import TokenConstraints, TokenError, TokenStore
from desktop_assistant.server.wire import JsonObject

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    target: str
    headers: dict[str, str]  # lower-case names
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: HTTPStatus
    body: JsonObject = field(default_factory=dict)

    def encode(self) -> bytes:
        payload = json.dumps(self.body).encode()
        head = (
            f"HTTP/1.1 {self.status.value} {self.status.phrase}\r\n"
            "Content-Type: application/json; charset=UTF-8\r\n"
            f"Content-Length: {len(payload)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode("ascii") + payload


def error(status: HTTPStatus, message: str, reason: str) -> HttpResponse:
    return HttpResponse(
        status, {"error": {"code": status.value, "message": message, "status": reason}}
    )


def _seconds_until(value: object, now: float, default_s: float) -> float:
    if value is None:
        return default_s
    if not isinstance(value, str):
        raise TokenError("times must be RFC 3339 strings")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise TokenError(f"not an RFC 3339 time: {value!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp() - now


class AuthTokensEndpoint:
    """Mints tokens for callers that present the server's API key."""

    def __init__(self, tokens: TokenStore, api_key: str) -> None:
        self._tokens = tokens
        self._api_key = api_key

    def handle(self, request: HttpRequest) -> HttpResponse:
        if match_auth_tokens_route(request.target) is None:
            return error(HTTPStatus.NOT_FOUND, "Method not found.", "NOT_FOUND")
        if request.method != "POST":
            return error(HTTPStatus.METHOD_NOT_ALLOWED, "Use POST.", "INVALID_ARGUMENT")
        key = request.headers.get("x-goog-api-key", "")
        if not hmac.compare_digest(key.encode(), self._api_key.encode()):
            return error(
                HTTPStatus.BAD_REQUEST,
                "API key not valid. Please pass a valid API key.",
                "INVALID_ARGUMENT",
            )
        try:
            body = json.loads(request.body or b"{}")
            if not isinstance(body, dict):
                raise TokenError("the request body must be a JSON object")
            name = self._mint(body)
        except (ValueError, TokenError) as exc:
            return error(
                HTTPStatus.BAD_REQUEST, f"Invalid token request: {exc}", "INVALID_ARGUMENT"
            )
        log.info("minted an ephemeral token over REST")
        return HttpResponse(HTTPStatus.OK, {"name": name})

    def _mint(self, body: JsonObject) -> str:
        now = self._tokens.clock()
        uses = body.get("uses", 1)
        if isinstance(uses, str) and uses.isdigit():
            uses = int(uses)
        if not isinstance(uses, int) or isinstance(uses, bool):
            raise TokenError("uses must be a whole number")
        setup = body.get("bidiGenerateContentSetup", body.get("bidi_generate_content_setup"))
        constraints = None
        if isinstance(setup, dict):
            inner = setup.get("setup")
            if isinstance(inner, dict) and len(setup) == 1:
                setup = inner
            mask = body.get("fieldMask", body.get("field_mask"))
            if isinstance(mask, list):
                mask = ",".join(str(m) for m in mask)
            locked = (
                tuple(p.strip() for p in mask.split(",") if p.strip())
                if isinstance(mask, str)
                else None
            )
            constraints = TokenConstraints(setup, locked)
        return self._tokens.mint(
            uses=uses,
            expire_in_s=_seconds_until(body.get("expireTime"), now, 1800.0),
            new_session_expire_in_s=_seconds_until(body.get("newSessionExpireTime"), now, 60.0),
            constraints=constraints,
        )


class _HttpParser:
    """Just enough HTTP/1.1 for one request with a Content-Length body."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.failed = False

    def feed(self, data: bytes) -> HttpRequest | None:
        self._buffer += data
        if len(self._buffer) > MAX_REQUEST_BYTES:
            self.failed = True
            return None
        head_end = self._buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        lines = bytes(self._buffer[:head_end]).decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            self.failed = True
            return None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            self.failed = True
            return None
        body = bytes(self._buffer[head_end + 4 :])
        if len(body) < length:
            return None
        return HttpRequest(parts[0], parts[1], headers, body[:length])


class RestAwareConnection(ServerConnection):
    """A websockets connection that hands non-GET requests to a REST handler instead."""

    # Set on a subclass per server (see ``connection_class``).
    rest_endpoint: AuthTokensEndpoint | None = None

    _mode: str | None = None  # None until the method is known, then "ws" or "rest"
    _sniffed: bytes = b""
    _parser: _HttpParser | None = None

    def data_received(self, data: bytes) -> None:
        if self._mode == "ws":
            super().data_received(data)
            return
        if self._mode == "done":
            return
        if self._mode is None:
            self._sniffed += data
            if b" " not in self._sniffed and len(self._sniffed) < 16:
                return  # the method is not complete yet
            data, self._sniffed = self._sniffed, b""
            is_upgrade = data.startswith(b"GET ")
            self._mode = "ws" if is_upgrade or self.rest_endpoint is None else "rest"
            if self._mode == "ws":
                super().data_received(data)
                return
            self._parser = _HttpParser()
        assert self._parser is not None
        assert self.rest_endpoint is not None
        request = self._parser.feed(data)
        if self._parser.failed:
            self._respond(error(HTTPStatus.BAD_REQUEST, "Malformed request.", "INVALID_ARGUMENT"))
        elif request is not None:
            try:
                response = self.rest_endpoint.handle(request)
            except Exception:
                log.exception("REST request failed")
                response = error(
                    HTTPStatus.INTERNAL_SERVER_ERROR, "Internal error encountered.", "INTERNAL"
                )
            self._respond(response)

    def _respond(self, response: HttpResponse) -> None:
        self._mode = "done"
        self.transport.write(response.encode())
        # Closing the transport ends the pending WebSocket handshake quietly (no request came).
        self.transport.close()

    def eof_received(self) -> None:
        if self._mode in (None, "ws"):
            super().eof_received()


def connection_class(endpoint: AuthTokensEndpoint) -> type[RestAwareConnection]:
    """A connection class for one server, bound to its token endpoint."""
    return type("LiveServerConnection", (RestAwareConnection,), {"rest_endpoint": endpoint})
