"""``desktop-assistant serve`` as a program, and ``desktop-assistant demo``, end to end."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import sys
import wave
from pathlib import Path

import pytest
from google import genai
from google.genai import errors, types

from desktop_assistant.app import demo
from tests.integration.server.live import NATIVE, WAIT_S, receive_turn


async def start_serve(*args: str) -> tuple[asyncio.subprocess.Process, list[str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "desktop_assistant", "serve", *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    lines: list[str] = []
    assert process.stderr is not None
    async with asyncio.timeout(WAIT_S):
        while True:
            line = (await process.stderr.readline()).decode()
            if not line:
                raise AssertionError("serve exited before it was ready:\n" + "".join(lines))
            lines.append(line)
            if " ready: " in line:
                return process, lines


async def stop_serve(process: asyncio.subprocess.Process, lines: list[str]) -> int:
    process.send_signal(signal.SIGTERM)
    assert process.stderr is not None
    async with asyncio.timeout(WAIT_S):
        rest = await process.stderr.read()
        code = await process.wait()
    lines.append(rest.decode())
    return code


def client(ready: dict[str, str]) -> genai.Client:
    import ssl

    return genai.Client(
        api_key=ready["api_key"],
        http_options=types.HttpOptions(
            base_url=ready["base_url"],
            api_version="v1beta",
            async_client_args={
                "ssl": ssl.create_default_context(cafile=ready["ca_file"]),
                "proxy": None,
            },
        ),
    )


@pytest.mark.asyncio
async def test_serve_writes_the_ready_file_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    ready_file = tmp_path / "ready" / "server.json"
    process, lines = await start_serve("--ready-file", str(ready_file), "--speed", "50")
    try:
        ready = json.loads(ready_file.read_text())
        assert set(ready) == {"base_url", "ca_file", "api_key"}
        assert ready["base_url"].startswith("https://127.0.0.1:")
        assert stat.S_IMODE(os.stat(ready_file).st_mode) == 0o600
        async with client(ready).aio.live.connect(
            model=NATIVE,
            config={"response_modalities": ["AUDIO"], "output_audio_transcription": {}},
        ) as session:
            await session.send_realtime_input(text="over the command line")
            turn = await receive_turn(session)
        assert turn.output_transcript.strip() == "You said: over the command line"
    finally:
        code = await stop_serve(process, lines)
    assert code == 0
    assert not ready_file.exists()
    log = "".join(lines)
    assert "connection 1" in log
    assert ready["api_key"] not in log


@pytest.mark.asyncio
async def test_serve_injects_faults_from_flags(tmp_path: Path) -> None:
    ready_file = tmp_path / "ready.json"
    process, lines = await start_serve(
        "--ready-file", str(ready_file), "--speed", "50",
        "--fault", "close:1011:Internal error encountered.@turn=1,frames=1",
    )  # fmt: skip
    try:
        ready = json.loads(ready_file.read_text())
        async with client(ready).aio.live.connect(model=NATIVE, config={}) as session:
            await session.send_realtime_input(text="break")
            with pytest.raises(errors.APIError) as caught:
                await receive_turn(session)
        assert caught.value.code == 1011
    finally:
        assert await stop_serve(process, lines) == 0


def test_serve_refuses_an_open_port_without_a_credential() -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "desktop_assistant", "serve", "--host", "0.0.0.0", "--no-auth"],
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        check=False,
    )
    assert done.returncode == 2
    assert "refusing to listen on 0.0.0.0 without a credential" in done.stderr


def test_demo_speaks_and_saves_the_reply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo.wav"
    assert demo.main(["--out", str(out), "--speed", "25"]) == 0
    printed = capsys.readouterr().out
    assert "assistant: You said: Hello! Can you hear me?" in printed
    assert "assistant: I heard" in printed
    with wave.open(str(out), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24_000, 1, 2)
        assert w.getnframes() / w.getframerate() > 1.0
