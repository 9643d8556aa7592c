"""Find a top-level X11 window by title and where it is on screen (libX11 through ctypes).

mss captures rectangles, not windows; to capture "a chosen window" we look its geometry up each
time we grab, so moving or resizing it is followed. libX11 is already loaded by mss on X11, and
this needs no window manager (the test X server has none). Everything here is blocking and runs
on the screen reader thread, with its own display connection.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass

_Window = ctypes.c_ulong


class _XWindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", _Window),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


_IS_VIEWABLE = 2


@dataclass(frozen=True, slots=True)
class WindowGeometry:
    window_id: int
    title: str
    left: int
    top: int
    width: int
    height: int


class X11Windows:
    """A display connection for window look-ups; ``close()`` it on the same thread."""

    def __init__(self, display: str | None) -> None:
        name = ctypes.util.find_library("X11")
        if name is None:
            raise OSError("libX11 is not installed")
        x = ctypes.CDLL(name)
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        x.XDefaultRootWindow.restype = _Window
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XQueryTree.argtypes = [
            ctypes.c_void_p,
            _Window,
            ctypes.POINTER(_Window),
            ctypes.POINTER(_Window),
            ctypes.POINTER(ctypes.POINTER(_Window)),
            ctypes.POINTER(ctypes.c_uint),
        ]
        x.XFetchName.argtypes = [ctypes.c_void_p, _Window, ctypes.POINTER(ctypes.c_char_p)]
        x.XFree.argtypes = [ctypes.c_void_p]
        x.XGetWindowAttributes.argtypes = [
            ctypes.c_void_p,
            _Window,
            ctypes.POINTER(_XWindowAttributes),
        ]
        x.XTranslateCoordinates.argtypes = [
            ctypes.c_void_p,
            _Window,
            _Window,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(_Window),
        ]
        self._x = x
        self._display = x.XOpenDisplay(display.encode() if display else None)
        if not self._display:
            raise OSError(f"cannot connect to X display {display or '(DISPLAY)'}")
        self._root = x.XDefaultRootWindow(self._display)

    def close(self) -> None:
        if self._display:
            self._x.XCloseDisplay(self._display)
            self._display = None

    def _children(self, window: int) -> list[int]:
        root, parent = _Window(), _Window()
        children = ctypes.POINTER(_Window)()
        count = ctypes.c_uint()
        if not self._x.XQueryTree(
            self._display,
            window,
            ctypes.byref(root),
            ctypes.byref(parent),
            ctypes.byref(children),
            ctypes.byref(count),
        ):
            return []
        found = [children[i] for i in range(count.value)]
        if children:
            self._x.XFree(children)
        return found

    def _title(self, window: int) -> str:
        name = ctypes.c_char_p()
        if self._x.XFetchName(self._display, window, ctypes.byref(name)) and name.value:
            title = name.value.decode("utf-8", errors="replace")
            self._x.XFree(name)
            return title
        return ""

    def find(self, title: str) -> WindowGeometry | None:
        """The first viewable window whose title contains ``title`` (case-insensitive)."""
        wanted = title.lower()
        stack = self._children(self._root)
        while stack:
            window = stack.pop(0)
            name = self._title(window)
            if name and wanted in name.lower():
                geometry = self.geometry(window, name)
                if geometry is not None:
                    return geometry
            stack.extend(self._children(window))
        return None

    def geometry(self, window: int, title: str = "") -> WindowGeometry | None:
        attrs = _XWindowAttributes()
        if not self._x.XGetWindowAttributes(self._display, window, ctypes.byref(attrs)):
            return None
        if attrs.map_state != _IS_VIEWABLE:
            return None
        x, y, child = ctypes.c_int(), ctypes.c_int(), _Window()
        self._x.XTranslateCoordinates(
            self._display,
            window,
            self._root,
            0,
            0,
            ctypes.byref(x),
            ctypes.byref(y),
            ctypes.byref(child),
        )
        return WindowGeometry(window, title, x.value, y.value, attrs.width, attrs.height)
