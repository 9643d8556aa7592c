from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from desktop_assistant.server import cli
from desktop_assistant.server.app import is_loopback
from desktop_assistant.server.faults import FaultKind


class FakeServer:
    base_url = "https://127.0.0.1:1234"
    ca_file = Path("/tmp/ca.pem")
    api_key = "k"


def test_ready_file_is_one_json_object_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "ready.json"
    cli.write_ready_file(path, FakeServer())  # type: ignore[arg-type]
    assert json.loads(path.read_text()) == {
        "base_url": "https://127.0.0.1:1234",
        "ca_file": "/tmp/ca.pem",
        "api_key": "k",
    }
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["ready.json"]  # no temporary left behind


def test_options_from_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("from-file\n")
    monkeypatch.setenv(cli.API_KEY_ENV, "from-env")
    args = cli.build_parser().parse_args(
        ["--port", "0", "--engine", "echo", "--lifetime", "0", "--speed", "inf", "--frames", "text",
         "--fault", "reset@conn=2", "--fault", "stall:1", "--api-key-file", str(key_file)]
    )  # fmt: skip
    options = cli.options_from(args)
    assert options.api_key == "from-file"
    assert options.connection_lifetime_s is None
    assert options.frame_kind == "text"
    assert [f.kind for f in options.faults] == [FaultKind.RESET, FaultKind.STALL]
    assert options.faults[0].connection == 2


def test_bad_fault_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.build_parser().parse_args(["--fault", "melt"])
    assert caught.value.code == 2
    assert "unknown fault 'melt'" in capsys.readouterr().err


def test_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.2")
    assert not is_loopback("host")
