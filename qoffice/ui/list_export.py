"""导入 / 下载模板 / 导出 for every list area, and the file choosers and "open folder" they share.

An area gets the three buttons from qoffice.ui.record_area (list_handlers there; the import
wizard is opened from there too, so this module never imports the wizard, which uses it). 导出 writes the list as the clerk sees it — search, filters and sort
order — as .xlsx (excel/list_export.py) on a worker, then offers 打开所在文件夹.

File dialogs and opening folders go through `ask_save_path`, `ask_open_path`, `open_folder` and
`open_file`, which tests replace (no native dialog ever blocks a test).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from qoffice.i18n import _
from qoffice.ui import messages, state
from qoffice.ui.listmodel import ListDefinition, SqlListModel, default_format
from qoffice.ui.worker import run_in_background

if TYPE_CHECKING:  # openpyxl (through qoffice.excel) is imported on the first export, not at start-up
    from qoffice.excel.list_export import ExportColumn

XLSX_FILTER = "Excel (*.xlsx)"
# Where an import of a kind lands, for AppContext.dataChanged (the areas reload on their table).
KIND_TABLES = {"enterprises": "enterprise", "figures": "year_figures", "projects": "project", "awards": "award",
               "forums": "forum", "signups": "signup", "partners": "partner"}


# --- files and folders (replaced in tests) ---------------------------------------------------------
def last_folder() -> Path:
    saved = state.LAST_FOLDER.get()
    if saved and Path(str(saved)).is_dir():
        return Path(str(saved))
    docs = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def remember_folder(path: Path | str) -> None:
    state.LAST_FOLDER.set(str(Path(path).parent))


def _ask_save_path(parent: QWidget | None, title: str, default_name: str, file_filter: str = XLSX_FILTER) -> Path | None:
    name, _f = QFileDialog.getSaveFileName(parent, title, str(last_folder() / default_name), file_filter)
    return Path(name) if name else None


def _ask_open_path(parent: QWidget | None, title: str, file_filter: str) -> Path | None:
    name, _f = QFileDialog.getOpenFileName(parent, title, str(last_folder()), file_filter)
    return Path(name) if name else None


def _open_folder(path: Path | str) -> None:
    path = Path(path)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path if path.is_dir() else path.parent)))


def _open_file(path: Path | str) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


ask_save_path: Callable[..., Path | None] = _ask_save_path
ask_open_path: Callable[..., Path | None] = _ask_open_path
open_folder: Callable[[Path | str], None] = _open_folder
open_file: Callable[[Path | str], None] = _open_file


def offer_open_folder(parent: QWidget | None, text: str, path: Path | str) -> None:
    """The finish of every export: what was written, and 打开所在文件夹."""
    if messages.ask(parent, text + "\n" + _("Open the folder it is in?"), default=False):
        open_folder(path)


def with_xlsx(path: Path) -> Path:
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


# --- 导出 -----------------------------------------------------------------------------------------
def export_columns(definition: ListDefinition) -> list[ExportColumn]:
    """The list's columns as export columns, values taken from the raw SQL row.

    Raw values keep their types (dates stay dates, codes stay text); a money column (`*_yuan`,
    integer yuan) becomes 万元 like in the return; a column with its own formatter exports the text
    the clerk sees, unless its value is a date or yes/no.
    """
    from qoffice.excel import cells
    from qoffice.excel.list_export import AUTO, ExportColumn

    keys = list(definition.fields)
    out = []
    for col in definition.columns:
        i = keys.index(col.key)
        header = _(col.title)
        width = max(10, min(60, (col.width or 100) / 8))
        if col.key.endswith("_yuan"):
            out.append(ExportColumn(header, lambda row, i=i: row[i], cells.WAN, width))
        elif col.format is None or col.format is default_format:
            out.append(ExportColumn(header, lambda row, i=i: row[i], AUTO, width))
        else:
            def shown(row, i=i, fmt=col.format):
                value = row[i]
                if value is None or isinstance(value, (bool, dt.date)):
                    return value
                text = fmt(value, row)
                if isinstance(value, (int, Decimal)) and text == str(value):
                    return value  # a plain number stays a number
                return text or None
            out.append(ExportColumn(header, shown, AUTO, width))
    return out


def export_model(parent: QWidget | None, model: SqlListModel, title: str, path: Path, *,
                 on_done: Callable[[int], None] | None = None):
    """Write the model's whole filtered, sorted list to `path` on a worker; returns the Job."""
    stmt = model.statement()
    columns = export_columns(model.definition)
    total = model.filtered_count
    db = model.db
    row_number = model.definition.row_number

    def work(progress):
        from qoffice.excel.list_export import write_list

        with db.read_engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=1000).execute(stmt)
            return write_list(path, title, columns, result, total=total, row_number=row_number, progress=progress)

    def done(n: int) -> None:
        remember_folder(path)
        if on_done is not None:
            on_done(n)
        offer_open_folder(parent, _("{n:,} rows exported to {path}.").format(n=n, path=path), path)

    return run_in_background(parent, work, title=_("Export"), label=_("Exporting…"), on_done=done)


def export_list(parent: QWidget | None, model: SqlListModel, title: str):
    """导出: ask where, then export_model. Returns the Job, or None when the clerk cancelled."""
    default = f"{title}_{dt.date.today():%Y%m%d}.xlsx"
    path = ask_save_path(parent, _("Export the list"), default)
    if path is None:
        return None
    return export_model(parent, model, title, with_xlsx(path))


# --- 下载模板 -------------------------------------------------------------------------------------
def template_name(kind_name: str) -> str:
    from qoffice.excel.kinds import KINDS

    return f"{KINDS[kind_name].title}导入模板.xlsx"


def download_template(parent: QWidget | None, kind_name: str):
    """下载模板: a save dialog with 「企业导入模板.xlsx」 and the like; returns the Job or None."""
    from qoffice.excel.templates import write_template

    path = ask_save_path(parent, _("Save the import template"), template_name(kind_name))
    if path is None:
        return None
    path = with_xlsx(path)

    def done(_written) -> None:
        remember_folder(path)
        offer_open_folder(parent, _("The template was saved as {path}. Fill it in, then click “Import”.").format(
            path=path), path)

    return run_in_background(parent, lambda progress: write_template(kind_name, path), title=_("Download template"),
                             label=_("Writing the template…"), on_done=done, cancellable=False)
