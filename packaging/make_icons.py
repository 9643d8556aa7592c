"""Render the platform icons from the SVG master (Qt renders, this script writes the containers).

    python packaging/make_icons.py

Writes packaging/windows/app.ico and packaging/macos/app.icns. Both formats can hold PNG images,
so each size is rendered by Qt's SVG renderer and stored as PNG; no Pillow is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "resources" / "icons" / "app.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types that hold PNG data, by edge length in pixels.
ICNS_TYPES = {
    16: b"icp4",
    32: b"icp5",
    64: b"icp6",
    128: b"ic07",
    256: b"ic08",
    512: b"ic09",
    1024: b"ic10",
}


def png_of_size(size: int) -> bytes:
    from PySide6 import QtCore, QtGui, QtSvg

    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    QtSvg.QSvgRenderer(str(MASTER)).render(painter)
    painter.end()
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not render {size} px")
    return bytes(buffer.data().data())


def ico(images: dict[int, bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    directory, payload = b"", b""
    for size, png in images.items():
        edge = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        directory += struct.pack(
            "<BBBBHHII", edge, edge, 0, 0, 1, 32, len(png), offset + len(payload)
        )
        payload += png
    return header + directory + payload


def icns(images: dict[int, bytes]) -> bytes:
    body = b"".join(ICNS_TYPES[s] + struct.pack(">I", 8 + len(p)) + p for s, p in images.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtGui

    _app = QtGui.QGuiApplication(sys.argv[:1])
    windows, macos = ROOT / "packaging" / "windows", ROOT / "packaging" / "macos"
    windows.mkdir(parents=True, exist_ok=True)
    macos.mkdir(parents=True, exist_ok=True)
    (windows / "app.ico").write_bytes(ico({s: png_of_size(s) for s in ICO_SIZES}))
    (macos / "app.icns").write_bytes(icns({s: png_of_size(s) for s in ICNS_TYPES}))
    print("icons written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
