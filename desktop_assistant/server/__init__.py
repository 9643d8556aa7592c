"""A local, protocol-faithful Gemini Live server that the unmodified google-genai SDK connects to.

It is a separate program shipped in the same distribution (``desktop-assistant serve``): it serves
the tests, the headless demo, and is the base of the offline backend. It never imports the client
side of the project.

The Python API (what the app and the tests use)::

    from desktop_assistant.server import LocalLiveServer, ServerOptions
    async with LocalLiveServer(ServerOptions(engine="echo")) as server:
        server.base_url, server.ca_file, server.api_key, server.client_ssl_context()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_assistant.server.app import LocalLiveServer, ServerConfigError, ServerOptions
    from desktop_assistant.server.faults import Fault, FaultKind, FaultPlan
    from desktop_assistant.server.stats import ConnectionInfo, ServerStats
    from desktop_assistant.server.tokens import TokenConstraints

# Imported on first use, so that ``import desktop_assistant.server.engines.base`` (an engine
# author's only dependency) stays light.
_EXPORTS = {
    "LocalLiveServer": "app",
    "ServerConfigError": "app",
    "ServerOptions": "app",
    "Fault": "faults",
    "FaultKind": "faults",
    "FaultPlan": "faults",
    "ConnectionInfo": "stats",
    "ServerStats": "stats",
    "TokenConstraints": "tokens",
}

__all__ = [
    "ConnectionInfo",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "LocalLiveServer",
    "ServerConfigError",
    "ServerOptions",
    "ServerStats",
    "TokenConstraints",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
