"""The typed settings model: every Live option a person or an organisation would set.

One frozen pydantic model, validated on construction, with defaults that give a working
conversation. ``None`` on an option means "the model's own default": such fields are left out of
the setup message entirely, so the service decides. Secrets are never part of this model (the API
key lives in the OS keychain, see ``config.secrets``); ``extra="forbid"`` makes a stray
``api_key`` in a settings file a validation error rather than a silent leak.

Changing settings: ``settings.updated({"voice": {"name": "Kore"}})`` validates a deep-merged copy.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from desktop_assistant.config.voices import DEFAULT_VOICE, VOICE_NAMES, find_voice, is_language_tag

SETTINGS_VERSION = 1

DEFAULT_MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


# ------------------------------------------------------------------------------------- backend


class BackendKind(enum.StrEnum):
    """Where the conversation is held."""

    AUTO = "auto"  # the Gemini API when a key is configured, else the local server
    GEMINI = "gemini"  # Gemini Developer API with an API key from the keychain or environment
    EPHEMERAL = "ephemeral"  # Gemini Developer API with short-lived tokens (organisation endpoint)
    VERTEX = "vertex"  # Vertex AI: project + location (application default credentials or key)
    LOCAL = "local"  # the bundled local Live server, started in-process
    CUSTOM = "custom"  # any Live endpoint: base_url (+ ca_file) + key


LOCAL_ENGINES = ("auto", "offline", "echo")
"""Named engines of the local server (besides ``script:PATH``)."""


class BackendSettings(_Section):
    kind: BackendKind = BackendKind.AUTO
    base_url: str | None = None
    """Endpoint override (custom backends, proxies); ``https://host:port[/prefix]``."""
    ca_file: Path | None = None
    """A PEM bundle to trust for ``base_url`` (self-hosted endpoints)."""
    api_version: str | None = None
    """Force an API version (``v1alpha``, ``v1beta``, ``v1beta1``); else the capability table picks."""
    vertex_project: str | None = None
    vertex_location: str = "us-central1"
    token_endpoint: str | None = None
    """The organisation's HTTPS endpoint that hands out ephemeral tokens (see session.tokens)."""
    token_endpoint_ca_file: Path | None = None
    local_engine: str = "auto"
    """Engine of the local server: ``auto`` (the offline speech engine when it is installed, else
    ``echo``), ``offline``, ``echo`` or ``script:PATH``."""

    @field_validator("base_url", "token_endpoint")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("https://", "http://", "wss://", "ws://")):
            raise ValueError("must start with https:// (or wss://)")
        return value.rstrip("/")

    @field_validator("token_endpoint")
    @classmethod
    def _token_endpoint_is_https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("the token endpoint must use https://")
        return value

    @field_validator("local_engine")
    @classmethod
    def _engine(cls, value: str) -> str:
        if value not in LOCAL_ENGINES and not (
            value.startswith("script:") and len(value) > len("script:")
        ):
            raise ValueError("must be 'auto', 'offline', 'echo' or 'script:PATH'")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.kind is BackendKind.CUSTOM and not self.base_url:
            raise ValueError("a custom backend needs base_url")
        if self.kind is BackendKind.VERTEX and not (self.vertex_project or self.base_url):
            raise ValueError("Vertex AI needs vertex_project (or a base_url gateway)")
        return self


# --------------------------------------------------------------------------------------- voice


class VoiceSettings(_Section):
    name: str = DEFAULT_VOICE
    language_code: str | None = None
    """Pin the spoken language (half-cascade models); native-audio models choose on their own."""

    @field_validator("name")
    @classmethod
    def _known_voice(cls, value: str) -> str:
        voice = find_voice(value)
        if voice is None:
            raise ValueError(
                f"unknown voice {value!r}; choose one of: {', '.join(sorted(VOICE_NAMES))}"
            )
        return voice.name  # the wire is case-sensitive: store the canonical spelling

    @field_validator("language_code")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is not None and not is_language_tag(value):
            raise ValueError(f"{value!r} is not a language tag like 'de-DE'")
        return value


class Modality(enum.StrEnum):
    AUDIO = "AUDIO"
    TEXT = "TEXT"


class TranscriptionSettings(_Section):
    input: bool = True
    """Transcribe what the user says (shown in the transcript)."""
    output: bool = True
    """Transcribe what the model says."""
    language_hints: tuple[str, ...] = ()
    """Languages the user is expected to speak, as hints for the input transcription."""

    @field_validator("language_hints")
    @classmethod
    def _tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [t for t in value if not is_language_tag(t)]
        if bad:
            raise ValueError(f"not language tags: {', '.join(bad)}")
        return value


# ------------------------------------------------------------------------------ turn detection


class Sensitivity(enum.StrEnum):
    DEFAULT = "default"
    HIGH = "high"
    LOW = "low"


class ActivityHandling(enum.StrEnum):
    INTERRUPTS = "interrupts"  # the user's speech cuts the model off (barge-in)
    NO_INTERRUPTION = "no_interruption"  # the model finishes; useful for translation


class TurnCoverage(enum.StrEnum):
    ONLY_ACTIVITY = "only_activity"
    ALL_INPUT = "all_input"
    AUDIO_ACTIVITY_AND_ALL_VIDEO = "audio_activity_and_all_video"


_Ms = Annotated[int, Field(ge=0, le=10_000)]


class ActivityDetectionSettings(_Section):
    automatic: bool = True
    """Server-side voice activity detection; off means push-to-talk (activity start/end)."""
    start_sensitivity: Sensitivity = Sensitivity.DEFAULT
    end_sensitivity: Sensitivity = Sensitivity.DEFAULT
    prefix_padding_ms: _Ms | None = None
    silence_duration_ms: _Ms | None = None
    activity_handling: ActivityHandling | None = None
    turn_coverage: TurnCoverage | None = None


# ------------------------------------------------------------------------------ model features


class MediaResolution(enum.StrEnum):
    DEFAULT = "default"
    LOW = "low"  # about 64 tokens per frame
    MEDIUM = "medium"  # about 256 tokens per frame
    HIGH = "high"


class ThinkingLevel(enum.StrEnum):
    MINIMAL = "minimal"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ThinkingSettings(_Section):
    budget_tokens: Annotated[int, Field(ge=-1, le=32_768)] | None = None
    """Gemini 2.5: a token budget; 0 turns thinking off, -1 lets the model decide."""
    level: ThinkingLevel | None = None
    """Gemini 3.x: a thinking level."""
    include_thoughts: bool = False

    @model_validator(mode="after")
    def _one_knob(self) -> Self:
        if self.budget_tokens is not None and self.level is not None:
            raise ValueError("set either a thinking budget or a thinking level, not both")
        return self


class CompressionSettings(_Section):
    enabled: bool = True
    """Sliding-window context compression: without it audio sessions end after ~15 minutes."""
    trigger_tokens: Annotated[int, Field(ge=1_000)] | None = None
    target_tokens: Annotated[int, Field(ge=500)] | None = None

    @model_validator(mode="after")
    def _target_below_trigger(self) -> Self:
        if (
            self.trigger_tokens is not None
            and self.target_tokens is not None
            and self.target_tokens >= self.trigger_tokens
        ):
            raise ValueError("target_tokens must be smaller than trigger_tokens")
        return self


class ResumptionSettings(_Section):
    enabled: bool = True
    """Keep a resumption handle so that reconnects continue the same conversation."""
    transparent: bool = False
    """Vertex AI only: the service reports which client message it consumed last."""


class Scheduling(enum.StrEnum):
    INTERRUPT = "INTERRUPT"
    WHEN_IDLE = "WHEN_IDLE"
    SILENT = "SILENT"


class ToolSettings(_Section):
    enabled: tuple[str, ...] = ("current_time", "calculate", "convert_units")
    """Names of the local tools the model may call."""
    google_search: bool = False
    code_execution: bool = False
    url_context: bool = False
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    """Default time limit of a local tool call (a tool may declare its own)."""
    non_blocking_scheduling: Scheduling = Scheduling.WHEN_IDLE
    """How a NON_BLOCKING tool's result is delivered unless the tool says otherwise."""
    approve_side_effects: bool = True
    """Ask before running a tool that changes something outside the app."""


class TranslationSettings(_Section):
    enabled: bool = False
    source_language: str | None = None
    """What the speaker speaks (a hint for recognition); ``None`` lets the model detect it."""
    target_language: str | None = None
    echo_target_language: bool = False
    """Also speak when the speaker already uses the target language (parrot it)."""

    @field_validator("source_language", "target_language")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is not None and not is_language_tag(value):
            raise ValueError(f"{value!r} is not a language tag like 'es' or 'de-DE'")
        return value

    @model_validator(mode="after")
    def _target_needed(self) -> Self:
        if self.enabled and not self.target_language:
            raise ValueError("speech translation needs a target_language")
        return self


class SamplingSettings(_Section):
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    top_p: Annotated[float, Field(gt=0, le=1)] | None = None
    top_k: Annotated[int, Field(ge=1, le=1_000)] | None = None
    max_output_tokens: Annotated[int, Field(ge=1)] | None = None
    seed: int | None = None


class ConnectionSettings(_Section):
    """How the link behaves: timeouts, keepalive, reconnect budget, handover."""

    connect_timeout_s: Annotated[float, Field(gt=0, le=120)] = 15.0
    keepalive_interval_s: Annotated[float, Field(gt=0, le=300)] | None = 20.0
    keepalive_timeout_s: Annotated[float, Field(gt=0, le=300)] | None = 30.0
    """Generous on purpose: slow service pongs must not kill a healthy link."""
    max_message_bytes: Annotated[int, Field(ge=1 << 20)] = 16 << 20
    reconnect_attempts: Annotated[int, Field(ge=0, le=50)] = 5
    backoff_initial_s: Annotated[float, Field(ge=0, le=60)] = 0.5
    backoff_max_s: Annotated[float, Field(ge=0, le=300)] = 8.0
    stable_after_s: Annotated[float, Field(ge=0, le=3_600)] = 10.0
    """A link that stays up this long resets the failure budget."""
    handover_margin_s: Annotated[float, Field(ge=0, le=120)] = 10.0
    """On GoAway, hand over at the next turn boundary, but no later than this before the deadline."""
    reseed_history: bool = True
    """Without a usable resumption handle, replay the transcript into the new connection."""
    handover_buffer_s: Annotated[float, Field(gt=0, le=120)] = 30.0
    """Microphone audio kept while no connection is usable, sent once one is."""
    stall_timeout_s: Annotated[float, Field(gt=0, le=600)] = 20.0
    """Mid-answer silence from the service longer than this counts as a dead link (reconnect)."""
    handle_wait_s: Annotated[float, Field(ge=0, le=30)] = 2.0
    """At a turn boundary, how long a pending handover waits for the turn's resumption handle."""


class VideoSettings(_Section):
    frames_per_second: Annotated[float, Field(gt=0, le=1.0)] = 1.0
    """The Live API takes at most one frame a second."""


# --------------------------------------------------------------------------------- the whole


class Settings(_Section):
    """Everything that shapes a conversation. Frozen: change it with ``updated()``."""

    version: Literal[1] = 1
    model: str = DEFAULT_MODEL
    backend: BackendSettings = BackendSettings()
    voice: VoiceSettings = VoiceSettings()
    system_instruction: Annotated[str, Field(max_length=100_000)] = ""
    response_modality: Modality = Modality.AUDIO
    transcription: TranscriptionSettings = TranscriptionSettings()
    activity_detection: ActivityDetectionSettings = ActivityDetectionSettings()
    proactive_audio: bool = False
    affective_dialog: bool = False
    media_resolution: MediaResolution = MediaResolution.LOW
    thinking: ThinkingSettings = ThinkingSettings()
    context_compression: CompressionSettings = CompressionSettings()
    session_resumption: ResumptionSettings = ResumptionSettings()
    tools: ToolSettings = ToolSettings()
    translation: TranslationSettings = TranslationSettings()
    sampling: SamplingSettings = SamplingSettings()
    connection: ConnectionSettings = ConnectionSettings()
    video: VideoSettings = VideoSettings()

    @field_validator("model")
    @classmethod
    def _model_name(cls, value: str) -> str:
        name = value.strip()
        if not name or any(c in name for c in "?&# ") or ".." in name:
            raise ValueError(f"{value!r} is not a model name")
        return name.removeprefix("models/")

    def updated(self, changes: Mapping[str, Any]) -> Settings:
        """A validated copy with ``changes`` deep-merged in (raises ``ValidationError``)."""
        return Settings.model_validate(deep_merge(self.model_dump(mode="json"), changes))


def deep_merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` applied; nested mappings merge, everything else replaces."""
    merged = dict(base)
    for key, value in changes.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged
