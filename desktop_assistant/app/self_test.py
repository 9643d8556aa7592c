"""``desktop-assistant --self-test``: prove that this install (source or frozen) can do its job.

Runs without a display, a sound card or a network: every check exercises the library a little
instead of only importing it, and the last one holds a short spoken exchange with the in-process
local Live server over TLS through the unmodified google-genai SDK. Prints one line per check and
exits 0 only if every check passed. Installers and CI run it on the frozen app.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from desktop_assistant import __version__

EXCHANGE_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def _check_python() -> str:
    frozen = bool(getattr(sys, "frozen", False))
    return f"python {platform.python_version()}, frozen={frozen}, app {__version__}"


def _check_qt() -> str:
    # The offscreen platform needs no display; on a desktop the user's platform is used.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCore, QtGui, QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    assert isinstance(app, QtWidgets.QApplication)
    image = QtGui.QImage(16, 16, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("teal"))
    assert image.pixelColor(3, 3) == QtGui.QColor("teal")
    return f"Qt {QtCore.qVersion()}, platform {app.platformName()}"


def _check_qasync() -> str:
    import qasync
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    loop = qasync.QEventLoop(app)
    try:

        async def tick() -> str:
            await asyncio.sleep(0.01)
            return "ok"

        result = loop.run_until_complete(tick())
    finally:
        loop.close()
    assert result == "ok"
    return "asyncio runs on the Qt loop"


def _check_portaudio() -> str:
    import sounddevice as sd

    version = sd.get_portaudio_version()[1]
    try:
        devices = len(sd.query_devices())
    except sd.PortAudioError as exc:  # no sound server at all is fine for a self-test
        devices = 0
        version += f" (no devices: {exc})"
    return f"{version}, {devices} device(s)"


def _check_opencv() -> str:
    import cv2
    import numpy as np

    frame = np.zeros((90, 160, 3), dtype=np.uint8)
    cv2.rectangle(frame, (40, 20), (120, 70), (0, 200, 255), thickness=-1)
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    assert decoded is not None
    assert decoded.shape == frame.shape
    # JPEG is lossy: the centre of the filled rectangle must still be the same colour.
    assert int(np.abs(decoded[45, 80].astype(int) - frame[45, 80].astype(int)).max()) < 20
    return f"OpenCV {cv2.__version__}, JPEG round trip {len(jpeg)} bytes"


def _check_echo_cancellation() -> str:
    from livekit import rtc

    apm = rtc.AudioProcessingModule(
        echo_cancellation=True, noise_suppression=True, high_pass_filter=True
    )
    silence = rtc.AudioFrame(
        data=bytes(320), sample_rate=16_000, num_channels=1, samples_per_channel=160
    )
    apm.process_stream(silence)
    return "WebRTC audio processing loads"


def _check_exchange() -> str:
    return asyncio.run(asyncio.wait_for(_spoken_exchange(), EXCHANGE_TIMEOUT_S))


async def _spoken_exchange() -> str:
    from google.genai import types

    from desktop_assistant.server import LocalLiveServer, ServerOptions

    async with LocalLiveServer(ServerOptions(engine="echo")) as server:
        client = server.genai_client()
        config = types.LiveConnectConfig(
            response_modalities=[types.Modality.AUDIO],
            output_audio_transcription=types.AudioTranscriptionConfig(),
        )
        audio = bytearray()
        transcript: list[str] = []
        async with client.aio.live.connect(
            model="gemini-2.5-flash-native-audio-preview-12-2025", config=config
        ) as session:
            await session.send_realtime_input(text="self test")
            async for message in session.receive():
                if message.data:
                    audio += message.data
                content = message.server_content
                if content and content.output_transcription and content.output_transcription.text:
                    transcript.append(content.output_transcription.text)
    spoken = "".join(transcript).strip()
    assert len(audio) >= 2 * 24_000 // 10, "the local server spoke less than 100 ms of audio"
    assert spoken, "the local server sent no transcript"
    return f"TLS exchange: {len(audio) / 48_000:.2f} s of speech, said {spoken[:60]!r}"


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("python", _check_python),
    ("qt", _check_qt),
    ("qasync", _check_qasync),
    ("portaudio", _check_portaudio),
    ("opencv", _check_opencv),
    ("echo-cancellation", _check_echo_cancellation),
    ("live-exchange", _check_exchange),
)


def run_checks() -> list[CheckResult]:
    results = []
    for name, check in CHECKS:
        started = time.perf_counter()
        try:
            detail = check()
            ok = True
        except Exception as exc:  # every failure is reported, none stops the others
            ok = False
            detail = f"{type(exc).__name__}: {exc}"
            if os.environ.get("DESKTOP_ASSISTANT_SELF_TEST_TRACEBACK"):
                detail += "\n" + traceback.format_exc()
        elapsed_ms = (time.perf_counter() - started) * 1000
        results.append(CheckResult(name, ok, f"{detail} [{elapsed_ms:.0f} ms]"))
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="desktop-assistant --self-test",
        description="Check that everything this install needs loads and works, offline.",
    )
    parser.parse_args(argv)
    results = run_checks()
    for result in results:
        print(f"{'PASS' if result.ok else 'FAIL'} {result.name}: {result.detail}", flush=True)
    passed = all(r.ok for r in results)
    print("self-test passed" if passed else "self-test FAILED", flush=True)
    return 0 if passed else 1
