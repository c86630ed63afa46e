"""Insert many rows in one executemany — the one bulk-insert path of imports and demo data.

SQLAlchemy's `conn.execute(insert(table), rows)` builds and processes a parameter dictionary per
row; at 100,000 rows that is most of the cost. Here the statement is compiled once by SQLAlchemy
(any dialect's quoting and parameter style), each column's values are converted by that column's
own bind processor for the dialect (public `TypeEngine.dialect_impl(...).bind_processor`), once
per distinct value where values repeat (timestamps, booleans, years), and the DBAPI gets them in
one executemany.
"""
from __future__ import annotations

import datetime as dt
from operator import itemgetter

from sqlalchemy import Connection, Table, insert

# Types whose equal values are indistinguishable to a bind processor (unlike Decimal("1.0") and
# Decimal("1")), so one processed value can stand for all equal ones.
_VALUE_KEYED = frozenset({bool, int, str, dt.date, dt.datetime})


def insert_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """INSERT every dict of `rows` (all with the keys of the first) into `table` in one executemany."""
    if not rows:
        return
    dialect = conn.dialect
    names = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    processors = {n: table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names}
    if dialect.positional:
        columns = []
        for n in compiled.positiontup:
            values = list(map(itemgetter(n), rows))
            if processors[n] is not None:
                values = processed(values, processors[n])
            columns.append(values)
        params = list(zip(*columns))
    else:
        params = [dict(row) for row in rows] if any(processors.values()) else rows
        for n, proc in processors.items():
            if proc is not None:
                for row, value in zip(params, processed([row[n] for row in params], proc)):
                    row[n] = value
    conn.exec_driver_sql(str(compiled), params)


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
