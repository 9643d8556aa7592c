"""Backends: from settings (and command-line overrides) to an endpoint and credentials.

This is composition-root code: the local backend starts the bundled Live server in-process, which
only ``app`` may import. With ``kind=auto`` the Gemini API is used when a key is configured
(environment or keychain), otherwise the local server, so a first run works without any account:
with the offline speech engine when it is installed (the README's launch command installs it),
else with the diagnostic echo engine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop_assistant.config.capabilities import Platform
from desktop_assistant.config.secrets import Secret, SecretStore, SecretStoreError
from desktop_assistant.config.settings import BackendKind, Settings
from desktop_assistant.session.connection import CredentialProvider, Endpoint, StaticCredential
from desktop_assistant.session.tokens import MintingTokenProvider, TokenEndpointProvider

TOKEN_ENDPOINT_CREDENTIAL = "token-endpoint-credential"
"""Keychain entry holding the bearer credential for the organisation's token endpoint."""


class BackendError(Exception):
    """The backend cannot be used as configured; the message says what to do."""


@dataclass(frozen=True, slots=True)
class LocalServerOptions:
    """How the in-process local server behaves (tests and demos shorten its time scales)."""

    engine: str = "echo"
    speed: float = 1.0
    connection_lifetime_s: float | None = 600.0
    goaway_notice_s: float = 50.0
    faults: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class BackendOverrides:
    """Command-line choices that win over the settings."""

    kind: BackendKind | None = None
    base_url: str | None = None
    ca_file: Path | None = None
    api_key: str | None = None


@dataclass
class OpenBackend:
    kind: BackendKind
    endpoint: Endpoint
    credentials: CredentialProvider
    ephemeral: bool
    description: str
    server: object | None = field(default=None, repr=False)
    """The in-process ``LocalLiveServer`` of the local backend."""


def resolve_local_engine(name: str) -> str:
    """``auto`` becomes ``offline`` when the offline speech engine is installed, else ``echo``."""
    if name != "auto":
        return name
    from desktop_assistant.server.engines.offline import is_installed

    return "offline" if is_installed() else "echo"


def choose_kind(
    settings: Settings, overrides: BackendOverrides, secrets: SecretStore | None
) -> BackendKind:
    """The backend to use; reads the keychain (blocking: call it off the loop when it matters)."""
    return _choose(settings, overrides, _api_key(secrets))


def _choose(
    settings: Settings, overrides: BackendOverrides, stored_key: Secret | None
) -> BackendKind:
    if overrides.kind is not None:
        return overrides.kind
    if overrides.base_url:
        return BackendKind.CUSTOM
    kind = settings.backend.kind
    if kind is not BackendKind.AUTO:
        return kind
    if overrides.api_key or stored_key is not None:
        return BackendKind.GEMINI
    return BackendKind.LOCAL


@contextlib.asynccontextmanager
async def open_backend(
    settings: Settings,
    overrides: BackendOverrides | None = None,
    *,
    secrets: SecretStore | None = None,
    local: LocalServerOptions | None = None,
) -> AsyncIterator[OpenBackend]:
    """The endpoint and credentials to use; a local server runs for the duration."""
    overrides = overrides or BackendOverrides()
    # The keychain may answer over D-Bus (or run scrypt): not on the loop thread.
    stored = await asyncio.get_running_loop().run_in_executor(None, _api_key, secrets)
    kind = _choose(settings, overrides, stored)
    backend = settings.backend
    if kind is BackendKind.LOCAL:
        async with _local_server(
            settings, local or LocalServerOptions(engine=backend.local_engine)
        ) as opened:
            yield opened
        return

    key = Secret(overrides.api_key) if overrides.api_key else stored
    base_url = overrides.base_url or backend.base_url
    ca_file = overrides.ca_file or backend.ca_file
    if ca_file is not None and not ca_file.is_file():
        raise BackendError(f"The CA file {ca_file} does not exist.")
    if kind is BackendKind.CUSTOM:
        if not base_url:
            raise BackendError("A custom backend needs --base-url.")
        if key is None:
            raise BackendError("A custom backend needs an API key (--api-key or the keychain).")
        endpoint = Endpoint(
            base_url=base_url, ca_file=ca_file, use_system_proxy=not _loopback(base_url)
        )
        yield OpenBackend(
            kind,
            endpoint,
            StaticCredential(key),
            key.reveal().startswith("auth_tokens/"),
            f"Live endpoint {base_url}",
        )
        return
    if kind is BackendKind.GEMINI:
        if key is None:
            raise BackendError(
                "No Gemini API key is configured. Set GEMINI_API_KEY, or store a key in the "
                "settings (it is kept in the system keychain)."
            )
        endpoint = Endpoint(base_url=base_url, ca_file=ca_file)
        yield OpenBackend(kind, endpoint, StaticCredential(key), False, "Gemini API")
        return
    if kind is BackendKind.EPHEMERAL:
        endpoint = Endpoint(base_url=base_url, ca_file=ca_file)
        provider: CredentialProvider
        if backend.token_endpoint:
            bearer = await asyncio.get_running_loop().run_in_executor(
                None, _secret, secrets, TOKEN_ENDPOINT_CREDENTIAL
            )
            provider = TokenEndpointProvider(
                backend.token_endpoint,
                model=settings.model,
                ca_file=backend.token_endpoint_ca_file,
                bearer=bearer,
            )
            where = f"tokens from {backend.token_endpoint}"
        elif key is not None:
            provider = MintingTokenProvider(key, endpoint=endpoint, model=None)
            where = "tokens minted from the stored key"
        else:
            raise BackendError(
                "Ephemeral tokens need the organisation's token endpoint (backend.token_endpoint) "
                "or an API key to mint them from."
            )
        yield OpenBackend(kind, endpoint, provider, True, f"Gemini API ({where})")
        return
    if kind is BackendKind.VERTEX:
        if not (backend.vertex_project or base_url):
            raise BackendError("Vertex AI needs a project (backend.vertex_project).")
        endpoint = Endpoint(
            platform=Platform.VERTEX,
            base_url=base_url,
            ca_file=ca_file,
            vertex_project=backend.vertex_project,
            vertex_location=backend.vertex_location,
            use_system_proxy=not (base_url and _loopback(base_url)),
        )
        where = backend.vertex_project or base_url or ""
        yield OpenBackend(kind, endpoint, StaticCredential(key), False, f"Vertex AI ({where})")
        return
    raise BackendError(f"Unknown backend {kind.value}.")


@contextlib.asynccontextmanager
async def _local_server(
    settings: Settings, options: LocalServerOptions
) -> AsyncIterator[OpenBackend]:
    # The one place the client side meets the server: the composition root.
    from desktop_assistant.server import LocalLiveServer, ServerOptions
    from desktop_assistant.server.faults import Fault

    try:
        faults = tuple(Fault.parse(spec) for spec in options.faults)
    except ValueError as exc:
        raise BackendError(f"Bad fault for the local server: {exc}") from None
    engine = resolve_local_engine(options.engine)
    server = LocalLiveServer(
        ServerOptions(
            engine=engine,
            speed=options.speed,
            connection_lifetime_s=options.connection_lifetime_s,
            goaway_notice_s=options.goaway_notice_s,
            faults=faults,
        )
    )
    async with server:
        endpoint = Endpoint(
            base_url=server.base_url,
            ssl_context=server.client_ssl_context(),
            use_system_proxy=False,
        )
        yield OpenBackend(
            BackendKind.LOCAL,
            endpoint,
            StaticCredential(Secret(server.api_key)),
            False,
            f"local server ({engine}) at {server.base_url}",
            server=server,
        )


def _api_key(secrets: SecretStore | None) -> Secret | None:
    if secrets is None:
        return None
    try:
        found = secrets.api_key()
    except SecretStoreError:
        return None
    return found.secret if found else None


def _secret(secrets: SecretStore | None, name: str) -> Secret | None:
    if secrets is None:
        return None
    try:
        value = secrets.get(name)
    except SecretStoreError:
        return None
    return Secret(value) if value else None


def _loopback(url: str) -> bool:
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    return host in ("127.0.0.1", "localhost", "::1")
