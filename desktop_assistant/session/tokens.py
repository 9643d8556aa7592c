"""Ephemeral tokens: mint them from an API key, or fetch them from an organisation's endpoint.

**Minting** (``mint_token``) is for a trusted backend (or an admin tool) that holds the real key:
it asks the Gemini API for a short-lived ``auth_tokens/...`` token with the limits an organisation
locks (how many sessions it may start, when it expires, how soon the first session must start,
and optionally the model and setup it is bound to).

**Fetching** (``TokenEndpointProvider``) is for the desktop app in a managed deployment, which
never sees the key. The contract of the organisation's endpoint is deliberately small:

    POST <token endpoint>            (HTTPS only)
    Content-Type: application/json
    Authorization: Bearer <org credential>     (optional; whatever the organisation issues)

    {"model": "gemini-2.5-flash-native-audio-preview-12-2025", "client": "desktop-assistant/0.1.0"}

    200 OK
    {"token": "auth_tokens/…",
     "expire_time": "2026-01-01T12:30:00Z",             RFC 3339; when messages stop being accepted
     "new_session_expire_time": "2026-01-01T12:01:00Z"} optional; last moment to start a session

    4xx/5xx: {"error": "a sentence for the user"}      (any body is tolerated)

A fresh token is fetched for every new session (tokens are usually single-use) and whenever the
cached one is within ``refresh_margin_s`` of expiring; a resumed connection reuses the cached
token (resuming does not spend a use).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import ssl
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from google import genai
from google.genai import types

from desktop_assistant import __version__
from desktop_assistant.config.secrets import Secret
from desktop_assistant.config.settings import ConnectionSettings
from desktop_assistant.core import redact
from desktop_assistant.session.connection import Credential, Endpoint, make_client

Clock = Callable[[], float]

MAX_TOKEN_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class EphemeralToken:
    name: Secret
    expire_at: float
    """Epoch seconds."""
    new_session_expire_at: float | None = None


class TokenError(Exception):
    """A token could not be had; the message is for the user.

    ``retryable`` is False when asking again cannot help (the sign-in was refused).
    """

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


async def mint_token(
    api_key: Secret,
    *,
    endpoint: Endpoint | None = None,
    uses: int = 1,
    expire_in_s: float = 1800.0,
    new_session_expire_in_s: float = 60.0,
    model: str | None = None,
    config: types.LiveConnectConfig | None = None,
    lock_additional_fields: Sequence[str] | None = None,
    connection: ConnectionSettings | None = None,
    clock: Clock = time.time,
) -> EphemeralToken:
    """Ask the Gemini API (``v1alpha``) for an ephemeral token with these constraints.

    ``model``/``config`` bind the token to a setup; with ``lock_additional_fields`` unset every
    field of ``config`` is locked, with ``[]`` only the fields that are set, with names those too.
    ``uses=0`` means unlimited new sessions.
    """
    if uses < 0:
        raise ValueError("uses must be 0 (unlimited) or more")
    now = clock()
    expire = dt.datetime.fromtimestamp(now + expire_in_s, dt.UTC)
    new_session = dt.datetime.fromtimestamp(now + min(new_session_expire_in_s, expire_in_s), dt.UTC)
    constraints = None
    if model is not None or config is not None:
        constraints = types.LiveConnectConstraints(model=model, config=config)
    # Building a client loads certificate bundles: off the loop thread.
    client = await asyncio.get_running_loop().run_in_executor(
        None,
        functools.partial(
            make_client,
            endpoint or Endpoint(),
            Credential(api_key),
            connection or ConnectionSettings(),
            api_version="v1alpha",
        ),
    )
    try:
        # The SDK flags token creation "experimental" on every call; the flag says nothing the
        # user can act on. (Only this message is silenced, and only around this call.)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"The SDK's token creation")
            token = await _create(
                client, uses, expire, new_session, constraints, lock_additional_fields
            )
    except Exception as exc:
        code = getattr(exc, "code", None)
        retryable = not (isinstance(code, int) and 400 <= code < 500 and code != 429)
        raise TokenError(
            f"The token service refused: {redact.redact(str(exc))}", retryable=retryable
        ) from None
    if not token.name:
        raise TokenError("The token service answered without a token.")
    redact.remember(token.name)
    return EphemeralToken(
        Secret(token.name), now + expire_in_s, now + min(new_session_expire_in_s, expire_in_s)
    )


async def _create(
    client: genai.Client,
    uses: int,
    expire: dt.datetime,
    new_session: dt.datetime,
    constraints: types.LiveConnectConstraints | None,
    lock_additional_fields: Sequence[str] | None,
) -> types.AuthToken:
    token: types.AuthToken = await client.aio.auth_tokens.create(
        config=types.CreateAuthTokenConfig(
            uses=uses,
            expire_time=expire,
            new_session_expire_time=new_session,
            live_connect_constraints=constraints,
            lock_additional_fields=list(lock_additional_fields)
            if lock_additional_fields is not None
            else None,
        )
    )
    return token


class MintingTokenProvider:
    """Mints its own tokens from a key it holds (a trusted machine); same refresh rules."""

    def __init__(
        self,
        api_key: Secret,
        *,
        endpoint: Endpoint | None = None,
        lifetime_s: float = 1800.0,
        refresh_margin_s: float = 60.0,
        model: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        self._api_key = api_key
        self._endpoint = endpoint
        self._lifetime_s = lifetime_s
        self._margin_s = refresh_margin_s
        self._model = model
        self._clock = clock
        self._cached: EphemeralToken | None = None
        self.minted = 0

    async def credential(self, *, new_session: bool) -> Credential:
        cached = self._cached
        if new_session or cached is None or self._clock() >= cached.expire_at - self._margin_s:
            cached = await mint_token(
                self._api_key,
                endpoint=self._endpoint,
                uses=1,
                expire_in_s=self._lifetime_s,
                model=self._model,
                clock=self._clock,
            )
            self._cached = cached
            self.minted += 1
        return Credential(cached.name, cached.expire_at)

    def invalidate(self) -> None:
        self._cached = None


class TokenEndpointProvider:
    """Fetches short-lived tokens from the organisation's HTTPS endpoint (contract above)."""

    def __init__(
        self,
        url: str,
        *,
        model: str,
        ca_file: Path | None = None,
        ssl_context: ssl.SSLContext | None = None,
        bearer: Secret | None = None,
        refresh_margin_s: float = 60.0,
        timeout_s: float = 15.0,
        clock: Clock = time.time,
    ) -> None:
        if not url.startswith("https://"):
            raise ValueError("the token endpoint must use https://")
        self.url = url
        self._model = model
        self._context = ssl_context or ssl.create_default_context(
            cafile=str(ca_file) if ca_file else None
        )
        self._bearer = bearer
        if bearer is not None:
            redact.remember(bearer.reveal())
        self._margin_s = refresh_margin_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._cached: EphemeralToken | None = None
        self.fetched = 0

    async def credential(self, *, new_session: bool) -> Credential:
        cached = self._cached
        if new_session or cached is None or self._clock() >= cached.expire_at - self._margin_s:
            loop = asyncio.get_running_loop()
            cached = await loop.run_in_executor(None, self._fetch)
            self._cached = cached
            self.fetched += 1
        return Credential(cached.name, cached.expire_at)

    def invalidate(self) -> None:
        self._cached = None

    def _fetch(self) -> EphemeralToken:
        body = json.dumps({"model": self._model, "client": f"desktop-assistant/{__version__}"})
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._bearer is not None:
            headers["Authorization"] = f"Bearer {self._bearer.reveal()}"
        request = urllib.request.Request(
            self.url, data=body.encode("utf-8"), headers=headers, method="POST"
        )
        # No proxy handler: the organisation's endpoint is reached directly, like the service.
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self._context)
        )
        try:
            with opener.open(request, timeout=self._timeout_s) as response:
                raw = response.read(MAX_TOKEN_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise TokenError(_refusal(exc), retryable=exc.code >= 500 or exc.code == 429) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TokenError(f"The token service could not be reached ({reason}).") from None
        if len(raw) > MAX_TOKEN_RESPONSE_BYTES:
            raise TokenError("The token service sent an oversized answer.")
        return parse_token_response(raw, now=self._clock())


def parse_token_response(raw: bytes, *, now: float) -> EphemeralToken:
    try:
        data = json.loads(raw)
    except ValueError:
        raise TokenError("The token service did not answer with JSON.") from None
    if not isinstance(data, dict) or not isinstance(data.get("token"), str):
        raise TokenError("The token service's answer has no token.")
    name = data["token"]
    if not name.startswith("auth_tokens/"):
        raise TokenError("The token service's answer is not an ephemeral token.")
    redact.remember(name)
    expire_at = _parse_time(data.get("expire_time"), default=now + 1800.0)
    if expire_at <= now:
        raise TokenError("The token service handed out a token that has already expired.")
    new_session = data.get("new_session_expire_time")
    return EphemeralToken(
        Secret(name),
        expire_at,
        _parse_time(new_session, default=expire_at) if new_session is not None else None,
    )


def _refusal(exc: urllib.error.HTTPError) -> str:
    message = ""
    try:
        payload = json.loads(exc.read(MAX_TOKEN_RESPONSE_BYTES))
        if isinstance(payload, dict) and isinstance(payload.get("error"), str):
            message = payload["error"][:300]
    except (ValueError, OSError):
        pass
    if exc.code in (401, 403):
        base = "The token service did not accept your sign-in"
    else:
        base = f"The token service refused (HTTP {exc.code})"
    return f"{base}: {redact.redact(message)}" if message else f"{base}."


def _parse_time(value: object, *, default: float) -> float:
    if value is None:
        return default
    if not isinstance(value, str):
        raise TokenError("The token service's expiry time is not a date.")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise TokenError(f"The token service's expiry time {value!r} is not a date.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()
