"""The audio tier: real PortAudio streams on a private PulseAudio server that these tests start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import running_virtual_audio
from tests.support.pulse import VirtualAudio


@pytest.fixture(scope="package")
def virtual_audio() -> Iterator[VirtualAudio]:
    yield from running_virtual_audio()
