"""List exports as .xlsx: a list area's filtered, sorted rows, and an import's rejected rows.

Same cell rules as the return (excel/cells.py): codes and phones stay text, text that starts with
= + - @ is a forced string, dates are real date cells, money is 万元 from integer yuan, empty is an
empty cell, never a formula. Written streaming (openpyxl write-only) and atomically, so a list of
100,000 enterprises costs one row of memory at a time and a locked target leaves the old file as it was.
No Qt here: the GUI builds the columns and hands over a row iterator.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from qoffice.excel import cells
from qoffice.excel.cells import CellWriter, atomic_save, display_width
from qoffice.excel.outputs import check_output
from qoffice.i18n import _
from qoffice.progress import Progress, report

AUTO = "auto"  # decided per value: date → date cell, bool → 是/否, int/Decimal → number, else text
ROW_NUMBER_HEADER = "序号"
ERROR_COLUMN = "错误原因"
SOURCE_ROW_COLUMN = "原行号"  # the row the clerk saw in the imported file (error report)
REPORT_COLUMNS = (SOURCE_ROW_COLUMN, ERROR_COLUMN)  # the error report's own columns: ignored on re-import
PROGRESS_EVERY = 500
MAX_WIDTH = 60


@dataclass(frozen=True)
class ExportColumn:
    """One column of an exported list: its header, how a row gives its value, and the cell kind
    (AUTO or one of excel.cells.KINDS)."""

    header: str
    value: Callable[[Sequence[Any]], Any]
    kind: str = AUTO
    width: float | None = None


def _auto(writer: CellWriter, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return writer.yes_no(value)
    if isinstance(value, dt.datetime):
        return writer.date(value.date())
    if isinstance(value, dt.date):
        return writer.date(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return cells.plain(value)
    if isinstance(value, float):
        return None if value != value else value
    return writer.text(value)


def _cell(writer: CellWriter, kind: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if kind == AUTO:
        return _auto(writer, value)
    if kind == cells.TEXT:
        return writer.text(value)
    if kind == cells.INT:
        return int(value)
    if kind == cells.DATE:
        return writer.date(value.date() if isinstance(value, dt.datetime) else value)
    if kind == cells.WAN:
        return writer.wan(int(value))
    if kind == cells.YESNO:
        return writer.yes_no(bool(value))
    if kind in (cells.PCT, cells.PCT1):
        return writer.percent(Decimal(value), 1 if kind == cells.PCT1 else 2)
    if kind in (cells.RATE, cells.NUM2):
        return writer.number(cells.plain(Decimal(value)), cells.MONEY_FORMAT)
    raise ValueError(f"unknown column kind {kind!r}")


def write_list(path: Path | str, title: str, columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]], *,
               total: int | None = None, row_number: bool = True, progress: Progress = None) -> int:
    """Write `rows` (in the order given) under the headers of `columns`; returns the row count.

    A 序号 column counting 1..n comes first when `row_number`. `total` is only for the progress count.
    """
    from openpyxl import Workbook

    check_output(path)  # before the rows are walked: a refused target costs nothing
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(title))
    headers = ([ROW_NUMBER_HEADER] if row_number else []) + [c.header for c in columns]
    widths = ([8] if row_number else []) + [c.width or max(10, display_width(c.header) + 4) for c in columns]
    cells.set_widths(ws, [min(MAX_WIDTH, w) for w in widths])
    ws.freeze_panes = "A2"
    writer = CellWriter(ws)
    ws.append([writer.text(h) for h in headers])
    n = 0
    for row in rows:
        if n % PROGRESS_EVERY == 0:
            report(progress, n, total or 0, _("Exporting…"))
        n += 1
        out = [n] if row_number else []
        out.extend(_cell(writer, c.kind, c.value(row)) for c in columns)
        ws.append(out)
    report(progress, n, max(n, total or 0), _("Exporting…"))
    atomic_save(wb, Path(path))
    return n


_BAD_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _sheet_title(title: str) -> str:
    """Excel refuses some characters and more than 31 in a sheet name."""
    return (title or "Sheet").translate(_BAD_TITLE)[:31]


# --- an import's rejected rows ---------------------------------------------------------------------
def write_error_rows(path: Path | str, kind, rows: Sequence[Any]) -> int:
    """导出错误行: the rejected rows in the template's layout (its headers, * marks and all) with a
    错误原因 column added, each cell as the clerk wrote it, so the file can be fixed and imported again.

    `kind` is an excel.kinds.Kind; `rows` are services.imports.ParsedRow with errors.
    """
    from openpyxl import Workbook

    from qoffice.excel.templates import header_text, is_text_column
    from qoffice.excel.values import number_text

    check_output(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(kind.title))
    headers = [header_text(c) for c in kind.columns] + [SOURCE_ROW_COLUMN, ERROR_COLUMN]
    cells.set_widths(ws, [max(c.width, display_width(c.header) + 4) for c in kind.columns] + [8, 60])
    ws.freeze_panes = "A2"
    writer = CellWriter(ws)
    ws.append([writer.text(h) for h in headers])
    n = 0
    for row in rows:
        if not row.errors:
            continue
        out = []
        for col in kind.columns:
            value = row.source.get(col.header)
            if value is None:
                out.append(None)
            elif col.type == "money":
                out.append(writer.text(_amount_text(value, (getattr(row, "units", None) or {}).get(col.header))))
            elif is_text_column(col) or col.type in ("list", "year", "int", "rate"):
                # Codes and phones keep their digits; rates and years go back exactly as the clerk
                # wrote them ("1.25%"), so the importer reads them the same way again.
                out.append(writer.text(number_text(value)))
            else:
                out.append(_auto(writer, value))
        out.append(row.row)  # the original row number, as the preview and the CLI named it
        out.append(writer.text(error_reason(row.errors)))
        ws.append(out)
        n += 1
    atomic_save(wb, Path(path))
    return n


def _amount_text(value, unit: str | None) -> str:
    """An amount as the clerk wrote it ("50万" stays "50万"). A bare number from a file whose header
    said 元 gets "元" written after it: under the template's 万元 header it would otherwise be read
    back 10,000 times too large."""
    from qoffice.excel.values import MONEY_UNITS, number_text

    text = number_text(value)
    if unit and MONEY_UNITS.get(unit) != MONEY_UNITS["万元"] and not text.rstrip().endswith(tuple(MONEY_UNITS)):
        text += unit
    return text


def error_reason(issues: Sequence[Any]) -> str:
    """One cell's text for a row's problems: 「列」原因；… (row numbers are the file's, not needed here)."""
    return "；".join(issue_text(issue) for issue in issues)


def issue_text(issue: Any) -> str:
    """「列：原因」, without the column's name twice when the reason already starts with it
    (“统一社会信用代码校验位错误…”, not “统一社会信用代码：统一社会信用代码校验位错误…”)."""
    column, message = issue.column, issue.message
    if not column or message.startswith(column.rstrip("*")):
        return message
    return f"{column}：{message}"

