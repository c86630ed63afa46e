"""Every SQLite-specific piece in one place: pragmas, BEGIN IMMEDIATE, the backup API, checks.

Kept small so a PostgreSQL implementation of each could slot in beside it (architecture.md).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 10_000


def make_engine(db_path: Path, *, readonly: bool = False) -> Engine:
    """An engine whose writes begin with BEGIN IMMEDIATE, so two writers wait instead of failing."""
    path = Path(db_path)
    if readonly:
        url = f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
    else:
        url = f"sqlite:///{path.as_posix()}"
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not readonly:
            # DELETE, not WAL: WAL needs shared memory that network shares do not provide.
            cur.execute("PRAGMA journal_mode=DELETE")
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if readonly or conn.get_execution_options().get("qoffice_read"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def read_revision(db_path: Path) -> tuple[str | None, bool]:
    """(alembic revision or None, looks_like_qoffice) without SQLAlchemy or Alembic."""
    con = sqlite3.connect(f"file:{Path(db_path).as_posix()}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return None, True  # empty file: treat as new
        if "alembic_version" not in tables:
            return None, False
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return (row[0] if row else None), True
    finally:
        con.close()


def integrity_ok(db_path: Path) -> tuple[bool, list[str]]:
    con = sqlite3.connect(f"file:{Path(db_path).as_posix()}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    problems = [r for r in rows if r != "ok"]
    problems += [f"foreign key: {r}" for r in fk]
    return not problems, problems


def backup_file(src_path: Path, dst_path: Path) -> None:
    """Copy a live database consistently with SQLite's online backup API."""
    dst_path.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{Path(src_path).as_posix()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(str(dst_path))
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head == b"SQLite format 3\x00" or head == b""
