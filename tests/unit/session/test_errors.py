"""Every close code and failure becomes a plain message with a next action, and a retry/stop verdict."""

from __future__ import annotations

import ssl

import pytest
import websockets.exceptions
from google.genai import errors
from websockets.datastructures import Headers
from websockets.frames import Close
from websockets.http11 import Response

from desktop_assistant.core.events import ErrorAction
from desktop_assistant.session.errors import (
    FailureContext,
    MalformedMessageError,
    StallError,
    classify,
)

MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"
FRESH = FailureContext(MODEL)
RESUMED = FailureContext(MODEL, resumed=True)


def close(code: int, reason: str = "") -> errors.APIError:
    """Exactly what the SDK raises when the service closes the socket."""
    return errors.APIError(code, reason, None)


def test_context_exhausted_after_resume_stops():
    e = classify(close(1007, "Request contains an invalid argument."), RESUMED)
    assert e.action is ErrorAction.STOP
    assert e.code == 1007
    assert "longer than the model can remember" in e.message
    assert "new conversation" in e.message


def test_1007_on_a_fresh_session_names_the_settings():
    e = classify(close(1007, "Cannot extract voices from a non-audio request."), FRESH)
    assert e.action is ErrorAction.STOP
    assert "refused the conversation settings" in e.message
    assert "Cannot extract voices" in e.message


def test_1008_says_which_model_or_feature_and_stops():
    e = classify(
        close(
            1008,
            f"models/{MODEL} is not found for API version v1beta, or is not supported for bidiGenerateContent.",
        ),
        FRESH,
    )
    assert e.action is ErrorAction.STOP
    assert f"The model {MODEL} is not available" in e.message
    assert "Choose another model" in e.message
    e = classify(close(1008, "Operation is not implemented, or supported, or enabled."), FRESH)
    assert "A feature you turned on is not available" in e.message
    assert e.action is ErrorAction.STOP


def test_an_unusable_resumption_handle_starts_afresh():
    e = classify(close(1008, "Session resumption handle is invalid or has expired."), RESUMED)
    assert e.action is ErrorAction.RETRY


@pytest.mark.parametrize("code", [1000, 1001, 1006, 1011, 1012, 1013])
def test_transient_closes_retry_with_resumption(code):
    e = classify(close(code, "Internal error encountered."), FRESH)
    assert e.action is ErrorAction.RETRY
    assert e.code == code
    assert "Reconnecting" in e.message


def test_a_bad_key_asks_for_a_key_and_a_bad_token_fetches_another():
    e = classify(close(1007, "API key not valid. Please pass a valid API key."), FRESH)
    assert e.action is ErrorAction.ASK_FOR_KEY
    assert "API key" in e.message
    token = classify(
        close(1007, "The auth token is not valid or has expired."),
        FailureContext(MODEL, with_token=True),
    )
    assert token.action is ErrorAction.RETRY
    assert "access token" in token.message


def test_quota_exhaustion_stops_with_a_reason():
    e = classify(close(1011, "You exceeded your current quota, please check your plan."), FRESH)
    assert e.action is ErrorAction.STOP
    assert "quota" in e.message


def test_network_level_failures():
    assert classify(ConnectionRefusedError(111, "refused"), FRESH).action is ErrorAction.RETRY
    assert classify(OSError("network unreachable"), FRESH).action is ErrorAction.RETRY
    assert classify(StallError("no answer"), FRESH).action is ErrorAction.RETRY
    cert = classify(ssl.SSLCertVerificationError("self-signed certificate"), FRESH)
    assert cert.action is ErrorAction.STOP
    assert "certificate is not trusted" in cert.message
    malformed = classify(MalformedMessageError("Failed to parse response"), FRESH)
    assert malformed.action is ErrorAction.CONTINUE


def test_raw_websocket_closes_and_http_refusals():
    closed = websockets.exceptions.ConnectionClosedError(Close(1011, "boom"), None)
    assert classify(closed, FRESH).code == 1011
    lost = websockets.exceptions.ConnectionClosedError(None, None)
    assert classify(lost, FRESH).code == 1006
    for status, action in (
        (401, ErrorAction.ASK_FOR_KEY),
        (404, ErrorAction.STOP),
        (429, ErrorAction.RETRY),
        (503, ErrorAction.RETRY),
    ):
        refused = websockets.exceptions.InvalidStatus(Response(status, "x", Headers()))
        assert classify(refused, FRESH).action is action


def test_error_details_never_carry_a_key():
    e = classify(RuntimeError("header x-goog-api-key: AIzaSyD-0123456789abcdefghijklmnop"), FRESH)
    assert "AIzaSyD" not in e.detail
