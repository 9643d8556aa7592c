from pathlib import Path

import pytest

from desktop_assistant.server.engines.offline import (
    BACKEND_DESCRIPTION,
    BACKEND_LABEL,
    ENGINE_NAME,
)
from desktop_assistant.server.engines.offline.models import (
    ModelError,
    ModelFile,
    package_dir,
    read_verified,
    sha256_bytes,
)

GOOD = b"model bytes"
MODEL = ModelFile("test model", "some_pkg", "m.bin", sha256_bytes(GOOD), "some-pkg==1.0")


def test_verified_bytes_are_returned(tmp_path: Path) -> None:
    (tmp_path / "m.bin").write_bytes(GOOD)
    assert read_verified(MODEL, tmp_path / "m.bin") == GOOD


def test_a_corrupt_model_gives_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "m.bin").write_bytes(b"model bytez")
    with pytest.raises(ModelError) as info:
        read_verified(MODEL, tmp_path / "m.bin")
    message = str(info.value)
    assert "test model is damaged" in message
    assert "pip install --force-reinstall some-pkg==1.0" in message


def test_a_missing_model_gives_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        read_verified(MODEL, tmp_path / "m.bin")
    assert "test model is missing" in str(info.value)


def test_a_missing_package_names_the_install_command() -> None:
    with pytest.raises(ModelError) as info:
        package_dir("no_such_package_for_offline_tests", "no-such-package==1.0")
    assert "no-such-package==1.0" in str(info.value)
    assert "desktop-assistant[offline]" in str(info.value)


def test_the_backend_is_labelled_honestly() -> None:
    assert ENGINE_NAME == "offline"
    assert "Offline" in BACKEND_LABEL
    assert "English" in BACKEND_LABEL
    assert "limited" in BACKEND_LABEL
    assert "no API key" in BACKEND_DESCRIPTION
    assert "no network" in BACKEND_DESCRIPTION
