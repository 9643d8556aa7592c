"""``LocalLiveServer``: the local Gemini Live server as a Python object.

::

    async with LocalLiveServer(ServerOptions(engine="echo", speed=20.0)) as server:
        client = server.genai_client()  # the unmodified SDK, trusting the server's CA

``server.options`` and ``server.faults`` may be changed while it runs; each new connection uses
the values current when it opens.
"""

from __future__ import annotations

import asyncio
import http
import ipaddress
import logging
import secrets
import shutil
import ssl
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from google import genai
from google.genai import types as genai_types
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from desktop_assistant.server import tls
from desktop_assistant.server.engines.base import Engine
from desktop_assistant.server.engines.registry import create_engine
from desktop_assistant.server.faults import Fault, FaultPlan
from desktop_assistant.server.rest import AuthTokensEndpoint, connection_class
from desktop_assistant.server.resumption import ResumptionStore
from desktop_assistant.server.routes import match_live_route, redact_target
from desktop_assistant.server.session import LiveConnection, SessionOptions, SharedState
from desktop_assistant.server.speech import SpeechSynthesizer
from desktop_assistant.server.stats import ConnectionInfo, ServerStats
from desktop_assistant.server.tokens import TokenConstraints, TokenStore
from desktop_assistant.server.vad import VadModelPool
from desktop_assistant.server.wire import FrameKind, JsonObject

log = logging.getLogger(__name__)
# websockets logs every request header at DEBUG level, API keys and tokens included: its logger
# for this server never goes below INFO, whatever the application's log level.
_ws_log = logging.getLogger("desktop_assistant.server.websockets")
_ws_log.setLevel(logging.INFO)

MAX_CLIENT_FRAME_BYTES = 16 * 2**20  # video frames and long histories fit; nothing unbounded


class ServerConfigError(ValueError):
    """The options ask for something the server refuses to do (e.g. an open port without a key)."""


@dataclass
class ServerOptions:
    engine: str | Engine = "echo"  # "echo", "script:PATH", or an Engine
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    api_key: str | None = None  # generated when None
    require_credential: bool = True  # False accepts any API key (never beyond loopback)
    connection_lifetime_s: float | None = 600.0  # None: connections never expire
    goaway_notice_s: float = 50.0  # goAway comes this long before the lifetime ends
    speed: float = 1.0  # pacing of model audio relative to real time; math.inf: unpaced
    audio_chunk_ms: int = 40  # model audio frame length (20-100 ms)
    frame_kind: FrameKind = "binary"  # the real service sends JSON in binary frames
    faults: Sequence[Fault] = field(default_factory=tuple)
    state_dir: Path | None = None  # where the CA and certificate go; a temporary folder if None
    setup_timeout_s: float = 30.0
    espeak: str | None = "auto"  # path to espeak-ng, "auto" to look it up, None for tones
    clock: Callable[[], float] = time.time  # wall clock for token and handle expiry (tests)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LocalLiveServer:
    def __init__(self, options: ServerOptions | None = None) -> None:
        self.options = options or ServerOptions()
        self.faults = FaultPlan(list(self.options.faults))
        self.stats = ServerStats()
        self.tokens = TokenStore(clock=self.options.clock)
        self.resumption = ResumptionStore(clock=self.options.clock)
        self.api_key = self.options.api_key or "local-" + secrets.token_urlsafe(24)
        self._server: Server | None = None
        self._engine: Engine | None = None
        self._tls: tls.TlsFiles | None = None
        self._temp_dir: Path | None = None
        self._vad_models = VadModelPool()
        self._speech = SpeechSynthesizer(self.options.espeak)
        self._live: set[LiveConnection] = set()  # connections whose handler is running
        self._port = 0

    # ------------------------------------------------------------------ what clients need

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        host = self.options.host
        if ":" in host:
            host = f"[{host}]"
        return f"https://{host}:{self._port}"

    @property
    def ca_file(self) -> Path:
        if self._tls is None:
            raise RuntimeError("the server is not started")
        return self._tls.ca_file

    @property
    def speech_kind(self) -> str:
        """``"espeak-ng"`` or ``"synthetic"`` (tones): what the built-in engines speak with."""
        return self._speech.kind

    @property
    def connections(self) -> list[ConnectionInfo]:
        return self.stats.connections

    def client_ssl_context(self) -> ssl.SSLContext:
        return tls.client_context(self.ca_file)

    def genai_client(
        self, *, api_key: str | None = None, api_version: str = "v1beta"
    ) -> genai.Client:
        """An unmodified google-genai client pointed at this server and trusting its CA.

        The SDK forces TLS and takes the trust through ``async_client_args`` (forwarded to
        websockets); ``proxy: None`` keeps a system proxy from catching loopback traffic.
        """
        return genai.Client(
            api_key=api_key if api_key is not None else self.api_key,
            http_options=genai_types.HttpOptions(
                base_url=self.base_url,
                api_version=api_version,
                async_client_args={"ssl": self.client_ssl_context(), "proxy": None},
            ),
        )

    def mint_token(
        self,
        uses: int = 1,
        expire_in_s: float = 1800.0,
        new_session_expire_in_s: float = 60.0,
        constraints: TokenConstraints | Mapping[str, object] | None = None,
    ) -> str:
        """An ephemeral token (``auth_tokens/...``) for ``BidiGenerateContentConstrained``.

        Args:
            uses: new sessions it may start (0 = unlimited); resuming does not count.
            expire_in_s: after this the token and the sessions it opened are refused.
            new_session_expire_in_s: after this no new session may start with it.
            constraints: a setup to lock (a ``TokenConstraints``, or a setup dict, which locks
                every field it sets).
        """
        if constraints is not None and not isinstance(constraints, TokenConstraints):
            setup: JsonObject = dict(constraints)  # type: ignore[arg-type]
            constraints = TokenConstraints(setup)
        return self.tokens.mint(uses, expire_in_s, new_session_expire_in_s, constraints)

    async def wait_for(self, condition: Callable[[], bool], within_s: float = 10.0) -> None:
        """Wait until ``condition()`` holds (re-checked whenever the server's state changes).

        Raises:
            TimeoutError: if it does not hold within ``within_s`` seconds.
        """
        await self.stats.wait_for(condition, within_s)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        options = self.options
        if not is_loopback(options.host) and not options.require_credential:
            raise ServerConfigError(
                f"refusing to listen on {options.host} without a credential: "
                "beyond loopback the server needs its API key (drop the option that disables it)"
            )
        self._engine = (
            options.engine
            if isinstance(options.engine, Engine)
            else create_engine(options.engine, self._speech)
        )
        await self._engine.start()
        directory = options.state_dir
        if directory is None:
            directory = self._temp_dir = Path(tempfile.mkdtemp(prefix="desktop-assistant-server-"))
        hosts = [] if is_loopback(options.host) else [options.host]
        loop = asyncio.get_running_loop()
        self._tls = await loop.run_in_executor(None, tls.generate, directory, hosts)
        endpoint = AuthTokensEndpoint(self.tokens, self.api_key)
        self._server = await serve(
            self._handle,
            options.host,
            options.port,
            ssl=tls.server_context(self._tls),
            process_request=self._route_request,
            create_connection=connection_class(endpoint),
            max_size=MAX_CLIENT_FRAME_BYTES,
            logger=_ws_log,
        )
        self._port = self._server.sockets[0].getsockname()[1]
        log.info("local Live server on %s (engine %s)", self.base_url, self._engine.name)

    async def stop(self) -> None:
        """Shut down as a restarting service does; nothing of the server runs once this returns.

        Every connection's model turn, pacing and timers are cancelled and awaited first (so no
        frame races the close), then every socket is closed with 1001 (going away) and each
        connection's handler has ended (its engine session closed) before the engine is closed.
        """
        server, self._server = self._server, None
        if server is not None:
            await asyncio.gather(*(connection.shutdown() for connection in list(self._live)))
            server.close()  # refuses new connections, closes open ones with 1001 (going away)
            await server.wait_closed()  # returns once every connection handler has returned
        if self._engine is not None:
            await self._engine.aclose()
            self._engine = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    async def __aenter__(self) -> LocalLiveServer:
        try:
            await self.start()
        except BaseException:
            await self.stop()  # __aexit__ does not run when __aenter__ fails: free what started
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ connections

    def _route_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if match_live_route(request.path) is None:
            log.info("no Live route at %s", redact_target(request.path))
            return connection.respond(http.HTTPStatus.NOT_FOUND, "Method not found.\n")
        return None

    def _session_options(self) -> SessionOptions:
        o = self.options
        return SessionOptions(
            api_key=self.api_key,
            require_credential=o.require_credential,
            speed=o.speed,
            audio_chunk_ms=o.audio_chunk_ms,
            frame_kind=o.frame_kind,
            connection_lifetime_s=o.connection_lifetime_s,
            goaway_notice_s=o.goaway_notice_s,
            setup_timeout_s=o.setup_timeout_s,
        )

    async def _handle(self, ws: ServerConnection) -> None:
        assert self._engine is not None
        route = match_live_route(ws.request.path if ws.request else "")
        if route is None:  # process_request already refused it
            return
        stats = self.stats
        stats.connections_total += 1
        stats.connections_active += 1
        shared = SharedState(
            options=self._session_options(),
            engine=self._engine,
            tokens=self.tokens,
            resumption=self.resumption,
            faults=self.faults,
            stats=stats,
            vad_models=self._vad_models,
        )
        connection = LiveConnection(ws, route, shared, stats.connections_total)
        self._live.add(connection)
        stats.connections.append(connection.info)
        stats.notify()
        log.info(
            "connection %d: %s",
            connection.info.index,
            redact_target(ws.request.path if ws.request else ""),
        )
        try:
            await connection.run()
        finally:
            self._live.discard(connection)
            stats.connections_active -= 1
            stats.notify()
            log.info(
                "connection %d ended (close %s)",
                connection.info.index,
                ws.close_code if ws.close_code is not None else "none",
            )
