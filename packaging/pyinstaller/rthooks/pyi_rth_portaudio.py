"""PyInstaller runtime hook (Linux): let sounddevice find the PortAudio library in the bundle.

sounddevice looks PortAudio up with ``ctypes.util.find_library("portaudio")``, which on Linux asks
only ldconfig, gcc and ld and never looks inside the bundle (PyInstaller patches find_library on
Windows only). The system library is preferred, because it matches the host's sound setup (ALSA
plugins, PulseAudio or PipeWire); the bundled copy is the fallback for machines without one.
"""

import ctypes.util
import os
import sys

if sys.platform.startswith("linux"):
    _system_find_library = ctypes.util.find_library

    def _find_library(name: str) -> str | None:
        found = _system_find_library(name)
        if found is None and name == "portaudio":
            bundled = os.path.join(getattr(sys, "_MEIPASS", ""), "libportaudio.so.2")
            if os.path.exists(bundled):
                return bundled
        return found

    ctypes.util.find_library = _find_library
