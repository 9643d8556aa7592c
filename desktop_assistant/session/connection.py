"""Where to connect and with what: endpoints, credentials, and the genai client for one connection.

A new ``genai.Client`` is made for every connection (it is cheap and holds no socket), so a
credential that changed in between (a refreshed ephemeral token) is always the one used.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from google import genai
from google.genai import types

from desktop_assistant.config.capabilities import Platform
from desktop_assistant.config.secrets import Secret
from desktop_assistant.config.settings import ConnectionSettings
from desktop_assistant.core import redact


@dataclass(frozen=True, slots=True)
class Credential:
    """An API key or an ephemeral token (``auth_tokens/...``); ``None`` value = ambient (ADC)."""

    secret: Secret | None
    expires_at: float | None = None
    """Wall-clock (epoch) expiry of a token."""

    @property
    def is_token(self) -> bool:
        return self.secret is not None and self.secret.reveal().startswith("auth_tokens/")


class CredentialProvider(Protocol):
    """Hands out the credential for the next connection (refreshing tokens as needed)."""

    async def credential(self, *, new_session: bool) -> Credential:
        """The credential for a connection; ``new_session`` is False for a resumption."""
        ...

    def invalidate(self) -> None:
        """The last credential was refused: the next call must not return it again."""


class StaticCredential:
    """A fixed API key (or a token someone else refreshes), or ambient credentials."""

    def __init__(self, secret: Secret | None) -> None:
        self._credential = Credential(secret)
        if secret is not None:
            redact.remember(secret.reveal())

    async def credential(self, *, new_session: bool) -> Credential:
        return self._credential

    def invalidate(self) -> None:
        pass  # nothing better to offer: the error asks the user for a new key


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The Live service to talk to."""

    platform: Platform = Platform.GEMINI_API
    base_url: str | None = None
    api_version: str | None = None
    ca_file: Path | None = None
    ssl_context: ssl.SSLContext | None = None
    use_system_proxy: bool = True
    """False for loopback servers: a proxy from the environment must never see local traffic."""
    vertex_project: str | None = None
    vertex_location: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def tls_context(self) -> ssl.SSLContext | None:
        if self.ssl_context is not None:
            return self.ssl_context
        if self.ca_file is not None:
            return ssl.create_default_context(cafile=str(self.ca_file))
        return None


def make_client(
    endpoint: Endpoint,
    credential: Credential,
    connection: ConnectionSettings,
    *,
    api_version: str,
) -> genai.Client:
    """A client whose live connections honour the endpoint, TLS trust and keepalive settings."""
    args: dict[str, Any] = {
        # websockets: a bigger frame limit than the 1 MiB default (one long audio frame must not
        # kill the session), keepalive timing, and no cap on buffered frames (the receive task
        # drains them; pausing reads would starve the keepalive).
        "max_size": connection.max_message_bytes,
        "ping_interval": connection.keepalive_interval_s,
        "ping_timeout": connection.keepalive_timeout_s,
        "max_queue": None,
        "open_timeout": connection.connect_timeout_s,
    }
    context = endpoint.tls_context()
    if context is not None:
        args["ssl"] = context
        args["verify"] = context  # the REST client (token minting) reads "verify"
    if not endpoint.use_system_proxy:
        args["proxy"] = None
    options = types.HttpOptions(
        base_url=endpoint.base_url,
        api_version=api_version,
        headers=dict(endpoint.headers) or None,
        async_client_args=args,
    )
    key = credential.secret.reveal() if credential.secret is not None else None
    if endpoint.platform is Platform.VERTEX:
        if key is not None:
            return genai.Client(vertexai=True, api_key=key, http_options=options)
        return genai.Client(
            vertexai=True,
            project=endpoint.vertex_project,
            location=endpoint.vertex_location,
            http_options=options,
        )
    return genai.Client(api_key=key, http_options=options)


def seconds_until(epoch: float | None) -> float | None:
    return None if epoch is None else epoch - time.time()
