"""What every area of the main window shares: the database, the year in focus, change signals.

The main window holds one AppContext; each area it builds gets its own AreaContext, a child
QObject of the area that relays the shared signals both ways. Whatever an area connects to its
context — lambdas included — is connected to that child, so when the area is destroyed (a
language switch rebuilds every area) Qt cuts those connections with it: nothing of a destroyed
area is ever called again, without each area having to disconnect what it connected.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Signal, Slot

from qoffice.services import settings as settings_service


class AppContext(QObject):
    """Passed to every area's constructor. After a write, `publish(changes)` — called by
    qoffice.ui.operations.run_op, the one way the GUI writes — emits `changed(Changes)` once, then
    `dataChanged(table)` for each table touched, so every area (and the status bar) refreshes;
    `yearChanged` follows the shared year selector."""

    yearChanged = Signal(int)
    settingsChanged = Signal()
    languageChanged = Signal(str)
    changed = Signal(object)  # qoffice.services.changes.Changes
    dataChanged = Signal(str)  # table name, e.g. "enterprise"

    def __init__(self, db, year: int | None = None):
        super().__init__()
        self.db = db
        self.year = year or dt.date.today().year
        self._origin: AreaContext | None = None  # the area context whose emission is being relayed

    def set_year(self, year: int) -> None:
        if year != self.year:
            self.year = year
            self.yearChanged.emit(year)

    def setting(self, key: str, default: str | None = None) -> str | None:
        return settings_service.get(self.db, key, default)

    def publish(self, changes) -> None:
        """The one hook after a write: every area hears what changed (the tables in a fixed order)."""
        if not changes:
            return
        self.changed.emit(changes)
        for table in sorted(changes.tables):
            self.dataChanged.emit(table)

    def counties(self) -> list[str]:
        return settings_service.counties(self.db)

    def for_area(self, owner: QObject | None = None) -> AreaContext:
        """A context for one area; give it the area as `owner` (or setParent it once the area is
        built) so that it goes, with every connection made to it, when the area goes."""
        return AreaContext(self, owner)


class AreaContext(AppContext):
    """One area's view of the shared AppContext: the same database, year and settings; its signals
    carry everything emitted on the shared context or on any other area's context, and what the
    area emits reaches all of them. Listeners of the emitting area hear it once."""

    def __init__(self, shared: AppContext, owner: QObject | None = None):
        QObject.__init__(self, owner)
        self.shared = shared
        self._relaying = False
        self._origin = None
        # Outgoing first: the relay slot runs before any of the area's own listeners, so it can
        # tell an emission it relays in from a new one that a listener makes while handling it.
        self.yearChanged.connect(self._out_year)
        self.settingsChanged.connect(self._out_settings)
        self.languageChanged.connect(self._out_language)
        self.dataChanged.connect(self._out_data)
        self.changed.connect(self._out_changed)
        # Incoming: slots of this QObject, so Qt drops these connections when it is destroyed.
        shared.yearChanged.connect(self._in_year)
        shared.settingsChanged.connect(self._in_settings)
        shared.languageChanged.connect(self._in_language)
        shared.dataChanged.connect(self._in_data)
        shared.changed.connect(self._in_changed)

    # the shared state
    @property
    def db(self):
        return self.shared.db

    @db.setter
    def db(self, value) -> None:
        self.shared.db = value

    @property
    def year(self) -> int:
        return self.shared.year

    @year.setter
    def year(self, value: int) -> None:
        self.shared.year = value

    def set_year(self, year: int) -> None:
        self.shared.set_year(year)

    def for_area(self, owner: QObject | None = None) -> AreaContext:
        return self.shared.for_area(owner)

    def publish(self, changes) -> None:
        self.shared.publish(changes)

    # relaying
    def _out(self, signal, *args) -> None:
        if self._relaying:  # the echo of an emission this context relayed in
            self._relaying = False
            return
        previous, self.shared._origin = self.shared._origin, self
        try:
            signal.emit(*args)
        finally:
            self.shared._origin = previous

    def _in(self, signal, *args) -> None:
        if self.shared._origin is self:  # our own emission coming back: our listeners had it
            return
        self._relaying = True
        try:
            signal.emit(*args)
        finally:
            self._relaying = False

    @Slot(int)
    def _out_year(self, year: int) -> None:
        self._out(self.shared.yearChanged, year)

    @Slot()
    def _out_settings(self) -> None:
        self._out(self.shared.settingsChanged)

    @Slot(str)
    def _out_language(self, language: str) -> None:
        self._out(self.shared.languageChanged, language)

    @Slot(str)
    def _out_data(self, table: str) -> None:
        self._out(self.shared.dataChanged, table)

    @Slot(object)
    def _out_changed(self, changes) -> None:
        self._out(self.shared.changed, changes)

    @Slot(object)
    def _in_changed(self, changes) -> None:
        self._in(self.changed, changes)

    @Slot(int)
    def _in_year(self, year: int) -> None:
        self._in(self.yearChanged, year)

    @Slot()
    def _in_settings(self) -> None:
        self._in(self.settingsChanged)

    @Slot(str)
    def _in_language(self, language: str) -> None:
        self._in(self.languageChanged, language)

    @Slot(str)
    def _in_data(self, table: str) -> None:
        self._in(self.dataChanged, table)
