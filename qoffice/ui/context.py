"""What every area of the main window shares: the database, the year in focus, change signals."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Signal

from qoffice.services import settings as settings_service


class AppContext(QObject):
    """Passed to every area's constructor. Areas emit `dataChanged(table)` after a write so the
    other areas (and the status bar) refresh; `yearChanged` follows the shared year selector."""

    yearChanged = Signal(int)
    settingsChanged = Signal()
    languageChanged = Signal(str)
    dataChanged = Signal(str)  # table name, e.g. "enterprise"

    def __init__(self, db, year: int | None = None):
        super().__init__()
        self.db = db
        self.year = year or dt.date.today().year

    def set_year(self, year: int) -> None:
        if year != self.year:
            self.year = year
            self.yearChanged.emit(year)

    def setting(self, key: str, default: str | None = None) -> str | None:
        return settings_service.get(self.db, key, default)

    def counties(self) -> list[str]:
        return settings_service.counties(self.db)
