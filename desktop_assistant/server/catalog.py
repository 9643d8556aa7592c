"""The models and voices the local server knows, as the service documents them.

Names and capabilities follow the protocol reference (§7.3, §7.5). A model that is not listed is
refused the way the service refuses it (1008, "... is not found for API version ...").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Architecture(enum.Enum):
    NATIVE_AUDIO = "native_audio"  # audio in, audio out; AUDIO modality only; all 30 voices
    HALF_CASCADE = "half_cascade"  # speech synthesis after a text model; TEXT allowed; 8 voices
    TRANSLATION = "translation"  # speech in, translated speech out


class Backend(enum.Enum):
    DEVELOPER = "developer"  # generativelanguage (Gemini Developer API)
    VERTEX = "vertex"  # aiplatform


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    backends: frozenset[Backend]
    architecture: Architecture
    non_blocking_tools: bool = True  # asynchronous (NON_BLOCKING) function calling
    text_modality_closes_internal: bool = False  # 3.1 answers TEXT with 1011 instead of 1007
    retired: bool = False

    @property
    def voices(self) -> tuple[str, ...]:
        return HALF_CASCADE_VOICES if self.architecture is Architecture.HALF_CASCADE else VOICES

    @property
    def allows_text_output(self) -> bool:
        return self.architecture is Architecture.HALF_CASCADE


# The 30 prebuilt voices; names are case-sensitive. Half-cascade models accept the first 8.
VOICES: tuple[str, ...] = (
    "Puck", "Charon", "Kore", "Fenrir", "Aoede", "Leda", "Orus", "Zephyr",
    "Callirrhoe", "Autonoe", "Enceladus", "Iapetus", "Umbriel", "Algieba", "Despina", "Erinome",
    "Algenib", "Rasalgethi", "Laomedeia", "Achernar", "Alnilam", "Schedar", "Gacrux",
    "Pulcherrima", "Achird", "Zubenelgenubi", "Vindemiatrix", "Sadachbia", "Sadaltager", "Sulafat",
)  # fmt: skip
HALF_CASCADE_VOICES: tuple[str, ...] = VOICES[:8]
DEFAULT_VOICE = "Puck"

_DEV = frozenset({Backend.DEVELOPER})
_VERTEX = frozenset({Backend.VERTEX})
_BOTH = _DEV | _VERTEX

MODELS: dict[str, ModelInfo] = {
    m.name: m
    for m in (
        ModelInfo("gemini-2.5-flash-native-audio-preview-09-2025", _DEV, Architecture.NATIVE_AUDIO),
        ModelInfo("gemini-2.5-flash-native-audio-preview-12-2025", _DEV, Architecture.NATIVE_AUDIO),
        ModelInfo("gemini-2.5-flash-native-audio-latest", _DEV, Architecture.NATIVE_AUDIO),
        ModelInfo(
            "gemini-3.1-flash-live-preview",
            _DEV,
            Architecture.NATIVE_AUDIO,
            non_blocking_tools=False,
            text_modality_closes_internal=True,
        ),
        ModelInfo("gemini-live-2.5-flash-preview", _DEV, Architecture.HALF_CASCADE),
        ModelInfo("gemini-2.0-flash-live-001", _DEV, Architecture.HALF_CASCADE, retired=True),
        ModelInfo("gemini-3.5-live-translate-preview", _BOTH, Architecture.TRANSLATION),
        ModelInfo(
            "gemini-live-2.5-flash-preview-native-audio-09-2025", _VERTEX, Architecture.NATIVE_AUDIO
        ),
        ModelInfo("gemini-live-2.5-flash-native-audio", _VERTEX, Architecture.NATIVE_AUDIO),
        ModelInfo("gemini-live-2.5-flash", _VERTEX, Architecture.HALF_CASCADE),
        ModelInfo("gemini-2.5-flash-s2st-exp-11-2025", _VERTEX, Architecture.TRANSLATION),
    )
}


def find_model(name: str, backend: Backend) -> ModelInfo | None:
    """The model called ``name`` (bare, without ``models/``) if this backend serves it."""
    info = MODELS.get(name)
    if info is None or info.retired or backend not in info.backends:
        return None
    return info
