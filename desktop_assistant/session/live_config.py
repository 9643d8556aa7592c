"""Settings → ``types.LiveConnectConfig``: exactly the options that were set, as the SDK wants them.

Works on a ``config.capabilities.Resolution`` (settings already checked and adapted for the model),
so what reaches the wire is what the model honours. Options left at "the model's default" are not
sent at all. The per-connection parts (the resumption handle, history seeding) are arguments, so
each reconnect builds its own config from the same settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from google.genai import types

from desktop_assistant.config.capabilities import Platform, Resolution, Translation
from desktop_assistant.config.settings import (
    ActivityHandling,
    MediaResolution,
    Sensitivity,
    Settings,
    TurnCoverage,
)
from desktop_assistant.core.ports import ToolDeclaration

_START = {
    Sensitivity.HIGH: types.StartSensitivity.START_SENSITIVITY_HIGH,
    Sensitivity.LOW: types.StartSensitivity.START_SENSITIVITY_LOW,
}
_END = {
    Sensitivity.HIGH: types.EndSensitivity.END_SENSITIVITY_HIGH,
    Sensitivity.LOW: types.EndSensitivity.END_SENSITIVITY_LOW,
}
_HANDLING = {
    ActivityHandling.INTERRUPTS: types.ActivityHandling.START_OF_ACTIVITY_INTERRUPTS,
    ActivityHandling.NO_INTERRUPTION: types.ActivityHandling.NO_INTERRUPTION,
}
_COVERAGE = {
    TurnCoverage.ONLY_ACTIVITY: types.TurnCoverage.TURN_INCLUDES_ONLY_ACTIVITY,
    TurnCoverage.ALL_INPUT: types.TurnCoverage.TURN_INCLUDES_ALL_INPUT,
    TurnCoverage.AUDIO_ACTIVITY_AND_ALL_VIDEO: (
        types.TurnCoverage.TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO
    ),
}
_RESOLUTION = {
    MediaResolution.LOW: types.MediaResolution.MEDIA_RESOLUTION_LOW,
    MediaResolution.MEDIUM: types.MediaResolution.MEDIA_RESOLUTION_MEDIUM,
    MediaResolution.HIGH: types.MediaResolution.MEDIA_RESOLUTION_HIGH,
}
_THINKING_LEVEL = {
    "minimal": types.ThinkingLevel.MINIMAL,
    "low": types.ThinkingLevel.LOW,
    "medium": types.ThinkingLevel.MEDIUM,
    "high": types.ThinkingLevel.HIGH,
}


@dataclass(frozen=True, slots=True)
class LiveConfigPlan:
    config: types.LiveConnectConfig
    notes: tuple[str, ...]
    """What was adapted while building (on top of the resolution's own notes)."""


def build_live_config(
    resolution: Resolution,
    tools: Sequence[ToolDeclaration] = (),
    *,
    resumption_handle: str | None = None,
    seeding_history: bool = False,
) -> LiveConfigPlan:
    s = resolution.settings
    caps = resolution.capabilities
    notes: list[str] = []
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality(s.response_modality.value)]
    )

    # -- speech
    language = s.voice.language_code
    if caps.translation is Translation.SPEECH_LANGUAGE and s.translation.target_language:
        language = s.translation.target_language
    config.speech_config = types.SpeechConfig(
        voice_config=types.VoiceConfig(
            prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=s.voice.name)
        ),
        language_code=language,
    )
    if s.system_instruction.strip():
        config.system_instruction = s.system_instruction

    # -- transcription
    hints = list(s.transcription.language_hints)
    if s.translation.enabled and s.translation.source_language:
        hints = [
            s.translation.source_language,
            *[h for h in hints if h != s.translation.source_language],
        ]
    if s.transcription.input:
        config.input_audio_transcription = types.AudioTranscriptionConfig(
            language_codes=hints or None
        )
    if s.transcription.output and s.response_modality.value == "AUDIO":
        config.output_audio_transcription = types.AudioTranscriptionConfig()

    config.realtime_input_config = _realtime_input(s)
    if s.proactive_audio:
        config.proactivity = types.ProactivityConfig(proactive_audio=True)
    if s.affective_dialog:
        config.enable_affective_dialog = True
    if s.media_resolution is not MediaResolution.DEFAULT:
        config.media_resolution = _RESOLUTION[s.media_resolution]
    config.thinking_config = _thinking(s)

    if s.context_compression.enabled:
        trigger = s.context_compression.trigger_tokens
        target = s.context_compression.target_tokens
        config.context_window_compression = types.ContextWindowCompressionConfig(
            trigger_tokens=trigger,
            sliding_window=types.SlidingWindow(target_tokens=target),
        )
    if s.session_resumption.enabled:
        config.session_resumption = types.SessionResumptionConfig(
            handle=resumption_handle,
            transparent=True
            if s.session_resumption.transparent and resolution.platform is Platform.VERTEX
            else None,
        )
    if seeding_history and caps.history_needs_config:
        config.history_config = types.HistoryConfig(initial_history_in_client_content=True)

    declared = _tools(s, caps.non_blocking_tools, tools, notes)
    if declared:
        config.tools = list[types.ToolUnion](declared)

    if caps.translation is Translation.CONFIG and s.translation.enabled:
        config.translation_config = types.TranslationConfig(
            target_language_code=s.translation.target_language,
            echo_target_language=s.translation.echo_target_language,
        )

    sampling = s.sampling
    config.temperature = sampling.temperature
    config.top_p = sampling.top_p
    config.top_k = float(sampling.top_k) if sampling.top_k is not None else None
    config.max_output_tokens = sampling.max_output_tokens
    config.seed = sampling.seed
    return LiveConfigPlan(config, tuple(notes))


def _realtime_input(s: Settings) -> types.RealtimeInputConfig | None:
    a = s.activity_detection
    detection = None
    if (
        not a.automatic
        or a.start_sensitivity is not Sensitivity.DEFAULT
        or a.end_sensitivity is not Sensitivity.DEFAULT
        or a.prefix_padding_ms is not None
        or a.silence_duration_ms is not None
    ):
        detection = types.AutomaticActivityDetection(
            disabled=not a.automatic,
            start_of_speech_sensitivity=_START.get(a.start_sensitivity),
            end_of_speech_sensitivity=_END.get(a.end_sensitivity),
            prefix_padding_ms=a.prefix_padding_ms,
            silence_duration_ms=a.silence_duration_ms,
        )
    handling = _HANDLING[a.activity_handling] if a.activity_handling else None
    coverage = _COVERAGE[a.turn_coverage] if a.turn_coverage else None
    if detection is None and handling is None and coverage is None:
        return None
    return types.RealtimeInputConfig(
        automatic_activity_detection=detection, activity_handling=handling, turn_coverage=coverage
    )


def _thinking(s: Settings) -> types.ThinkingConfig | None:
    t = s.thinking
    if t.budget_tokens is None and t.level is None and not t.include_thoughts:
        return None
    return types.ThinkingConfig(
        thinking_budget=t.budget_tokens,
        thinking_level=_THINKING_LEVEL[t.level.value] if t.level else None,
        include_thoughts=True if t.include_thoughts else None,
    )


def _tools(
    s: Settings,
    non_blocking_allowed: bool,
    declarations: Sequence[ToolDeclaration],
    notes: list[str],
) -> list[types.Tool]:
    tools: list[types.Tool] = []
    if s.tools.google_search:
        tools.append(types.Tool(google_search=types.GoogleSearch()))
    if s.tools.code_execution:
        tools.append(types.Tool(code_execution=types.ToolCodeExecution()))
    if s.tools.url_context:
        tools.append(types.Tool(url_context=types.UrlContext()))
    functions: list[types.FunctionDeclaration] = []
    for d in declarations:
        behavior = None
        if d.non_blocking:
            if non_blocking_allowed:
                behavior = types.Behavior.NON_BLOCKING
            else:
                notes.append(
                    f"{s.model} only calls tools one at a time; {d.name} runs as a blocking tool."
                )
        functions.append(
            types.FunctionDeclaration(
                name=d.name,
                description=d.description,
                parameters_json_schema=dict(d.parameters),
                response_json_schema=dict(d.response) if d.response is not None else None,
                behavior=behavior,
            )
        )
    if functions:
        tools.append(types.Tool(function_declarations=functions))
    return tools
