"""The real command: ``desktop-assistant gui`` starts, shows its window, and ends cleanly on
SIGTERM (streams, session and tasks stopped, exit status 0)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest


@pytest.mark.asyncio
async def test_the_gui_command_starts_and_stops_cleanly(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "DESKTOP_ASSISTANT_SECRETS_PASSPHRASE": "tests",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desktop_assistant",
        "gui",
        "--backend",
        "local",
        "--no-audio",
        "--no-first-run",
        "--language",
        "de",
        "--settings",
        str(tmp_path / "settings.json"),
        "--policy",
        str(tmp_path / "policy.json"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    assert process.stderr is not None
    seen: list[str] = []

    async def read_until(marker: str) -> None:
        assert process.stderr is not None
        while True:
            line = (await process.stderr.readline()).decode(errors="replace")
            if not line:
                raise AssertionError("the app ended early:\n" + "".join(seen[-30:]))
            seen.append(line)
            if marker in line:
                return

    try:
        await asyncio.wait_for(read_until("window ready"), 60)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(read_until("window closed cleanly"), 30)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert not any("Traceback" in line for line in seen), "".join(seen)
