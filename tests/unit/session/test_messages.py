"""Server frames (parsed by the SDK, as on the wire) become events: every field, in a fixed order."""

from __future__ import annotations

import base64

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
    ToolCallCancelled,
    ToolCallRequested,
    TurnCompleted,
    UrlContextReceived,
    UsageUpdated,
    VoiceActivityChanged,
)
from desktop_assistant.session.messages import (
    LOCAL_CALL_ID_PREFIX,
    events_from_message,
    parse_duration,
)
from tests.unit.session.sdk_wire import server_message

PCM = bytes(range(200)) * 4


def events(frame):
    return events_from_message(server_message(frame))


def audio_part(pcm=PCM, rate=24000):
    return {
        "inlineData": {"mimeType": f"audio/pcm;rate={rate}", "data": base64.b64encode(pcm).decode()}
    }


def test_model_audio_and_text_parts():
    got = events(
        {
            "serverContent": {
                "modelTurn": {
                    "parts": [{"text": "Hi"}, audio_part(), {"text": "hmm", "thought": True}]
                }
            }
        }
    )
    assert got == [
        ModelTextReceived("Hi"),
        ModelTextReceived("hmm", thought=True),
        ModelAudioReceived(PCM, 24000),
    ]


def test_audio_sample_rate_comes_from_the_mime_type_and_url_safe_base64_decodes():
    frame = {
        "serverContent": {
            "modelTurn": {
                "parts": [
                    {
                        "inlineData": {
                            "mimeType": "audio/pcm;rate=16000",
                            "data": base64.urlsafe_b64encode(PCM).decode(),
                        }
                    }
                ]
            }
        }
    }
    assert events(frame) == [ModelAudioReceived(PCM, 16000)]


def test_transcriptions_with_finished_and_language():
    got = events(
        {
            "serverContent": {
                "inputTranscription": {"text": "Wie", "finished": True, "languageCode": "de-DE"}
            }
        }
    )
    assert got == [InputTranscribed("Wie", finished=True, language_code="de-DE")]
    assert events({"serverContent": {"outputTranscription": {"text": " spät"}}}) == [
        OutputTranscribed(" spät")
    ]
    assert events({"serverContent": {"interimInputTranscription": {"text": "Wie sp"}}}) == [
        InputTranscribed("Wie sp", interim=True)
    ]


def test_one_bundled_message_becomes_events_in_the_fixed_order():
    frame = {
        "serverContent": {
            "turnComplete": True,
            "outputTranscription": {"text": "It is"},
            "modelTurn": {"parts": [audio_part()]},
            "inputTranscription": {"text": "stop"},
            "interrupted": True,
            "generationComplete": True,
        },
        "usageMetadata": {"promptTokenCount": 3, "responseTokenCount": 4, "totalTokenCount": 7},
        "sessionResumptionUpdate": {"newHandle": "h1", "resumable": True},
    }
    got = events(frame)
    assert [type(e) for e in got] == [
        Interrupted,
        InputTranscribed,
        ModelAudioReceived,
        OutputTranscribed,
        GenerationCompleted,
        TurnCompleted,
        UsageUpdated,
        ResumptionHandleReceived,
    ]
    ranks = [SESSION_EVENT_ORDER.index(type(e)) for e in got]
    assert ranks == sorted(ranks)


def test_turn_end_reason_and_waiting_for_input():
    got = events(
        {
            "serverContent": {
                "turnComplete": True,
                "turnCompleteReason": "NEED_MORE_INPUT",
                "waitingForInput": True,
            }
        }
    )
    assert got == [TurnCompleted(reason="NEED_MORE_INPUT", waiting_for_input=True)]
    assert events({"serverContent": {"waitingForInput": True}}) == [InputRequested()]
    assert events({"serverContent": {"interactionStatus": "IDLE"}}) == [
        InteractionStatusChanged("IDLE")
    ]


def test_tool_calls_and_cancellations():
    got = events(
        {
            "toolCall": {
                "functionCalls": [
                    {"id": "fc-1", "name": "current_time", "args": {"timezone": "UTC"}},
                    {"name": "calculate", "args": {}},
                ]
            }
        }
    )
    assert got[0] == ToolCallRequested("fc-1", "current_time", {"timezone": "UTC"})
    assert got[1].name == "calculate"
    assert got[1].call_id.startswith(LOCAL_CALL_ID_PREFIX)
    assert events({"toolCallCancellation": {"ids": ["fc-1", "fc-2"]}}) == [
        ToolCallCancelled(("fc-1", "fc-2"))
    ]


def test_usage_by_modality_is_cumulative_as_reported():
    got = events(
        {
            "usageMetadata": {
                "promptTokenCount": 120,
                "responseTokenCount": 40,
                "totalTokenCount": 160,
                "thoughtsTokenCount": 5,
                "toolUsePromptTokenCount": 2,
                "cachedContentTokenCount": 9,
                "promptTokensDetails": [
                    {"modality": "AUDIO", "tokenCount": 100},
                    {"modality": "TEXT", "tokenCount": 20},
                ],
                "responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 40}],
                "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 9}],
                "toolUsePromptTokensDetails": [{"modality": "TEXT", "tokenCount": 2}],
            }
        }
    )
    assert got == [
        UsageUpdated(
            120,
            40,
            160,
            5,
            2,
            9,
            {"AUDIO": 100, "TEXT": 20},
            {"AUDIO": 40},
            {"TEXT": 9},
            {"TEXT": 2},
        )
    ]


def test_resumption_update_goaway_and_voice_activity():
    assert events(
        {
            "sessionResumptionUpdate": {
                "newHandle": "CiQ2",
                "resumable": True,
                "lastConsumedClientMessageIndex": "7",
            }
        }
    ) == [ResumptionHandleReceived("CiQ2", True, 7)]
    assert events({"sessionResumptionUpdate": {"resumable": False}}) == [
        ResumptionHandleReceived(None, False)
    ]
    assert events({"goAway": {"timeLeft": "50s"}}) == [GoAwayReceived(50.0)]
    assert events({"voiceActivity": {"type": "ACTIVITY_START", "audioOffset": "1.5s"}}) == [
        VoiceActivityChanged(True)
    ]
    assert events({"voiceActivityDetectionSignal": {"vadSignalType": "VAD_SIGNAL_TYPE_EOS"}}) == [
        VoiceActivityChanged(False)
    ]


def test_grounding_url_context_and_code_execution():
    got = events(
        {
            "serverContent": {
                "groundingMetadata": {
                    "webSearchQueries": ["weather paris"],
                    "groundingChunks": [{"web": {"uri": "https://example.com", "title": "ex"}}],
                    "searchEntryPoint": {"renderedContent": "<div>chip</div>"},
                },
                "urlContextMetadata": {
                    "urlMetadata": [
                        {
                            "retrievedUrl": "https://example.com/a",
                            "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS",
                        }
                    ]
                },
                "modelTurn": {
                    "parts": [
                        {"executableCode": {"code": "print(1)", "language": "PYTHON"}},
                        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
                    ]
                },
            }
        }
    )
    assert got == [
        CodeExecutionReported(code="print(1)", language="PYTHON"),
        CodeExecutionReported(outcome="OUTCOME_OK", output="1\n"),
        GroundingReceived(("weather paris",), (("ex", "https://example.com"),), "<div>chip</div>"),
        UrlContextReceived((("https://example.com/a", "URL_RETRIEVAL_STATUS_SUCCESS"),)),
    ]


def test_unknown_fields_are_ignored_and_empty_messages_say_nothing():
    assert events({"serverContent": {"somethingNew": {"x": 1}, "turnComplete": True}}) == [
        TurnCompleted()
    ]
    assert events({}) == []


def test_durations():
    assert parse_duration("1.5s") == 1.5
    assert parse_duration(None) == 0.0
    assert parse_duration("soon") == 0.0
