"""The prebuilt voices and the conversation languages the Live models know.

Names are case-sensitive on the wire; an unknown voice makes the service refuse the setup, so the
settings model validates against this list before anything is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Voice:
    name: str
    character: str


PREBUILT_VOICES: tuple[Voice, ...] = (
    Voice("Zephyr", "Bright"),
    Voice("Puck", "Upbeat"),
    Voice("Charon", "Informative"),
    Voice("Kore", "Firm"),
    Voice("Fenrir", "Excitable"),
    Voice("Leda", "Youthful"),
    Voice("Orus", "Firm"),
    Voice("Aoede", "Breezy"),
    Voice("Callirrhoe", "Easy-going"),
    Voice("Autonoe", "Bright"),
    Voice("Enceladus", "Breathy"),
    Voice("Iapetus", "Clear"),
    Voice("Umbriel", "Easy-going"),
    Voice("Algieba", "Smooth"),
    Voice("Despina", "Smooth"),
    Voice("Erinome", "Clear"),
    Voice("Algenib", "Gravelly"),
    Voice("Rasalgethi", "Informative"),
    Voice("Laomedeia", "Upbeat"),
    Voice("Achernar", "Soft"),
    Voice("Alnilam", "Firm"),
    Voice("Schedar", "Even"),
    Voice("Gacrux", "Mature"),
    Voice("Pulcherrima", "Forward"),
    Voice("Achird", "Friendly"),
    Voice("Zubenelgenubi", "Casual"),
    Voice("Vindemiatrix", "Gentle"),
    Voice("Sadachbia", "Lively"),
    Voice("Sadaltager", "Knowledgeable"),
    Voice("Sulafat", "Warm"),
)
"""All 30 prebuilt voices (the speech-synthesis voice set that native-audio models accept)."""

VOICE_NAMES: frozenset[str] = frozenset(v.name for v in PREBUILT_VOICES)

HALF_CASCADE_VOICES: frozenset[str] = frozenset(
    ("Puck", "Charon", "Kore", "Fenrir", "Aoede", "Leda", "Orus", "Zephyr")
)
"""The eight voices that half-cascade models (speech recognition + text model + synthesis) offer."""

DEFAULT_VOICE = "Puck"

CONVERSATION_LANGUAGES: tuple[str, ...] = (
    "ar-EG", "bn-BD", "de-DE", "en-IN", "en-US", "es-US", "fr-FR", "hi-IN", "id-ID", "it-IT",
    "ja-JP", "ko-KR", "mr-IN", "nl-NL", "pl-PL", "pt-BR", "ro-RO", "ru-RU", "ta-IN", "te-IN",
    "th-TH", "tr-TR", "uk-UA", "vi-VN",
)  # fmt: skip
"""Languages a half-cascade model can be pinned to with ``speechConfig.languageCode``."""

_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def is_language_tag(tag: str) -> bool:
    """Whether ``tag`` looks like a BCP-47 language tag (``de``, ``de-DE``, ``cmn``, ``zh-Hant-TW``)."""
    return bool(_BCP47.match(tag))


def find_voice(name: str) -> Voice | None:
    """The voice called ``name`` (case-insensitive), or ``None``."""
    folded = name.casefold()
    return next((v for v in PREBUILT_VOICES if v.name.casefold() == folded), None)
