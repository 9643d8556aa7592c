"""Routes and credentials as the SDK and raw clients send them; refusals as the service closes."""

from __future__ import annotations

import json

import pytest
from google.genai import errors, types
from websockets.exceptions import ConnectionClosed, InvalidStatus

from desktop_assistant.server import LocalLiveServer
from tests.integration.server.live import (
    NATIVE,
    live,
    raw_socket,
    receive_turn,
    recv_json,
    ws_url,
)

pytestmark = pytest.mark.asyncio

SETUP = json.dumps({"setup": {"model": f"models/{NATIVE}"}})


async def one_turn(server: LocalLiveServer, **client_args: object) -> str:
    async with live(server, **client_args) as session:  # type: ignore[arg-type]
        await session.send_realtime_input(text="ok")
        return (await receive_turn(session)).output_transcript.strip()


@pytest.mark.parametrize("version", ["v1", "v1beta", "v1alpha"])
async def test_every_api_version(server: LocalLiveServer, version: str) -> None:
    assert await one_turn(server, api_version=version) == "You said: ok"


async def test_trailing_slash_base_url_gives_double_slash(server: LocalLiveServer) -> None:
    assert await one_turn(server, base_url=server.base_url + "/") == "You said: ok"


async def test_base_url_with_a_path_prefix(server: LocalLiveServer) -> None:
    assert await one_turn(server, base_url=server.base_url + "/gateway/live") == "You said: ok"


async def test_wrong_key_is_refused_with_1007(server: LocalLiveServer) -> None:
    with pytest.raises(errors.APIError) as caught:
        async with live(server, api_key="not-the-key"):
            pass
    assert caught.value.code == 1007
    assert "API key not valid. Please pass a valid API key." in str(caught.value)
    assert server.connections[-1].setup_completed is False


@pytest.mark.parametrize(
    ("where", "value"),
    [("query", "key"), ("header", "Bearer"), ("header", "Token"), ("header", "x-goog-api-key")],
)
async def test_raw_clients_credentials(server: LocalLiveServer, where: str, value: str) -> None:
    url, headers = ws_url(server), {}
    if where == "query":
        url += f"?{value}={server.api_key}"
    elif value == "x-goog-api-key":
        headers[value] = server.api_key
    else:
        headers["Authorization"] = f"{value} {server.api_key}"
    async with raw_socket(server, url=url, headers=headers) as ws:
        await ws.send(SETUP)
        assert await recv_json(ws) == {"setupComplete": {}}


async def test_no_credential_is_refused(server: LocalLiveServer) -> None:
    async with raw_socket(server, headers={}) as ws:
        await ws.send(SETUP)
        with pytest.raises(ConnectionClosed):
            await recv_json(ws)
    assert ws.close_code == 1007


async def test_unknown_path_is_not_a_websocket(server: LocalLiveServer) -> None:
    url = server.base_url.replace("https", "wss") + "/ws/google.ai.generativelanguage.v1beta.Nope"
    with pytest.raises(InvalidStatus) as caught:
        async with raw_socket(server, url=url):
            pass
    assert caught.value.response.status_code == 404


async def test_vertex_path_and_model_names(server: LocalLiveServer) -> None:
    host = server.base_url.removeprefix("https://")
    url = f"wss://{host}//ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"
    model = "projects/p/locations/us-central1/publishers/google/models/gemini-live-2.5-flash-native-audio"
    async with raw_socket(server, url=url) as ws:
        await ws.send(json.dumps({"setup": {"model": model}}))
        assert await recv_json(ws) == {"setupComplete": {}}
    async with raw_socket(server, url=url) as ws:
        await ws.send(json.dumps({"setup": {"model": f"publishers/google/models/{NATIVE}"}}))
        with pytest.raises(ConnectionClosed):
            await recv_json(ws)
    assert ws.close_code == 1008  # a Developer API model is not a Vertex publisher model


async def test_the_sdk_vertex_gateway_mode_reaches_the_vertex_route(
    server: LocalLiveServer,
) -> None:
    from google import genai

    host = server.base_url.removeprefix("https://")
    client = genai.Client(
        vertexai=True,
        http_options=types.HttpOptions(
            base_url=f"wss://{host}/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent",
            headers={"x-goog-api-key": server.api_key},
            async_client_args={"ssl": server.client_ssl_context(), "proxy": None},
        ),
    )
    async with client.aio.live.connect(
        model="publishers/google/models/gemini-live-2.5-flash-native-audio",
        config=types.LiveConnectConfig(response_modalities=["AUDIO"]),
    ) as session:
        await session.send_realtime_input(text="vertex")
        turn = await receive_turn(session)
    assert turn.audio
