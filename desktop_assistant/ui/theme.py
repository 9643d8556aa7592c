"""Light and dark, following the system: one palette of named colours, the Fusion style, a QSS.

Widgets that paint themselves (meters, the timeline, the preview) read ``colors()`` when they
paint, so a change of the system theme repaints them in the new colours without a restart.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop_assistant.ui.resources import resource_path


class ThemeChoice(enum.Enum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True, slots=True)
class Colors:
    dark: bool
    window: str
    base: str
    surface: str  # panels and cards
    text: str
    muted: str  # secondary text, the unheard tail
    border: str
    accent: str
    user: str
    model: str
    tool: str
    ok: str
    warning: str
    danger: str
    thinking: str
    banner_info: str
    banner_warning: str
    banner_error: str


LIGHT = Colors(
    dark=False,
    window="#f4f5f7",
    base="#ffffff",
    surface="#ffffff",
    text="#1d2129",
    muted="#8a909c",
    border="#d9dce3",
    accent="#1a73e8",
    user="#0b7a5c",
    model="#3b4cca",
    tool="#8e44ad",
    ok="#1e8e3e",
    warning="#b06000",
    danger="#c5221f",
    thinking="#9aa5b8",
    banner_info="#e8f0fe",
    banner_warning="#fef7e0",
    banner_error="#fce8e6",
)

DARK = Colors(
    dark=True,
    window="#1f2126",
    base="#17181c",
    surface="#26282e",
    text="#e6e8ec",
    muted="#7f8592",
    border="#3a3d45",
    accent="#8ab4f8",
    user="#5fd3b0",
    model="#a9b4ff",
    tool="#d7a6f0",
    ok="#81c995",
    warning="#fdd663",
    danger="#f28b82",
    thinking="#6f7a8e",
    banner_info="#23324a",
    banner_warning="#3d3420",
    banner_error="#4a2523",
)

_current = LIGHT


def colors() -> Colors:
    return _current


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def _palette(c: Colors) -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    palette.setColor(role.Window, QColor(c.window))
    palette.setColor(role.WindowText, QColor(c.text))
    palette.setColor(role.Base, QColor(c.base))
    palette.setColor(role.AlternateBase, QColor(c.surface))
    palette.setColor(role.Text, QColor(c.text))
    palette.setColor(role.Button, QColor(c.surface))
    palette.setColor(role.ButtonText, QColor(c.text))
    palette.setColor(role.ToolTipBase, QColor(c.surface))
    palette.setColor(role.ToolTipText, QColor(c.text))
    palette.setColor(role.PlaceholderText, QColor(c.muted))
    palette.setColor(role.Highlight, QColor(c.accent))
    palette.setColor(role.HighlightedText, QColor(c.base if c.dark else "#ffffff"))
    palette.setColor(role.Link, QColor(c.accent))
    palette.setColor(role.Mid, QColor(c.border))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, r, QColor(c.muted))
    return palette


def stylesheet(c: Colors) -> str:
    path = resource_path("qss", "app.qss")
    if not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8")
    # Longest names first, so @banner_error is not read as @banner + "_error".
    for name in sorted(Colors.__dataclass_fields__, key=len, reverse=True):
        value = getattr(c, name)
        if isinstance(value, str):
            text = text.replace(f"@{name}", value)
    return text


class ThemeManager(QObject):
    """Applies the chosen theme and follows the system's light/dark switch while set to system."""

    changed = Signal(bool)  # dark

    def __init__(self, app: QApplication, choice: ThemeChoice = ThemeChoice.SYSTEM) -> None:
        super().__init__(app)
        self._app = app
        self.choice = choice
        app.setStyle("Fusion")
        app.styleHints().colorSchemeChanged.connect(self._on_system_changed)
        self.apply()

    def set_choice(self, choice: ThemeChoice) -> None:
        self.choice = choice
        self.apply()

    def _on_system_changed(self, scheme: Qt.ColorScheme) -> None:
        # The scheme comes with the signal: some platforms report the new one only there.
        if self.choice is ThemeChoice.SYSTEM:
            self._apply(scheme == Qt.ColorScheme.Dark)

    @property
    def dark(self) -> bool:
        return _current.dark

    def apply(self) -> None:
        if self.choice is ThemeChoice.SYSTEM:
            self._apply(system_prefers_dark())
        else:
            self._apply(self.choice is ThemeChoice.DARK)

    def _apply(self, dark: bool) -> None:
        global _current
        _current = DARK if dark else LIGHT
        self._app.setPalette(_palette(_current))
        self._app.setStyleSheet(stylesheet(_current))
        self.changed.emit(dark)
