"""Which Live options each known model honours, and which API version it needs.

The service answers an unsupported option with a close code (1007/1008/1011) and a terse reason.
``resolve()`` looks at the settings *before* connecting and either adapts them, saying what it
changed and why (an optional feature the model lacks is turned off), or refuses them with a message
that names the fix (the conversation would not work as asked: a text-only reply from a model that
only speaks, a voice the model does not have). The facts come from the Live API documentation as of
SDK 3.6.1; a model missing from the table is passed through unchecked, with a note saying so.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_assistant.config.settings import (
    BackendKind,
    Modality,
    Settings,
    ThinkingLevel,
)
from desktop_assistant.config.voices import HALF_CASCADE_VOICES, VOICE_NAMES


class Platform(enum.StrEnum):
    GEMINI_API = "gemini"  # Gemini Developer API (also the local server and ephemeral tokens)
    VERTEX = "vertex"


class Architecture(enum.StrEnum):
    NATIVE_AUDIO = "native_audio"  # one model hears and speaks
    HALF_CASCADE = "half_cascade"  # recognition + text model + synthesis
    TRANSLATION = "translation"  # live speech-to-speech translation


class Thinking(enum.StrEnum):
    NONE = "none"
    BUDGET = "budget"  # thinkingBudget tokens (Gemini 2.5)
    LEVEL = "level"  # thinkingLevel (Gemini 3.x)


class Translation(enum.StrEnum):
    NONE = "none"
    CONFIG = "translation_config"  # generationConfig.translationConfig
    SPEECH_LANGUAGE = "speech_language"  # the target goes in speechConfig.languageCode


@dataclass(frozen=True, slots=True)
class ModelCapabilities:
    name: str
    platforms: frozenset[Platform]
    architecture: Architecture
    status: str = "preview"  # preview | ga | experimental | retired
    text_output: bool = False
    voices: frozenset[str] = VOICE_NAMES
    language_code: bool = False
    proactive_audio: bool = False
    affective_dialog: bool = False
    thinking: Thinking = Thinking.NONE
    function_calling: bool = True
    non_blocking_tools: bool = False
    google_search: bool = True
    code_execution: bool = False
    url_context: bool = False
    system_instruction: bool = True
    video_input: bool = True
    history_needs_config: bool = False
    """Seeding history through clientContent needs ``historyConfig.initialHistoryInClientContent``."""
    text_input_realtime: bool = True
    """Typed text goes as ``realtimeInput.text`` (else as a ``clientContent`` turn)."""
    translation: Translation = Translation.NONE
    context_window_tokens: int = 128_000
    alpha_features: frozenset[str] = frozenset()
    """Options that the Gemini API serves only on ``v1alpha``."""
    retired_in_favour_of: str | None = None
    known: bool = True


_NATIVE_25 = {
    "architecture": Architecture.NATIVE_AUDIO,
    "proactive_audio": True,
    "affective_dialog": True,
    "thinking": Thinking.BUDGET,
    "non_blocking_tools": True,
    "alpha_features": frozenset({"proactive_audio", "affective_dialog"}),
}
_HALF_CASCADE = {
    "architecture": Architecture.HALF_CASCADE,
    "text_output": True,
    "voices": HALF_CASCADE_VOICES,
    "language_code": True,
    "code_execution": True,
    "non_blocking_tools": True,
    "context_window_tokens": 32_000,
}
_TRANSLATE = {
    "architecture": Architecture.TRANSLATION,
    "function_calling": False,
    "google_search": False,
    "system_instruction": False,
    "video_input": False,
}
_GEMINI = frozenset({Platform.GEMINI_API})
_VERTEX = frozenset({Platform.VERTEX})


def _model(name: str, platforms: frozenset[Platform], **facts: Any) -> ModelCapabilities:
    return ModelCapabilities(name=name, platforms=platforms, **facts)


KNOWN_MODELS: Mapping[str, ModelCapabilities] = {
    m.name: m
    for m in (
        _model("gemini-2.5-flash-native-audio-preview-12-2025", _GEMINI, **_NATIVE_25),
        _model("gemini-2.5-flash-native-audio-latest", _GEMINI, **_NATIVE_25),
        _model("gemini-2.5-flash-native-audio-preview-09-2025", _GEMINI, **_NATIVE_25),
        _model(
            "gemini-3.1-flash-live-preview",
            _GEMINI,
            architecture=Architecture.NATIVE_AUDIO,
            thinking=Thinking.LEVEL,
            history_needs_config=True,
        ),
        _model(
            "gemini-live-2.5-flash-native-audio",
            _VERTEX,
            **{
                **_NATIVE_25,
                "status": "ga",
                "text_input_realtime": False,
                "alpha_features": frozenset(),
            },
        ),
        _model(
            "gemini-live-2.5-flash-preview-native-audio-09-2025",
            _VERTEX,
            **{**_NATIVE_25, "text_input_realtime": False, "alpha_features": frozenset()},
        ),
        _model(
            "gemini-live-2.5-flash",
            _VERTEX,
            **{**_HALF_CASCADE, "status": "ga", "text_input_realtime": False},
        ),
        _model("gemini-live-2.5-flash-preview", _GEMINI, **_HALF_CASCADE),
        _model(
            "gemini-2.0-flash-live-001",
            _GEMINI,
            **_HALF_CASCADE,
            status="retired",
            retired_in_favour_of="gemini-2.5-flash-native-audio-preview-12-2025",
        ),
        _model(
            "gemini-3.5-live-translate-preview",
            _GEMINI | _VERTEX,
            **_TRANSLATE,
            translation=Translation.CONFIG,
        ),
        _model(
            "gemini-2.5-flash-s2st-exp-11-2025",
            _VERTEX,
            **_TRANSLATE,
            status="experimental",
            translation=Translation.SPEECH_LANGUAGE,
            text_input_realtime=False,
        ),
    )
}

DEFAULT_API_VERSION: Mapping[Platform, str] = {
    Platform.GEMINI_API: "v1beta",
    Platform.VERTEX: "v1beta1",
}

# Thinking levels and budgets stand in for each other when a setting meets the other family.
_LEVEL_FOR_BUDGET = (
    (0, ThinkingLevel.MINIMAL),
    (1024, ThinkingLevel.LOW),
    (8192, ThinkingLevel.MEDIUM),
)
_BUDGET_FOR_LEVEL = {
    ThinkingLevel.MINIMAL: 0,
    ThinkingLevel.LOW: 1024,
    ThinkingLevel.MEDIUM: 4096,
    ThinkingLevel.HIGH: 16384,
}


def capabilities_of(model: str) -> ModelCapabilities:
    """The table entry for ``model``, or a permissive stand-in marked ``known=False``."""
    name = model.removeprefix("models/").rsplit("/", 1)[-1]
    found = KNOWN_MODELS.get(name)
    if found is not None:
        return found
    return ModelCapabilities(
        name=name,
        platforms=frozenset(Platform),
        architecture=Architecture.NATIVE_AUDIO,
        text_output=True,
        language_code=True,
        proactive_audio=True,
        affective_dialog=True,
        thinking=Thinking.BUDGET,
        non_blocking_tools=True,
        code_execution=True,
        url_context=True,
        known=False,
    )


def platform_for(kind: BackendKind) -> Platform:
    return Platform.VERTEX if kind is BackendKind.VERTEX else Platform.GEMINI_API


@dataclass(frozen=True, slots=True)
class Adaptation:
    setting: str
    message: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """Settings the model will honour, the API version to use, and what was changed."""

    settings: Settings
    capabilities: ModelCapabilities
    platform: Platform
    api_version: str
    adaptations: tuple[Adaptation, ...] = field(default=())

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(a.message for a in self.adaptations)


class SettingsRefused(ValueError):
    """The settings cannot work with this model; ``problems`` say what to change."""

    def __init__(self, problems: tuple[Adaptation, ...]) -> None:
        self.problems = problems
        super().__init__(" ".join(p.message for p in problems))


def resolve(
    settings: Settings, *, platform: Platform | None = None, ephemeral: bool = False
) -> Resolution:
    """Check ``settings`` against the model's capabilities; adapt or raise ``SettingsRefused``."""
    platform = platform or platform_for(settings.backend.kind)
    caps = capabilities_of(settings.model)
    m = caps.name
    refusals: list[Adaptation] = []
    notes: list[Adaptation] = []
    changes: dict[str, Any] = {}

    def refuse(setting: str, message: str) -> None:
        refusals.append(Adaptation(setting, message))

    def adapt(setting: str, message: str, change: Mapping[str, Any]) -> None:
        notes.append(Adaptation(setting, message))
        _merge_into(changes, change)

    if not caps.known:
        notes.append(
            Adaptation("model", f"{m} is not in the capability table; its options are not checked.")
        )
    if caps.status == "retired":
        refuse("model", f"{m} has been retired; choose {caps.retired_in_favour_of} instead.")
    if platform not in caps.platforms:
        where = "Vertex AI" if platform is Platform.VERTEX else "the Gemini API"
        others = ", ".join(
            n for n, c in KNOWN_MODELS.items() if platform in c.platforms and c.status != "retired"
        )
        refuse("model", f"{m} is not offered on {where}; choose one of: {others}.")

    # -- what the model can say and how
    if settings.response_modality is Modality.TEXT and not caps.text_output:
        refuse(
            "response_modality",
            f"{m} only answers with speech. Keep AUDIO and turn on output transcription to "
            "read its replies, or choose a half-cascade model for text answers.",
        )
    if settings.voice.name not in caps.voices:
        refuse(
            "voice.name",
            f"{m} has no voice {settings.voice.name}; choose one of: {', '.join(sorted(caps.voices))}.",
        )
    if settings.voice.language_code and not caps.language_code:
        if caps.translation is not Translation.SPEECH_LANGUAGE:
            adapt(
                "voice.language_code",
                f"{m} chooses its spoken language by itself, so the language setting was left out; "
                "to pin a language, say so in the system instruction.",
                {"voice": {"language_code": None}},
            )

    # -- translation models do one thing
    if caps.architecture is Architecture.TRANSLATION:
        if not settings.translation.enabled:
            refuse(
                "translation.enabled",
                f"{m} only translates speech: turn on translation and choose a target language.",
            )
        if settings.system_instruction:
            adapt(
                "system_instruction",
                f"{m} takes no instructions; the system instruction was left out.",
                {"system_instruction": ""},
            )
    elif settings.translation.enabled:
        translators = ", ".join(
            n for n, c in KNOWN_MODELS.items() if c.translation is not Translation.NONE
        )
        refuse(
            "translation.enabled", f"Speech translation needs a translation model: {translators}."
        )

    # -- optional features: turned off when the model lacks them
    if settings.proactive_audio and not caps.proactive_audio:
        adapt(
            "proactive_audio",
            f"{m} does not support proactive audio; it was turned off.",
            {"proactive_audio": False},
        )
    if settings.affective_dialog and not caps.affective_dialog:
        adapt(
            "affective_dialog",
            f"{m} does not support affective dialog; it was turned off.",
            {"affective_dialog": False},
        )
    _resolve_thinking(settings, caps, adapt)
    _resolve_tools(settings, caps, adapt)
    if settings.session_resumption.transparent and platform is not Platform.VERTEX:
        adapt(
            "session_resumption.transparent",
            "Transparent resumption exists on Vertex AI only; it was turned off.",
            {"session_resumption": {"transparent": False}},
        )
    trigger = settings.context_compression.trigger_tokens
    if trigger is not None and trigger > caps.context_window_tokens:
        adapt(
            "context_compression.trigger_tokens",
            f"{m} remembers at most {caps.context_window_tokens} tokens; compression now starts there.",
            {"context_compression": {"trigger_tokens": caps.context_window_tokens}},
        )

    if refusals:
        raise SettingsRefused(tuple(refusals))
    adapted = settings.updated(changes) if changes else settings
    api_version = _api_version(adapted, caps, platform, ephemeral, notes)
    return Resolution(adapted, caps, platform, api_version, tuple(notes))


def _resolve_thinking(settings: Settings, caps: ModelCapabilities, adapt: Any) -> None:
    thinking = settings.thinking
    m = caps.name
    if thinking.budget_tokens is None and thinking.level is None and not thinking.include_thoughts:
        return
    if caps.thinking is Thinking.NONE:
        adapt(
            "thinking",
            f"{m} does not think before answering; the thinking settings were left out.",
            {"thinking": {"budget_tokens": None, "level": None, "include_thoughts": False}},
        )
    elif caps.thinking is Thinking.LEVEL and thinking.budget_tokens is not None:
        level = _level_for_budget(thinking.budget_tokens)
        adapt(
            "thinking.budget_tokens",
            f"{m} sets thinking by level, not budget; a budget of {thinking.budget_tokens} "
            f"became level {level.value if level else 'default'}.",
            {"thinking": {"budget_tokens": None, "level": level.value if level else None}},
        )
    elif caps.thinking is Thinking.BUDGET and thinking.level is not None:
        budget = _BUDGET_FOR_LEVEL[thinking.level]
        adapt(
            "thinking.level",
            f"{m} sets thinking by token budget; level {thinking.level.value} became "
            f"{budget} tokens.",
            {"thinking": {"level": None, "budget_tokens": budget}},
        )


def _level_for_budget(budget: int) -> ThinkingLevel | None:
    if budget < 0:
        return None  # "let the model decide" is the model's default level
    for limit, level in _LEVEL_FOR_BUDGET:
        if budget <= limit:
            return level
    return ThinkingLevel.HIGH


def _resolve_tools(settings: Settings, caps: ModelCapabilities, adapt: Any) -> None:
    tools = settings.tools
    m = caps.name
    if tools.enabled and not caps.function_calling:
        adapt(
            "tools.enabled",
            f"{m} cannot call tools; local tools were left out.",
            {"tools": {"enabled": []}},
        )
    for flag, name in (
        ("google_search", "Google Search"),
        ("code_execution", "code execution"),
        ("url_context", "URL context"),
    ):
        if getattr(tools, flag) and not getattr(caps, flag):
            adapt(
                f"tools.{flag}",
                f"{m} cannot use {name} in a live session; it was turned off.",
                {"tools": {flag: False}},
            )


def _api_version(
    settings: Settings,
    caps: ModelCapabilities,
    platform: Platform,
    ephemeral: bool,
    notes: list[Adaptation],
) -> str:
    needs_alpha = [f for f in caps.alpha_features if getattr(settings, f, False)] + (
        ["ephemeral tokens"] if ephemeral and platform is Platform.GEMINI_API else []
    )
    wanted = "v1alpha" if needs_alpha else DEFAULT_API_VERSION[platform]
    forced = settings.backend.api_version
    if forced and forced != wanted and needs_alpha:
        notes.append(
            Adaptation(
                "backend.api_version",
                f"{', '.join(sorted(needs_alpha)).replace('_', ' ')} needs API version v1alpha, "
                f"but {forced} is set; the service may refuse the session.",
            )
        )
    return forced or wanted


def _merge_into(target: dict[str, Any], change: Mapping[str, Any]) -> None:
    for key, value in change.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge_into(target[key], value)
        else:
            target[key] = dict(value) if isinstance(value, Mapping) else value
