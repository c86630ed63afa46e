"""The one SQL-paged table model behind every list in qoffice (enterprises, forums, sign-ups, …).

A list is declared once as a `ListDefinition`; `SqlListModel` turns it into a Qt model that filters
and sorts in SQL and loads rows a page at a time (`canFetchMore`/`fetchMore`), so a list of 100,000
enterprises costs one page of tuples until the clerk scrolls. No QSortFilterProxyModel, no ORM
object per row. A definition has two halves: what the screen shows (plain data) and its SQL, built
by a function the first time a query needs it, because that function imports SQLAlchemy and the
models, which take longer than the whole rest of the start-up:

    def _forum_sql() -> ListSql:                         # called once, on the first query
        from sqlalchemy import func, select
        from qoffice.db.models import Forum
        return ListSql(
            select=select(Forum.id, Forum.date, Forum.title, Forum.status),  # labels = `fields`
            sorts={"status": vocab_order(Forum.status, vocab.FORUM_STATUSES)},  # else: the selected column
            search=[SearchField(Forum.title), SearchField(Forum.topic)],    # "contains" by default
            filters={"year": func.strftime("%Y", Forum.date)},  # else: the selected column of that key
            where=[])                                    # base filter, e.g. Enterprise.deleted_at.is_(None)

    FORUMS = ListDefinition(
        name="forums",                                   # key for QSettings (widths, sort order)
        fields=("id", "date", "title", "status"),        # the select's labels, in order
        sql=_forum_sql,
        columns=[                                        # what the table shows, in order
            Column("date", N_("Date"), sortable=True, format=lambda v, row: v.isoformat()),
            Column("title", N_("Title"), sortable=True, width=320),
            Column("status", N_("Status"), sortable=True),
        ],
        search_hint=N_("Title / topic"),                 # the search box placeholder; "" = no search
        filters=[Filter("status", N_("Status"), choices=vocab.FORUM_STATUSES),
                 Filter("year", N_("Year"), choices=years)],
        default_sort=("date", "desc"),
    )

Parts of a definition:
- `fields`: the labels of the select's columns in order (checked when the SQL is built); formats
  find other values of the row by `fields.index(key)`. Must include the id (`id_key`).
- `Column(key, title, sortable=False, format=None, width=None, align=None)`: `title` is an English
  source string (mark it with N_). A sortable column sorts by `ListSql.sorts[key]`, or by the selected
  column of that key; `vocab_order()` sorts a closed vocabulary in its own order.
  `format(value, row)` returns the text shown (default: str, None → "", bool → 是/否).
- `SearchField(column, mode)`: mode "contains" (LIKE %q%), "prefix" (LIKE q%), "upper" (contains,
  query upper-cased: credit codes), "initials" (contains, only for queries of ASCII letters/digits,
  lower-cased: the stored pinyin initials column). Every word of the query must match some field.
  `charset` (optional): the characters the column can hold; a word with others skips the column
  (one LIKE less per row scanned).
- `Filter(key, title, choices, all_title=None)`: a drop-down; `choices` is a sequence or a
  callable(db) -> sequence (e.g. the counties from the settings); None means "all".
- `ListSql.where`: the base filter applied always (the recycle bin uses `deleted_at IS NOT NULL`);
  `SqlListModel.set_scope()` adds one that changes at run time (the shared year).
- `default_sort`: (column key, "asc" | "desc"); ties are always broken by the id, so pages are stable.
- `indexed_sorts`: column keys whose order an index gives together with the searched columns (the
  enterprise list's ix_enterprise_live_search: name + code + initials). A search sorted by such a
  key walks that index and stops after one page; any other sort scans and sorts the matches,
  because walking an index that lacks the searched columns fetches row after row.
- `start` (optional): the SQL of the unsearched, unfiltered list in its default order as text
  (`StartSql`), so the list the window opens on shows its first page without SQLAlchemy. A test
  checks it against the SQL built from `sql`, and that both give the same rows.

Statements are built with SQLAlchemy Core and compiled to SQL text; pages and counts run on plain
read-only sqlite3 connections (`Database.query`), which also spares each keystroke SQLAlchemy's
execution layer. The model reports `total_count` (base filter only) and `filtered_count` (with
search and filters): "共 N 条 (筛选后 M 条)" via `counts_text()`. A keystroke (or the window's
start) costs one page: when the page is not full its length is the count; when it is full, the
matches (or the whole list's records) are counted by a quiet read on the worker
(qoffice.ui.worker.read_in_background, cancelled when a newer count supersedes it) and
`countsChanged` follows (reading `total_count`, `filtered_count` or `counts_text()` before that
waits for it; `counting()` says whether a count is still running). `statement()` gives the whole
filtered, sorted select (no paging) for exports. Only the loaded pages are held, as tuples: no
Python object for rows nobody has scrolled to.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from qoffice.i18n import N_, _
from qoffice.ui import worker

if TYPE_CHECKING:
    from sqlalchemy.sql import ColumnElement, Select

log = logging.getLogger("qoffice.ui")

PAGE_SIZE = 200
ROW_NUMBER_KEY = "#"

# data() runs for every visible cell on every repaint. PySide6 resolves the short enum names
# (Qt.DisplayRole) through a slow fallback — 7 µs an access, measured — so the hot paths compare
# against constants taken once by their full names.
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_USER = Qt.ItemDataRole.UserRole
_HORIZONTAL = Qt.Orientation.Horizontal
_NUMBER_ALIGN = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # the 序号 column, computed from the row position, never stored

Formatter = Callable[[Any, Sequence[Any]], str]


@dataclass
class Column:
    key: str
    title: str  # English source string; translated when headers are built
    sortable: bool = False
    format: Formatter | None = None
    width: int | None = None
    align: Qt.AlignmentFlag | None = None
    fits: str | None = None  # a text the column always shows whole: its width follows the font


# A credit code of the widest characters a code may hold after its region (GB 32100's 31 characters;
# W and M, 13 px each in WenQuanYi Micro Hei at the app's size, measured): a code column as wide as
# this text in the font on screen does not cut a code short.
WIDEST_CREDIT_CODE = "91320682MAWWWWWWWW"


def credit_code_column() -> Column:
    """统一社会信用代码, as every list shows it."""
    return Column("uscc", N_("Credit code"), sortable=True, fits=WIDEST_CREDIT_CODE)


@dataclass
class SearchField:
    column: ColumnElement
    mode: str = "contains"  # contains | prefix | upper | initials
    # The characters the column can hold (after the mode's case change), e.g. a credit code's 31:
    # a word with any other character cannot match, so the column is not searched for it.
    charset: str | None = None


@dataclass
class Filter:
    key: str
    title: str  # English source string, e.g. N_("County")
    choices: Sequence[str] | Callable[[Any], Sequence[str]] = ()
    all_title: str | None = None  # English source, e.g. N_("All counties"); default "All"


@dataclass
class ListSql:
    """The SQL half of a definition (SQLAlchemy Core), built on first use."""
    select: Select
    sorts: dict[str, ColumnElement] = field(default_factory=dict)
    search: list[SearchField] = field(default_factory=list)
    filters: dict[str, ColumnElement] = field(default_factory=dict)
    where: list[ColumnElement] = field(default_factory=list)


@dataclass(frozen=True)
class StartSql:
    """The default view's SQL as text: `count` (the base filter's rows) and `page` (its first
    pages in the default order, ending in LIMIT ? OFFSET ?)."""
    count: str
    page: str


@dataclass
class ListDefinition:
    name: str
    fields: tuple[str, ...]
    columns: list[Column]
    sql: Callable[[], ListSql]
    id_key: str = "id"
    search_hint: str = ""  # also says whether the list has a search box
    filters: list[Filter] = field(default_factory=list)
    default_sort: tuple[str, str] | None = None
    row_number: bool = True  # show the 序号 column first
    indexed_sorts: tuple[str, ...] = ()  # sorts an index gives with the searched columns (see above)
    start: StartSql | None = None
    _built: _BuiltSql | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        missing = [k for k in [c.key for c in self.columns] + [self.id_key] if k not in self.fields]
        if missing:
            raise ValueError(f"list {self.name}: fields lack {missing}")

    def built(self) -> _BuiltSql:
        """The SQL half, built and checked once (imports SQLAlchemy and the models)."""
        if self._built is None:
            self._built = _BuiltSql(self, self.sql())
        return self._built


_DIALECT = None


def sqlite_dialect():
    global _DIALECT
    if _DIALECT is None:
        from sqlalchemy.dialects import sqlite

        _DIALECT = sqlite.dialect()
    return _DIALECT


class _BuiltSql:
    """A definition's ListSql checked against its fields, with each sortable column's and filter's
    SQL expression and the converters that turn raw sqlite3 values into SQLAlchemy's types."""

    def __init__(self, definition: ListDefinition, sql: ListSql):
        selected = sql.select.selected_columns
        keys = list(selected.keys())
        if keys != list(definition.fields):
            raise ValueError(f"list {definition.name}: select gives {keys}, fields say {list(definition.fields)}")
        self.sql = sql
        self.id_column = selected[definition.id_key]
        self.sorts = {c.key: sql.sorts.get(c.key, selected[c.key] if c.key in keys else None)
                      for c in definition.columns if c.sortable}
        if any(v is None for v in self.sorts.values()):
            raise ValueError(f"list {definition.name}: no sort expression for {[k for k, v in self.sorts.items() if v is None]}")
        self.filters = {}
        for flt in definition.filters:
            column = sql.filters.get(flt.key, selected[flt.key] if flt.key in keys else None)
            if column is None:
                raise ValueError(f"list {definition.name}: no SQL for filter {flt.key}")
            self.filters[flt.key] = column
        dialect = sqlite_dialect()
        processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected]
        # (row index, converter) of the columns SQLAlchemy would convert (dates, booleans, decimals).
        self.converters = [(i, p) for i, p in enumerate(processors) if p is not None]


def _convert(row: tuple, converters: list[tuple[int, Callable]]) -> tuple:
    """A raw sqlite3 row with SQLAlchemy's types; untouched (no copy) when those values are NULL."""
    if all(row[i] is None for i, _c in converters):
        return row
    values = list(row)
    for i, convert in converters:
        if values[i] is not None:
            values[i] = convert(values[i])
    return tuple(values)


def vocab_order(column: ColumnElement, words: Sequence[str]) -> ColumnElement:
    """Sort expression putting a closed vocabulary in its own order (unknown words last)."""
    from sqlalchemy import case

    return case({w: i for i, w in enumerate(words)}, value=column, else_=len(words))


def default_format(value: Any, _row: Sequence[Any] = ()) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_LIKE_ESCAPE = "\\"
_ASCII_WORD = re.compile(r"^[0-9A-Za-z]+$")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _without_index(expr: ColumnElement) -> ColumnElement:
    """The same order, but not through an index.

    With a search active, walking the name index in order and looking up each row to test the
    LIKE is far slower than one table scan and a sort of the matches when matches are rare
    (measured: 2 s vs 0.1 s at 100,000 rows). `x || ''` keeps the order (NULL stays NULL) and
    is plain SQL on SQLite and PostgreSQL alike.
    """
    from sqlalchemy import String

    if isinstance(getattr(expr, "type", None), String):
        return expr.concat("")
    return expr


def _fits(f: SearchField, word: str) -> bool:
    text = word.upper() if f.mode == "upper" else word.lower() if f.mode == "initials" else word
    return all(ch in f.charset for ch in text)


def word_patterns(fields: Sequence[SearchField], word: str) -> tuple[str | None, ...]:
    """Per field, the LIKE pattern of one query word, or None where the word cannot occur."""
    out: list[str | None] = []
    ascii_word = _ASCII_WORD.match(word) is not None
    for f in fields:
        # A word that cannot occur in a column is not searched there: one LIKE less per row.
        if f.mode in ("initials", "upper") and not ascii_word:
            pattern = None
        elif f.charset is not None and not _fits(f, word):
            pattern = None
        elif f.mode == "initials":
            pattern = f"%{_escape_like(word.lower())}%"
        elif f.mode == "prefix":
            pattern = f"{_escape_like(word)}%"
        elif f.mode == "upper":
            pattern = f"%{_escape_like(word.upper())}%"
        else:
            pattern = f"%{_escape_like(word)}%"
        out.append(pattern)
    return tuple(out)


def search_clause(fields: Sequence[SearchField], query: str) -> ColumnElement | None:
    """SQL for `query`: every word must match at least one field (None: no search).

    The patterns are bound parameters named s<word>_<field>, so a statement compiled for one
    query serves every query of the same shape with new values (SqlListModel caches it)."""
    words = (query or "").split()
    if not words or not fields:
        return None
    from sqlalchemy import and_, bindparam, literal, or_

    per_word = []
    for i, word in enumerate(words):
        alternatives = [f.column.like(bindparam(f"s{i}_{j}", pattern, type_=f.column.type), escape=_LIKE_ESCAPE)
                        for j, (f, pattern) in enumerate(zip(fields, word_patterns(fields, word)))
                        if pattern is not None]
        per_word.append(or_(*alternatives) if alternatives else literal(False))
    return and_(*per_word)


def _compile(stmt):
    return stmt.compile(dialect=sqlite_dialect())


def _sql_args(compiled, values: dict | None = None) -> tuple[str, list]:
    """The SQL text (with any IN lists expanded) and positional arguments of a compiled statement,
    its bound values replaced by `values`."""
    state = compiled.construct_expanded_state(values)
    params, processors = state.parameters, state.processors
    return state.statement, [processors[k](params[k]) if k in processors else params[k]
                             for k in (state.positiontup or ())]


def compile_sql(stmt) -> tuple[str, list]:
    """SQL text and positional parameters of a Core statement, for a plain sqlite3 cursor."""
    return _sql_args(_compile(stmt))


def _count(db, sql: str, args: list, read) -> int:
    """COUNT(*) on a read connection of its own (a quiet read of the worker's: on its thread,
    sqlite3 runs without the GIL, so the GUI thread is not slowed); read.cancel() interrupts it."""
    conn = db.connect_reader()
    try:
        with read.interruptible(conn.interrupt):
            return conn.execute(sql, args).fetchone()[0]
    finally:
        conn.close()


class SqlListModel(QAbstractTableModel):
    """A ListDefinition as a lazily paged table model. Call `reload()` after writes."""

    countsChanged = Signal(int, int)  # total, filtered

    def __init__(self, db, definition: ListDefinition, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self.db = db
        self.definition = definition
        self.page_size = page_size
        self._keys = [c.key for c in definition.columns]
        self._index_of = {k: i for i, k in enumerate(definition.fields)}
        self._id_index = self._index_of[definition.id_key]
        self._offset = 1 if definition.row_number else 0
        # Per shown column: (row index of its value, its formatter) — data() is called for every
        # visible cell on each repaint, so it looks nothing up.
        self._cells = [(self._index_of[c.key], c.format or default_format) for c in definition.columns]
        self._aligns = [int(c.align | Qt.AlignmentFlag.AlignVCenter) if c.align is not None else None
                        for c in definition.columns]
        self._rows: list[tuple] = []
        self._query = ""
        # Compiled statements by shape (what is searched where, filters, order, scope): a keystroke
        # that keeps the shape only binds new values (SQLAlchemy's compile costs as much as the page).
        self._compiled: dict[tuple, Any] = {}
        self._filters: dict[str, Any] = {}
        self._scope: list = []
        self._sort_key, self._sort_desc = None, False
        if definition.default_sort:
            self._sort_key = definition.default_sort[0]
            self._sort_desc = definition.default_sort[1] == "desc"
        # The counts: each known (an int) or being counted by a quiet read of the worker (its job).
        self._total = 0
        self._total_job: worker.Read | None = None
        self._matches = 0
        self._count_job: worker.Read | None = None
        self._filtered_is_total = True  # no search or filter at the last reload: filtered = total
        self._exhausted = True

    # ---- what the view asks -------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._keys) + self._offset

    def column_keys(self) -> list[str]:
        return ([ROW_NUMBER_KEY] if self._offset else []) + self._keys

    def headerData(self, section: int, orientation, role=_DISPLAY):
        if orientation != _HORIZONTAL or role != _DISPLAY:
            return None
        if self._offset and section == 0:
            return _("No.")
        return _(self.definition.columns[section - self._offset].title)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=_DISPLAY):
        if role == _DISPLAY or role == _TOOLTIP:
            row = index.row()
            if row >= len(self._rows) or not index.isValid():
                return None
            col = index.column() - self._offset
            if col < 0:
                return str(row + 1)
            record = self._rows[row]
            value_index, fmt = self._cells[col]
            return fmt(record[value_index], record)
        if role == _ALIGNMENT:
            if not index.isValid():
                return None
            col = index.column() - self._offset
            return _NUMBER_ALIGN if col < 0 else self._aligns[col]
        if role == _USER:
            if not index.isValid() or index.row() >= len(self._rows):
                return None
            return self._rows[index.row()][self._id_index]
        return None

    def flags(self, index):
        return _SELECTABLE if index.isValid() else Qt.ItemFlag.NoItemFlags

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        page = self._load_page(len(self._rows))
        if not page:
            self._exhausted = True
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()
        known = self._known_filtered()
        self._exhausted = len(page) < self.page_size or (known is not None and len(self._rows) >= known)

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        keys = self.column_keys()
        if column < 0 or column >= len(keys) or keys[column] == ROW_NUMBER_KEY:
            return
        spec = self.definition.columns[column - self._offset]
        if not spec.sortable:
            return
        self._sort_key, self._sort_desc = spec.key, order == Qt.DescendingOrder
        self.reload(recount_total=False)

    # ---- what the list area sets --------------------------------------------------------
    @property
    def query(self) -> str:
        return self._query

    def set_query(self, text: str) -> None:
        text = (text or "").strip()
        if text != self._query:
            self._query = text
            self.reload(recount_total=False)

    def set_filter(self, key: str, value: Any) -> None:
        if value in ("", None):
            changed = self._filters.pop(key, None) is not None
        else:
            changed = self._filters.get(key) != value
            self._filters[key] = value
        if changed:
            self.reload(recount_total=False)

    def clear_search_and_filters(self) -> None:
        """Back to every record of the list (its base filter and scope stay), in one query."""
        if self._query or self._filters:
            self._query, self._filters = "", {}
            self.reload(recount_total=False)

    def set_scope(self, clauses: Sequence) -> None:
        """A base filter that changes at run time (the shared year, the year's meeting), added to
        the definition's `where`: 共 N 条 then counts the scope's records. Call reload() after."""
        self._scope = list(clauses)
        self._compiled.clear()

    def filters(self) -> dict[str, Any]:
        return dict(self._filters)

    def sort_state(self) -> tuple[str | None, bool]:
        return self._sort_key, self._sort_desc

    def set_sort_state(self, key: str, descending: bool) -> None:
        """The order of the next query (a list area restoring the clerk's last order)."""
        spec = next((c for c in self.definition.columns if c.key == key), None)
        if spec is not None and spec.sortable:
            self._sort_key, self._sort_desc = key, descending

    def sort_column(self) -> int:
        keys = self.column_keys()
        return keys.index(self._sort_key) if self._sort_key in keys else -1

    def row_id(self, row: int) -> Any:
        return self._rows[row][self._id_index]

    def row_of_id(self, record_id: Any) -> int:
        """Row of a loaded record, or -1 (only loaded pages are searched)."""
        for i, r in enumerate(self._rows):
            if r[self._id_index] == record_id:
                return i
        return -1

    def loaded_row_count(self) -> int:
        return len(self._rows)

    def counts_text(self) -> str:
        if self.filtered_count == self.total_count:
            return _("{total:,} records").format(total=self.total_count)
        return _("{total:,} records ({shown:,} after filtering)").format(total=self.total_count,
                                                                         shown=self.filtered_count)

    # ---- SQL ----------------------------------------------------------------------------
    def _built(self) -> _BuiltSql:
        return self.definition.built()

    def _base(self) -> Select:
        built = self._built()
        stmt = built.sql.select
        for clause in [*built.sql.where, *self._scope]:
            stmt = stmt.where(clause)
        return stmt

    def _filtered(self) -> Select:
        from sqlalchemy import bindparam

        stmt = self._base()
        clause = search_clause(self._built().sql.search, self._query)
        if clause is not None:
            stmt = stmt.where(clause)
        columns = self._built().filters
        for key in self._filter_keys():
            stmt = stmt.where(columns[key] == bindparam(f"f_{key}", self._filters[key], type_=columns[key].type))
        return stmt

    def _filter_keys(self) -> list[str]:
        columns = self._built().filters
        return sorted(k for k in self._filters if k in columns)

    def _sql(self, kind: str, offset: int = 0) -> tuple[str, list]:
        """SQL and arguments of the "page", "count" (filtered) or "total" statement, compiled once
        per shape; only the values of the search words, filters and page are bound anew."""
        built = self._built()
        if kind == "total":  # the base filter alone: one shape whatever is searched
            patterns, filter_keys = [], []
        else:
            patterns = [word_patterns(built.sql.search, w) for w in self._query.split()] if built.sql.search else []
            filter_keys = self._filter_keys()
        order = (self._sort_key, self._sort_desc) if kind == "page" else None  # counts are not ordered
        shape = (kind, order, tuple(filter_keys), tuple(tuple(p is not None for p in ps) for ps in patterns))
        compiled = self._compiled.get(shape)
        if compiled is None:
            if kind == "page":
                from sqlalchemy import Integer, bindparam

                stmt = (self.statement().limit(bindparam("page_limit", self.page_size, type_=Integer))
                        .offset(bindparam("page_offset", offset, type_=Integer)))
            elif kind == "count":
                stmt = self._count(self._filtered())
            else:
                stmt = self._count(self._base())
            if len(self._compiled) > 200:  # shapes are few; never let it grow without end
                self._compiled.clear()
            compiled = self._compiled[shape] = _compile(stmt)
        values = {f"s{i}_{j}": p for i, ps in enumerate(patterns) for j, p in enumerate(ps) if p is not None}
        values.update({f"f_{k}": self._filters[k] for k in filter_keys})
        if kind == "page":
            values.update(page_limit=self.page_size, page_offset=offset)
        return _sql_args(compiled, values)

    def is_narrowed(self) -> bool:
        """True when a search or a filter hides some records."""
        known = {f.key for f in self.definition.filters}
        return bool(self._query.split()) or any(k in known for k in self._filters)

    def _at_start(self) -> bool:
        """The default view — no search, filter or scope, the default order — whose SQL the
        definition may carry as text (`start`), so no SQLAlchemy is needed to show it."""
        default = self.definition.default_sort
        return (self.definition.start is not None and not self._scope and not self.is_narrowed()
                and default is not None and (self._sort_key, self._sort_desc) == (default[0], default[1] == "desc"))

    def statement(self) -> Select:
        """The whole filtered, sorted list (no paging): for exports and reports."""
        built = self._built()
        stmt = self._filtered()
        narrowed = self.is_narrowed()
        key = built.sorts.get(self._sort_key)
        if key is not None:
            if narrowed and self._sort_key not in self.definition.indexed_sorts:
                key = _without_index(key)
            stmt = stmt.order_by(key.desc() if self._sort_desc else key.asc())
        id_col = built.id_column
        return stmt.order_by(id_col.desc() if self._sort_desc else id_col.asc())

    @staticmethod
    def _count(stmt: Select) -> Select:
        from sqlalchemy import func

        return stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)

    def _rows_of(self, sql: str, args: Sequence) -> list[tuple]:
        rows = self.db.query(sql, args)
        # A start page read before the SQL half was built needs none: its test checks the rows.
        built = self.definition._built
        converters = built.converters if built is not None else None
        if converters:
            if len(converters) == 1:  # e.g. the enterprise list's deleted_at: NULL on every live row
                i, convert = converters[0]
                rows = [r if r[i] is None else (*r[:i], convert(r[i]), *r[i + 1:]) for r in rows]
            else:
                rows = [_convert(r, converters) for r in rows]
        return rows

    def _page_sql(self, offset: int) -> tuple[str, list]:
        if self._at_start():
            return self.definition.start.page, [self.page_size, offset]
        return self._sql("page", offset)

    def _total_sql(self) -> tuple[str, list]:
        if self._at_start():
            return self.definition.start.count, []
        return self._sql("total")

    def _load_page(self, offset: int) -> list[tuple]:
        return self._rows_of(*self._page_sql(offset))

    def reload(self, recount_total: bool = True) -> None:
        """Re-run the query and show its first page (after a write, a search or a sort).

        The page is read here; a count that the page does not give (a full page) is a quiet read
        of the worker's, and countsChanged follows. A search or filter is counted from before the
        page is read: both queries then run in SQLite (without the GIL) side by side. The total
        (base filter) of a list shown whole is counted after its page: a page that is not full
        holds every record, and then its length is the count and nothing runs in the background."""
        self._cancel_count()
        need_total = recount_total or (self._total_job is None and self._total == 0)
        if need_total and self._total_job is not None:
            self._total_job.cancel()
            self._total_job = None
        narrowed = self.is_narrowed()
        job = None
        if narrowed:
            if need_total:
                self._total_job = self._count_in_background(self._total_sql(), self._total_done)
            job = self._count_in_background(self._sql("count"), self._count_done)
        page = self._load_page(0)
        full = len(page) >= self.page_size
        self._filtered_is_total = not narrowed
        if not narrowed and need_total:
            if full:
                self._total_job = self._count_in_background(self._total_sql(), self._total_done)
            else:
                self._total = len(page)  # the page holds every record: that is the count
        if job is not None and not full:
            job.cancel()
            job = None
            self._matches = len(page)  # the page holds every match: that is the count
        self._count_job = job
        known = self._known_filtered()
        self.beginResetModel()
        self._rows = page
        self._exhausted = not full or (known is not None and len(page) >= known)
        self.endResetModel()
        if not self.counting():
            self.countsChanged.emit(self._total, known)

    def _count_in_background(self, sql_args: tuple[str, list], done) -> worker.Read:
        def delivered(n: int) -> None:
            done(read, n)

        read = worker.read_in_background(partial(_count, self.db, *sql_args), delivered, owner=self)
        read.sql_args = sql_args  # counted here instead if the read fails
        return read

    def _waited(self, read: worker.Read) -> int:
        n = read.wait()
        if n is None:  # the background count failed: count here
            n = self.db.query(*read.sql_args)[0][0]
        return n

    @property
    def total_count(self) -> int:
        """Records of the base filter (and scope); waits for a count still running."""
        job = self._total_job
        if job is not None:
            self._total_done(job, self._waited(job))
        return self._total

    @property
    def filtered_count(self) -> int:
        """Matches of the current search and filters (waits for a count still running)."""
        if self._filtered_is_total:
            return self.total_count
        job = self._count_job
        if job is not None:
            self._count_done(job, self._waited(job))
        return self._matches

    def counting(self) -> bool:
        """True while a count of the list (its total, or the matches of a full first page) is
        still running; countsChanged follows when it is done."""
        return self._total_job is not None or self._count_job is not None

    def _known_filtered(self) -> int | None:
        if self._filtered_is_total:
            return None if self._total_job is not None else self._total
        return None if self._count_job is not None else self._matches

    def _total_done(self, job: worker.Read, n: int) -> None:
        if job is self._total_job:
            self._total_job, self._total = None, n
            self._counted()

    def _count_done(self, job: worker.Read, n: int) -> None:
        if job is self._count_job:
            self._count_job, self._matches = None, n
            self._counted()

    def _counted(self) -> None:
        """A count came in: once both are known, the list knows its end and says its counts."""
        known = self._known_filtered()
        if known is None or self.counting():
            return
        if len(self._rows) >= known:
            self._exhausted = True
        self.countsChanged.emit(self._total, known)

    def _cancel_count(self) -> None:
        job, self._count_job = self._count_job, None
        if job is not None:
            job.cancel()

    def filter_choices(self, flt: Filter) -> list[str]:
        choices = flt.choices
        if callable(choices):
            return list(choices(self.db))
        return list(choices)
