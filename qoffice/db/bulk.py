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
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
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


BATCH = 1000  # rows converted and handed to the driver at a time by insert_new_rows


def insert_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """INSERT every dict of `rows` (all with the keys of the first) into `table`, all at once."""
    if not rows:
        return
    names = list(rows[0])
    if conn.dialect.name == "postgresql":
        from qoffice.db import pg

        with pg.copy_writer(conn, table, names) as write:
            write(_columns(conn, table, names, rows))
        return
    sql, names = _insert_sql(conn, table, names)
    conn.exec_driver_sql(sql, _params(conn, table, names, rows))


def insert_new_rows(conn: Connection, table: Table, rows: Iterable[dict], *, most: int | None = None) -> Sequence[int]:
    """INSERT new rows (without their `id`; all with the keys of the first) into `table`; their ids,
    in the order of the rows. `rows` may be made while they are written (a generator of at most
    `most` rows): they go to the driver in batches, and a server stores one batch while the next is
    made."""
    if most is None:
        rows = list(rows)
        most = len(rows)
    batches = _batches(iter(rows))
    first = next(batches, None)
    if first is None:
        return []
    names = list(first[0])
    if conn.dialect.name == "postgresql":
        from qoffice.db import pg

        pool = pg.next_ids(conn, table, most)  # ids before the COPY: nobody else is given them
        used = 0
        with pg.copy_writer(conn, table, ["id", *names]) as write:
            for batch in itertools.chain((first,), batches):
                ids = pool[used:used + len(batch)]
                if len(ids) < len(batch):
                    raise ValueError(f"more than {most} rows")
                used += len(batch)
                write([ids, *_columns(conn, table, names, batch)])
        return pool[:used]
    # SQLite: a row without an id gets the largest rowid + 1 (no AUTOINCREMENT tables here), and no
    # other writer can come between in the write transaction; checked all the same.
    from qoffice.db import sqlite

    before = conn.scalar(select(func.max(table.c.id))) or 0
    sql, order = _insert_sql(conn, table, names)
    written = 0
    with sqlite.indexes_built_after(conn, table.name, most):
        for batch in itertools.chain((first,), batches):
            written += len(batch)
            if written > most:
                raise ValueError(f"more than {most} rows")
            conn.exec_driver_sql(sql, _params(conn, table, order, batch))
    count, last = conn.execute(select(func.count(), func.max(table.c.id)).where(table.c.id > before)).one()
    if last == before + count:
        return range(before + 1, before + count + 1)
    return list(conn.scalars(select(table.c.id).where(table.c.id > before).order_by(table.c.id)))


def _batches(rows: Iterator[dict]) -> Iterator[list[dict]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def _insert_sql(conn: Connection, table: Table, names: list[str]) -> tuple[str, list[str]]:
    """The INSERT of `names` compiled for the dialect, and the order its parameters go in."""
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=names)
    return str(compiled), list(compiled.positiontup) if conn.dialect.positional else names


def _params(conn: Connection, table: Table, names: list[str], rows: list[dict]) -> list:
    """Each row's bound values, converted by the columns' bind processors: tuples in the order of
    `names` for a positional parameter style, else dicts."""
    if conn.dialect.positional:
        return list(zip(*_columns(conn, table, names, rows)))
    processors = _processors(conn, table, names)
    params = [dict(row) for row in rows] if any(processors.values()) else rows
    for n, proc in processors.items():
        if proc is not None:
            for row, value in zip(params, processed([row[n] for row in params], proc)):
                row[n] = value
    return params


def run_bulk(db, work: Callable[[Session, str | None], T], *, dry_run: bool = False,
             backup_reason: str | None = None) -> tuple[T, Path | None]:
    """One bulk write (an import) into `db` as one unit of work: `work(session, backup file name)`
    and the backup made before it. The backend's run_bulk_write (sqlite.py, pg.py) runs it in one
    transaction — on SQLite with the page cache tuned for many rows, on a server again after a
    serialization failure or deadlock; a dry run does the same work on a throwaway (dry_run_engine: an
    in-memory copy of the file, or a server transaction rolled back). A SQLite file is backed up
    first when `backup_reason` is given; a server is not (shared-db.md: the import batch and its
    undo are the safety net there, the owner's `qoffice backup` the scheduled one)."""
    if getattr(db, "is_server", False):
        from qoffice.db import pg as backend
    else:
        from qoffice.db import sqlite as backend
    if dry_run:
        return _rolled_back(backend.dry_run_engine(db), lambda session: work(session, None)), None
    backup = None
    if backup_reason and not getattr(db, "is_server", False):
        from qoffice.db.backup import make_backup

        backup = make_backup(db.path, kind="event", reason=backup_reason)
    name = backup.name if backup else None
    return backend.run_bulk_write(db, lambda session: work(session, name)), backup


def _rolled_back(engine, work: Callable[[Session], T]) -> T:
    """`work(session)` on `engine`, rolled back and the engine disposed of whatever happens."""
    from sqlalchemy.orm import Session

    try:
        with Session(bind=engine) as session:
            try:
                return work(session)
            finally:
                session.rollback()
    finally:
        engine.dispose()


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
