"""What the app tells the user about this backend, and whether it can run here.

Importing this module costs nothing: it touches no model and no optional dependency, so the UI
and the CLI can label the backend and offer the install command without the extra installed.
"""

from __future__ import annotations

import importlib.util

ENGINE_NAME = "offline"
BACKEND_LABEL = "Offline (English, limited knowledge)"
BACKEND_DESCRIPTION = (
    "Runs entirely on this computer: no API key, no network. It understands and speaks English "
    "only. A very small language model answers, so it knows little and can be wrong; the time, "
    "the date and timers are handled exactly, and the app's tools are used where they fit."
)

# End-of-turn silence a client should ask for (``silenceDurationMs``) with this backend. The
# server's default (600 ms) alone is most of the 1 s budget from the end of speech to the first
# sound; at 300 ms the measured median was 0.9 s (bench/offline_bench.py). A pause mid-sentence
# may then end the turn early; the rest of the sentence barges in and is answered.
RECOMMENDED_SILENCE_MS = 300


def is_installed() -> bool:
    """Whether the offline extra's runtimes and model packages are present (nothing loaded)."""
    from desktop_assistant.server.engines.offline.models import missing_packages

    return importlib.util.find_spec("numpy") is not None and not missing_packages()
