"""Where the GUI remembers window geometry, splitters, column widths and sort orders.

An INI file inside the data folder (paths.data_home()/ui.ini), never the registry or ~/.config:
it travels with the data, and tests (which set QOFFICE_HOME) never touch a real user's settings.

Every key is declared here, once (as Picard declares its options), and read and written through
it — no key is spelled as a string in another module.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings

from qoffice.paths import data_home

INI_NAME = "ui.ini"


def ui_settings() -> QSettings:
    home = data_home()
    home.mkdir(parents=True, exist_ok=True)
    return QSettings(str(home / INI_NAME), QSettings.IniFormat)


@dataclass(frozen=True)
class UiKey:
    """One remembered value of this PC's GUI."""

    name: str
    default: Any = None

    def get(self, settings: QSettings | None = None) -> Any:
        return (settings or ui_settings()).value(self.name, self.default)

    def set(self, value: Any, settings: QSettings | None = None) -> None:
        """Remember `value`; an unchanged one is not written again (QSettings rewrites the whole file
        on sync, through a safe save that waits for the disk — tens of ms at every exit otherwise)."""
        settings = settings or ui_settings()
        if settings.contains(self.name) and _same(settings.value(self.name), value):
            return
        settings.setValue(self.name, value)


def _same(stored: Any, value: Any) -> bool:
    try:
        return type(stored) is type(value) and bool(stored == value)
    except Exception:  # a value that cannot be compared is written
        return False


FONT_PT = UiKey("ui/font_pt")  # the font size chosen with Ctrl +/-
MAIN_GEOMETRY = UiKey("main/geometry")
MAIN_SPLITTER = UiKey("main/splitter")  # navigation | area
LAST_FOLDER = UiKey("paths/last_folder")  # where the last file was opened or saved


def list_header(list_name: str) -> UiKey:
    """A list's column widths and sort order (ListDefinition.name)."""
    return UiKey(f"lists/{list_name}/header")


def list_widths_by_hand(list_name: str) -> UiKey:
    """True once the clerk sized a column of the list: its widths are then kept as they were left,
    no longer fitted to the window and the rows shown."""
    return UiKey(f"lists/{list_name}/widths_by_hand", False)
