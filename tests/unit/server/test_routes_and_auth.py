from __future__ import annotations

import pytest

from desktop_assistant.server.auth import Credential, check_api_key, find_credential
from desktop_assistant.server.catalog import Backend
from desktop_assistant.server.errors import ProtocolError
from desktop_assistant.server.routes import (
    Method,
    match_auth_tokens_route,
    match_live_route,
    redact_target,
)

DEV = "google.ai.generativelanguage.{v}.GenerativeService.{m}"


@pytest.mark.parametrize("version", ["v1", "v1beta", "v1alpha"])
@pytest.mark.parametrize("prefix", ["", "/", "/some/prefix", "/some/prefix/"])
@pytest.mark.parametrize("method", ["BidiGenerateContent", "BidiGenerateContentConstrained"])
def test_developer_routes(version: str, prefix: str, method: str) -> None:
    route = match_live_route(f"{prefix}/ws/{DEV.format(v=version, m=method)}?key=k")
    assert route is not None
    assert (route.backend, route.api_version, route.method) == (
        Backend.DEVELOPER,
        version,
        Method(method),
    )
    assert route.query == {"key": "k"}


def test_vertex_route() -> None:
    route = match_live_route(
        "//ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"
    )
    assert route is not None
    assert route.backend is Backend.VERTEX


@pytest.mark.parametrize(
    "target",
    ["/ws/google.ai.generativelanguage.v2.GenerativeService.BidiGenerateContent",
     "/ws/google.ai.generativelanguage.v1beta.GenerativeService.Other", "/", "/v1beta/models"],
)  # fmt: skip
def test_not_live_routes(target: str) -> None:
    assert match_live_route(target) is None


def test_auth_tokens_route_and_redaction() -> None:
    assert match_auth_tokens_route("/v1alpha/auth_tokens") == "v1alpha"
    assert match_auth_tokens_route("//v1alpha/auth_tokens?x=1") == "v1alpha"
    assert match_auth_tokens_route("/v1alpha/models") is None
    assert redact_target("/ws/x?key=secret") == "/ws/x"


def route(query: str = "", constrained: bool = False):  # type: ignore[no-untyped-def]
    method = "BidiGenerateContentConstrained" if constrained else "BidiGenerateContent"
    found = match_live_route(f"/ws/{DEV.format(v='v1beta', m=method)}{query}")
    assert found is not None
    return found


def test_credential_sources_in_order() -> None:
    assert (
        find_credential(
            {"authorization": "Token auth_tokens/t", "x-goog-api-key": "k"}, route()
        ).value
        == "auth_tokens/t"
    )
    assert find_credential({"authorization": "Bearer b"}, route()).value == "b"
    assert find_credential({"x-goog-api-key": "k"}, route("?key=q")).value == "k"
    assert find_credential({}, route("?access_token=a&key=q")).value == "a"
    assert find_credential({}, route("?key=q")).value == "q"
    assert find_credential({}, route()).value == ""


def test_credentials_never_show_in_repr() -> None:
    assert "secret" not in repr(Credential("secret"))
    assert Credential("auth_tokens/x").is_token


def test_api_key_checks() -> None:
    check_api_key(Credential("key"), "key", route())
    for credential, where in ((Credential("bad"), route()), (Credential(""), route()),
                              (Credential("key"), route(constrained=True))):  # fmt: skip
        with pytest.raises(ProtocolError) as caught:
            check_api_key(credential, "key", where)
        assert caught.value.code == 1007
