"""What the window calls each backend, and the offline engine's loading as the window shows it.

The app knows which engine the local server runs (``backend.local_engine``; ``auto`` is the offline
speech engine when it is installed, else the echo test engine) and hands the UI plain, translated
words: the UI never imports the server. The offline engine's label and description are the
engine's own (``server.engines.offline.info``). Their German is in the window's catalogue, looked
up by the English text, so a label the engine changes shows in English until it is translated
(``tests/gui/test_translations.py`` notices); a stale translation can never show.
"""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from desktop_assistant.config.settings import BackendKind, Settings
from desktop_assistant.server.engines.offline import info as offline
from desktop_assistant.server.engines.offline.loader import LoadProgress, LoadState
from desktop_assistant.ui.controllers import BackendLabel, BackendProgress

translate = QCoreApplication.translate

# The offline engine's own label and description, for pyside6-lupdate (it extracts literals only).
_OFFLINE_TEXTS = (
    QT_TRANSLATE_NOOP("Backend", "Offline (English, limited knowledge)"),
    QT_TRANSLATE_NOOP(
        "Backend",
        "Runs entirely on this computer: no API key, no network. It understands and speaks English "
        "only. A very small language model answers, so it knows little and can be wrong; the time, "
        "the date and timers are handled exactly, and the app's tools are used where they fit.",
    ),
)


# The loader's one long step (once per machine) is worth naming in the status bar; the others
# show as "Loading… n/4". Matched by the loader's own sentence: should that change, the status
# bar shows the general line instead.
_PREPARING = QT_TRANSLATE_NOOP("Backend", "Preparing the offline language model (first run only)…")


def engine_label(engine: str) -> BackendLabel:
    """The label of the local server running ``engine`` (``offline``, ``echo``, ``script:FILE``)."""
    name, _, argument = engine.partition(":")
    if name == offline.ENGINE_NAME:
        return BackendLabel(
            translate("Backend", offline.BACKEND_LABEL),
            translate("Backend", offline.BACKEND_DESCRIPTION),
            local=True,
            speaker=translate("Backend", "Offline assistant"),
        )
    if name == "echo":
        return BackendLabel(
            translate("Backend", "Local test engine (echo)"),
            translate(
                "Backend",
                "Repeats what you say or type, to check the app, the microphone and the speaker "
                "without a key. It does not answer questions.",
            ),
            local=True,
            speaker=translate("Backend", "Echo test"),
        )
    if name == "script":
        return BackendLabel(
            translate("Backend", "Local test engine (script {0})").format(PurePath(argument).name),
            translate(
                "Backend", "Plays the answers of a script file, for tests and demonstrations."
            ),
            local=True,
            speaker=translate("Backend", "Script"),
        )
    return BackendLabel(
        translate("Backend", "Local engine ({0})").format(name),
        translate("Backend", "The bundled local server, answering with its {0} engine.").format(
            name
        ),
        local=True,
        speaker=translate("Backend", "Local engine"),
    )


def backend_label(kind: BackendKind, settings: Settings, engine: str) -> BackendLabel:
    """The label of the backend ``kind`` (never ``auto``: resolve it first) with ``settings``."""
    backend = settings.backend
    if kind is BackendKind.LOCAL:
        return engine_label(engine)
    if kind is BackendKind.EPHEMERAL:
        return BackendLabel(
            translate("Backend", "Gemini API (organisation's tokens)"),
            translate("Backend", "The Gemini Live API, with short-lived tokens from {0}.").format(
                backend.token_endpoint or translate("Backend", "your organisation")
            ),
        )
    if kind is BackendKind.VERTEX:
        return BackendLabel(
            translate("Backend", "Vertex AI"),
            translate("Backend", "Gemini Live on Google Cloud Vertex AI (project {0}).").format(
                backend.vertex_project or "—"
            ),
        )
    if kind is BackendKind.CUSTOM:
        return BackendLabel(
            translate("Backend", "Custom endpoint"),
            translate("Backend", "A Live endpoint at {0}.").format(backend.base_url or "—"),
        )
    return BackendLabel(
        translate("Backend", "Gemini API"),
        translate("Backend", "Google's Gemini Live API, with your API key."),
    )


def progress_of(snapshot: LoadProgress) -> BackendProgress | None:
    """The offline engine's loading as the status bar shows it (``None``: nothing to show)."""
    if snapshot.state is LoadState.IDLE:
        return None
    if snapshot.state is LoadState.READY:
        return BackendProgress(
            translate("Backend", "The offline speech engine is ready."),
            snapshot.total,
            snapshot.total,
            ready=True,
            detail=snapshot.message,
        )
    if snapshot.state is LoadState.FAILED:
        return BackendProgress(
            translate("Backend", "The offline speech engine could not load."),
            snapshot.done,
            snapshot.total,
            problem=translate("Backend", "The offline speech engine could not load: {0}").format(
                snapshot.message
            ),
            detail=snapshot.message,
        )
    if snapshot.message == _PREPARING:
        line = translate("Backend", _PREPARING)
    else:
        line = translate("Backend", "Loading the offline speech engine…")
    return BackendProgress(
        f"{line} {snapshot.done}/{snapshot.total}",
        snapshot.done,
        snapshot.total,
        detail=snapshot.message,
    )
