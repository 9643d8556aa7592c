import subprocess
import sys

from desktop_assistant import __version__
from desktop_assistant.app import cli


def test_version_is_printed_from_the_package(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"desktop-assistant {__version__}"


def test_help_lists_every_command(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("serve", "chat", "self-test", "gui"):
        assert name in out


def test_python_dash_m_runs_the_same_entry_point():
    done = subprocess.run(
        [sys.executable, "-m", "desktop_assistant", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == f"desktop-assistant {__version__}"
