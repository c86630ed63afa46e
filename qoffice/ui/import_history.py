"""导入记录: every import (when, file, kind, counts, operator), with 撤销所选导入 for any batch whose
records were not changed since — the rule of the wizard's last page (services.import_history).

Shown as a tab of 设置 and, from the import wizard, in a dialog of its own. The list is the app's
one list model (ui.listmodel.SqlListModel over import_batch), newest first.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from qoffice.db.models import ImportBatch
from qoffice.errors import KnownError
from qoffice.i18n import N_, _
from qoffice.services import import_history
from qoffice.services.changes import Changes
from qoffice.ui import messages
from qoffice.ui.listmodel import Column, ListDefinition, ListSql, SqlListModel

RIGHT = Qt.AlignmentFlag.AlignRight


def local_time(value: dt.datetime | None) -> str:
    """A stored UTC time as the clerk's local time."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _count(value, _row=()) -> str:
    return f"{value or 0:,}"


def _sql() -> ListSql:
    b = ImportBatch
    return ListSql(select=select(b.id, b.at, b.kind, b.source, b.created, b.updated, b.unchanged, b.skipped,
                                 b.rejected, b.operator, b.undone_at))


IMPORT_HISTORY = ListDefinition(
    name="import_history",
    fields=("id", "at", "kind", "source", "created", "updated", "unchanged", "skipped", "rejected", "operator",
            "undone_at"),
    sql=_sql,
    columns=[
        Column("at", N_("Imported at"), sortable=True, format=lambda v, row: local_time(v), width=130),
        Column("kind", N_("Records"), sortable=True, format=lambda v, row: import_history.kind_label(v), width=90),
        Column("source", N_("File"), sortable=True, format=lambda v, row: import_history.file_name(v), width=220),
        Column("created", N_("New"), sortable=True, format=_count, align=RIGHT),
        Column("updated", N_("Updated"), sortable=True, format=_count, align=RIGHT),
        Column("unchanged", N_("Unchanged"), sortable=True, format=_count, align=RIGHT),
        Column("skipped", N_("Skipped"), sortable=True, format=_count, align=RIGHT),
        Column("rejected", N_("With errors"), sortable=True, format=_count, align=RIGHT),
        Column("operator", N_("Operator"), sortable=True, width=90),
        Column("undone_at", N_("Import status"), sortable=True,
               format=lambda v, row: _("Undone {time}").format(time=local_time(v)) if v else ""),
    ],
    default_sort=("at", "desc"),
)


class ImportHistoryPage(QWidget):
    """The list and 撤销所选导入. `undone` ids are the batches undone here."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("import_history")
        self.ctx = ctx
        v = QVBoxLayout(self)
        intro = QLabel(_("Every import is listed here. An import can be undone as long as none of its records "
                         "has been changed since; a backup was also made before each one (设置 → 备份与恢复)."))
        intro.setWordWrap(True)
        v.addWidget(intro)
        self.model = SqlListModel(ctx.db, IMPORT_HISTORY, self)
        self.table = QTableView()
        self.table.setObjectName("import_history_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self.model.sort_column(), Qt.DescendingOrder)  # newest first
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        v.addWidget(self.table, 1)
        self.empty_label = QLabel(_("No imports yet."))
        self.empty_label.setObjectName("empty")
        self.empty_label.setStyleSheet("color: palette(mid);")
        v.addWidget(self.empty_label)
        bar = QHBoxLayout()
        self.reason = QLabel()
        self.reason.setObjectName("undo_reason")
        self.reason.setWordWrap(True)
        bar.addWidget(self.reason, 1)
        self.undo_button = QPushButton(_("Undo the selected import"))
        self.undo_button.setObjectName("undo_import")
        self.undo_button.clicked.connect(self.undo_selected)
        bar.addWidget(self.undo_button)
        v.addLayout(bar)
        ctx.dataChanged.connect(self._data_changed)
        self._loaded = False  # the first query when the page is first shown (a 设置 tab costs nothing before)
        self.table.setVisible(False)
        self.empty_label.setVisible(False)

    def reload(self) -> None:
        self._loaded = True
        keep = self.selected_batch()
        self.model.reload()
        if keep is not None:
            self.select_batch(keep)
        has = self.model.rowCount() > 0
        self.table.setVisible(has)
        self.empty_label.setVisible(not has)
        self._update_buttons()

    def _data_changed(self, table: str) -> None:
        if self.isVisible():
            self.reload()

    def showEvent(self, event) -> None:
        self.reload()
        super().showEvent(event)

    def selected_batch(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.row_id(rows[0].row()) if rows else None

    def select_batch(self, batch_id: int) -> None:
        if not self._loaded:
            self.reload()
        row = self.model.row_of_id(batch_id)
        if row >= 0:
            self.table.selectRow(row)

    def undo_problem(self) -> str | None:
        batch_id = self.selected_batch()
        if batch_id is None:
            return _("Choose an import in the list first.")
        if self.ctx.db.readonly:
            return _("The database is open read-only.")
        with self.ctx.db.read_session() as s:
            return import_history.undo_problem(s, batch_id)

    def _update_buttons(self) -> None:
        problem = self.undo_problem()
        self.undo_button.setEnabled(problem is None)
        self.reason.setText("" if self.selected_batch() is None else (problem or ""))

    def undo_selected(self) -> bool:
        batch_id = self.selected_batch()
        problem = self.undo_problem()
        if batch_id is None or problem:
            if problem and batch_id is not None:
                messages.warning(self, problem)
            return False
        row = next(r for r in self._history() if r.batch_id == batch_id)
        if not messages.ask(self, _("Undo the import of {file} ({kind}, {time})? Its {created:,} new records are "
                                    "removed and its {updated:,} updated ones get their earlier values back.").format(
                file=row.file_name, kind=row.kind_label, time=local_time(row.at), created=row.created,
                updated=row.updated), default=False):
            return False
        try:
            import_history.undo(self.ctx.db, batch_id)
        except KnownError as exc:
            messages.known_error(self, exc)
            self.reload()
            return False
        from qoffice.ui import list_export

        table = list_export.KIND_TABLES.get(row.kind)
        self.ctx.publish(Changes.of(*([table] if table else []), "import_batch"))
        self.reload()
        self.select_batch(batch_id)
        messages.info(self, _("The import of {file} was undone: its records are as they were before it.").format(
            file=row.file_name))
        return True

    def _history(self):
        with self.ctx.db.read_session() as s:
            return import_history.history(s)


class ImportHistoryDialog(QDialog):
    """导入记录 opened from the import wizard."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("import_history_dialog")
        self.setWindowTitle(_("Import history"))
        v = QVBoxLayout(self)
        self.page = ImportHistoryPage(ctx, self)
        v.addWidget(self.page, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        v.addLayout(buttons)
        self.resize(1100, 520)
