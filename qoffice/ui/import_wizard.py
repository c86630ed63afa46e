"""The import wizard (导入): kind and file → preview of every row → confirm → progress → summary.

The preview is a dry run of services.imports on a worker (nothing written); the import itself uses
the very rows that were previewed (a pristine copy of the parsed file), so what the clerk confirmed
is what goes in. The summary offers 导出错误行 (the rejected rows in the template's layout with a
错误原因 column) and 撤销本次导入 (while none of the batch's records has changed since).
"""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qoffice.domain import uscc as uscc_rules
from qoffice.errors import KnownError
from qoffice.excel.kinds import KINDS
from qoffice.excel.list_export import issue_text
from qoffice.excel.values import number_text
from qoffice.i18n import N_, _
from qoffice.services import enterprises as enterprise_service
from qoffice.services import import_history, imports
from qoffice.services.changes import Changes
from qoffice.ui import list_export, messages, style
from qoffice.ui.operations import run_op
from qoffice.ui.worker import run_in_background

KIND_LABELS = {
    "enterprises": N_("Enterprise files"),
    "figures": N_("Yearly figures"),
    "projects": N_("Quality projects"),
    "awards": N_("Awards"),
    "forums": N_("Forums"),
    "signups": N_("Meeting sign-ups"),
    "partners": N_("Partners"),
}
OPEN_FILTER = N_("Excel or CSV files (*.xlsx *.xls *.csv *.txt *.htm *.html);;All files (*)")

STATUS_TEXT = {"create": N_("New"), "update": N_("Update"), "unchanged": N_("Unchanged"), "error": N_("Error"),
               "replaced": N_("Skipped (repeated)"), "pending": N_("Skipped")}
ERROR_COLOR = QColor(style.ERROR)
WARNING_BG = QColor(style.WARNING_BACKGROUND)
ERROR_BG = QColor(style.ERROR_BACKGROUND)
CONTENT_COLUMNS = 3  # how many of the row's first filled template columns the preview shows


def row_notes(row: imports.ParsedRow) -> str:
    """A row's problems as one line: errors first, then warnings (提示)."""
    parts = [issue_text(e) for e in row.errors]
    parts += [_("Note: {text}").format(text=issue_text(w)) for w in row.warnings]
    return "；".join(parts)


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel and WPS name it."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def code_key(value) -> str | None:
    text = number_text(value).strip() if value not in (None, "") else ""
    return uscc_rules.normalize(text) if text else None


class RowsModel(QAbstractTableModel):
    """A read-only table over a Python list `rows`, with translated column titles HEADERS (N_)."""

    HEADERS: tuple[str, ...] = ()
    rows: list = []

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return _(self.HEADERS[section])
        return None


class MappingModel(RowsModel):
    """The file's columns: 列 (A, B …), the file's header, and the field it was taken as (联系方式 →
    联系电话), or that it was not recognised and is ignored."""

    HEADERS = (N_("Column"), N_("Header in the file"), N_("Taken as"))

    def __init__(self, layout, kind, parent=None):
        super().__init__(parent)
        self.rows = list(layout.cells)
        self.kind = kind

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        cell = self.rows[index.row()]
        col = index.column()
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            if col == 0:
                return column_letter(cell.col)
            if col == 1:
                return cell.text
            if cell.key is None:
                return _("(not recognised, ignored)")
            return self.kind.column(cell.key).header
        if role == Qt.ForegroundRole and col == 2 and cell.key is None:
            return QBrush(QColor(style.QUIET_TEXT))
        return None


class PreviewModel(RowsModel):
    """Every row of the dry run: 行号, 状态, 内容, 说明; `set_errors_only` filters to errors."""

    HEADERS = (N_("Row"), N_("Row status"), N_("Content"), N_("Problems and notes"))

    def __init__(self, rows: list[imports.ParsedRow], kind, parent=None, names: dict[str, str] | None = None):
        super().__init__(parent)
        self.all_rows = rows
        self.kind = kind
        self.names = names or {}  # credit code -> the enterprise's name on file (other kinds than enterprises)
        code_columns = [c.header for c in kind.columns if c.key == "uscc"]
        self.code_header = code_columns[0] if code_columns and kind.name != "enterprises" else None
        self.errors_only = False
        self.rows = rows
        qstyle = QWidget().style() if parent is None else parent.style()
        self._icons = {"error": qstyle.standardIcon(QStyle.SP_MessageBoxCritical),
                       "warning": qstyle.standardIcon(QStyle.SP_MessageBoxWarning)}

    def set_errors_only(self, on: bool) -> None:
        self.beginResetModel()
        self.errors_only = on
        self.rows = [r for r in self.all_rows if r.errors] if on else self.all_rows
        self.endResetModel()

    def status_text(self, row: imports.ParsedRow) -> str:
        status = "error" if row.errors else row.status
        return _(STATUS_TEXT.get(status, STATUS_TEXT["pending"]))

    def content(self, row: imports.ParsedRow) -> str:
        source = row.source
        shown = []
        for c in self.kind.columns:
            value = source.get(c.header)
            if value in (None, ""):
                continue
            text = number_text(value)
            if c.header == self.code_header:
                name = self.names.get(code_key(value))
                text = f"{text}（{name}）" if name else _("{code} (not on file)").format(code=text)
            shown.append(text)
        return "  ".join(shown[:CONTENT_COLUMNS])

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            if col == 0:
                return str(row.row)
            if col == 1:
                text = self.status_text(row)
                # Not colour alone: a warning mark in the text too.
                return text + (" ⚠" if row.warnings and not row.errors else "")
            if col == 2:
                return self.content(row)
            return row_notes(row)
        if role == Qt.DecorationRole and col == 1:
            if row.errors:
                return self._icons["error"]
            if row.warnings:
                return self._icons["warning"]
        if role == Qt.ForegroundRole and row.errors and col in (1, 3):
            return QBrush(ERROR_COLOR)
        if role == Qt.BackgroundRole:
            if row.errors:
                return QBrush(ERROR_BG)
            if row.warnings:
                return QBrush(WARNING_BG)
        if role == Qt.TextAlignmentRole and col == 0:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None


class ImportWizard(QDialog):
    """One import from start to summary. `ctx` is the AppContext; `kind` the area's kind."""

    PAGE_CHOOSE, PAGE_PREVIEW, PAGE_SUMMARY = range(3)

    def __init__(self, ctx, kind: str | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("import_wizard")
        self.setWindowTitle(_("Import from Excel"))
        self.parsed: imports.ParsedFile | None = None  # pristine copy: what the import will use
        self.preview_result: imports.ParsedFile | None = None
        self.dry: imports.ImportResult | None = None
        self.result: imports.ImportResult | None = None
        self.job = None
        self.undone = False
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)
        self._build_choose(kind)
        self._build_preview()
        self._build_summary()
        self.resize(1100, 640)

    # ---- page 1: kind and file ---------------------------------------------------------------
    def _build_choose(self, kind: str | None) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        intro = QLabel(_("Choose what the file holds and the file itself. qoffice reads .xlsx, .xls and .csv, "
                         "finds the header row by itself and shows every row before anything is written."))
        intro.setWordWrap(True)
        v.addWidget(intro)
        form = QFormLayout()
        self.kind_box = QComboBox()
        self.kind_box.setObjectName("kind")
        for name, label in KIND_LABELS.items():
            self.kind_box.addItem(_(label), name)
        if kind in KINDS:
            self.kind_box.setCurrentIndex(self.kind_box.findData(kind))
        form.addRow(_("Records"), self.kind_box)
        row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("file")
        self.file_edit.setPlaceholderText(_("The Excel or CSV file to import"))
        self.file_edit.textChanged.connect(lambda _t: self._update_choose())
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self.browse)
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form.addRow(_("File"), row)
        v.addLayout(form)
        template = QPushButton(_("Download the template for these records"))
        template.setObjectName("template")
        template.clicked.connect(lambda: list_export.download_template(self, self.kind()))
        t_row = QHBoxLayout()
        t_row.addWidget(template)
        t_row.addStretch(1)
        v.addLayout(t_row)
        self.choose_message = QLabel()
        self.choose_message.setObjectName("choose_message")
        self.choose_message.setWordWrap(True)
        self.choose_message.setStyleSheet(style.ERROR_STYLE)
        v.addWidget(self.choose_message)
        v.addStretch(1)
        buttons = QHBoxLayout()
        history = QPushButton(_("Import history…"))
        history.setObjectName("history")
        history.setToolTip(_("Earlier imports, and undoing one of them"))
        history.clicked.connect(self.show_history)
        buttons.addWidget(history)
        buttons.addStretch(1)
        self.preview_button = QPushButton(_("Next: preview"))
        self.preview_button.setObjectName("preview")
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.preview)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.close)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(close)
        v.addLayout(buttons)
        self.pages.addWidget(page)
        self._update_choose()

    def kind(self) -> str:
        return self.kind_box.currentData()

    def _update_choose(self) -> None:
        self.preview_button.setEnabled(bool(self.file_edit.text().strip()))

    def browse(self) -> None:
        path = list_export.ask_open_path(self, _("Choose the file to import"), _(OPEN_FILTER))
        if path is not None:
            self.file_edit.setText(str(path))

    def preview(self):
        """The dry run on a worker; the preview page when it is done. Returns the Job."""
        path = Path(self.file_edit.text().strip())
        kind = self.kind()
        self.choose_message.clear()
        if not path.is_file():
            self._refused(_("The file {path} does not exist.").format(path=path))
            return None
        db = self.ctx.db

        def work(progress):
            parsed = imports.parse_file(path, kind, progress=progress)
            pristine = copy.deepcopy(parsed)
            dry = imports.run_import(db, kind, path, dry_run=True, parsed=parsed, progress=progress)
            names = {}
            if kind != "enterprises" and any(c.key == "uscc" for c in parsed.kind.columns):
                header = parsed.kind.column("uscc").header
                with db.read_session() as s:
                    names = enterprise_service.names_by_code(
                        s, (code_key(r.source.get(header)) for r in parsed.rows))
            return pristine, parsed, dry, names

        self.job = run_in_background(self, work, title=_("Import"), label=_("Checking the file…"),
                                     on_done=self._previewed, on_error=lambda exc: self._refused(exc.message))
        return self.job

    def _refused(self, text: str) -> None:
        """A file that cannot be read or used: one Chinese line, nothing written."""
        self.choose_message.setText(text)
        self.pages.setCurrentIndex(self.PAGE_CHOOSE)
        messages.error(self, text)

    # ---- page 2: preview ---------------------------------------------------------------------
    def _build_preview(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.preview_counts = QLabel()
        self.preview_counts.setObjectName("preview_counts")
        font = self.preview_counts.font()
        font.setBold(True)
        self.preview_counts.setFont(font)
        v.addWidget(self.preview_counts)
        self.file_notes = QLabel()
        self.file_notes.setObjectName("file_notes")
        self.file_notes.setWordWrap(True)
        self.file_notes.setStyleSheet(style.NOTE_STYLE)
        v.addWidget(self.file_notes)
        self.errors_only = QCheckBox(_("Show only rows with errors"))
        self.errors_only.setObjectName("errors_only")
        self.errors_only.toggled.connect(self._filter_errors)
        v.addWidget(self.errors_only)
        # The file's columns and what each was taken as, beside the rows.
        self.mapping_model = None
        self.mapping_table = QTableView()
        self.mapping_table.setObjectName("mapping_table")
        self.mapping_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.mapping_table.setSelectionMode(QAbstractItemView.NoSelection)
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.setWordWrap(False)
        mapping_box = QWidget()
        mv = QVBoxLayout(mapping_box)
        mv.setContentsMargins(0, 0, 0, 0)
        mapping_title = QLabel(_("Columns of the file"))
        mapping_title.setObjectName("mapping_title")
        mv.addWidget(mapping_title)
        mv.addWidget(self.mapping_table, 1)
        self.preview_table = QTableView()
        self.preview_table.setObjectName("preview_table")
        self.preview_table.setAlternatingRowColors(False)
        self.preview_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.preview_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.preview_table.verticalHeader().hide()
        self.preview_table.setWordWrap(False)
        split = QSplitter(Qt.Horizontal)
        split.setObjectName("preview_split")
        split.setChildrenCollapsible(False)
        split.addWidget(mapping_box)
        split.addWidget(self.preview_table)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([330, 770])
        v.addWidget(split, 1)
        buttons = QHBoxLayout()
        back = QPushButton(_("Back"))
        back.clicked.connect(lambda: self.pages.setCurrentIndex(self.PAGE_CHOOSE))
        buttons.addWidget(back)
        buttons.addStretch(1)
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("confirm")
        self.confirm_button.clicked.connect(self.confirm)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.close)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(close)
        v.addLayout(buttons)
        self.pages.addWidget(page)

    def _previewed(self, outcome) -> None:
        self.parsed, self.preview_result, self.dry, names = outcome
        dry = self.dry
        kind = self.preview_result.kind
        self.preview_counts.setText(_("{created:,} new, {updated:,} to update, {unchanged:,} unchanged, "
                                      "{rejected:,} rows with errors (not imported), {warnings:,} notes. Nothing "
                                      "has been written yet.").format(
            created=dry.created, updated=dry.updated, unchanged=dry.unchanged, rejected=dry.rejected,
            warnings=len(dry.warnings)))
        notes = [issue_text(w) for w in self.preview_result.warnings]
        self.file_notes.setText(_("About the file: {notes}").format(notes="；".join(notes)) if notes else "")
        self.file_notes.setVisible(bool(notes))
        self.model = PreviewModel(self.preview_result.rows, kind, self, names=names)
        self.preview_table.setModel(self.model)
        self.mapping_model = MappingModel(self.preview_result.layout, kind, self)
        self.mapping_table.setModel(self.mapping_model)
        mh = self.mapping_table.horizontalHeader()
        mh.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        mh.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        mh.setStretchLastSection(True)
        header = self.preview_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.preview_table.setColumnWidth(2, 400)
        header.setStretchLastSection(True)
        self.errors_only.setChecked(False)
        self.errors_only.setEnabled(dry.rejected > 0)
        good = dry.created + dry.updated
        self.confirm_button.setText(_("Import {n:,} rows").format(n=good))
        self.confirm_button.setEnabled(good > 0)
        self.pages.setCurrentIndex(self.PAGE_PREVIEW)

    def _filter_errors(self, on: bool) -> None:
        if getattr(self, "model", None) is not None:
            self.model.set_errors_only(on)

    # ---- the import itself -------------------------------------------------------------------
    def confirm(self):
        """Write the previewed good rows (backup first, one transaction). Returns the Job."""
        if self.parsed is None:
            return None
        parsed = self.parsed
        path, db = parsed.path, self.ctx.db
        self.parsed = None  # the pristine rows are used once

        def work(progress):
            def counted(done, total, message=""):
                progress(done, total, _("Importing"))
            return imports.run_import(db, parsed.kind.name, path, parsed=parsed, progress=counted)

        def cancelled():
            # The cancelled run may have touched the previewed rows: preview again before retrying.
            messages.info(self, _("The import was cancelled; nothing was written."))
            self.pages.setCurrentIndex(self.PAGE_CHOOSE)

        self.job = run_in_background(self, work, title=_("Import"), label=_("Importing"), on_done=self._imported,
                                     on_cancelled=cancelled, on_error=lambda exc: self._refused(exc.message))
        return self.job

    # ---- page 3: summary ---------------------------------------------------------------------
    def _build_summary(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.summary.setFont(font)
        v.addWidget(self.summary)
        self.summary_notes = QLabel()
        self.summary_notes.setObjectName("summary_notes")
        self.summary_notes.setWordWrap(True)
        v.addWidget(self.summary_notes)
        v.addStretch(1)
        buttons = QHBoxLayout()
        self.export_errors_button = QPushButton(_("Export the rows with errors"))
        self.export_errors_button.setObjectName("export_errors")
        self.export_errors_button.clicked.connect(self.export_errors)
        self.undo_button = QPushButton(_("Undo this import"))
        self.undo_button.setObjectName("undo")
        self.undo_button.clicked.connect(self.undo)
        buttons.addWidget(self.export_errors_button)
        buttons.addWidget(self.undo_button)
        history = QPushButton(_("Import history…"))
        history.setObjectName("summary_history")
        history.clicked.connect(self.show_history)
        buttons.addWidget(history)
        buttons.addStretch(1)
        close = QPushButton(_("Close"))
        close.setObjectName("close")
        close.clicked.connect(self.close)
        buttons.addWidget(close)
        v.addLayout(buttons)
        self.pages.addWidget(page)

    def _imported(self, result: imports.ImportResult) -> None:
        self.result = result
        self.undone = False
        text = _("Done: {created:,} new, {updated:,} updated, {unchanged:,} unchanged.").format(
            created=result.created, updated=result.updated, unchanged=result.unchanged)
        if result.rejected:
            text += " " + _("{n:,} rows with errors were not imported; export them, correct them and import "
                            "them again.").format(n=result.rejected)
        self.summary.setText(text)
        notes = []
        if result.warnings:
            notes.append(_("{n:,} notes (rounded amounts, repeated rows, unknown columns …) were shown in the "
                           "preview.").format(n=len(result.warnings)))
        if result.backup is not None:
            notes.append(_("A backup was made before the import: {name}").format(name=Path(result.backup).name))
        self.summary_notes.setText("\n".join(notes))
        self.export_errors_button.setEnabled(result.rejected > 0)
        self.undo_button.setEnabled(result.batch_id is not None and (result.created + result.updated) > 0)
        self.pages.setCurrentIndex(self.PAGE_SUMMARY)
        self._data_changed(result.kind)

    def show_history(self):
        """导入记录: every import, and undo of an earlier one (qoffice.ui.import_history)."""
        from qoffice.ui.import_history import ImportHistoryDialog

        dialog = ImportHistoryDialog(self.ctx, self)
        self.history_dialog = dialog
        if self.result is not None and self.result.batch_id is not None:
            dialog.page.select_batch(self.result.batch_id)
        dialog.open()
        return dialog

    def _data_changed(self, kind: str) -> None:
        table = list_export.KIND_TABLES.get(kind)
        if table:
            self.ctx.publish(Changes.of(table))

    def export_errors(self):
        """导出错误行: the rejected rows, template layout plus 错误原因. Returns the Job or None."""
        result = self.result
        if result is None or not result.rejected:
            return None
        kind = KINDS[result.kind]
        default = f"{kind.title}导入错误行_{dt.date.today():%Y%m%d}.xlsx"
        path = list_export.ask_save_path(self, _("Export the rows with errors"), default)
        if path is None:
            return None
        path = list_export.with_xlsx(path)
        from qoffice.excel.list_export import write_error_rows

        def done(n: int) -> None:
            list_export.remember_folder(path)
            list_export.offer_open_folder(self, _("{n:,} rows with errors were written to {path}, with a column "
                                                  "“错误原因”. Correct them there and import the file again.").format(
                n=n, path=path), path)

        self.job = run_in_background(self, lambda progress: write_error_rows(path, kind, result.rows),
                                     title=_("Export the rows with errors"), label=_("Exporting…"), on_done=done,
                                     cancellable=False)
        return self.job

    def undo(self):
        """撤销本次导入: refused (with the reason) once any of its records has changed since; the undo
        (services.import_history.undo, which checks again) runs on the worker. The Job, or False."""
        result = self.result
        if result is None or result.batch_id is None or self.undone:
            return False
        with self.ctx.db.read_session() as s:
            problem = imports.undo_problem(s, result.batch_id)
        if problem:
            messages.warning(self, problem)
            self.undo_button.setEnabled(False)
            return False
        if not messages.ask(self, _("Undo this import? The {created:,} new records are removed and the {updated:,} "
                                    "updated ones get their earlier values back.").format(
                created=result.created, updated=result.updated), default=False):
            return False
        db, batch_id = self.ctx.db, result.batch_id
        table = list_export.KIND_TABLES.get(result.kind)
        changes = Changes.of(*([table] if table else []), "import_batch")

        def op() -> Changes:
            import_history.undo(db, batch_id)
            return changes

        def done(_changes: Changes) -> None:
            self.undone = True
            self.undo_button.setEnabled(False)
            self.summary.setText(_("The import was undone: the records are as they were before it."))

        def failed(exc: KnownError) -> None:
            messages.known_error(self, exc)
            self.undo_button.setEnabled(False)

        self.job = run_op(self, self.ctx, op, on_done=done, on_error=failed)
        return self.job
