"""Credentials on a Live request: where the SDK and raw clients put them, and whether they pass.

The Python SDK sends an API key as ``x-goog-api-key``; with an ephemeral token it uses the
``BidiGenerateContentConstrained`` method and sends the token both as ``x-goog-api-key`` and as
``Authorization: Token ...``. Raw clients use ``?key=`` or ``?access_token=``; Vertex clients send
``Authorization: Bearer ...``. A refused credential closes the socket with 1007, as the service does.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from desktop_assistant.server.errors import API_KEY_INVALID, CloseCode, ProtocolError
from desktop_assistant.server.routes import Method, Route

TOKEN_PREFIX = "auth_tokens/"


@dataclass(frozen=True, slots=True)
class Credential:
    value: str = ""

    @property
    def is_token(self) -> bool:
        return self.value.startswith(TOKEN_PREFIX)

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        return "Credential(token)" if self.is_token else "Credential(key)"


def find_credential(headers: Mapping[str, str], route: Route) -> Credential:
    """The credential a request carries, in the order the service honours them."""
    authorization = headers.get("authorization", "").strip()
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return Credential(value.strip())
    for candidate in (
        headers.get("x-goog-api-key", ""),
        route.query.get("access_token", ""),
        route.query.get("key", ""),
    ):
        if candidate.strip():
            return Credential(candidate.strip())
    return Credential("")


def refuse(reason: str = API_KEY_INVALID) -> ProtocolError:
    return ProtocolError(CloseCode.INVALID_ARGUMENT, reason)


def check_api_key(credential: Credential, api_key: str, route: Route) -> None:
    """Admit a plain API key on the methods that take one.

    Raises:
        ProtocolError: 1007 when the key is missing or wrong, or used on the token-only method.
    """
    if not credential.value:
        raise refuse(
            "Method doesn't allow unregistered callers (callers without established identity)."
        )
    if route.method is Method.CONSTRAINED:
        raise refuse("BidiGenerateContentConstrained requires an ephemeral token.")
    if not hmac.compare_digest(credential.value.encode(), api_key.encode()):
        raise refuse()
