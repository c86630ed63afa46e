"""Moving data between a server database and a SQLite file (shared-db.md, "Backups and moving data").

- `server_to_sqlite`: the server's rows into a new SQLite file with the server's schema revision
  (built by the same Alembic migrations), written to a .part file, counted, integrity-checked, then
  renamed: `qoffice backup` of a server, the backup before `db upgrade`, `db copy` to a file.
- `sqlite_to_server`: a SQLite file's rows (at head; an older file is upgraded on a temp copy first)
  into the server in ONE transaction, the target emptied first only when asked (`--replace`,
  restore), sequences reset, counts verified before the commit: `db copy` to a server, `restore`.
Rows go through SQLAlchemy Core with the SQLite side's reflected column types, so dates, times,
decimals, booleans and JSON come out as they went in.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from qoffice.db import pg
from qoffice.db import sqlite as sq
from qoffice.errors import DatabaseError, OutputNotWritable
from qoffice.i18n import _

BATCH = 5000


def _sqlite_engine(path: Path):
    import sqlite3

    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    filename = os.fspath(path)
    engine = create_engine(sq._url_of(Path(path)), creator=lambda: sqlite3.connect(filename), poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _tables(sqlite_engine):
    """The SQLite file's tables (reflected), parents before children, without alembic_version."""
    from sqlalchemy import MetaData

    md = MetaData()
    md.reflect(bind=sqlite_engine)
    return [t for t in md.sorted_tables if t.name != "alembic_version"]


def server_counts(conn, names) -> dict[str, int]:
    from sqlalchemy import text

    return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names}


def server_to_sqlite(db, target: Path) -> dict[str, int]:
    """Copy the open ServerDatabase `db` into a new SQLite file `target` (replaced atomically);
    per-table row counts, checked equal on both sides. One REPEATABLE READ snapshot of the server."""
    from sqlalchemy import column, select, table

    from qoffice.db.migrate import run_upgrade_in_place

    target = Path(target)
    tmp = Path(str(target) + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sq.remove_db_file(tmp)
        run_upgrade_in_place(tmp, db.revision)  # the schema of the server's own revision
    except OSError as exc:
        try:
            sq.remove_db_file(tmp)
        except OSError:
            pass
        raise OutputNotWritable(sq.io_problem_message(exc, target)) from exc
    dst = _sqlite_engine(tmp)
    counts: dict[str, int] = {}
    try:
        tables = _tables(dst)
        src = db.engine.execution_options(isolation_level="REPEATABLE READ")
        with src.connect() as sconn, dst.begin() as dconn:
            for t in tables:
                cols = [c.name for c in t.columns]
                q = select(*[column(c) for c in cols]).select_from(table(t.name))
                pk = [c.name for c in t.primary_key.columns]
                if pk:
                    q = q.order_by(*[column(c) for c in pk])
                n = 0
                result = sconn.execution_options(stream_results=True, max_row_buffer=BATCH).execute(q)
                while True:
                    rows = result.fetchmany(BATCH)
                    if not rows:
                        break
                    dconn.execute(t.insert(), [dict(zip(cols, r)) for r in rows])
                    n += len(rows)
                counts[t.name] = n
            expected = server_counts(sconn, [t.name for t in tables])
        if expected != counts:
            raise DatabaseError(_("The copy of {where} did not come out whole ({detail}); nothing was kept.").format(
                where=db.label, detail=_diff(expected, counts)))
        dst.dispose()
        written = _sqlite_counts(tmp, counts)
        if written != counts:
            raise DatabaseError(_("The copy of {where} did not come out whole ({detail}); nothing was kept.").format(
                where=db.label, detail=_diff(counts, written)))
        ok, problems = sq.integrity_ok(tmp)
        if not ok:
            raise DatabaseError(_("The copy of {where} failed its check ({detail}); nothing was kept.").format(
                where=db.label, detail=problems[0]))
        sq.fsync_file(tmp)
        os.replace(tmp, target)
        sq.fsync_dir(target.parent)
    except BaseException as exc:
        dst.dispose()
        try:
            sq.remove_db_file(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) or (sq.io_problem_kind(exc) and not isinstance(exc, DatabaseError)):
            raise OutputNotWritable(sq.io_problem_message(exc, target)) from exc
        if not isinstance(exc, DatabaseError):
            pg.raise_known(exc, db.label)
        raise
    return counts


def _sqlite_counts(path: Path, names) -> dict[str, int]:
    import sqlite3

    con = sqlite3.connect(f"file:{sq._uri_path(path)}?mode=ro", uri=True)
    try:
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def _diff(a: dict, b: dict) -> str:
    return ", ".join(f"{k}: {a.get(k)} ≠ {b.get(k)}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))


def server_is_empty(conn) -> bool:
    from sqlalchemy import text

    names = [r[0] for r in conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
    return all(not conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{n}")')).scalar() for n in names)


def reset_sequences(conn) -> None:
    """Every serial/identity sequence of the schema set past the largest id of its table."""
    from sqlalchemy import text

    rows = conn.execute(text(
        "SELECT c.table_name, c.column_name, pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) "
        "FROM information_schema.columns c WHERE c.table_schema = current_schema() "
        "AND pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL")).all()
    for tname, cname, seq in rows:
        conn.execute(text(f'SELECT setval(:seq, coalesce((SELECT max("{cname}") FROM "{tname}"), 0) + 1, false)'),
                     {"seq": seq})


def sqlite_to_server(source: Path, db_url: str, *, replace: bool, owner_only: bool = False) -> dict[str, int]:
    """Copy the SQLite file `source` into the server database `db_url` in one transaction.

    The target must hold qoffice's schema at head (or no tables at all: it is then made, by Alembic)
    and no rows, unless `replace` (every row deleted first, in the same transaction). An older
    source is upgraded on a temp copy first (the file itself is never changed)."""
    from sqlalchemy import create_engine, select, text
    from sqlalchemy.pool import NullPool

    from qoffice.db.migrate import run_upgrade_in_place
    from qoffice.db.models import Base
    from qoffice.db.pgadmin import upgrade_schema
    from qoffice.db.schema import KNOWN_REVISIONS, SCHEMA_HEAD

    source = Path(source)
    revision, ours = sq.read_revision(source)
    if not ours or revision in (None, sq.NO_VERSION):
        raise DatabaseError(_("{path} is not a qoffice database.").format(path=source))
    if revision not in KNOWN_REVISIONS:
        raise DatabaseError(_("The database {path} was written by a newer version of qoffice (schema {rev}). "
                              "Please install the newer version; the file was not changed.").format(
            path=source, rev=revision))
    work_dir = None
    src_path = source
    if revision != SCHEMA_HEAD:
        work_dir = Path(tempfile.mkdtemp(prefix="qoffice-copy-"))
        src_path = work_dir / "source.db"
        sq.backup_file(source, src_path)
        run_upgrade_in_place(src_path)
    url = pg.with_stored_password(pg.sa_url(db_url))
    where = pg.describe(url)
    src = _sqlite_engine(src_path)
    dst = create_engine(url, connect_args=pg.connect_args(), poolclass=NullPool, hide_parameters=True)
    counts: dict[str, int] = {}
    try:
        src_tables = {t.name: t for t in _tables(src)}
        with dst.begin() as dconn, src.connect() as sconn:
            trev, tours = pg.read_revision(dconn)
            if owner_only and pg.role_of(dconn) != "owner":
                raise DatabaseError(_("Only the owner of the database {where} can replace its data; nothing was "
                                      "changed.").format(where=where))
            if trev is None and tours:
                from qoffice.db.pgadmin import install_change_triggers

                upgrade_schema(dconn)
                install_change_triggers(dconn)
            elif not tours or trev != SCHEMA_HEAD:
                raise DatabaseError(_("The database {where} is not a qoffice database at this program's schema "
                                      "({head}); nothing was changed.").format(where=where, head=SCHEMA_HEAD))
            tables = [t for t in Base.metadata.sorted_tables if t.name in src_tables]
            if not server_is_empty(dconn):
                if not replace:
                    raise DatabaseError(_("The database {where} already holds data; nothing was changed. Add "
                                          "--replace to overwrite it.").format(where=where))
                for t in reversed(Base.metadata.sorted_tables):
                    dconn.execute(t.delete())
            for t in tables:
                st = src_tables[t.name]
                cols = [c.name for c in st.columns if c.name in t.columns]
                result = sconn.execute(select(*[st.c[c] for c in cols]))
                n = 0
                while True:
                    rows = result.fetchmany(BATCH)
                    if not rows:
                        break
                    dconn.execute(t.insert(), [dict(zip(cols, r)) for r in rows])
                    n += len(rows)
                counts[t.name] = n
            reset_sequences(dconn)
            got = server_counts(dconn, list(counts))
            if got != counts:
                raise DatabaseError(_("The copy into {where} did not come out whole ({detail}); nothing was "
                                      "changed.").format(where=where, detail=_diff(counts, got)))
            dconn.execute(text("SELECT pg_notify(:ch, '*')"), {"ch": pg.CHANGE_CHANNEL})
    except DatabaseError:
        raise
    except Exception as exc:
        pg.raise_known(exc, where)
        raise
    finally:
        src.dispose()
        dst.dispose()
        if work_dir is not None:
            shutil.rmtree(work_dir, ignore_errors=True)
    return counts


def pseudo_path(db) -> Path:
    """Where a server database's backups are kept on this PC: backups/ under data/server/, named
    after host, port and database (the stem `backup.list_backups` and rotation go by)."""
    import re

    from qoffice.paths import data_home

    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", db.label.removeprefix("postgresql://")).strip("_") or "server"
    return data_home() / "server" / f"{stem}.db"


def server_backup(db, kind: str = "manual", reason: str | None = None, target: Path | None = None) -> Path:
    """`qoffice backup` of a server: the same verified SQLite file as the local mode's backup."""
    import datetime as dt

    from qoffice.db import backup as bk

    explicit = target is not None
    pseudo = pseudo_path(db)
    if target is None:
        target = bk._new_name(pseudo, kind, reason, dt.datetime.now())
    server_to_sqlite(db, Path(target))
    if not explicit:
        bk.rotate(pseudo)
    return Path(target)
