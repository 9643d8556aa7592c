"""The ``setup`` message: parse it, check it against the catalogue, refuse it as the service does."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal, TypeVar

from desktop_assistant.server import errors
from desktop_assistant.server.catalog import DEFAULT_VOICE, Backend, ModelInfo, find_model
from desktop_assistant.server.engines.base import FunctionDeclaration, SessionConfig
from desktop_assistant.server.errors import CloseCode, ProtocolError, invalid_argument
from desktop_assistant.server.wire import (
    JsonObject,
    JsonValue,
    field_bool,
    field_list,
    field_number,
    field_obj,
    field_str,
    objects,
    reject_unknown,
)

SETUP_FIELDS = frozenset(
    {
        "model", "generation_config", "system_instruction", "tools", "realtime_input_config",
        "session_resumption", "context_window_compression", "input_audio_transcription",
        "output_audio_transcription", "proactivity", "history_config", "avatar_config",
        "safety_settings", "labels", "explicit_vad_signal",
    }
)  # fmt: skip


class StartSensitivity(enum.Enum):
    HIGH = "START_SENSITIVITY_HIGH"  # the Gemini API default
    LOW = "START_SENSITIVITY_LOW"


class EndSensitivity(enum.Enum):
    HIGH = "END_SENSITIVITY_HIGH"  # the Gemini API default
    LOW = "END_SENSITIVITY_LOW"


class ActivityHandling(enum.Enum):
    INTERRUPTS = "START_OF_ACTIVITY_INTERRUPTS"
    NO_INTERRUPTION = "NO_INTERRUPTION"


class TurnCoverage(enum.Enum):
    ONLY_ACTIVITY = "TURN_INCLUDES_ONLY_ACTIVITY"
    ALL_INPUT = "TURN_INCLUDES_ALL_INPUT"
    AUDIO_ACTIVITY_AND_ALL_VIDEO = "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO"


@dataclass(frozen=True, slots=True)
class ActivityDetection:
    automatic: bool = True
    start_sensitivity: StartSensitivity = StartSensitivity.HIGH
    end_sensitivity: EndSensitivity = EndSensitivity.HIGH
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None
    activity_handling: ActivityHandling = ActivityHandling.INTERRUPTS
    turn_coverage: TurnCoverage = TurnCoverage.ONLY_ACTIVITY


@dataclass(frozen=True, slots=True)
class SessionSetup:
    model: ModelInfo
    response_modality: Literal["AUDIO", "TEXT"]
    voice: str
    language_code: str | None
    system_instruction: str
    tools: tuple[FunctionDeclaration, ...]
    input_transcription: bool
    output_transcription: bool
    activity: ActivityDetection
    resumption: bool  # sessionResumption was present: handles are issued
    resume_handle: str | None

    def engine_config(self) -> SessionConfig:
        return SessionConfig(
            model=self.model.name,
            response_modality=self.response_modality,
            voice=self.voice,
            language_code=self.language_code,
            system_instruction=self.system_instruction,
            tools=self.tools,
        )


_UNSPECIFIED = "_UNSPECIFIED"
E = TypeVar("E", bound=enum.Enum)


def _enum(kind: type[E], raw: JsonObject, name: str, default: E, where: str) -> E:
    value = field_str(raw, name)
    if value is None or value.endswith(_UNSPECIFIED):
        return default
    try:
        return kind(value)
    except ValueError:
        raise invalid_argument(f"Invalid value at '{where}.{name}', \"{value}\"") from None


def model_name(path: str, backend: Backend) -> str:
    """The bare model name from the resource path the SDK sends."""
    if backend is Backend.DEVELOPER:
        return path.removeprefix("models/") if path.startswith("models/") else ""
    marker = "publishers/google/models/"
    head, found, tail = path.rpartition(marker)
    if not found or (head and not head.startswith("projects/")):
        return ""
    return tail


def _unknown_model(path: str, backend: Backend, api_version: str) -> ProtocolError:
    if backend is Backend.DEVELOPER:
        reason = f"{path} is not found for API version {api_version}, or is not supported for bidiGenerateContent."
    else:
        reason = f"Publisher Model `{path}` not found."
    return ProtocolError(CloseCode.POLICY, reason)


def text_of(content: JsonObject | None) -> str:
    """The text parts of a ``Content``, joined."""
    if content is None:
        return ""
    parts = objects(field_list(content, "parts"), "parts")
    return "".join(field_str(part, "text") or "" for part in parts)


def parse_tools(raw_tools: list[JsonValue], model: ModelInfo) -> tuple[FunctionDeclaration, ...]:
    declarations: list[FunctionDeclaration] = []
    for tool in objects(raw_tools, "setup.tools"):
        for decl in objects(field_list(tool, "function_declarations"), "function_declarations"):
            name = field_str(decl, "name")
            if not name:
                raise invalid_argument(
                    "* GenerateContentRequest.tools[0].function_declarations[0].name: Name cannot be empty."
                )
            schema = field_obj(decl, "parameters") or field_obj(decl, "parameters_json_schema")
            behavior = field_str(decl, "behavior") or "BLOCKING"
            declarations.append(
                FunctionDeclaration(
                    name=name,
                    description=field_str(decl, "description") or "",
                    parameters=schema,
                    # Models without asynchronous function calling treat every call as blocking.
                    non_blocking=behavior == "NON_BLOCKING" and model.non_blocking_tools,
                )
            )
    return tuple(declarations)


def parse_setup(setup: JsonObject, backend: Backend, api_version: str) -> SessionSetup:
    """Check ``setup`` (names already snake_case) and return what the session needs.

    Raises:
        ProtocolError: with the close code and reason the service would give.
    """
    reject_unknown(setup, SETUP_FIELDS, "setup")
    path = field_str(setup, "model")
    if not path:
        raise invalid_argument()
    name = model_name(path, backend)
    model = find_model(name, backend) if name else None
    if model is None:
        raise _unknown_model(path, backend, api_version)

    generation = field_obj(setup, "generation_config") or {}
    modalities = [str(m) for m in field_list(generation, "response_modalities")] or ["AUDIO"]
    if len(modalities) != 1 or modalities[0] not in ("AUDIO", "TEXT"):
        raise invalid_argument()
    modality: Literal["AUDIO", "TEXT"] = "TEXT" if modalities[0] == "TEXT" else "AUDIO"
    if modality == "TEXT" and not model.allows_text_output:
        if model.text_modality_closes_internal:
            raise ProtocolError(CloseCode.INTERNAL, errors.INTERNAL_ERROR)
        raise invalid_argument(errors.NON_AUDIO_VOICES)

    speech = field_obj(generation, "speech_config") or {}
    if speech.get("multi_speaker_voice_config") is not None:
        raise invalid_argument()
    voice_config = field_obj(speech, "voice_config") or {}
    prebuilt = field_obj(voice_config, "prebuilt_voice_config") or {}
    voice = field_str(prebuilt, "voice_name") or DEFAULT_VOICE
    if voice not in model.voices:
        raise invalid_argument()

    resumption = field_obj(setup, "session_resumption")
    if resumption is not None and backend is Backend.DEVELOPER and resumption.get("transparent"):
        raise invalid_argument()

    return SessionSetup(
        model=model,
        response_modality=modality,
        voice=voice,
        language_code=field_str(speech, "language_code"),
        system_instruction=text_of(field_obj(setup, "system_instruction")),
        tools=parse_tools(field_list(setup, "tools"), model),
        input_transcription=setup.get("input_audio_transcription") is not None,
        output_transcription=setup.get("output_audio_transcription") is not None,
        activity=parse_activity(field_obj(setup, "realtime_input_config") or {}),
        resumption=resumption is not None,
        resume_handle=(field_str(resumption, "handle") or None) if resumption else None,
    )


def parse_activity(config: JsonObject) -> ActivityDetection:
    where = "setup.realtime_input_config"
    auto = field_obj(config, "automatic_activity_detection") or {}
    where_auto = f"{where}.automatic_activity_detection"
    prefix = field_number(auto, "prefix_padding_ms")
    silence = field_number(auto, "silence_duration_ms")
    if (prefix is not None and prefix < 0) or (silence is not None and silence < 0):
        raise invalid_argument()
    return ActivityDetection(
        automatic=not field_bool(auto, "disabled"),
        start_sensitivity=_enum(
            StartSensitivity, auto, "start_of_speech_sensitivity", StartSensitivity.HIGH, where_auto
        ),
        end_sensitivity=_enum(
            EndSensitivity, auto, "end_of_speech_sensitivity", EndSensitivity.HIGH, where_auto
        ),
        prefix_padding_ms=None if prefix is None else int(prefix),
        silence_duration_ms=None if silence is None else int(silence),
        activity_handling=_enum(
            ActivityHandling, config, "activity_handling", ActivityHandling.INTERRUPTS, where
        ),
        turn_coverage=_enum(
            TurnCoverage, config, "turn_coverage", TurnCoverage.ONLY_ACTIVITY, where
        ),
    )
