"""Server messages become core events: every field, in ``SESSION_EVENT_ORDER``.

One ``LiveServerMessage`` may carry several things at once (Gemini 3.x bundles ``interrupted``, a
transcription, audio and ``turnComplete`` in one frame; usage rides along with ``turnComplete``).
``events_from_message`` looks at every field and returns the events sorted into the fixed order,
so ``Interrupted`` always comes first (playback is cut before anything else is looked at) and the
turn end comes after the content it ends. ``setupComplete`` is consumed by ``connect()`` and
reported there as ``SessionStarted``.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from google.genai import types

from desktop_assistant.core.events import (
    SESSION_EVENT_ORDER,
    CodeExecutionReported,
    GenerationCompleted,
    GoAwayReceived,
    GroundingReceived,
    InputRequested,
    InputTranscribed,
    InteractionStatusChanged,
    Interrupted,
    ModelAudioReceived,
    ModelTextReceived,
    OutputTranscribed,
    ResumptionHandleReceived,
    SessionEvent,
    ToolCallCancelled,
    ToolCallRequested,
    TurnCompleted,
    UrlContextReceived,
    UsageUpdated,
    VoiceActivityChanged,
)
from desktop_assistant.core.ports import DOWNLINK_SAMPLE_RATE_HZ

log = logging.getLogger(__name__)

LOCAL_CALL_ID_PREFIX = "local:"
"""Function calls that arrive without an id (Vertex may omit it) get one of ours, never sent back."""

_RATE = re.compile(r"rate=(\d+)")
_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*s\s*$")
_RANK = {kind: index for index, kind in enumerate(SESSION_EVENT_ORDER)}


def events_from_message(message: types.LiveServerMessage) -> list[SessionEvent]:
    """Every event ``message`` carries, in ``SESSION_EVENT_ORDER`` (stable within one type)."""
    events: list[SessionEvent] = []
    content = message.server_content
    if content is not None:
        events += _content_events(content)
    if message.tool_call_cancellation is not None:
        ids = tuple(message.tool_call_cancellation.ids or ())
        events.append(ToolCallCancelled(ids))
    if message.tool_call is not None:
        for call in message.tool_call.function_calls or ():
            events.append(
                ToolCallRequested(
                    call_id=call.id or f"{LOCAL_CALL_ID_PREFIX}{uuid.uuid4().hex}",
                    name=call.name or "",
                    args=dict(call.args or {}),
                )
            )
    if message.usage_metadata is not None:
        events.append(_usage(message.usage_metadata))
    update = message.session_resumption_update
    if update is not None:
        events.append(
            ResumptionHandleReceived(
                handle=update.new_handle or None,
                resumable=bool(update.resumable),
                last_consumed_index=update.last_consumed_client_message_index,
            )
        )
    if message.go_away is not None:
        events.append(GoAwayReceived(parse_duration(message.go_away.time_left)))
    if message.voice_activity is not None:
        kind = message.voice_activity.voice_activity_type
        if kind in (types.VoiceActivityType.ACTIVITY_START, types.VoiceActivityType.ACTIVITY_END):
            events.append(VoiceActivityChanged(kind is types.VoiceActivityType.ACTIVITY_START))
    if message.voice_activity_detection_signal is not None:
        signal = message.voice_activity_detection_signal.vad_signal_type
        if signal in (
            types.VadSignalType.VAD_SIGNAL_TYPE_SOS,
            types.VadSignalType.VAD_SIGNAL_TYPE_EOS,
        ):
            events.append(VoiceActivityChanged(signal is types.VadSignalType.VAD_SIGNAL_TYPE_SOS))
    events.sort(key=lambda e: _RANK.get(type(e), len(_RANK)))
    return events


def _content_events(content: types.LiveServerContent) -> list[SessionEvent]:
    events: list[SessionEvent] = []
    if content.interrupted:
        events.append(Interrupted())
    for transcription, interim in (
        (content.input_transcription, False),
        (content.interim_input_transcription, True),
    ):
        if transcription is not None and (transcription.text or transcription.finished):
            events.append(
                InputTranscribed(
                    transcription.text or "",
                    finished=bool(transcription.finished),
                    language_code=transcription.language_code,
                    interim=interim,
                )
            )
    if content.model_turn is not None:
        events += _part_events(content.model_turn.parts or ())
    out = content.output_transcription
    if out is not None and (out.text or out.finished):
        events.append(
            OutputTranscribed(
                out.text or "", finished=bool(out.finished), language_code=out.language_code
            )
        )
    if content.grounding_metadata is not None:
        events.append(_grounding(content.grounding_metadata))
    if content.url_context_metadata is not None:
        urls = tuple(
            (u.retrieved_url or "", _enum_name(u.url_retrieval_status))
            for u in content.url_context_metadata.url_metadata or ()
        )
        events.append(UrlContextReceived(urls))
    if content.generation_complete:
        events.append(GenerationCompleted())
    if content.turn_complete:
        events.append(
            TurnCompleted(
                reason=_enum_name(content.turn_complete_reason) or None,
                waiting_for_input=bool(content.waiting_for_input),
            )
        )
    elif content.waiting_for_input:
        events.append(InputRequested())
    if content.interaction_status not in (
        None,
        types.InteractionStatus.INTERACTION_STATUS_UNSPECIFIED,
    ):
        events.append(InteractionStatusChanged(_enum_name(content.interaction_status)))
    return events


def _part_events(parts: Iterable[types.Part]) -> list[SessionEvent]:
    events: list[SessionEvent] = []
    for part in parts:
        if part.text:
            events.append(ModelTextReceived(part.text, thought=bool(part.thought)))
        if part.executable_code is not None:
            events.append(
                CodeExecutionReported(
                    code=part.executable_code.code or "",
                    language=_enum_name(part.executable_code.language),
                )
            )
        if part.code_execution_result is not None:
            events.append(
                CodeExecutionReported(
                    outcome=_enum_name(part.code_execution_result.outcome),
                    output=part.code_execution_result.output or "",
                )
            )
        blob = part.inline_data
        if blob is not None and blob.data:
            mime = (blob.mime_type or "audio/pcm").lower()
            if mime.startswith("audio/"):
                match = _RATE.search(mime)
                rate = int(match.group(1)) if match else DOWNLINK_SAMPLE_RATE_HZ
                events.append(ModelAudioReceived(blob.data, sample_rate_hz=rate))
            else:
                log.debug("ignoring inline %s data from the model", mime)
    return events


def _usage(usage: types.UsageMetadata) -> UsageUpdated:
    return UsageUpdated(
        prompt_tokens=usage.prompt_token_count or 0,
        response_tokens=usage.response_token_count or 0,
        total_tokens=usage.total_token_count or 0,
        thoughts_tokens=usage.thoughts_token_count or 0,
        tool_use_prompt_tokens=usage.tool_use_prompt_token_count or 0,
        cached_tokens=usage.cached_content_token_count or 0,
        prompt_by_modality=_by_modality(usage.prompt_tokens_details),
        response_by_modality=_by_modality(usage.response_tokens_details),
        cached_by_modality=_by_modality(usage.cache_tokens_details),
        tool_use_by_modality=_by_modality(usage.tool_use_prompt_tokens_details),
    )


def _by_modality(details: list[types.ModalityTokenCount] | None) -> Mapping[str, int]:
    counts: dict[str, int] = {}
    for item in details or ():
        key = _enum_name(item.modality) or "UNSPECIFIED"
        counts[key] = counts.get(key, 0) + (item.token_count or 0)
    return counts


def _grounding(meta: types.GroundingMetadata) -> GroundingReceived:
    sources = tuple(
        (chunk.web.title or "", chunk.web.uri or "")
        for chunk in meta.grounding_chunks or ()
        if chunk.web is not None
    )
    rendered = meta.search_entry_point.rendered_content if meta.search_entry_point else None
    return GroundingReceived(
        queries=tuple(meta.web_search_queries or ()), sources=sources, rendered_content=rendered
    )


def parse_duration(value: str | None) -> float:
    """Seconds in a protobuf Duration string (``"50s"``, ``"1.5s"``); 0 when absent or odd."""
    if not value:
        return 0.0
    match = _DURATION.match(value)
    if match is None:
        log.warning("unreadable duration %r from the service", value)
        return 0.0
    return max(0.0, float(match.group(1)))


def _enum_name(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))
