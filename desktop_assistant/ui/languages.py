"""Language tags shown as names people recognise (Qt's English names, with the tag)."""

from __future__ import annotations

from PySide6.QtCore import QLocale

TRANSLATION_LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "tr", "ru", "uk",
    "ar", "hi", "ja", "ko", "zh", "vi", "id", "th",
)  # fmt: skip


def language_name(tag: str) -> str:
    """``"de-DE"`` -> ``"German (Germany) — de-DE"``; the tag stays visible for the expert."""
    locale = QLocale(tag.replace("-", "_"))
    name = QLocale.languageToString(locale.language())
    if "-" in tag:
        name += f" ({QLocale.territoryToString(locale.territory())})"
    return f"{name} — {tag}"
