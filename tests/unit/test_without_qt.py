"""The layers below the UI work with PySide6 absent (the house rule: core tests pass without Qt)."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import desktop_assistant

ROOT = Path(__file__).resolve().parents[2]
QT_FREE_PACKAGES = ("core", "config", "session", "media", "tools", "server")
QT_FREE_TEST_DIRS = ("core", "config", "session", "tools")


def _modules_of(package: str) -> list[str]:
    prefix = f"desktop_assistant.{package}."
    path = [str(Path(desktop_assistant.__file__).parent / package)]
    return [f"desktop_assistant.{package}"] + [
        m.name for m in pkgutil.walk_packages(path, prefix) if ".offline." not in m.name
    ]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_every_module_below_the_ui_imports_without_qt() -> None:
    modules = [m for package in QT_FREE_PACKAGES for m in _modules_of(package)]
    script = (
        "import sys; sys.path.insert(0, 'tests/support'); import without_qt; "
        "without_qt.pytest_configure(); import importlib; "
        f"[importlib.import_module(m) for m in {modules!r}]"
    )
    done = _run("-c", script)
    assert done.returncode == 0, done.stderr


def test_core_tests_pass_with_qt_blocked() -> None:
    dirs = [f"tests/unit/{d}" for d in QT_FREE_TEST_DIRS if (ROOT / "tests/unit" / d).is_dir()]
    assert dirs, "no core unit tests found"
    done = _run(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:pytest-qt",
        # --strict-config would reject the qt_api option that pytest-qt owns.
        "-o",
        "addopts=--strict-markers",
        "-p",
        "no:cacheprovider",
        "-p",
        "tests.support.without_qt",
        *dirs,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]
