"""The one SQL-paged table model behind every list in qoffice (enterprises, forums, sign-ups, …).

A list is declared once as a `ListDefinition`; `SqlListModel` turns it into a Qt model that filters
and sorts in SQL and loads rows a page at a time (`canFetchMore`/`fetchMore`), so a list of 100,000
enterprises costs one page of tuples until the clerk scrolls. No QSortFilterProxyModel, no ORM
object per row. Later areas define their lists with this module and nothing else:

    from sqlalchemy import select
    from qoffice.db.models import Forum
    from qoffice.ui.listmodel import Column, Filter, ListDefinition, SearchField

    FORUMS = ListDefinition(
        name="forums",                                   # key for QSettings (widths, sort order)
        select=select(Forum.id, Forum.date, Forum.title, Forum.status),   # must include the id
        id_key="id",                                     # label of the id column in the select
        columns=[                                        # what the table shows, in order
            Column("date", N_("Date"), sort=Forum.date, format=lambda v, row: v.isoformat()),
            Column("title", N_("Title"), sort=Forum.title, width=320),
            Column("status", N_("Status"), sort=vocab_order(Forum.status, vocab.FORUM_STATUSES)),
        ],
        search=[SearchField(Forum.title), SearchField(Forum.topic)],   # "contains" by default
        search_hint=N_("Title / topic"),                 # the search box placeholder
        filters=[Filter("status", N_("Status"), Forum.status, choices=vocab.FORUM_STATUSES),
                 Filter("year", N_("Year"), func.strftime("%Y", Forum.date), choices=years)],
        where=[],                                        # base filter, e.g. Enterprise.deleted_at.is_(None)
        default_sort=("date", "desc"),
    )

Parts of a definition:
- `select`: a SQLAlchemy Core select of the shown columns plus the id (joins allowed). Columns are
  addressed by their label (`Forum.title` → "title"; use `.label("x")` for expressions).
- `Column(key, title, sort=None, format=None, width=None, align=None)`: `title` is an English source
  string (mark it with N_; the model translates it when it builds headers). `sort` is the SQL
  expression to order by (None: the header does not sort); `vocab_order()` sorts a closed vocabulary
  in its own order. `format(value, row)` returns the text shown (default: str, None → "", bool → 是/否).
- `SearchField(column, mode)`: mode "contains" (LIKE %q%), "prefix" (LIKE q%), "upper" (contains,
  query upper-cased: credit codes), "initials" (contains, only for queries of ASCII letters/digits,
  lower-cased: the stored pinyin initials column). Every word of the query must match some field.
  `charset` (optional): the characters the column can hold; a word with others skips the column
  (one LIKE less per row scanned).
- `Filter(key, title, column, choices, all_title=None)`: a drop-down; `choices` is a sequence or
  a callable(session) -> sequence (e.g. the counties from the settings); None means "all".
- `where`: the base filter applied always (the recycle bin uses `deleted_at IS NOT NULL`).
- `default_sort`: (column key, "asc" | "desc"); ties are always broken by the id, so pages are stable.

- `indexed_sorts`: column keys whose order an index gives together with the searched columns (the
  enterprise list's ix_enterprise_live_search: name + code + initials). A search sorted by such a
  key walks that index and stops after one page; any other sort scans and sorts the matches,
  because walking an index that lacks the searched columns fetches row after row.

The model reports `total_count` (base filter only) and `filtered_count` (with search and filters):
"共 N 条 (筛选后 M 条)" via `counts_text()`. A keystroke costs one page: when the page is not full
its length is the count; when it is full, the matches are counted on a background thread and
`countsChanged` follows (reading `filtered_count` or `counts_text()` before that waits for it).
`statement()` gives the whole filtered, sorted select (no paging) for exports. Queries run on
`db.read_engine` (a plain BEGIN, never blocking a writer for longer than the query). Only the
loaded pages are held, as tuples: no Python object for rows nobody has scrolled to.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from sqlalchemy import String, and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement, Select

from qoffice.i18n import _

log = logging.getLogger("qoffice.ui")

PAGE_SIZE = 200
ROW_NUMBER_KEY = "#"  # the 序号 column, computed from the row position, never stored

Formatter = Callable[[Any, Sequence[Any]], str]


@dataclass
class Column:
    key: str
    title: str  # English source string; translated when headers are built
    sort: ColumnElement | None = None
    format: Formatter | None = None
    width: int | None = None
    align: Qt.AlignmentFlag | None = None


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
    column: ColumnElement
    choices: Sequence[str] | Callable[[Any], Sequence[str]] = ()
    all_title: str | None = None  # English source, e.g. N_("All counties"); default "All"


@dataclass
class ListDefinition:
    name: str
    select: Select
    columns: list[Column]
    id_key: str = "id"
    search: list[SearchField] = field(default_factory=list)
    search_hint: str = ""
    filters: list[Filter] = field(default_factory=list)
    where: list[ColumnElement] = field(default_factory=list)
    default_sort: tuple[str, str] | None = None
    row_number: bool = True  # show the 序号 column first
    indexed_sorts: tuple[str, ...] = ()  # sorts an index gives with the searched columns (see above)


def vocab_order(column: ColumnElement, words: Sequence[str]) -> ColumnElement:
    """Sort expression putting a closed vocabulary in its own order (unknown words last)."""
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
    if isinstance(getattr(expr, "type", None), String):
        return expr.concat("")
    return expr


def _fits(f: SearchField, word: str) -> bool:
    text = word.upper() if f.mode == "upper" else word.lower() if f.mode == "initials" else word
    return all(ch in f.charset for ch in text)


def search_clause(fields: Sequence[SearchField], query: str) -> ColumnElement | None:
    """SQL for `query`: every word must match at least one field (None: no search)."""
    words = (query or "").split()
    if not words or not fields:
        return None
    per_word = []
    for word in words:
        alternatives = []
        for f in fields:
            # A word that cannot occur in a column is not searched there: one LIKE less per row.
            if f.mode == "initials":
                if not _ASCII_WORD.match(word):
                    continue
                pattern = f"%{_escape_like(word.lower())}%"
            elif f.mode == "prefix":
                pattern = f"{_escape_like(word)}%"
            elif f.mode == "upper":
                if not _ASCII_WORD.match(word):
                    continue
                pattern = f"%{_escape_like(word.upper())}%"
            else:
                pattern = f"%{_escape_like(word)}%"
            if f.charset is not None and not _fits(f, word):
                continue
            alternatives.append(f.column.like(pattern, escape=_LIKE_ESCAPE))
        per_word.append(or_(*alternatives) if alternatives else literal(False))
    return and_(*per_word)


class _BackgroundCount:
    """COUNT(*) of one statement on a thread of its own, so a keystroke waits for one page only.
    `cancel()` interrupts it (the clerk typed on); `wait()` joins it.

    The statement is compiled here, on the caller's thread; the thread itself runs only the DB-API
    call, during which sqlite3 releases the GIL — so it does not slow the GUI thread down.
    """

    def __init__(self, engine, stmt: Select, done: Callable[["_BackgroundCount"], None]):
        self.result: int | None = None
        self._engine = engine
        compiled = stmt.compile(dialect=engine.dialect)
        params = compiled.construct_params()
        processors = getattr(compiled, "_bind_processors", {})
        self._sql = compiled.string
        self._args = [processors[k](params[k]) if k in processors else params[k]
                      for k in (compiled.positiontup or ())]
        self._done = done
        self._lock = threading.Lock()
        self._cancelled = False
        self._dbapi = None
        self._thread = threading.Thread(target=self._run, name="qoffice-list-count", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = self._engine.raw_connection()
            try:
                with self._lock:
                    if self._cancelled:
                        return
                    self._dbapi = conn.dbapi_connection
                try:
                    cursor = conn.cursor()
                    cursor.execute(self._sql, self._args)
                    self.result = cursor.fetchone()[0]
                    cursor.close()
                finally:
                    with self._lock:  # never interrupt the pooled connection's next user
                        self._dbapi = None
            finally:
                conn.close()  # back to the pool
        except Exception as exc:  # interrupted, or the database went away: wait() falls back
            if not self._cancelled:
                log.warning("background count failed: %s", exc)
            return
        if not self._cancelled:
            try:
                self._done(self)
            except RuntimeError:  # the model is gone
                pass

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._dbapi is not None:
                self._dbapi.interrupt()

    def wait(self) -> int | None:
        self._thread.join()
        return self.result


class SqlListModel(QAbstractTableModel):
    """A ListDefinition as a lazily paged table model. Call `reload()` after writes."""

    countsChanged = Signal(int, int)  # total, filtered
    _countDone = Signal(object)  # a _BackgroundCount finished (emitted on its thread, queued here)

    def __init__(self, db, definition: ListDefinition, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self.db = db
        self.definition = definition
        self.page_size = page_size
        self._keys = [c.key for c in definition.columns]
        selected = list(definition.select.selected_columns.keys())
        missing = [k for k in self._keys + [definition.id_key] if k not in selected]
        if missing:
            raise ValueError(f"list {definition.name}: select lacks columns {missing}")
        self._index_of = {k: selected.index(k) for k in selected}
        self._id_index = self._index_of[definition.id_key]
        self._offset = 1 if definition.row_number else 0
        self._rows: list[tuple] = []
        self._query = ""
        self._clause: ColumnElement | None = None  # search_clause() of the query, built once
        self._filters: dict[str, Any] = {}
        self._sort_key, self._sort_desc = None, False
        if definition.default_sort:
            self._sort_key = definition.default_sort[0]
            self._sort_desc = definition.default_sort[1] == "desc"
        self.total_count = 0
        self._filtered_count = 0
        self._count_job: _BackgroundCount | None = None
        self._countDone.connect(self._count_done)
        self._exhausted = True

    # ---- what the view asks -------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._keys) + self._offset

    def column_keys(self) -> list[str]:
        return ([ROW_NUMBER_KEY] if self._offset else []) + self._keys

    def headerData(self, section: int, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal or role != Qt.DisplayRole:
            return None
        if self._offset and section == 0:
            return _("No.")
        return _(self.definition.columns[section - self._offset].title)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        col = index.column()
        if role == Qt.DisplayRole or role == Qt.ToolTipRole:
            if self._offset and col == 0:
                return str(index.row() + 1)
            row = self._rows[index.row()]
            spec = self.definition.columns[col - self._offset]
            value = row[self._index_of[spec.key]]
            return (spec.format or default_format)(value, row)
        if role == Qt.TextAlignmentRole:
            if self._offset and col == 0:
                return int(Qt.AlignRight | Qt.AlignVCenter)
            spec = self.definition.columns[col - self._offset]
            return int(spec.align | Qt.AlignVCenter) if spec.align is not None else None
        if role == Qt.UserRole:
            return self._rows[index.row()][self._id_index]
        return None

    def flags(self, index):
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable if index.isValid() else Qt.NoItemFlags

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
        self._exhausted = len(page) < self.page_size or (self._count_job is None
                                                         and len(self._rows) >= self._filtered_count)

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        keys = self.column_keys()
        if column < 0 or column >= len(keys) or keys[column] == ROW_NUMBER_KEY:
            return
        spec = self.definition.columns[column - self._offset]
        if spec.sort is None:
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
            self._clause = search_clause(self.definition.search, text)
            self.reload(recount_total=False)

    def set_filter(self, key: str, value: Any) -> None:
        if value in ("", None):
            changed = self._filters.pop(key, None) is not None
        else:
            changed = self._filters.get(key) != value
            self._filters[key] = value
        if changed:
            self.reload(recount_total=False)

    def filters(self) -> dict[str, Any]:
        return dict(self._filters)

    def sort_state(self) -> tuple[str | None, bool]:
        return self._sort_key, self._sort_desc

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
    def _base(self) -> Select:
        stmt = self.definition.select
        for clause in self.definition.where:
            stmt = stmt.where(clause)
        return stmt

    def _filtered(self) -> Select:
        stmt = self._base()
        if self._clause is not None:
            stmt = stmt.where(self._clause)
        by_key = {f.key: f for f in self.definition.filters}
        for key, value in self._filters.items():
            if key in by_key:
                stmt = stmt.where(by_key[key].column == value)
        return stmt

    def is_narrowed(self) -> bool:
        """True when a search or a filter hides some records."""
        known = {f.key for f in self.definition.filters}
        return self._clause is not None or any(k in known for k in self._filters)

    def statement(self) -> Select:
        """The whole filtered, sorted list (no paging): for exports and reports."""
        stmt = self._filtered()
        narrowed = self.is_narrowed()
        id_col = self.definition.select.selected_columns[self.definition.id_key]
        spec = next((c for c in self.definition.columns if c.key == self._sort_key), None)
        if spec is not None and spec.sort is not None:
            key = spec.sort
            if narrowed and spec.key not in self.definition.indexed_sorts:
                key = _without_index(key)
            stmt = stmt.order_by(key.desc() if self._sort_desc else key.asc())
        return stmt.order_by(id_col.desc() if self._sort_desc else id_col.asc())

    @staticmethod
    def _count(stmt: Select) -> Select:
        return stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)

    def _load_page(self, offset: int) -> list[tuple]:
        stmt = self.statement().limit(self.page_size).offset(offset)
        with self.db.read_engine.connect() as conn:
            return [tuple(r) for r in conn.execute(stmt)]

    def reload(self, recount_total: bool = True) -> None:
        """Re-run the query and show its first page (after a write, a search or a sort)."""
        self._cancel_count()
        with self.db.read_engine.connect() as conn:
            if recount_total or self.total_count == 0:
                self.total_count = conn.execute(self._count(self._base())).scalar_one()
            page = [tuple(r) for r in conn.execute(self.statement().limit(self.page_size))]
        if not self.is_narrowed():
            known: int | None = self.total_count
        elif len(page) < self.page_size:
            known = len(page)  # the page holds every match: that is the count
        else:
            known = None  # counted off the GUI thread; countsChanged follows
        self.beginResetModel()
        self._rows = page
        self._exhausted = len(page) < self.page_size or (known is not None and len(page) >= known)
        self.endResetModel()
        if known is None:
            self._count_job = _BackgroundCount(self.db.read_engine, self._count(self._filtered()),
                                               self._countDone.emit)
        else:
            self._filtered_count = known
            self.countsChanged.emit(self.total_count, known)

    @property
    def filtered_count(self) -> int:
        """Matches of the current search and filters (waits for a count still running)."""
        job = self._count_job
        if job is not None:
            n = job.wait()
            if n is None:  # the background count failed: count here
                with self.db.read_engine.connect() as conn:
                    n = conn.execute(self._count(self._filtered())).scalar_one()
            self._settle(job, n)
        return self._filtered_count

    def counting(self) -> bool:
        """True while the matches of a full first page are still being counted."""
        return self._count_job is not None

    def _count_done(self, job: _BackgroundCount) -> None:
        if job is self._count_job and job.result is not None:
            self._settle(job, job.result)

    def _settle(self, job: _BackgroundCount, n: int) -> None:
        if job is not self._count_job:
            return
        self._count_job = None
        self._filtered_count = n
        if len(self._rows) >= n:
            self._exhausted = True
        self.countsChanged.emit(self.total_count, n)

    def _cancel_count(self) -> None:
        job, self._count_job = self._count_job, None
        if job is not None:
            job.cancel()

    def filter_choices(self, flt: Filter) -> list[str]:
        choices = flt.choices
        if callable(choices):
            with self.db.read_session() as s:
                return list(choices(s))
        return list(choices)
