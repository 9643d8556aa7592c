"""The audio tier: real PortAudio streams on a private PulseAudio server that these tests start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_assistant.media.audio.devices import refresh_devices
from tests.support.pulse import VirtualAudio


@pytest.fixture(scope="session")
def virtual_audio() -> Iterator[VirtualAudio]:
    """One server for the whole session, ready (probed) before the first test uses it."""
    server = VirtualAudio()
    server.start()
    # PortAudio enumerated its devices when sounddevice was imported, before the server ran.
    refresh_devices()
    try:
        yield server
    finally:
        server.stop()
        refresh_devices()
