"""Read a clerk's spreadsheet as rows of one import kind: choose the sheet, map its columns, and
type and check every cell by the kind's column rules. No database: what a row means for the records
on file is services.imports' work (parse_file → services.imports.run_import).
"""
from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

from qoffice.domain import uscc as uscc_rules
from qoffice.domain.money import rate_to_scaled
from qoffice.errors import FileUnreadable, KnownError
from qoffice.excel import values as cells
from qoffice.excel.headers import Layout, MergesOverlap, detect_layout, fill_data_merges
from qoffice.excel.kinds import KINDS, Column, Kind
from qoffice.excel.list_export import REPORT_COLUMNS
from qoffice.excel.readers import SheetData, open_book
from qoffice.i18n import _
from qoffice.progress import Progress, report

FOOTER_WORDS = ("合计", "小计", "总计", "填表", "制表", "审核", "备注", "说明")
PROGRESS_EVERY = 500
REJECTED_VALUES: dict = {}  # shared by the rows rejected while reading: never written, never changed


class ImportRefused(KnownError):
    """The file cannot be imported at all (no sheet with the required columns, conflicting
    columns); nothing is written. Exit 2."""

    exit_code = 2


@dataclass(slots=True)  # one per problem, up to one per row of a big file: no per-object dict
class Issue:
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)  # one per data row (a million for a big file): no per-object dict
class ParsedRow:
    row: int  # the row number in the file (CSV: line where the record starts)
    values: dict  # field key -> typed value; absent = empty cell (never erases)
    # The file's row as read (or a ready header -> cell dict); a rejected row's text cells packed
    # into one string (see compact). Read it through `source`.
    raw: list | dict | str
    # Problems of the row, each a list once it has one: until then a shared empty tuple (most rows of
    # a big file have none, and two empty lists a row cost 112 bytes). Add with add_error/add_warning.
    errors: list[Issue] | tuple = ()
    warnings: list[Issue] | tuple = ()
    status: str = "pending"  # create, update, unchanged, error, replaced
    columns: dict | None = None  # template header -> file column (shared by all rows of a file)
    units: dict | None = None  # template header -> money unit of the file's header, e.g. "元" (shared)

    def add_error(self, issue: Issue) -> None:
        if self.errors.__class__ is not list:
            self.errors = list(self.errors)
        self.errors.append(issue)

    def add_warning(self, issue: Issue) -> None:
        if self.warnings.__class__ is not list:
            self.warnings = list(self.warnings)
        self.warnings.append(issue)

    @property
    def source(self) -> dict:
        """Template header -> the cell as read (for the error report)."""
        raw = self.raw
        if isinstance(raw, dict):
            return raw
        if raw.__class__ is str:
            raw = raw.split(_PACK_SEP)
        return {h: raw[c] for h, c in (self.columns or {}).items()
                if c < len(raw) and not cells.is_empty(raw[c])}


@dataclass
class ParsedFile:
    kind: Kind
    path: Path
    format: str
    sheet: str
    layout: Layout
    rows: list[ParsedRow]
    warnings: list[Issue] = field(default_factory=list)
    skipped: int = 0  # empty and footer rows among the data rows (earlier duplicates are counted by apply)
    rows_checked: bool = False  # each row read without a problem also passed its kind's own rules (check_row)



# --- reading ----------------------------------------------------------------------------------

def _is_footer(row: list) -> bool:
    first = row[0] if row else None
    if first.__class__ is str and first and first[0] < "\x80" and not first[0].isspace():
        return False  # a row starting with an ASCII character (a credit code, a number) is data
    for value in row:
        if cells.is_empty(value):
            continue
        text = cells.halfwidth(cells.number_text(value)).strip()
        if text.startswith(FOOTER_WORDS):
            return True
        # 注：… / 注1 … are notes; 注塑机械有限公司 is an enterprise.
        return text.startswith("注") and (len(text) == 1 or not ("\u4e00" <= text[1] <= "\u9fff"))
    return True  # wholly empty


def compact(row: ParsedRow) -> None:
    """A rejected row keeps what the preview and the error report show (its cells as read, its
    problems) and drops its typed values: a file of a million bad rows stays small."""
    row.values = REJECTED_VALUES
    if row.errors.__class__ is list:
        row.errors = row.errors[:]  # sized to its problems (appending left room for more)
    raw = row.raw
    if raw.__class__ is list and all(c.__class__ is str for c in raw):
        # Text cells (every cell of a CSV) as one string: a list and a string per cell cost about
        # 100 bytes a row more (a million rows with wrong check characters: 465 MB, not 370).
        packed = _PACK_SEP.join(raw)
        if packed.count(_PACK_SEP) == len(raw) - 1:  # no cell holds the separator itself
            row.raw = packed


_PACK_SEP = "\x1f"  # the unit separator between a packed row's cells


def _is_blank(row: list) -> bool:
    return all(cells.is_empty(v) for v in row)


def _choose_sheet(book, kind: Kind) -> tuple[SheetData, Layout]:
    required = {c.key for c in kind.required}
    best_missing: list[str] | None = None
    for sheet in book.sheets():
        layout = detect_layout(sheet, kind)
        have = layout.keys if layout else set()
        missing = [c.header for c in kind.columns if c.key in required - have]
        if not missing:
            return sheet, layout
        if best_missing is None or len(missing) < len(best_missing):
            best_missing = missing
    raise ImportRefused(_("No sheet of {file} has the required columns; missing: {columns}.").format(
        file=book.path.name, columns="、".join(best_missing or [c.header for c in kind.required])))


def _cell(row: list, col: int):
    return row[col] if col < len(row) else None


def _comparable(value) -> str | None:
    if cells.is_empty(value):
        return None
    return " ".join(cells.halfwidth(cells.number_text(value)).split())


def _check_twin_columns(sheet: SheetData, layout: Layout, kind: Kind, data_rows) -> dict[str, int]:
    """Two file columns for one field: refuse when they disagree, else note which to read."""
    header_of = {c.col: c.text for c in layout.cells}
    for key, cols in layout.columns.items():
        if len(cols) < 2:
            continue
        for i in data_rows:
            row = sheet.rows[i]
            seen: dict[str, int] = {}
            for col in cols:
                v = _comparable(_cell(row, col))
                if v is None:
                    continue
                for other_v, other_col in seen.items():
                    if other_v != v:
                        raise ImportRefused(_("Columns “{a}” and “{b}” both give {field} but disagree, first in "
                                              "row {row}; keep one of them and import again.").format(
                            a=header_of[other_col], b=header_of[col], field=kind.column(key).header,
                            row=sheet.row_number(i)))
                seen.setdefault(v, col)
    return {}


def _parse_cell(col: Column, raw, *, scale: Decimal, percent: bool, row: ParsedRow):
    kind = col.type
    if kind == "list":
        parts = cells.split_list(raw)
        return parts or None
    if kind in ("text", "phone"):
        return cells.clean_text(raw)
    if kind == "multiline":
        return cells.clean_text(raw, multiline=True)
    if kind == "code":
        return uscc_rules.normalize(cells.clean_text(raw))
    if kind == "year":
        return cells.parse_year(raw)
    if kind == "date":
        return cells.parse_date(raw)
    if kind == "bool":
        return cells.parse_bool(raw)
    if kind == "int":
        return cells.parse_int(raw)
    if kind == "vocab":
        return cells.choose(raw, col.vocabulary or ())
    if kind == "money":
        yuan, rounded = cells.parse_money(raw, scale=scale)
        if rounded:
            row.add_warning(Issue(row.row, col.header, _("Amount “{value}” is finer than one yuan and was "
                                                              "rounded to {yuan} yuan.").format(
                value=cells.number_text(raw), yuan=yuan)))
        return yuan
    if kind == "rate":
        rate = cells.parse_rate(raw, percent_cell=percent)
        scaled, rounded = rate_to_scaled(rate)
        if rounded:
            row.add_warning(Issue(row.row, col.header, _("Rate “{value}” was rounded to 4 decimals.").format(
                value=cells.number_text(raw))))
        return scaled
    raise AssertionError(kind)


# How parse_file reads a column's cells. _MEMO: the value depends on the cell alone and adds no
# warning, so each distinct cell is parsed once per column (a 100,000-row roster has a handful of
# distinct 是/否, years and vocabulary words). _TEXT/_CODE: a fast path for cells that are already
# clean, falling back to the full parser. _RATE: the generic parser plus the rate bookkeeping.
_GENERIC, _TEXT, _CODE, _MEMO, _RATE = "generic", "text", "code", "memo", "rate"
_READ_MODE = {"text": _TEXT, "phone": _TEXT, "code": _CODE, "bool": _MEMO, "vocab": _MEMO, "year": _MEMO,
              "date": _MEMO, "int": _MEMO, "rate": _RATE}
_needs_work = cells.NEEDS_WORK.search
_STR_ONLY = {str}
LONGEST_CODE = 64  # longer cells take the full path (clean_text's length limit, then the code rules)


def _read_column(step: tuple, indexes: list[int], chunk: list[ParsedRow], raw_rows: list[list], width: int,
                 formulas: set, percents: set, formula_msg: str, rate_values: dict) -> None:
    """One field's cells of a chunk of rows into each row's values (or errors/warnings).

    One column's cells share one parser. A cell that is already clean text (or a plain ASCII
    code) is taken as clean_text (or normalize) would return it; a cell of a _MEMO column is
    parsed once per distinct value and column. Everything else goes through _parse_cell.
    `width` is the length of the shortest row in `raw_rows`.
    """
    key, col, cols, single, scale, mode, memo = step
    if single is not None:
        file_cols = None
        raws = list(map(itemgetter(single), raw_rows)) if single < width else [_cell(r, single) for r in raw_rows]
    else:
        file_cols = [next((c for c in cols if not cells.is_empty(_cell(r, c))), cols[0]) for r in raw_rows]
        raws = [_cell(r, c) for r, c in zip(raw_rows, file_cols)]
    if formulas or mode is _RATE or mode is _GENERIC:
        for n, raw in enumerate(raws):
            _read_cell(step, chunk[n], raw, indexes[n], single if file_cols is None else file_cols[n], formulas,
                       percents, formula_msg, rate_values)
        return
    # The common cases in tight loops; anything unusual falls back to _read_cell.
    values_of = [r.values for r in chunk]
    if mode is _TEXT:
        if set(map(type, raws)) == _STR_ONLY and cells.all_clean(raws):  # the whole column clean: one test
            for values, raw in zip(values_of, raws):
                if raw:
                    values[key] = raw
            return
        needs_work, limit = _needs_work, cells.EXCEL_TEXT_LIMIT
        for n, raw in enumerate(raws):
            if raw.__class__ is str and raw and len(raw) <= limit and not needs_work(raw):
                values_of[n][key] = raw  # already clean: what clean_text would return
            elif raw is not None and raw != "":
                _read_cell(step, chunk[n], raw, indexes[n], None, formulas, percents, formula_msg, rate_values)
    elif mode is _CODE:
        for n, raw in enumerate(raws):
            if raw.__class__ is str and raw and len(raw) <= LONGEST_CODE and raw.isascii() and raw.isalnum():
                values_of[n][key] = raw.upper()  # what normalize(clean_text(raw)) gives for plain ASCII
            elif raw is not None and raw != "":
                _read_cell(step, chunk[n], raw, indexes[n], None, formulas, percents, formula_msg, rate_values)
    else:  # _MEMO
        get = memo.get
        for n, raw in enumerate(raws):
            if raw is None or raw == "":
                continue
            memo_key = raw if raw.__class__ is str else (raw.__class__, raw)  # 1, 1.0, True: equal, read apart
            hit = get(memo_key)
            if hit is None:
                try:
                    hit = (_parse_cell(step[1], raw, scale=step[4], percent=False, row=chunk[n]), None)
                except cells.CellProblem as exc:
                    hit = (None, exc.message)
                memo[memo_key] = hit
            value, message = hit
            if message is not None:
                row = chunk[n]
                row.add_error(Issue(row.row, step[1].header, message))
            elif value is not None and value != "":
                values_of[n][key] = value


def _read_cell(step: tuple, row: ParsedRow, raw, i: int, file_col: int | None, formulas: set, percents: set,
               formula_msg: str, rate_values: dict) -> None:
    """One cell the general way: formula check, empty check, _parse_cell, rate bookkeeping."""
    key, col, _cols, _single, scale, mode, _memo = step
    if formulas and (i, file_col) in formulas:
        row.add_error(Issue(row.row, col.header, formula_msg))
        return
    if raw is None or raw == "":
        return
    try:
        value = _parse_cell(col, raw, scale=scale, percent=bool(percents) and (i, file_col) in percents, row=row)
    except cells.CellProblem as exc:
        row.add_error(Issue(row.row, col.header, shared_message(exc.message)))
        return
    if value is None or value == "":
        return
    row.values[key] = value
    if mode is _RATE:
        # A "%" in the cell or a percent format says what was meant; a bare number does not.
        bare = (i, file_col) not in percents and "%" not in cells.number_text(raw).replace("％", "%")
        rate_values.setdefault(key, []).append(Decimal(value) / 10000 if bare else Decimal(100))


def parse_file(path: Path | str, kind_name: str, *, progress: Progress = None,
               check_row: Callable[[ParsedRow], None] | None = None) -> ParsedFile:
    """Read and check every row of `path` as `kind_name`; no database involved.

    `check_row`, when given, checks a row that read without a problem by its own rules (its kind's
    field rules, no database) and adds its errors (see shared_issues): a row it rejects is made
    small here, not held whole until the write (a million rows with wrong check characters)."""
    kind = KINDS[kind_name]
    book = open_book(path)
    sheet, layout = _choose_sheet(book, kind)
    first = layout.header_row + 1
    try:
        fill_data_merges(sheet, first, [c for cols in layout.columns.values() for c in cols])
    except MergesOverlap:
        raise FileUnreadable(_("Cannot read {file}: its merged cells overlap each other many times over (a damaged "
                               "or machine-made file). Unmerge the cells in Excel or WPS, save, and import "
                               "again.").format(file=book.path.name)) from None
    # Indexes of the rows to read, as machine integers (4 bytes a row, not 40: a file may have a million).
    data_rows = array("l", [i for i in range(first, len(sheet.rows)) if not _is_footer(sheet.rows[i])])
    # The file's data rows run from below the header to its last row with anything in it.
    last = len(sheet.rows) - 1
    while last >= first and _is_blank(sheet.rows[last]):
        last -= 1
    _check_twin_columns(sheet, layout, kind, data_rows)
    header_row = sheet.row_number(layout.header_row)
    parsed = ParsedFile(kind, Path(path), book.format, sheet.name, layout, [],
                        skipped=max(0, last + 1 - first) - len(data_rows))
    for cell in layout.unknown:
        if cell.text in REPORT_COLUMNS:
            continue  # 原行号 and 错误原因 of an exported error report: ignored without a note
        parsed.warnings.append(Issue(header_row, cell.text, _("Unknown column, ignored.")))
    by_key = {c.key: c for c in kind.columns}
    units = {key: next((layout.units.get(c) for c in cols if layout.units.get(c)), None)
             for key, cols in layout.columns.items()}
    rate_values: dict[str, list[Decimal]] = {}
    header_cols = {by_key[key].header: cols[0] for key, cols in layout.columns.items()}
    header_units = {by_key[key].header: unit for key, unit in units.items() if unit}
    # Per field, once: its column spec, file columns, money scale and how its cells are read.
    plan = []
    for key, cols in layout.columns.items():
        col = by_key[key]
        scale = cells.MONEY_UNITS.get(units.get(key) or "万元", Decimal(10000))
        plan.append((key, col, cols, cols[0] if len(cols) == 1 else None, scale, _READ_MODE.get(col.type, _GENERIC),
                     {}))
    formulas, percents = sheet.formula_without_value, sheet.percent
    formula_msg = _("The cell holds a formula without a computed value; open the file in Excel, save it, "
                    "and import again.")
    required = [(c.key, c.header) for c in kind.required]
    required_msg = _("This column is required.")
    # A row whose only problem is one missing required cell shares its problem list with every
    # such row (a file of a million rows without a name holds two objects for them, not two million);
    # apply() puts the row number into the issues it lists.
    parsed.rows_checked = check_row is not None
    required_only = {header: (Issue(None, header, required_msg),) for _key, header in required}
    total = len(data_rows)
    sheet_rows, row_number = sheet.rows, sheet.row_number
    # Rows in chunks (progress and cancelling between chunks), each chunk read column by column
    # (see _read_column). Every cell is still read and every problem reported against its own row
    # and column, in the file's column order within a row.
    for start in range(0, total, PROGRESS_EVERY):
        report(progress, start, total, _("Reading rows…"))
        indexes = data_rows[start:start + PROGRESS_EVERY]
        raw_rows = [sheet_rows[i] for i in indexes]
        chunk = [ParsedRow(row_number(i), {}, raw_row, columns=header_cols, units=header_units)
                 for i, raw_row in zip(indexes, raw_rows)]
        width = min(map(len, raw_rows))
        for step in plan:
            _read_column(step, indexes, chunk, raw_rows, width, formulas, percents, formula_msg, rate_values)
        for row in chunk:
            values = row.values
            for key, header in required:
                if key not in values and not any(e.column == header for e in row.errors):
                    if not row.errors:  # the row's only problem so far: one shared, row-less issue
                        row.errors = required_only[header]
                    else:
                        row.errors = [*row.errors, Issue(row.row, header, required_msg)]
            if not row.errors and check_row is not None:
                check_row(row)
            if row.errors:
                compact(row)
        parsed.rows.extend(chunk)
        for i in indexes:  # the rows own their cells now (a rejected one packed): the sheet lets go
            sheet_rows[i] = None
    if not sheet.formats_visible:
        for key, values in rate_values.items():
            if values and all(v < 1 for v in values):
                parsed.warnings.append(Issue(None, by_key[key].header, _(
                    "Every rate in this column is below 1. The file's format cannot show percent cells, so "
                    "0.0125 was taken as 0.0125 %; if it meant 1.25 %, write 1.25 or 1.25%.")))
    report(progress, total, total, _("Reading rows…"))
    return parsed


_MESSAGES: dict[str, str] = {}


def shared_message(message: str) -> str:
    """One string object per distinct message: a million rows with the same few problems (a wrong
    check character names only the expected and the given one) hold a few hundred strings."""
    hit = _MESSAGES.get(message)
    if hit is None:
        if len(_MESSAGES) > 10_000:
            return message
        hit = _MESSAGES[message] = message
    return hit




_SHARED_ISSUES: dict[tuple, tuple[Issue, ...]] = {}


def shared_issues(problems: tuple[tuple[str | None, str], ...]) -> tuple[Issue, ...]:
    """A row's problems (column header, message), in order, as a row-less tuple of issues shared by
    every row with the same problems (the counting puts the row number into the issues it lists):
    a million rows with the same few wrong check characters hold a few hundred tuples."""
    hit = _SHARED_ISSUES.get(problems)
    if hit is None:
        hit = tuple(Issue(None, header, shared_message(message)) for header, message in problems)
        if len(_SHARED_ISSUES) <= 10_000:
            _SHARED_ISSUES[problems] = hit
    return hit
