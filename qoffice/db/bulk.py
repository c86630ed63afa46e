"""Insert many rows at once — the one bulk-insert path of imports and demo data.

SQLAlchemy's `conn.execute(insert(table), rows)` builds and processes a parameter dictionary per
row; at 100,000 rows that is most of the cost. Here the statement is compiled once by SQLAlchemy
(any dialect's quoting and parameter style), each column's values are converted by that column's
own bind processor for the dialect (public `TypeEngine.dialect_impl(...).bind_processor`), once
per distinct value where values repeat (timestamps, booleans, years), and the driver gets them in
one go: one executemany on SQLite, one COPY on a PostgreSQL server (db/pg.py: copy_rows), where an
executemany is still a round of protocol messages per row.

`insert_new_rows` also tells the new rows' ids, in the order of the rows: on SQLite they are the
next rowids after the largest one (the write transaction holds the file's only write lock), on a
server they are taken from the table's sequence before the COPY (other clerks may take ids from
it at the same moment).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, Table, func, insert, select

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")

# Types whose equal values are indistinguishable to a bind processor (unlike Decimal("1.0") and
# Decimal("1")), so one processed value can stand for all equal ones.
_VALUE_KEYED = frozenset({bool, int, str, dt.date, dt.datetime})


def insert_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """INSERT every dict of `rows` (all with the keys of the first) into `table`, all at once."""
    if not rows:
        return
    dialect = conn.dialect
    names = list(rows[0])
    if dialect.name == "postgresql":
        from qoffice.db import pg

        pg.copy_rows(conn, table, names, _columns(conn, table, names, rows))
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    if dialect.positional:
        params = list(zip(*_columns(conn, table, list(compiled.positiontup), rows)))
    else:
        processors = _processors(conn, table, names)
        params = [dict(row) for row in rows] if any(processors.values()) else rows
        for n, proc in processors.items():
            if proc is not None:
                for row, value in zip(params, processed([row[n] for row in params], proc)):
                    row[n] = value
    conn.exec_driver_sql(str(compiled), params)


def insert_new_rows(conn: Connection, table: Table, rows: list[dict]) -> Sequence[int]:
    """insert_rows of new rows (without their `id`); their ids, in the order of `rows`."""
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        from qoffice.db import pg

        ids = pg.next_ids(conn, table, len(rows))
        insert_rows(conn, table, [{"id": i, **row} for i, row in zip(ids, rows)])
        return ids
    # SQLite: a row without an id gets the largest rowid + 1 (no AUTOINCREMENT tables here), and no
    # other writer can come between in the write transaction; checked all the same.
    before = conn.scalar(select(func.max(table.c.id))) or 0
    insert_rows(conn, table, rows)
    count, last = conn.execute(select(func.count(), func.max(table.c.id)).where(table.c.id > before)).one()
    if count == len(rows) and last == before + count:
        return range(before + 1, before + count + 1)
    return list(conn.scalars(select(table.c.id).where(table.c.id > before).order_by(table.c.id)))


def run_bulk(db, work: Callable[[Session, str | None], T], *, dry_run: bool = False,
             backup_reason: str | None = None) -> tuple[T, Path | None]:
    """One bulk write (an import) into `db` as one unit of work: `work(session, backup file name)`
    and the backup made before it. The backend's run_bulk_write (sqlite.py, pg.py) runs it in one
    transaction — on SQLite with the page cache tuned for many rows, on a server again after a
    serialization failure or deadlock; a dry run does the same work on a throwaway (run_dry: an
    in-memory copy of the file, or a server transaction rolled back). A SQLite file is backed up
    first when `backup_reason` is given; a server is not (shared-db.md: the import batch and its
    undo are the safety net there, the owner's `qoffice backup` the scheduled one)."""
    if getattr(db, "is_server", False):
        from qoffice.db import pg as backend
    else:
        from qoffice.db import sqlite as backend
    if dry_run:
        return backend.run_dry(db, lambda session: work(session, None)), None
    backup = None
    if backup_reason and not getattr(db, "is_server", False):
        from qoffice.db.backup import make_backup

        backup = make_backup(db.path, kind="event", reason=backup_reason)
    name = backup.name if backup else None
    return backend.run_bulk_write(db, lambda session: work(session, name)), backup


def id_runs(ids: Sequence[int]) -> list[tuple[int, int]]:
    """`ids` as runs of consecutive numbers, (first, last) each: one run for a range."""
    if isinstance(ids, range) and ids.step == 1:
        return [(ids.start, ids.stop - 1)] if len(ids) else []
    runs: list[tuple[int, int]] = []
    for i in sorted(ids):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _processors(conn: Connection, table: Table, names: list[str]) -> dict:
    dialect = conn.dialect
    return {n: table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names}


def _columns(conn: Connection, table: Table, names: list[str], rows: list[dict]) -> list[list]:
    """The values of each of `names` over `rows`, each converted by its column's bind processor."""
    processors = _processors(conn, table, names)
    columns = []
    for n in names:
        values = list(map(itemgetter(n), rows))
        if processors[n] is not None:
            values = processed(values, processors[n])
        columns.append(values)
    return columns


def processed(values: list, proc) -> list:
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
