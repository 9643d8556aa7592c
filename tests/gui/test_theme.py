"""Light and dark: the window follows the system's scheme while set to follow it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop_assistant.ui.theme import DARK, LIGHT, ThemeChoice, ThemeManager, colors


@pytest.fixture
def system_theme(qapp: QApplication, theme: ThemeManager) -> Iterator[ThemeManager]:
    theme.set_choice(ThemeChoice.SYSTEM)
    yield theme
    theme.set_choice(ThemeChoice.LIGHT)


def _window_colour(qapp: QApplication) -> QColor:
    return qapp.palette().color(QPalette.ColorRole.Window)


def _system_switches_to(qapp: QApplication, scheme: Qt.ColorScheme) -> None:
    """What the platform theme does when the user flips the desktop's light/dark switch.

    The offscreen platform has no desktop theme to flip, so its notification is sent directly.
    """
    qapp.styleHints().colorSchemeChanged.emit(scheme)


def test_follows_the_system_switch_to_dark_and_back(
    qapp: QApplication, system_theme: ThemeManager
) -> None:
    _system_switches_to(qapp, Qt.ColorScheme.Dark)
    assert system_theme.dark
    assert colors() is DARK
    assert _window_colour(qapp) == QColor(DARK.window)
    assert DARK.window in qapp.styleSheet()
    _system_switches_to(qapp, Qt.ColorScheme.Light)
    assert colors() is LIGHT
    assert _window_colour(qapp) == QColor(LIGHT.window)


def test_a_chosen_theme_ignores_the_system(qapp: QApplication, system_theme: ThemeManager) -> None:
    system_theme.set_choice(ThemeChoice.LIGHT)
    _system_switches_to(qapp, Qt.ColorScheme.Dark)
    assert colors() is LIGHT
    system_theme.set_choice(ThemeChoice.DARK)
    assert _window_colour(qapp) == QColor(DARK.window)


def test_the_transcript_redraws_in_the_new_colours(
    qapp: QApplication, system_theme: ThemeManager, rig
) -> None:  # type: ignore[no-untyped-def]
    from desktop_assistant.core.events import Interrupted, OutputTranscribed, PlaybackCut

    rig.conversation.emit(OutputTranscribed("One two three four"), Interrupted(), PlaybackCut(0.5))
    body = rig.window.conversation.view.entries[0].body
    assert LIGHT.muted in body.text()
    _system_switches_to(qapp, Qt.ColorScheme.Dark)
    qapp.processEvents()
    assert DARK.muted in body.text()
    assert LIGHT.muted not in body.text()
