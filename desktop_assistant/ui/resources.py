"""Where the window's resources live: icons, the stylesheet and the compiled translations.

A source checkout (and an editable install) reads them from ``resources/`` at the repository
root; a frozen app carries the same folder next to its code (PyInstaller's ``_MEIPASS``);
``DESKTOP_ASSISTANT_RESOURCES`` overrides both, for packagers.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICON_SIZES_PX = (16, 20, 24, 32, 48)


@cache
def resources_dir() -> Path:
    override = os.environ.get("DESKTOP_ASSISTANT_RESOURCES")
    candidates = [Path(override)] if override else []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[-1]


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def translations_dir() -> Path:
    return resource_path("translations")


def icon(name: str) -> QIcon:
    """An icon from ``resources/icons/<name>.svg`` in the theme's text colour.

    The icons draw with ``currentColor``, which Qt's SVG renderer does not resolve by itself;
    substituting the colour keeps them legible on light and dark alike. Empty if missing.
    """
    from desktop_assistant.ui.theme import colors

    c = colors()
    return _tinted_icon(name, c.text, c.muted)


@cache
def _tinted_icon(name: str, color: str, disabled_color: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    if not path.is_file():
        return QIcon()
    source = path.read_text(encoding="utf-8")
    if "currentColor" not in source:
        return QIcon(str(path))
    result = QIcon()
    for mode, tint in ((QIcon.Mode.Normal, color), (QIcon.Mode.Disabled, disabled_color)):
        renderer = QSvgRenderer(QByteArray(source.replace("currentColor", tint).encode()))
        for size in ICON_SIZES_PX:
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            renderer.render(painter, QRectF(0, 0, size, size))
            painter.end()
            result.addPixmap(pixmap, mode)
    return result
