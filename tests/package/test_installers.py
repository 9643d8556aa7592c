"""The frozen app and the Linux installer, as an end user would get them.

Freezes the app with the project's PyInstaller spec (about a minute), runs the frozen
``--self-test``, then builds the ``.deb``, installs it with apt, runs the installed app's
self-test from ``/usr/bin``, purges it and checks that nothing is left behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_assistant import APP_ID, __version__

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import smoke_test  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.package]


@pytest.fixture(scope="module")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("pyi-work")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "packaging/pyinstaller/desktop-assistant.spec"),
        ],
        cwd=ROOT,
        check=True,
    )
    shutil.rmtree(work, ignore_errors=True)
    return dist


def test_frozen_app_passes_its_self_test(dist_dir: Path) -> None:
    binary = dist_dir / "desktop-assistant" / "desktop-assistant"
    assert smoke_test.main([str(binary)]) == 0


def _installed_files() -> list[str]:
    listed = subprocess.run(["dpkg", "-L", "desktop-assistant"], capture_output=True, text=True)
    return listed.stdout.split() if listed.returncode == 0 else []


@pytest.mark.skipif(os.geteuid() != 0, reason="installing a .deb needs root (CI runs as root)")
def test_deb_installs_runs_from_the_menu_entry_and_purges_cleanly(dist_dir: Path) -> None:
    built = subprocess.run(
        ["bash", str(ROOT / "packaging/linux/build-deb.sh")],
        cwd=ROOT,
        env=dict(os.environ, DIST_DIR=str(dist_dir), DEB_COMPRESS="zstd"),
        capture_output=True,
        text=True,
        check=True,
    )
    deb = Path(built.stdout.strip().splitlines()[-1])
    assert deb.name == f"desktop-assistant_{__version__}_amd64.deb"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-qq", str(deb)], env=env, check=True)
    try:
        desktop = Path(f"/usr/share/applications/{APP_ID}.desktop")
        assert desktop.is_file()
        assert "Exec=desktop-assistant" in desktop.read_text()
        assert Path(f"/usr/share/icons/hicolor/256x256/apps/{APP_ID}.png").is_file()
        metainfo = Path(f"/usr/share/metainfo/{APP_ID}.metainfo.xml")
        assert f'version="{__version__}"' in metainfo.read_text()
        subprocess.run(["desktop-file-validate", str(desktop)], check=True)
        subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)], check=True)
        # What the menu entry runs: the /usr/bin launcher, found on PATH.
        launcher = shutil.which("desktop-assistant", path="/usr/bin")
        assert launcher == "/usr/bin/desktop-assistant"
        assert smoke_test.main([launcher]) == 0
        installed = _installed_files()
        assert "/opt/desktop-assistant/desktop-assistant" in installed
    finally:
        subprocess.run(["apt-get", "purge", "-y", "-qq", "desktop-assistant"], env=env, check=True)
    assert not Path("/opt/desktop-assistant").exists()
    assert not Path("/usr/bin/desktop-assistant").exists()
    assert not Path(f"/usr/share/applications/{APP_ID}.desktop").exists()
    assert _installed_files() == []


def test_appdir_runs_the_frozen_app(dist_dir: Path, tmp_path: Path) -> None:
    built = subprocess.run(
        ["bash", str(ROOT / "packaging/linux/build-appdir.sh")],
        cwd=ROOT,
        env=dict(os.environ, DIST_DIR=str(dist_dir), BUILD_DIR=str(tmp_path), SQUASHFS="0"),
        capture_output=True,
        text=True,
        check=True,
    )
    appdir = Path(built.stdout.strip().splitlines()[-1])
    assert (appdir / f"{APP_ID}.desktop").is_file()
    assert (appdir / ".DirIcon").exists()
    assert smoke_test.main([str(appdir / "AppRun")]) == 0
