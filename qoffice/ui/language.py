"""Switch the UI language: qoffice's gettext catalogs, Qt's own qtbase_<lang>.qm, and QLocale's default.

The default QLocale is what widgets made afterwards use (a calendar's month and weekday names);
the main window rebuilds its areas on a switch, so they follow it too."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from qoffice import i18n
from qoffice.paths import resources_dir

log = logging.getLogger("qoffice.ui")
_qt_translator: QTranslator | None = None
# The QLocale of each UI language: month and weekday names of date pickers, number formats.
LOCALES = {"zh_CN": (QLocale.Chinese, QLocale.China), "en": (QLocale.English, QLocale.UnitedStates)}


def qt_translation_dirs() -> list[Path]:
    """Where qtbase_zh_CN.qm may be: PySide6's own translations, else a copy bundled in resources/qt."""
    return [Path(QLibraryInfo.path(QLibraryInfo.TranslationsPath)), resources_dir() / "qt"]


def apply_language(language: str | None) -> str:
    """Set qoffice's language and (re)install Qt's translator for its dialogs and buttons."""
    global _qt_translator
    language = i18n.set_language(language)
    QLocale.setDefault(QLocale(*LOCALES.get(language, LOCALES["zh_CN"])))  # widgets made from now on
    app = QApplication.instance()
    if app is None:
        return language
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if language != "en":
        translator = QTranslator(app)
        for folder in qt_translation_dirs():
            if translator.load(f"qtbase_{language}", str(folder)):
                app.installTranslator(translator)
                _qt_translator = translator
                break
        else:
            log.warning("Qt translation qtbase_%s.qm not found", language)
    return language


def qt_translator_loaded() -> bool:
    return _qt_translator is not None
