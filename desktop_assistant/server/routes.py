"""Which WebSocket paths the server answers, and what each one means.

The SDK builds ``{base_url}/ws/google.ai.generativelanguage.{version}.GenerativeService.{method}``;
a base URL with a trailing slash gives ``//ws`` and one with a path gives ``/prefix/ws``. Vertex
clients use ``.../ws/google.cloud.aiplatform.{version}.LlmBidiService/BidiGenerateContent``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from desktop_assistant.server.catalog import Backend


class Method(enum.Enum):
    BIDI = "BidiGenerateContent"
    CONSTRAINED = "BidiGenerateContentConstrained"  # ephemeral tokens only


@dataclass(frozen=True, slots=True)
class Route:
    backend: Backend
    api_version: str
    method: Method
    query: dict[str, str]  # first value of each parameter; may hold a credential, never log it


_DEVELOPER = re.compile(
    r"^(?:/[^?]*?)?/+ws/google\.ai\.generativelanguage\.(?P<version>v1|v1beta|v1alpha)"
    r"\.GenerativeService\.(?P<method>BidiGenerateContentConstrained|BidiGenerateContent)$"
)
_VERTEX = re.compile(
    r"^(?:/[^?]*?)?/+ws/google\.cloud\.aiplatform\.(?P<version>v1|v1beta1)"
    r"\.LlmBidiService/(?P<method>BidiGenerateContent)$"
)
_AUTH_TOKENS = re.compile(r"^(?:/[^?]*?)?/+(?P<version>v1|v1beta|v1alpha)/auth_tokens$")


def _split(target: str) -> tuple[str, str]:
    # Not urlsplit: it would read the "//ws" of a trailing-slash base URL as a host name.
    path, _, query = target.partition("?")
    return path, query.partition("#")[0]


def match_live_route(target: str) -> Route | None:
    """The Live route for a request target (path and query), or ``None`` if it is not one."""
    path, raw_query = _split(target)
    query = {name: values[0] for name, values in parse_qs(raw_query).items() if values}
    for pattern, backend in ((_DEVELOPER, Backend.DEVELOPER), (_VERTEX, Backend.VERTEX)):
        found = pattern.match(path)
        if found:
            return Route(backend, found["version"], Method(found["method"]), query)
    return None


def match_auth_tokens_route(target: str) -> str | None:
    """The API version of a ``POST .../auth_tokens`` target, or ``None``."""
    found = _AUTH_TOKENS.match(_split(target)[0])
    return found["version"] if found else None


def redact_target(target: str) -> str:
    """The path alone, for logs: query strings may carry a key or a token."""
    return _split(target)[0]
