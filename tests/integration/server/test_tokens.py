"""Ephemeral tokens: the Constrained method, uses, expiry, locked setups, and REST minting."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from google import genai
from google.genai import errors, types

from desktop_assistant.server import LocalLiveServer, ServerOptions, TokenConstraints
from tests.integration.server.live import (
    HALF_CASCADE,
    audio_config,
    live,
    next_message,
    receive_turn,
)

pytestmark = [
    pytest.mark.asyncio,
    # The SDK warns that its token support is experimental: expected here.
    pytest.mark.filterwarnings("ignore:.*experimental"),
]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def clocked() -> AsyncIterator[tuple[LocalLiveServer, Clock]]:
    clock = Clock()
    async with LocalLiveServer(ServerOptions(speed=50, clock=clock)) as server:
        yield server, clock


def token_session(server: LocalLiveServer, token: str, config: Any = None, **kw: Any) -> Any:
    return live(server, config, api_key=token, api_version="v1alpha", **kw)


async def test_token_connects_on_the_constrained_method(server: LocalLiveServer) -> None:
    token = server.mint_token()
    assert token.startswith("auth_tokens/")
    async with token_session(server, token) as session:
        await session.send_realtime_input(text="with a token")
        turn = await receive_turn(session)
    assert turn.output_transcript.strip() == "You said: with a token"
    assert server.connections[0].method == "BidiGenerateContentConstrained"


async def test_uses_are_spent_by_new_sessions_not_by_resuming(server: LocalLiveServer) -> None:
    token = server.mint_token(uses=1)
    config = audio_config(session_resumption=types.SessionResumptionConfig())
    async with token_session(server, token, config) as session:
        await session.send_realtime_input(text="first")
        await receive_turn(session)
        handle = (await next_message(session)).session_resumption_update.new_handle
    resumed = audio_config(session_resumption=types.SessionResumptionConfig(handle=handle))
    async with token_session(server, token, resumed) as session:
        assert session.setup_complete is not None
    with pytest.raises(errors.APIError) as caught:
        async with token_session(server, token):
            pass
    assert caught.value.code == 1007
    assert "no uses left" in str(caught.value)


async def test_unlimited_uses(server: LocalLiveServer) -> None:
    token = server.mint_token(uses=0)
    for _ in range(3):
        async with token_session(server, token) as session:
            assert session.setup_complete is not None


async def test_unknown_token_is_refused(server: LocalLiveServer) -> None:
    with pytest.raises(errors.APIError) as caught:
        async with token_session(server, "auth_tokens/made-up"):
            pass
    assert caught.value.code == 1007


async def test_new_session_deadline(clocked: tuple[LocalLiveServer, Clock]) -> None:
    server, clock = clocked
    token = server.mint_token(uses=0, expire_in_s=600, new_session_expire_in_s=60)
    clock.now += 61
    with pytest.raises(errors.APIError) as caught:
        async with token_session(server, token):
            pass
    assert caught.value.code == 1007
    assert "can no longer start new sessions" in str(caught.value)


async def test_expiry_ends_sessions_opened_with_the_token(
    clocked: tuple[LocalLiveServer, Clock],
) -> None:
    server, clock = clocked
    token = server.mint_token(expire_in_s=120)
    async with token_session(server, token) as session:
        await session.send_realtime_input(text="in time")
        await receive_turn(session)
        clock.now += 121
        await session.send_realtime_input(text="too late")
        with pytest.raises(errors.APIError) as caught:
            await receive_turn(session)
    assert caught.value.code == 1008
    assert "expired" in str(caught.value)


async def test_locked_setup_wins_over_the_client(server: LocalLiveServer) -> None:
    locked = {
        "model": f"models/{HALF_CASCADE}",
        "generationConfig": {"responseModalities": ["TEXT"]},
    }
    token = server.mint_token(constraints=locked)
    # The client asks for a native-audio model speaking AUDIO; the token gives it TEXT.
    async with token_session(server, token, audio_config()) as session:
        await session.send_realtime_input(text="locked")
        turn = await receive_turn(session)
    assert turn.text.strip() == "You said: locked"
    assert not turn.audio
    assert server.connections[0].model == HALF_CASCADE


async def test_field_mask_locks_only_the_listed_fields(server: LocalLiveServer) -> None:
    constraints = TokenConstraints(
        setup={
            "model": f"models/{HALF_CASCADE}",
            "generationConfig": {"responseModalities": ["TEXT"]},
        },
        locked_fields=("model",),
    )
    token = server.mint_token(constraints=constraints)
    async with token_session(server, token, audio_config()) as session:
        await session.send_realtime_input(text="masked")
        turn = await receive_turn(session)
    assert turn.audio  # the modality was a default the client overrode
    assert server.connections[0].model == HALF_CASCADE


async def test_the_sdk_mints_tokens_over_rest_on_the_same_port(server: LocalLiveServer) -> None:
    ctx = server.client_ssl_context()
    minting = genai.Client(
        api_key=server.api_key,
        http_options=types.HttpOptions(
            base_url=server.base_url,
            api_version="v1alpha",
            async_client_args={"ssl": ctx, "verify": ctx, "proxy": None},
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = await minting.aio.auth_tokens.create(
            config=types.CreateAuthTokenConfig(
                uses=1,
                live_connect_constraints=types.LiveConnectConstraints(
                    model=HALF_CASCADE, config=types.LiveConnectConfig(response_modalities=["TEXT"])
                ),
            )
        )
    assert token.name
    assert token.name.startswith("auth_tokens/")
    async with token_session(server, token.name) as session:
        await session.send_realtime_input(text="minted")
        turn = await receive_turn(session)
    assert turn.text.strip() == "You said: minted"


async def test_rest_minting_needs_the_key(server: LocalLiveServer) -> None:
    ctx = server.client_ssl_context()
    minting = genai.Client(
        api_key="wrong",
        http_options=types.HttpOptions(
            base_url=server.base_url,
            api_version="v1alpha",
            async_client_args={"ssl": ctx, "verify": ctx, "proxy": None},
        ),
    )
    with pytest.raises(errors.ClientError) as caught:
        await minting.aio.auth_tokens.create(config=types.CreateAuthTokenConfig(uses=1))
    assert caught.value.code == 400
