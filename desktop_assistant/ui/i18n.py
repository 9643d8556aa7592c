"""The window's languages: English (the source) and German, as compiled Qt translations.

``resources/translations/desktop_assistant_<lang>.qm`` is built from the ``.ts`` beside it with
``pyside6-lrelease`` (see ``resources/translations/README.md``); Qt's own strings (file dialogs,
context menus) come from the ``qtbase`` catalogue that PySide6 ships.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from desktop_assistant.ui.resources import translations_dir

_log = logging.getLogger(__name__)

CATALOGUE = "desktop_assistant"
UI_LANGUAGES = ("en", "de")


def install_translations(app: QApplication, language: str | None = None) -> list[QTranslator]:
    """Install the translators for ``language`` (default: the system's); returns them.

    The caller keeps the list: a translator that is garbage-collected stops translating.
    """
    locale = QLocale(language) if language else QLocale.system()
    QLocale.setDefault(locale)
    installed: list[QTranslator] = []
    if locale.language() == QLocale.Language.English:
        return installed
    ours = QTranslator(app)
    if ours.load(locale, CATALOGUE, "_", str(translations_dir())):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        _log.info("no translation of the window for %s; showing English", locale.name())
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    return installed


def remove_translations(app: QApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
    translators.clear()
