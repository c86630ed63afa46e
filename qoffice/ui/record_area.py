"""The base of every record area (awards, projects, partners, forums…): what they all share.

A record area is a ListArea over one ListDefinition, with 导入 / 下载模板 / 导出 for its import
kind, the counts in the status bar, refreshed when a table it watches changes (the Changes that
qoffice.ui.operations.run_op publishes) or the shared year moves. A subclass says only what is
particular to it:

    class AwardsArea(RecordArea):
        definition = AWARDS
        kind = "awards"                        # excel/kinds.py; None: only 导出
        export_title = N_("Awards")            # the exported sheet's title; None: no 导出 either
        watches = ("award", "enterprise")      # tables whose changes refresh it
        follows_year = True                    # refreshed when the shared year moves (the default)

        def __init__(self, ctx, parent=None):
            super().__init__(ctx, parent, on_new=self.new, on_delete=self.delete,
                             empty_text=_("No awards recorded for this year…"))
            ...                                # its own widgets, then a layout holding self.list

        def year_scope(self):                  # the shared year's records only (None: all)
            return [Award.year == self.ctx.year]
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from qoffice.i18n import _
from qoffice.services.changes import Changes
from qoffice.ui import list_export
from qoffice.ui.listarea import ListArea
from qoffice.ui.listmodel import ListDefinition


def open_import(area: QWidget, kind_name: str | None):
    """导入: the import wizard with the area's kind preselected."""
    from qoffice.ui.import_wizard import ImportWizard

    wizard = ImportWizard(area.ctx, kind_name, parent=area)
    wizard.show()
    area._import_wizard = wizard  # kept alive while open; tests reach it here
    return wizard


def list_handlers(area: QWidget, kind_name: str | None, title: str) -> dict[str, Any]:
    """on_import / on_template / on_export for a ListArea of `area` (an area with `ctx`)."""
    handlers: dict[str, Any] = {"on_export": lambda model: list_export.export_list(area, model, title)}
    if kind_name is not None:
        handlers["on_import"] = lambda: open_import(area, kind_name)
        handlers["on_template"] = lambda: list_export.download_template(area, kind_name)
    return handlers


class AreaBasics:
    """What the main window asks of every area: activated() when it is shown (refresh), and
    status_text(), the counts of its main list (the attribute named by `counted_list`)."""

    counted_list = "list"

    def activated(self) -> None:
        self.refresh()

    def status_text(self) -> str:
        return getattr(self, self.counted_list).counts_text()


class RecordArea(AreaBasics, QWidget):
    statusText = Signal(str)

    definition: ListDefinition
    kind: str | None = None
    export_title: str | None = None  # English source string (N_), translated when the area is built
    watches: tuple[str, ...] = ()
    follows_year = True  # False: the list is the same whatever the year (no refresh when it moves)

    def __init__(self, ctx, parent=None, **list_options):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None
        handlers = list_handlers(self, self.kind, _(self.export_title)) if self.export_title else {}
        self.list = ListArea(ctx.db, self.definition, **handlers, **list_options)
        self.list.countsChanged.connect(self.statusText)
        ctx.changed.connect(self._on_changes)  # bound methods: cut when the area goes
        if self.follows_year:
            ctx.yearChanged.connect(self._year_changed)
        ctx.settingsChanged.connect(self.list.reload_filters)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(self.watches):
            self.refresh()

    def _year_changed(self, _year: int) -> None:
        self.refresh()

    def year_scope(self) -> list | None:
        """The clauses that keep the list to the shared year; None: the list is not per year."""
        return None

    def refresh(self) -> None:
        scope = self.year_scope()
        if scope is None:
            self.list.reload()
        else:  # part of the base filter, so 共 N 条 counts the year's records
            self.list.model.set_scope(scope)
            self.list.reload()
