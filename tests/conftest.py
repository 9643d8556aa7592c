"""Suite-wide settings: every test runs headless, offline and on loopback only."""

from __future__ import annotations

import os
from collections.abc import Iterator

from tests.support.pulse import VirtualAudio

# Qt must never look for a display, and no test may reach a proxy or the internet.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ["NO_PROXY"] = "127.0.0.1,localhost"
for _var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "WSS_PROXY", "wss_proxy"):
    os.environ.pop(_var, None)
# A real key in the developer's environment must never be sent anywhere by a test.
for _var in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
    os.environ.pop(_var, None)


def running_virtual_audio() -> Iterator[VirtualAudio]:
    """A private PulseAudio server (virtual mic and speaker), for a package-scoped fixture.

    Each test folder that needs sound gets its own server (tests/audio, tests/gui), so one folder
    cannot leave loopbacks, defaults or suspended devices behind for another. PortAudio's device
    list is refreshed around it, because sounddevice enumerated devices when it was imported.
    """
    from desktop_assistant.media.audio.devices import refresh_devices

    server = VirtualAudio()
    server.start()
    refresh_devices()
    try:
        yield server
    finally:
        server.stop()
        refresh_devices()
