"""Import a clerk's spreadsheet: read it, check every row, then write all good rows in one
transaction (or, in a dry run, show what would happen). Each import is an ImportBatch whose audit
rows carry its id, so it can be undone while none of its records has changed since.

The flow is the same for the GUI wizard and the CLI: `parse_file` (no database) → `run_import`
(apply in one transaction; dry runs apply to an in-memory copy and throw it away).
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from array import array
from operator import itemgetter
from pathlib import Path

from sqlalchemy import create_engine, delete, event, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from qoffice.db.models import (
    AuditEntry,
    Award,
    Enterprise,
    Forum,
    ForumAttendance,
    ImportBatch,
    MatchmakingMeeting,
    Partner,
    Project,
    SignUp,
    YearFigures,
    utcnow,
)
from qoffice.domain import uscc as uscc_rules
from qoffice.domain.money import rate_to_scaled, scaled_to_rate
from qoffice.domain.pinyin import initials, sort_key
from qoffice.errors import FileUnreadable, KnownError, ValidationFailed
from qoffice.excel import values as cells
from qoffice.excel.headers import Layout, MergesOverlap, detect_layout, fill_data_merges
from qoffice.excel.kinds import KINDS, Column, Kind
from qoffice.excel.list_export import REPORT_COLUMNS
from qoffice.excel.readers import SheetData, open_book
from qoffice.i18n import _
from qoffice.services import Progress, report
from qoffice.services import versions
from qoffice.services.audit import AuditWriter

FOOTER_WORDS = ("合计", "小计", "总计", "填表", "制表", "审核", "备注", "说明")
PROGRESS_EVERY = 500
REJECTED_VALUES: dict = {}  # shared by the rows rejected while reading: never written, never changed
MAX_LISTED_ERRORS = 1000  # ImportResult.errors keeps the first ones; errors_omitted counts the rest
IMPORT_CACHE_KIB = 64 * 1024  # SQLite page cache while an import writes (the connection's own is restored)


class ImportRefused(KnownError):
    """The file cannot be imported at all (no sheet with the required columns, conflicting
    columns); nothing is written. Exit 2."""

    exit_code = 2


class UndoRefused(KnownError):
    exit_code = 1


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
    raw: list | dict  # the file's row as read (or a ready header -> cell dict); see `source`
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
        if isinstance(self.raw, dict):
            return self.raw
        return {h: self.raw[c] for h, c in (self.columns or {}).items()
                if c < len(self.raw) and not cells.is_empty(self.raw[c])}


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


@dataclass
class ImportResult:
    kind: str
    path: Path
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # already on file exactly as the row gives it
    skipped: int = 0  # empty and footer rows, earlier duplicates
    rejected: int = 0
    errors: list[Issue] = field(default_factory=list)  # the first MAX_LISTED_ERRORS problems
    errors_omitted: int = 0  # problems beyond those (every rejected row keeps its own in `rows`)
    warnings: list[Issue] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    batch_id: int | None = None
    backup: Path | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def as_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": self.skipped, "rejected": self.rejected, "errors": [e.as_dict() for e in self.errors],
                "errors_omitted": self.errors_omitted, "warnings": [w.as_dict() for w in self.warnings]}


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


def _compact(row: ParsedRow) -> None:
    """A rejected row keeps what the preview and the error report show (its cells as read, its
    problems) and drops its typed values: a file of a million bad rows stays small."""
    row.values = REJECTED_VALUES
    if row.errors.__class__ is list:
        row.errors = row.errors[:]  # sized to its problems (appending left room for more)


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


def parse_file(path: Path | str, kind_name: str, *, progress: Progress = None) -> ParsedFile:
    """Read and check every row of `path` as `kind_name`; no database involved."""
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
            if row.errors:
                _compact(row)
        parsed.rows.extend(chunk)
    if not sheet.formats_visible:
        for key, values in rate_values.items():
            if values and all(v < 1 for v in values):
                parsed.warnings.append(Issue(None, by_key[key].header, _(
                    "Every rate in this column is below 1. The file's format cannot show percent cells, so "
                    "0.0125 was taken as 0.0125 %; if it meant 1.25 %, write 1.25 or 1.25%.")))
    report(progress, total, total, _("Reading rows…"))
    return parsed


# --- applying ---------------------------------------------------------------------------------

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


def _problem_issues(row: ParsedRow, kind: Kind, problems: dict[str, str], field_columns: dict[str, str]) -> None:
    for key, message in problems.items():
        message = shared_message(message)
        header = field_columns.get(key)
        if header is None:
            try:
                header = kind.column(key).header
            except StopIteration:
                header = None
        row.add_error(Issue(row.row, header, message))


def _dedupe(parsed: ParsedFile, key_of) -> list[ParsedRow]:
    """Later row wins: the earlier row with the same key is counted nowhere, with a warning."""
    last: dict = {}
    for row in parsed.rows:
        if row.errors:
            continue
        key = key_of(row)
        if key is None:
            continue
        if key in last:
            earlier = last[key]
            earlier.status = "replaced"
            row.add_warning(Issue(row.row, None, _("Row {earlier} has the same key as row {later}; row {later} "
                                                       "is used and row {earlier} is ignored.").format(
                earlier=earlier.row, later=row.row)))
        last[key] = row
    return [r for r in parsed.rows if not r.errors and r.status != "replaced"]


def _bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """One executemany of many rows, skipping SQLAlchemy's per-row parameter processing (most of
    the cost of 100,000 rows): values are converted with each column's own bind processor, once
    per distinct value object where they are shared (timestamps, booleans), and handed to the
    DBAPI as tuples built column by column."""
    conn = session.connection()
    dialect = conn.dialect
    names = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    processors = {n: table.c[n].type._cached_bind_processor(dialect) for n in names}
    if dialect.positional:
        columns = []
        for n in compiled.positiontup:
            values = list(map(itemgetter(n), rows))
            if processors[n] is not None:
                values = _processed(values, processors[n])
            columns.append(values)
        params = list(zip(*columns))
    else:
        for n, proc in processors.items():
            if proc is not None:
                for row, value in zip(rows, _processed([row[n] for row in rows], proc)):
                    row[n] = value
        params = rows
    conn.exec_driver_sql(str(compiled), params)


# Types whose equal values are indistinguishable to a bind processor (unlike Decimal("1.0") and
# Decimal("1")), so one processed value can stand for all equal ones.
_VALUE_KEYED = frozenset({bool, int, str, dt.date, dt.datetime})


def _processed(values: list, proc) -> list:
    """`proc` applied to every value but None: once per distinct value when they are all of one
    _VALUE_KEYED type (the mapping then runs in C), else once per distinct value object."""
    types = set(map(type, values))
    types.discard(type(None))
    if len(types) == 1 and types <= _VALUE_KEYED:  # one type: True and 1 are never mixed up
        table = {v: proc(v) for v in set(values) if v is not None}
        table[None] = None
        return list(map(table.__getitem__, values))
    memo: dict = {}
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        hit = memo.get(id(v))
        if hit is None or hit[0] is not v:
            hit = memo[id(v)] = (v, proc(v))
        out.append(hit[1])
    return out


class _Applier:
    """One import's write work inside a session: per-kind `apply_*`, sharing lookups and audit."""

    def __init__(self, session: Session, parsed: ParsedFile, audit: AuditWriter, progress: Progress):
        self.session = session
        self.parsed = parsed
        self.audit = audit
        self.progress = progress
        self._codes: dict[str, tuple[int, bool]] | None = None
        self.changed = False  # whether the last guarded() work wrote anything (audited)

    # lookups
    def codes(self) -> dict[str, tuple[int, bool]]:
        if self._codes is None:
            self._codes = {code: (eid, deleted is not None) for eid, code, deleted in
                           self.session.execute(select(Enterprise.id, Enterprise.uscc, Enterprise.deleted_at))}
        return self._codes

    def enterprise_id(self, row: ParsedRow, code: str) -> int | None:
        problem = uscc_rules.problem(code)
        if problem:
            row.add_error(Issue(row.row, "统一社会信用代码", shared_message(problem)))
            return None
        hit = self.codes().get(code)
        if hit is None:
            row.add_error(Issue(row.row, "统一社会信用代码", _("No enterprise with credit code {code} is on "
                                                             "file; import the enterprise first.").format(code=code)))
            return None
        if hit[1]:
            row.add_error(Issue(row.row, "统一社会信用代码", _("The enterprise with credit code {code} is in the "
                                                             "recycle bin; restore it first.").format(code=code)))
            return None
        return hit[0]

    def outcome(self, old) -> str:
        """The status of a row whose guarded work succeeded: a new record, or an existing one that
        the row changed or left as it was."""
        if old is None:
            return "create"
        return "update" if self.changed else "unchanged"

    def tick(self, n: int, total: int) -> None:
        if n % PROGRESS_EVERY == 0:
            report(self.progress, n, total, _("Writing…"))

    def guarded(self, row: ParsedRow, fn) -> bool:
        """Run one row's writes in a savepoint: a refused row leaves nothing behind."""
        mark = len(self.audit.rows)
        nested = self.session.begin_nested()
        try:
            fn()
            nested.commit()
            self.changed = len(self.audit.rows) > mark
            return True
        except ValidationFailed as exc:
            nested.rollback()
            del self.audit.rows[mark:]
            if exc.problems:
                _problem_issues(row, self.parsed.kind, exc.problems, FIELD_COLUMNS.get(self.parsed.kind.name, {}))
            else:
                row.add_error(Issue(row.row, None, exc.message))
        except KnownError as exc:
            nested.rollback()
            del self.audit.rows[mark:]
            row.add_error(Issue(row.row, None, exc.message))
        return False

    # enterprises ------------------------------------------------------------------------------
    def apply_enterprises(self, rows: list[ParsedRow]) -> None:
        from qoffice.services import enterprises as svc

        existing = self.codes()
        updates: list[tuple[ParsedRow, dict, tuple[int, bool]]] = []
        new_rows: list[dict] = []
        new_parsed: list[ParsedRow] = []
        now = utcnow()
        # Every column of a new row, as the model's defaults would fill them.
        blank = {c.name: None for c in Enterprise.__table__.columns if c.name != "id"} | {
            "high_energy": False, "benchmark": False, "research_centre": False, "incentive_fund": False,
            "version": 1}  # the bulk INSERT goes around the ORM: it sets the first version itself
        active = svc.rules.vocab.STATUS_ACTIVE
        column_header = {c.key: c.header for c in self.parsed.kind.columns}
        for n, row in enumerate(rows):
            self.tick(n, len(rows))
            values = row.values.copy()
            code = values["uscc"]
            hit = existing.get(code)
            if hit is None:
                values.setdefault("status", active)
                # Resolve the industry as every later update does (no group or trade → 其他), so that
                # importing the same row again changes nothing.
                values.setdefault("industry_group", None)
                checked = svc.check(values)  # values are typed and clean already
                if checked.problems:
                    _problem_issues(row, self.parsed.kind, checked.problems, {})
                    _compact(row)  # its typed values go now: a file of bad codes stays small while it is written
                    continue
                for key, message in checked.warnings.items():
                    row.add_warning(Issue(row.row, column_header[key], message))
                record = blank | checked.values
                record["name_initials"] = initials(record["name"])
                record["name_pinyin"] = sort_key(record["name"])
                record["created_at"] = record["updated_at"] = now
                new_rows.append(record)
                new_parsed.append(row)
                row.status = "create"
            else:
                updates.append((row, values, hit))
        self._update_enterprises(updates)
        if new_rows:
            conn = self.session.connection()
            before = conn.exec_driver_sql("SELECT max(id) FROM enterprise").scalar() or 0
            _bulk_insert(self.session, Enterprise.__table__, new_rows)
            ids = {code: eid for eid, code in conn.execute(
                text("SELECT id, uscc FROM enterprise WHERE id > :before"), {"before": before}).fetchall()}
            add = self.audit.add
            for record in new_rows:
                code = record["uscc"]
                eid = ids[code]
                existing[code] = (eid, False)
                add("enterprise", eid, "create", enterprise_id=eid, field="name", new=record["name"])

    def _update_enterprises(self, updates) -> None:
        """Existing codes: update in place (loaded in chunks, not one query per row). The service
        checks every rule before it changes anything, so a refused row needs no savepoint."""
        from qoffice.services import enterprises as svc

        existing = self.codes()
        for start in range(0, len(updates), 500):
            chunk = updates[start:start + 500]
            loaded = {e.id: e for e in self.session.scalars(
                select(Enterprise).where(Enterprise.id.in_([hit[0] for _r, _v, hit in chunk])))}
            for n, (row, values, (eid, deleted)) in enumerate(chunk, start=start):
                self.tick(n, len(updates))
                ent = loaded[eid]
                try:
                    changed = svc.update_enterprise(self.session, ent, values, audit=self.audit, keep_empty=True)
                except ValidationFailed as exc:
                    _problem_issues(row, self.parsed.kind, exc.problems or {None: exc.message}, {})
                    continue
                if "trade" in values:
                    ind = svc.rules.resolve_industry(ent.industry_group, ent.trade)
                    if ind.warning:
                        row.add_warning(Issue(row.row, "行业", ind.warning))
                if deleted:
                    self.audit.add("enterprise", ent.id, "restore", enterprise_id=ent.id, field="deleted_at",
                                   old=ent.deleted_at, new=None)
                    ent.deleted_at = None
                    existing[ent.uscc] = (ent.id, False)
                    changed = True
                row.status = "update" if changed else "unchanged"

    # figures ----------------------------------------------------------------------------------
    def apply_figures(self, rows: list[ParsedRow]) -> None:
        from qoffice.domain import enterprise as rules
        from qoffice.services import enterprises as svc

        for n, row in enumerate(rows):
            self.tick(n, len(rows))
            v = row.values
            eid = self.enterprise_id(row, v["uscc"])
            if eid is None:
                continue
            old = self.session.scalar(select(YearFigures).where(YearFigures.enterprise_id == eid,
                                                               YearFigures.year == v["year"]))
            scaled = v.get("loss_rate", old.loss_rate_e4 if old else None)
            checked = v.get("checked", old.checked if old else None)
            passed = v.get("passed", old.passed if old else None)
            benefit = v.get("benefit", old.benefit_yuan if old else None)
            rate = scaled_to_rate(scaled)
            problem = rules.figures_problem(None, None, rate)
            if problem:
                row.add_error(Issue(row.row, "质量损失率(%)", problem))
            problem = rules.figures_problem(checked, passed)
            if problem:
                row.add_error(Issue(row.row, "抽查合格批次" if "passed" in v or checked is not None else "抽查批次",
                                        problem))
            if row.errors:
                continue

            def work(eid=eid, v=v, rate=rate, checked=checked, passed=passed, benefit=benefit):
                svc.set_figures(self.session, eid, v["year"], loss_rate=rate, checked=checked, passed=passed,
                                benefit_yuan=benefit, audit=self.audit)

            if self.guarded(row, work):
                row.status = self.outcome(old)

    # projects ---------------------------------------------------------------------------------
    def apply_projects(self, rows: list[ParsedRow]) -> None:
        from qoffice.services import partners, projects

        for n, row in enumerate(rows):
            self.tick(n, len(rows))
            v = row.values
            eid = self.enterprise_id(row, v["uscc"])
            if eid is None:
                continue
            old = self.session.scalar(select(Project).where(Project.enterprise_id == eid, Project.year == v["year"],
                                                            Project.title == v["title"]))

            def work(eid=eid, v=v, old=old, row=row):
                data = {"enterprise_id": eid, "type": v["type"], "title": v["title"], "year": v["year"]}
                for key, attr in (("investment", "investment_yuan"), ("benefit", "benefit_yuan"), ("stage", "stage")):
                    if key in v:
                        data[attr] = v[key]
                if v.get("partner") or v.get("partner_type"):
                    if not v.get("partner"):
                        raise ValidationFailed(_("A partner type needs the partner's name."),
                                               {"partner": _("A partner type needs the partner's name.")})
                    match = partners.match_or_create(self.session, v["partner"], v.get("partner_type"),
                                                     audit=self.audit)
                    if match.error:
                        raise ValidationFailed(match.error, {"partner_type": match.error})
                    if match.warning:
                        row.add_warning(Issue(row.row, "合作单位", match.warning))
                    data["partner_id"] = match.partner.id
                if old is None:
                    projects.create_project(self.session, data, audit=self.audit)
                else:
                    projects.update_project(self.session, old, data, audit=self.audit)

            if self.guarded(row, work):
                row.status = self.outcome(old)

    # awards -----------------------------------------------------------------------------------
    def apply_awards(self, rows: list[ParsedRow]) -> None:
        from qoffice.services import awards

        for n, row in enumerate(rows):
            self.tick(n, len(rows))
            v = row.values
            eid = self.enterprise_id(row, v["uscc"])
            if eid is None:
                continue
            old = self.session.scalar(select(Award).where(Award.enterprise_id == eid, Award.award == v["award"],
                                                          Award.year == v["year"]))
            if old is not None:
                row.status = "unchanged"  # already on file: an award has nothing else to update
                continue
            if self.guarded(row, lambda eid=eid, v=v: awards.create_award(self.session, eid, v["award"], v["year"],
                                                                          audit=self.audit)):
                row.status = "create"

    # forums -----------------------------------------------------------------------------------
    def apply_forums(self, rows: list[ParsedRow]) -> None:
        from qoffice.domain import forums as forum_rules
        from qoffice.domain.vocab import FORUM_CANCELLED
        from qoffice.services import forums

        for n, row in enumerate(rows):
            self.tick(n, len(rows))
            v = row.values
            ids = []
            for code in v.get("attendees") or []:
                if code is None:
                    continue
                eid = self.enterprise_id(row, uscc_rules.normalize(code))
                if eid is not None:
                    ids.append(eid)
            if row.errors:
                for issue in row.errors:
                    issue.column = "参加企业"
                continue
            old = self.session.scalar(select(Forum).where(Forum.title == v["title"], Forum.date == v["date"]))
            data = {k: v[src] for src, k in (("title", "title"), ("date", "date"), ("venue", "venue"),
                                            ("organiser", "organiser"), ("topic", "topic"), ("speakers", "speakers"),
                                            ("status", "status"), ("people", "people_count")) if src in v}
            if v.get("cancel_reason"):
                data["cancel_reason"] = v["cancel_reason"]

            def work(old=old, data=data, ids=ids, row=row, v=v):
                # 已取消 without 取消原因: imported all the same, with a warning (not a row error).
                if old is None:
                    forum, warnings = forums.create_forum(self.session, data, audit=self.audit, require_reason=False)
                else:
                    forum, warnings = old, forums.update_forum(self.session, old, data, audit=self.audit,
                                                               require_reason=False)
                for w in warnings:
                    row.add_warning(Issue(row.row, None, w))
                if forum.status == FORUM_CANCELLED and not forum.cancel_reason:
                    row.add_warning(Issue(row.row, "取消原因", forum_rules.missing_reason_warning()))
                if "attendees" in v:
                    forums.set_attendance(self.session, forum, ids, audit=self.audit)

            if self.guarded(row, work):
                row.status = self.outcome(old)

    # partners ---------------------------------------------------------------------------------
    def apply_partners(self, rows: list[ParsedRow]) -> None:
        from qoffice.services import partners

        for n, row in enumerate(rows):
            self.tick(n, len(rows))
            v = row.values
            old = partners.find_by_name(self.session, v["name"])

            def work(old=old, v=v, row=row):
                extra = {k: v[k] for k in ("contact", "phone", "note") if k in v}
                if old is None:
                    partners.create_partner(self.session, {"name": v["name"], "type": v.get("type")} | extra,
                                            audit=self.audit)
                    if not v.get("type"):
                        row.add_warning(Issue(row.row, "类型", _("No type given: filed as 其他 (no subsidy).")))
                    partners._forget_keys(self.session)
                else:
                    if v.get("type") and v["type"] != old.type:
                        msg = _("Partner “{name}” is a {have} in the directory, not a {given}; change it in the "
                                "directory if the directory is wrong.").format(name=old.name, have=old.type,
                                                                                given=v["type"])
                        raise ValidationFailed(msg, {"type": msg})
                    if extra:
                        partners.update_partner(self.session, old, extra, audit=self.audit)

            if self.guarded(row, work):
                row.status = self.outcome(old)

    # sign-ups ---------------------------------------------------------------------------------
    def apply_signups(self, rows: list[ParsedRow]) -> None:
        from qoffice.domain import signups as signup_rules
        from qoffice.services import meetings, partners

        for n, row in enumerate(rows):  # file order: capacity goes to the earlier rows
            self.tick(n, len(rows))
            v = row.values
            eid = self.enterprise_id(row, v["uscc"])
            names = list(v.get("names") or [])
            posts, phones = v.get("posts"), v.get("phones")
            for header, items in (("职务", posts), ("联系电话", phones)):
                if items is None:
                    continue
                # A trailing separator ("经理、") is an empty slot, not an extra entry.
                while len(items) > len(names) and items[-1] is None:
                    items.pop()
                while len(names) > len(items) and names[-1] is None:
                    names.pop()
                if len(items) != len(names):
                    row.add_error(Issue(row.row, header, _("{n} entries for {m} attendees; give them in the same "
                                                               "order as the names.").format(n=len(items), m=len(names))))
            if any(name is None for name in names) and not row.errors:
                idx = next(i for i, name in enumerate(names) if name is None)
                if (posts and posts[idx]) or (phones and phones[idx]):
                    row.add_error(Issue(row.row, "参会人", _("Attendee {n} needs a name.").format(n=idx + 1)))
            if eid is None or row.errors:
                continue
            people = [meetings.AttendeeIn(name, posts[i] if posts else None, phones[i] if phones else None)
                      for i, name in enumerate(names) if name]
            date = v["meeting_date"]

            def work(eid=eid, v=v, people=people, date=date, row=row):
                meeting, _created = meetings.get_or_create_meeting(self.session, date.year, date,
                                                                    v.get("meeting_title"), audit=self.audit)
                partner_id = None
                if v.get("partner"):
                    match = partners.match_or_create(self.session, v["partner"], None, audit=self.audit)
                    if match.warning:
                        row.add_warning(Issue(row.row, "意向合作单位", match.warning))
                    partner_id = match.partner.id if match.partner else None
                old = meetings.find_signup(self.session, meeting, eid)
                day = v.get("signed_up_on")  # 报名日期; empty: the day of the import
                result = meetings.sign_up(self.session, meeting, eid, people, need=v.get("need"),
                                          partner_id=partner_id, status=v.get("status"), imported=True,
                                          today=day, signed_up_on=day, audit=self.audit)
                for w in result.warnings:
                    row.add_warning(Issue(row.row, "状态", w))
                if day is not None or old is None:
                    late = signup_rules.signup_date_warning(result.signup.signed_up_at.date(), meeting.date,
                                                            given=day is not None)
                    if late:
                        row.add_warning(Issue(row.row, "报名日期", late))
                row.status = "update" if old is not None else "create"

            if not self.guarded(row, work):
                row.status = "error"
            elif row.status == "update" and not self.changed:
                row.status = "unchanged"


# Service problem keys that are not column keys of the kind.
FIELD_COLUMNS = {
    "enterprises": {},
    "projects": {"investment_yuan": "投资额(万元)", "benefit_yuan": "成果效益(万元)", "partner_id": "合作单位",
                 "partner": "合作单位", "partner_type": "合作单位类型", "enterprise_id": "统一社会信用代码"},
    "awards": {"enterprise_id": "统一社会信用代码"},
    "forums": {"people_count": "参加人数", "cancel_reason": "取消原因"},
    "signups": {"date": "对接会日期", "attendees": "参会人", "partner_id": "意向合作单位"},
    "partners": {},
    "figures": {},
}

KEYS = {
    "enterprises": lambda r: r.values.get("uscc"),
    "figures": lambda r: (r.values.get("uscc"), r.values.get("year")),
    "projects": lambda r: (r.values.get("uscc"), r.values.get("year"), r.values.get("title")),
    "awards": lambda r: (r.values.get("uscc"), r.values.get("award"), r.values.get("year")),
    "forums": lambda r: (r.values.get("title"), r.values.get("date")),
    "partners": lambda r: __import__("qoffice.services.partners", fromlist=["match_key"]).match_key(r.values.get("name")),
    "signups": lambda r: (r.values.get("uscc"), r.values["meeting_date"].year if r.values.get("meeting_date") else None),
}


def apply(session: Session, parsed: ParsedFile, *, source: str | None = None, progress: Progress = None,
          dry_run: bool = False) -> ImportResult:
    """Write the good rows of `parsed` in `session` (the caller commits or rolls back)."""
    kind = parsed.kind
    batch = ImportBatch(kind=kind.name, source=source or str(parsed.path))
    session.add(batch)
    session.flush()
    audit = AuditWriter(session, batch.id)
    good = _dedupe(parsed, KEYS[kind.name])
    applier = _Applier(session, parsed, audit, progress)
    getattr(applier, f"apply_{kind.name}")(good)
    if audit.rows:  # the same rows AuditWriter.flush would write, without per-row processing
        _bulk_insert(session, AuditEntry.__table__, audit.rows)
        audit.rows = []
    result = ImportResult(kind.name, parsed.path, dry_run, rows=parsed.rows, batch_id=batch.id)
    result.warnings.extend(parsed.warnings)
    result.skipped = parsed.skipped
    listed = result.errors
    for row in parsed.rows:
        if row.errors:
            row.status = "error"
            _compact(row)
            result.rejected += 1
            room = MAX_LISTED_ERRORS - len(listed)
            if room > 0:
                listed.extend(e if e.row is not None else Issue(row.row, e.column, e.message)
                              for e in row.errors[:room])
            result.errors_omitted += max(0, len(row.errors) - max(room, 0))
        elif row.status == "create":
            result.created += 1
        elif row.status == "update":
            result.updated += 1
        elif row.status == "unchanged":
            result.unchanged += 1
        else:  # an earlier duplicate ("replaced")
            result.skipped += 1
        result.warnings.extend(row.warnings)
    batch.created, batch.updated, batch.rejected = result.created, result.updated, result.rejected
    session.flush()
    report(progress, len(good), len(good), _("Writing…"))
    return result


def _memory_copy_engine(db_path: Path):
    """An engine over an in-memory copy of the database: a dry run applies everything there."""
    from qoffice.db.sqlite import _uri_path, install_damage_handler

    mem = sqlite3.connect(":memory:", check_same_thread=False)
    src = sqlite3.connect(f"file:{_uri_path(db_path)}?mode=ro", uri=True)
    try:
        src.backup(mem)
    finally:
        src.close()
    mem.isolation_level = None
    mem.execute("PRAGMA foreign_keys=ON")
    engine = create_engine("sqlite://", creator=lambda: mem, poolclass=StaticPool)
    install_damage_handler(engine, db_path)  # a damaged page: one clerk's line, not a traceback

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine


def _run_import_on_server(db, parsed, *, dry_run: bool, progress: Progress) -> ImportResult:
    """On a server the import batch and its undo are the safety net (shared-db.md): no whole-server
    backup first. One transaction; a dry run is the same work rolled back."""
    if dry_run:
        from qoffice.db import pg

        engine = pg.make_engine(db.url)
        try:
            with sessionmaker(bind=engine)() as session:
                try:
                    return apply(session, parsed, progress=progress, dry_run=True)
                finally:
                    session.rollback()
        finally:
            engine.dispose()
    # A serialization failure or deadlock (another clerk's transaction) runs the whole import again.
    result = db.run_unit(lambda session: apply(session, parsed, progress=progress))
    result.backup = None
    return result


def run_import(db, kind_name: str, path: Path | str, *, dry_run: bool = False, progress: Progress = None,
               parsed: ParsedFile | None = None) -> ImportResult:
    """Import `path` into the open Database `db` (opened in mode "dry" for a dry run).

    A real import backs the database up first and writes every good row in one transaction; a
    Cancelled raised by `progress` leaves the database as it was.
    """
    parsed = parsed or parse_file(path, kind_name, progress=progress)
    if getattr(db, "is_server", False):  # a PostgreSQL server (db/pg.py): no file to copy or back up
        return _run_import_on_server(db, parsed, dry_run=dry_run, progress=progress)
    if dry_run:
        engine = _memory_copy_engine(db.path)
        try:
            with sessionmaker(bind=engine)() as session:
                try:
                    return apply(session, parsed, progress=progress, dry_run=True)
                finally:
                    session.rollback()
        finally:
            engine.dispose()
    from qoffice.db.backup import make_backup

    backup = make_backup(db.path, kind="event", reason="import")
    with db.session() as session:
        conn = session.connection()
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        # Room for the whole write in the page cache: a transaction that outgrows it spills dirty
        # pages to the file mid-way, each spill writing and syncing the rollback journal first
        # (journal_mode=DELETE, synchronous=FULL); that doubled the time of a 100,000-row roster.
        conn.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
        try:
            result = apply(session, parsed, progress=progress)
        finally:
            conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
    result.backup = backup
    return result


# --- undo -------------------------------------------------------------------------------------

TABLES = {"enterprise": Enterprise, "year_figures": YearFigures, "project": Project, "award": Award,
          "forum": Forum, "partner": Partner, "signup": SignUp, "meeting": MatchmakingMeeting}


def _typed(model, field_name: str, text: str | None):
    if text is None:
        return None
    column = model.__table__.columns.get(field_name)
    if column is None:
        return text
    pytype = column.type.python_type
    if pytype is bool:
        return text == "是"
    if pytype is int:
        return int(text)
    if pytype is dt.datetime:
        return dt.datetime.fromisoformat(text)
    if pytype is dt.date:
        return dt.date.fromisoformat(text)
    return text


def undo_problem(session: Session, batch_id: int) -> str | None:
    """Why the batch cannot be undone (translated), or None when it can."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        return _("There is no such import.")
    if batch.undone_at is not None:
        return _("This import was already undone.")
    last_id = session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.batch_id == batch_id)) or 0
    touched = session.execute(select(AuditEntry.table_name, AuditEntry.record_id)
                              .where(AuditEntry.batch_id == batch_id).distinct()).all()
    created_enterprises = [rid for t, rid in session.execute(
        select(AuditEntry.table_name, AuditEntry.record_id).where(
            AuditEntry.batch_id == batch_id, AuditEntry.action == "create", AuditEntry.table_name == "enterprise"))]
    later = select(AuditEntry.id).where(AuditEntry.id > last_id)
    for table, rid in touched:
        hit = session.scalar(later.where(AuditEntry.table_name == table, AuditEntry.record_id == rid).limit(1))
        if hit is not None:
            return _("Records of this import have been changed since; it can no longer be undone.")
    for chunk in range(0, len(created_enterprises), 500):
        ids = created_enterprises[chunk:chunk + 500]
        if session.scalar(later.where(AuditEntry.enterprise_id.in_(ids)).limit(1)) is not None:
            return _("Records of this import have been changed since; it can no longer be undone.")
    return None


def undo_batch(session: Session, batch_id: int) -> dict[str, int]:
    """撤销本次导入: created records removed, updated ones restored from the audit's old values."""
    problem = undo_problem(session, batch_id)
    if problem:
        raise UndoRefused(problem)
    entries = list(session.scalars(select(AuditEntry).where(AuditEntry.batch_id == batch_id)
                                   .order_by(AuditEntry.id.desc())))
    audit = AuditWriter(session, batch_id)
    created: dict[str, set[int]] = {}
    restored = 0
    for e in entries:
        model = TABLES.get(e.table_name)
        if model is None or e.record_id is None:
            continue
        if e.action == "create":
            created.setdefault(e.table_name, set()).add(e.record_id)
            continue
        if e.record_id in created.get(e.table_name, set()):
            continue
        record = session.get(model, e.record_id)
        if record is None:
            continue
        if e.action == "restore":
            record.deleted_at = _typed(model, "deleted_at", e.old)
            restored += 1
        elif e.field == "attendance" and e.table_name == "forum":
            versions.touch(record)  # the attendance is part of the forum a form edits
            eid = int(e.new or e.old)
            if e.new is not None:
                session.execute(delete(ForumAttendance).where(ForumAttendance.forum_id == e.record_id,
                                                              ForumAttendance.enterprise_id == eid))
            else:
                session.add(ForumAttendance(forum_id=e.record_id, enterprise_id=eid))
        elif e.field == "attendees" and e.table_name == "signup":
            from qoffice.services.meetings import restore_attendees

            restore_attendees(session, record, e.old)
        elif e.field and e.field in model.__table__.columns:  # columns only, never relationships
            setattr(record, e.field, _typed(model, e.field, e.old))
            if e.table_name == "enterprise" and e.field == "name":
                record.name_initials = initials(record.name)
        audit.add(e.table_name, e.record_id, "undo", enterprise_id=e.enterprise_id, field=e.field,
                  old=e.new, new=e.old)
    session.flush()
    counts = {}
    # Children before parents: a created sign-up's attendees, a created enterprise's records.
    for table in ("signup", "project", "award", "year_figures", "forum", "meeting", "enterprise", "partner"):
        ids = created.get(table)
        if not ids:
            continue
        model = TABLES[table]
        id_list = sorted(ids)
        for chunk in range(0, len(id_list), 500):
            part = id_list[chunk:chunk + 500]
            if table == "signup":
                from qoffice.db.models import Attendee

                session.execute(delete(Attendee).where(Attendee.signup_id.in_(part)))
            if table == "forum":
                session.execute(delete(ForumAttendance).where(ForumAttendance.forum_id.in_(part)))
            session.execute(delete(model).where(model.id.in_(part)))
        counts[table] = len(ids)
        audit.add(table, None, "undo", field="created", old=str(len(ids)))
    batch = session.get(ImportBatch, batch_id)
    batch.undone_at = utcnow()
    audit.flush()
    session.flush()
    counts["restored"] = restored
    return counts


# --- 导出错误行 ---------------------------------------------------------------------------------

def write_error_report(result: ImportResult, path: Path | str) -> int:
    """导出错误行: the rejected rows in the template's layout plus 错误原因 (excel.list_export
    writes it); returns the number of rows written."""
    from qoffice.excel.list_export import write_error_rows

    return write_error_rows(path, KINDS[result.kind], [r for r in result.rows if r.status == "error"])
