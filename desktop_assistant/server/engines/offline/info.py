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

# End-of-turn silence for this backend when the client names none (the engine's default; a
# client may still ask for its own ``silenceDurationMs``). Silero measures a pause between two
# sentences some 50 ms shorter than it is (the voice fades below its threshold late and starts
# above it early): a 500 ms pause measured 448 ms, a 600 ms one 544 ms. 600 ms keeps pauses of
# up to ~0.65 s inside one turn; 300 ms cut "Wait, stop. Tell me about Paris instead." in two.
# It costs little time: the server starts answering at the first 224 ms of silence and holds
# the answer (speculation), and the engine needs ~0.5-0.6 s (p50) to its first audio, so the
# answer is rarely ready before the 600 ms have passed anyway. bench/offline_bench.py, 2 idle
# cores, end of speech -> first audio p50 / p95: 0.77 / 1.01 s (0.81 / 0.96 s at 300 ms, with
# the turns cut); without speculation 1.19 / 1.50 s (0.96 / 1.37 s at 300 ms).
RECOMMENDED_SILENCE_MS = 600


def is_installed() -> bool:
    """Whether the offline extra's runtimes and model packages are present (nothing loaded)."""
    from desktop_assistant.server.engines.offline.models import missing_packages

    return importlib.util.find_spec("numpy") is not None and not missing_packages()
