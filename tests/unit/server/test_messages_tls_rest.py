from __future__ import annotations

import json
import ssl
from http import HTTPStatus
from pathlib import Path

import pytest
from cryptography import x509

from desktop_assistant.server import messages, tls
from desktop_assistant.server.engines.base import FunctionCall
from desktop_assistant.server.rest import AuthTokensEndpoint, HttpRequest, _HttpParser
from desktop_assistant.server.tokens import TokenStore


def test_durations_and_usage() -> None:
    assert messages.duration(50) == "50s"
    assert messages.duration(0.5) == "0.500s"
    usage = messages.Usage()
    usage.add_prompt("AUDIO", 64)
    usage.add_prompt("TEXT", 3)
    usage.add_response("AUDIO", 32)
    body = messages.turn_complete(usage)
    assert body["serverContent"] == {"turnComplete": True}
    assert body["usageMetadata"] == {
        "promptTokenCount": 67,
        "responseTokenCount": 32,
        "totalTokenCount": 99,
        "promptTokensDetails": [
            {"modality": "AUDIO", "tokenCount": 64},
            {"modality": "TEXT", "tokenCount": 3},
        ],
        "responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 32}],
    }
    assert messages.audio_tokens(1.0) == 32


def test_server_messages_are_camel_case() -> None:
    audio = messages.model_audio(b"\x01\x02")
    assert audio == {"serverContent": {"modelTurn": {"parts": [
        {"inlineData": {"mimeType": "audio/pcm;rate=24000", "data": "AQI="}}]}}}  # fmt: skip
    call = messages.tool_call([FunctionCall("fc-1", "f", {"a_b": 1})])
    assert call == {
        "toolCall": {"functionCalls": [{"id": "fc-1", "name": "f", "args": {"a_b": 1}}]}
    }
    assert messages.resumption_update(None) == {"sessionResumptionUpdate": {"resumable": False}}
    assert messages.go_away(50) == {"goAway": {"timeLeft": "50s"}}
    assert messages.setup_complete() == {"setupComplete": {}}


def test_certificate_covers_loopback_and_is_trusted_through_the_ca(tmp_path: Path) -> None:
    files = tls.generate(tmp_path, hosts=["192.0.2.7", "assistant.lan"])
    leaf = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {
        "127.0.0.1",
        "192.0.2.7",
    }
    assert set(names.get_values_for_type(x509.DNSName)) == {"localhost", "assistant.lan"}
    assert files.key_file.stat().st_mode & 0o077 == 0
    # A full TLS handshake in memory: the client trusts only our CA and checks the host name.
    server_ctx, client_ctx = tls.server_context(files), tls.client_context(files.ca_file)
    for host, ok in (("127.0.0.1", True), ("localhost", True), ("example.com", False)):
        assert _handshake(server_ctx, client_ctx, host) is ok


def _handshake(server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext, host: str) -> bool:
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=host)
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(10):
        for name, side in (("client", client), ("server", server)):
            if done[name]:
                continue
            try:
                side.do_handshake()
                done[name] = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                return False
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            return True
    return False


def test_http_parser_takes_a_request_in_pieces() -> None:
    parser = _HttpParser()
    body = b'{"uses": 1}'
    raw = (
        b"POST /v1alpha/auth_tokens HTTP/1.1\r\nContent-Length: 11\r\nX-Goog-Api-Key: k\r\n\r\n"
        + body
    )
    assert parser.feed(raw[:20]) is None
    assert parser.feed(raw[20:-3]) is None
    request = parser.feed(raw[-3:])
    assert request == HttpRequest(
        "POST", "/v1alpha/auth_tokens", {"content-length": "11", "x-goog-api-key": "k"}, body
    )


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (HttpRequest("POST", "/v1alpha/auth_tokens", {"x-goog-api-key": "wrong"}, b"{}"), HTTPStatus.BAD_REQUEST),
        (HttpRequest("POST", "/v1alpha/other", {"x-goog-api-key": "key"}, b"{}"), HTTPStatus.NOT_FOUND),
        (HttpRequest("PUT", "/v1alpha/auth_tokens", {"x-goog-api-key": "key"}, b"{}"), HTTPStatus.METHOD_NOT_ALLOWED),
        (HttpRequest("POST", "/v1alpha/auth_tokens", {"x-goog-api-key": "key"}, b"[1]"), HTTPStatus.BAD_REQUEST),
        (HttpRequest("POST", "/v1alpha/auth_tokens", {"x-goog-api-key": "key"}, b'{"uses": -1}'), HTTPStatus.BAD_REQUEST),
    ],
)  # fmt: skip
def test_rest_errors(request_: HttpRequest, status: HTTPStatus) -> None:
    response = AuthTokensEndpoint(TokenStore(), "key").handle(request_)
    assert response.status is status
    assert response.body["error"]["code"] == status.value  # type: ignore[index]


def test_rest_mints_with_the_sdk_body() -> None:
    store = TokenStore(lambda: 1_759_320_000.0)  # 2025-10-01T12:00:00Z
    body = {
        "expireTime": "2025-10-01T12:30:00+00:00",
        "newSessionExpireTime": "2025-10-01T12:01:00Z",
        "uses": 1,
        "bidiGenerateContentSetup": {"model": "models/m", "generationConfig": {"temperature": 0.7}},
        "fieldMask": "model,generationConfig.temperature",
    }
    request = HttpRequest(
        "POST", "/v1alpha/auth_tokens", {"x-goog-api-key": "key"}, json.dumps(body).encode()
    )
    response = AuthTokensEndpoint(store, "key").handle(request)
    assert response.status is HTTPStatus.OK
    name = response.body["name"]
    assert isinstance(name, str)
    assert store.expires_at(name) == 1_759_320_000.0 + 1800
    constraints = store.admit(name, resuming=False)
    assert constraints is not None
    assert constraints.locked_fields == ("model", "generationConfig.temperature")
    assert response.encode().startswith(b"HTTP/1.1 200 OK\r\n")
