"""A private X server (Xvfb) for the screen-capture tests, started by the tests themselves.

``Xvfb -displayfd`` picks a free display number and writes it to a pipe once it accepts
connections, which is the readiness signal; the display is then probed with a real X client
connection (through libX11) before it is handed out. The rest of the suite keeps Qt on
``offscreen``: the display is passed explicitly to the code under test, never exported.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

_START_TIMEOUT_SECS = 20.0
SCREEN_SIZE = (1280, 800)


class VirtualDisplayError(RuntimeError):
    """The virtual X server could not be started."""


def _can_connect(display: str) -> bool:
    name = ctypes.util.find_library("X11")
    if name is None:
        raise VirtualDisplayError(
            "libX11 is missing: install it with `bash scripts/setup.sh --test`"
        )
    xlib = ctypes.CDLL(name)
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    handle = xlib.XOpenDisplay(display.encode())
    if not handle:
        return False
    xlib.XCloseDisplay(handle)
    return True


class VirtualDisplay:
    """One Xvfb server of ``SCREEN_SIZE`` at 24-bit colour."""

    def __init__(self, size: tuple[int, int] = SCREEN_SIZE) -> None:
        self.size = size
        self.display = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None

    def start(self) -> None:
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise VirtualDisplayError(
                "'Xvfb' was not found on PATH. The screen-capture tests start their own X server; "
                "install it with `bash scripts/setup.sh --test` (apt package xvfb)."
            )
        self._dir = Path(tempfile.mkdtemp(prefix="da-xvfb-"))
        read_fd, write_fd = os.pipe()
        width, height = self.size
        log = (self._dir / "xvfb.log").open("wb")
        self._proc = subprocess.Popen(
            [
                xvfb,
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                f"{width}x{height}x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        os.close(write_fd)
        log.close()
        try:
            number = self._read_display_number(read_fd)
        finally:
            os.close(read_fd)
        self.display = f":{number}"
        deadline = time.monotonic() + _START_TIMEOUT_SECS
        while not _can_connect(self.display):
            if time.monotonic() > deadline:
                self.stop()
                raise VirtualDisplayError(f"Xvfb {self.display} refuses connections")
            time.sleep(0.05)

    def _read_display_number(self, fd: int) -> int:
        data = b""
        deadline = time.monotonic() + _START_TIMEOUT_SECS
        while not data.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, remaining))
            if not ready:
                self.stop()
                raise VirtualDisplayError("Xvfb did not report a display number in time")
            chunk = os.read(fd, 64)
            if not chunk:
                log = self.log_tail()
                self.stop()
                raise VirtualDisplayError(f"Xvfb exited before it was ready:\n{log}")
            data += chunk
        return int(data.strip())

    def log_tail(self) -> str:
        if self._dir is None or not (self._dir / "xvfb.log").exists():
            return "(no log)"
        return (self._dir / "xvfb.log").read_text(encoding="utf-8", errors="replace")[-2000:]

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
            self._proc = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


class ColourWindow:
    """A plain X window of one colour with a title, mapped where asked (there is no WM).

    The X server paints its background itself, so no toolkit is needed; closing the connection
    destroys the window.
    """

    def __init__(
        self,
        display: str,
        title: str,
        geometry: tuple[int, int, int, int],
        rgb: tuple[int, int, int],
    ) -> None:
        name = ctypes.util.find_library("X11")
        assert name is not None
        x = ctypes.CDLL(name)
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XCreateSimpleWindow.restype = ctypes.c_ulong
        x.XCreateSimpleWindow.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_ulong,
            ctypes.c_ulong,
        ]
        x.XStoreName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_char_p]
        x.XMapWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        x.XMoveWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int]
        x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self._x = x
        self._display = x.XOpenDisplay(display.encode())
        if not self._display:
            raise VirtualDisplayError(f"cannot open {display}")
        left, top, width, height = geometry
        pixel = (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]
        root = x.XDefaultRootWindow(self._display)
        self.window = x.XCreateSimpleWindow(
            self._display, root, left, top, width, height, 0, 0, pixel
        )
        x.XStoreName(self._display, self.window, title.encode())
        x.XMapWindow(self._display, self.window)
        x.XSync(self._display, 0)

    def move(self, left: int, top: int) -> None:
        self._x.XMoveWindow(self._display, self.window, left, top)
        self._x.XSync(self._display, 0)

    def close(self) -> None:
        if self._display:
            self._x.XCloseDisplay(self._display)
            self._display = None
