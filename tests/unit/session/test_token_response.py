from __future__ import annotations

import json

import pytest

from desktop_assistant.session.tokens import TokenError, parse_token_response

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def test_a_well_formed_answer():
    token = parse_token_response(
        json.dumps(
            {
                "token": "auth_tokens/abcdefghijklmnopqrst",
                "expire_time": "2027-01-15T08:30:00Z",
                "new_session_expire_time": "2027-01-15T08:01:00+00:00",
            }
        ).encode(),
        now=NOW,
    )
    assert token.name.reveal() == "auth_tokens/abcdefghijklmnopqrst"
    assert token.expire_at == NOW + 1800
    assert token.new_session_expire_at == NOW + 60
    assert "abcdefghijklmnop" not in repr(token)


def test_expiry_defaults_to_thirty_minutes():
    token = parse_token_response(b'{"token": "auth_tokens/x"}', now=NOW)
    assert token.expire_at == NOW + 1800


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>", "did not answer with JSON"),
        (b'{"tok": "x"}', "has no token"),
        (b'{"token": "AIzaSy-real-key"}', "not an ephemeral token"),
        (b'{"token": "auth_tokens/x", "expire_time": "tomorrow"}', "not a date"),
        (b'{"token": "auth_tokens/x", "expire_time": "2020-01-01T00:00:00Z"}', "already expired"),
    ],
)
def test_bad_answers_are_refused_in_words(body, message):
    with pytest.raises(TokenError, match=message):
        parse_token_response(body, now=NOW)
