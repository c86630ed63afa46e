"""Where the GUI remembers window geometry, splitters, column widths and sort orders.

An INI file inside the data folder (paths.data_home()/ui.ini), never the registry or ~/.config:
it travels with the data, and tests (which set QOFFICE_HOME) never touch a real user's settings.
"""
from __future__ import annotations

from PySide6.QtCore import QSettings

from qoffice.paths import data_home

INI_NAME = "ui.ini"


def ui_settings() -> QSettings:
    home = data_home()
    home.mkdir(parents=True, exist_ok=True)
    return QSettings(str(home / INI_NAME), QSettings.IniFormat)
