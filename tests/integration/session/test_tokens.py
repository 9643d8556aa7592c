"""Ephemeral tokens: minted from a key with an organisation's limits, or fetched from its endpoint."""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from google.genai import types

from desktop_assistant.config.secrets import Secret
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    OutputTranscribed,
    Reconnected,
    SessionErrored,
    SessionStarted,
    TurnCompleted,
)
from desktop_assistant.server import LocalLiveServer, ServerOptions, tls
from desktop_assistant.session.connection import StaticCredential
from desktop_assistant.session.tokens import (
    MintingTokenProvider,
    TokenEndpointProvider,
    TokenError,
    mint_token,
)
from tests.integration.session.conftest import Recorder, endpoint_for, local_settings, session_for

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore:The SDK's ephemeral token support"),
]


async def test_a_token_minted_from_the_key_opens_a_constrained_session(server):
    token = await mint_token(
        Secret(server.api_key), endpoint=endpoint_for(server), uses=1, expire_in_s=600
    )
    assert token.name.reveal().startswith("auth_tokens/")
    rec = Recorder(session_for(server, credentials=StaticCredential(token.name), ephemeral=True))
    await rec.session.send_text("hi")
    await rec.wait_for(TurnCompleted)
    assert server.connections[0].method.endswith("Constrained")
    assert server.connections[0].api_version == "v1alpha"
    await rec.close()


async def test_a_minted_token_locks_the_setup_the_organisation_chose(tmp_path):
    script = tmp_path / "instruction.json"
    script.write_text(json.dumps({"turns": ["Instruction: {system_instruction}"]}))
    async with LocalLiveServer(
        ServerOptions(engine=f"script:{script}", speed=50.0, espeak=None)
    ) as server:
        token = await mint_token(
            Secret(server.api_key),
            endpoint=endpoint_for(server),
            model="gemini-2.5-flash-native-audio-preview-12-2025",
            config=types.LiveConnectConfig(system_instruction="Only talk about the weather."),
        )
        settings = local_settings(system_instruction="Talk about anything.")
        rec = Recorder(
            session_for(server, settings, credentials=StaticCredential(token.name), ephemeral=True)
        )
        await rec.session.send_text("what are your instructions?")
        await rec.wait_for(TurnCompleted)
        said = "".join(e.text for e in rec.of(OutputTranscribed))
        assert "Only talk about the weather." in said
        await rec.close()


async def test_a_single_use_token_cannot_start_a_second_session(server):
    token = await mint_token(Secret(server.api_key), endpoint=endpoint_for(server), uses=1)
    first = Recorder(session_for(server, credentials=StaticCredential(token.name), ephemeral=True))
    await first.wait_for(SessionStarted)
    second = Recorder(
        session_for(
            server,
            local_settings(connection={"reconnect_attempts": 1}),
            credentials=StaticCredential(token.name),
            ephemeral=True,
        )
    )
    await second.wait(
        lambda: any(e.state is ConnectionState.FAILED for e in second.of(ConnectionStateChanged))
    )
    assert any("token" in e.message for e in second.of(SessionErrored))
    await first.close()
    await second.close()


async def test_minting_with_a_bad_key_is_a_clear_refusal(server):
    with pytest.raises(TokenError, match="refused") as refused:
        await mint_token(Secret("wrong-key-123"), endpoint=endpoint_for(server))
    assert not refused.value.retryable
    assert "wrong-key-123" not in str(refused.value)


async def test_new_sessions_get_fresh_tokens_and_resumptions_reuse_them():
    options = ServerOptions(
        engine="echo", speed=50.0, espeak=None, connection_lifetime_s=2.0, goaway_notice_s=1.5
    )
    async with LocalLiveServer(options) as server:
        provider = MintingTokenProvider(Secret(server.api_key), endpoint=endpoint_for(server))
        rec = Recorder(session_for(server, credentials=provider, ephemeral=True))
        await rec.session.send_text("hello")
        await rec.wait_for(TurnCompleted)
        first = await rec.wait_for(Reconnected)
        assert first.resumed
        assert provider.minted == 1  # resuming does not spend a use: the same token serves
        second = await rec.wait_for(Reconnected, 2)
        assert not second.resumed  # a new session (no handle since the last turn)...
        assert provider.minted == 2  # ...needs a fresh single-use token
        await rec.close()


class _OrgEndpoint:
    """The organisation's token service: HTTPS, checks a bearer credential, mints from the server."""

    def __init__(self, server: LocalLiveServer, directory, bearer: str) -> None:
        files = tls.generate(directory, None)
        self.ca_file = files.ca_file
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(
                    {"body": body, "authorization": self.headers.get("Authorization")}
                )
                if self.headers.get("Authorization") != f"Bearer {bearer}":
                    self._reply(403, {"error": "Your organisation account is not allowed to talk."})
                    return
                token = server.mint_token(uses=1, expire_in_s=600)
                self._reply(200, {"token": token, "expire_time": "2999-01-01T00:00:00Z"})

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(files.cert_file, files.key_file)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}/v1/live-token"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


async def test_tokens_from_the_organisations_endpoint(server, tmp_path):
    org = await asyncio.get_running_loop().run_in_executor(
        None, _OrgEndpoint, server, tmp_path, "sso-123"
    )
    try:
        provider = TokenEndpointProvider(
            org.url,
            model="gemini-2.5-flash-native-audio-preview-12-2025",
            ca_file=org.ca_file,
            bearer=Secret("sso-123"),
        )
        rec = Recorder(session_for(server, credentials=provider, ephemeral=True))
        await rec.session.send_text("hello")
        await rec.wait_for(TurnCompleted)
        assert provider.fetched == 1
        (request,) = org.requests
        assert request["body"]["model"] == "gemini-2.5-flash-native-audio-preview-12-2025"
        assert request["authorization"] == "Bearer sso-123"
        assert server.connections[0].method.endswith("Constrained")
        await rec.close()
    finally:
        org.close()


async def test_a_refusal_from_the_organisations_endpoint_stops_with_its_words(server, tmp_path):
    org = await asyncio.get_running_loop().run_in_executor(
        None, _OrgEndpoint, server, tmp_path, "sso-123"
    )
    try:
        provider = TokenEndpointProvider(
            org.url, model="m", ca_file=org.ca_file, bearer=Secret("someone-else")
        )
        rec = Recorder(session_for(server, credentials=provider, ephemeral=True))
        await rec.wait(
            lambda: any(e.state is ConnectionState.FAILED for e in rec.of(ConnectionStateChanged))
        )
        error = rec.of(SessionErrored)[-1]
        assert "did not accept your sign-in" in error.message
        assert "not allowed to talk" in error.message
        assert server.stats.connections_total == 0
        await rec.close()
    finally:
        org.close()


async def test_a_connection_moves_to_a_fresh_token_before_its_token_expires(server):
    provider = MintingTokenProvider(
        Secret(server.api_key), endpoint=endpoint_for(server), lifetime_s=4.0, refresh_margin_s=1.0
    )
    rec = Recorder(session_for(server, credentials=provider, ephemeral=True))
    await rec.session.send_text("hello")
    await rec.wait_for(TurnCompleted)
    handover = await rec.wait_for(Reconnected)
    assert handover.reason == "token refresh"
    assert handover.resumed  # the conversation continues on the new connection...
    assert provider.minted == 2  # ...with a fresh token
    assert not rec.of(SessionErrored)  # before the old one was refused
    await rec.session.send_text("still here")
    await rec.wait_for(TurnCompleted, 2)
    await rec.close()
