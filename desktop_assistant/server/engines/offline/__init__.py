"""The offline engine: speech in, speech out, on this computer, from packaged models only.

Silero finds the speech, Whisper tiny.en (CTranslate2) transcribes it, rules answer the time,
the date and timers (through the client's tools when it declared fitting ones), SmolLM2-135M
answers the rest, and the joe Piper voice (onnxruntime, with phonemes from the espeak-ng program)
speaks the reply clause by clause. Nothing heavy is imported here: the server, the app and the UI
import this package without the ``offline`` extra installed.
"""

from desktop_assistant.server.engines.offline.info import (
    BACKEND_DESCRIPTION,
    BACKEND_LABEL,
    ENGINE_NAME,
    RECOMMENDED_SILENCE_MS,
    is_installed,
)

__all__ = [
    "BACKEND_DESCRIPTION",
    "BACKEND_LABEL",
    "ENGINE_NAME",
    "RECOMMENDED_SILENCE_MS",
    "is_installed",
]
