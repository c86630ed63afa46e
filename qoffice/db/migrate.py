"""Schema upgrades with Alembic, done on a copy that replaces the original only when complete.

A migration that fails or is killed therefore leaves the original file exactly as it was.
"""
from __future__ import annotations

import os
from pathlib import Path

from qoffice.db import sqlite as sq
from qoffice.errors import DatabaseError
from qoffice.i18n import _

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(db_path: Path | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if db_path is not None:
        cfg.set_main_option("sqlalchemy.url", f"sqlite:///{Path(db_path).as_posix()}")
    return cfg


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def run_upgrade_in_place(db_path: Path, target: str = "head") -> None:
    """Run Alembic directly on `db_path` (used on the temporary copy, and by fixture builders).

    All steps run in ONE transaction that we begin and commit: left to itself, pysqlite
    autocommits DDL and the env's PRAGMA starts a transaction Alembic then does not commit, so the
    tables would change while the alembic_version row is rolled back.
    """
    from alembic import command
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    engine = create_engine(f"sqlite:///{Path(db_path).as_posix()}", poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # no implicit BEGIN/COMMIT from pysqlite
        # Foreign keys stay OFF (SQLite's default; the pragma is a no-op inside a transaction):
        # batch mode copies and drops tables. integrity_ok() runs foreign_key_check afterwards.

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    cfg = alembic_config(db_path)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
    finally:
        engine.dispose()


def upgrade(db_path: Path, target: str = "head") -> None:
    """Upgrade `db_path` on a copy `<db>.migrating`; the original is replaced (atomically, after an
    integrity check and fsync) only when every step succeeded. A failure or a kill at any moment
    leaves the original byte-identical; the next attempt starts from a fresh copy."""
    db_path = Path(db_path)
    work = db_path.with_name(db_path.name + ".migrating")
    try:
        sq.remove_db_file(work)  # and a stale -journal of a killed run, which would poison the copy
        sq.backup_file(db_path, work)
        run_upgrade_in_place(work, target)
        ok, problems = sq.integrity_ok(work)
        if not ok:
            raise DatabaseError(_("The upgraded database failed its integrity check: {detail}").format(detail=problems[0]))
        sq.fsync_file(work)
        os.replace(work, db_path)
        sq.fsync_dir(db_path.parent)
    except DatabaseError:
        _discard(work)
        raise
    except Exception as exc:
        _discard(work)
        if sq.io_problem_kind(exc):
            raise DatabaseError(sq.io_problem_message(exc, work)) from exc
        raise DatabaseError(_("Upgrading the database failed; the file was left unchanged ({reason}).").format(
            reason=exc)) from exc


def _discard(work: Path) -> None:
    try:
        sq.remove_db_file(work)
    except OSError:
        pass
