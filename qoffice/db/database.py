"""open_database(): create, back up and upgrade, or refuse — without ever damaging the file.

Modes (import-and-cli.md, "what each command does to the database"):
- "create":   missing → created; older → upgraded after a backup   (GUI, import, demo-data, …)
- "existing": missing → DatabaseMissing; older → upgraded after a backup (export-return, backup, …)
- "dry":      missing → DatabaseMissing; older → DatabaseNeedsUpgrade; read-only (import --dry-run)
- "check":    missing → DatabaseMissing; older reported, never upgraded; read-only (check)
- "view":     missing → DatabaseMissing; older → DatabaseNeedsUpgrade; read-only and lock-free, for
              looking at a database another qoffice holds (the second-instance dialog's 只读查看)
- "read":     like "view" (works while the GUI holds the file, and on a read-only disk), but an
              older schema is first upgraded after a backup, as "existing" does (`settings show`)
A file with qoffice's tables but no schema version row is damaged: refused untouched (DatabaseDamaged),
never initialised; only a file with no tables at all is.
A newer schema is always refused untouched (DatabaseNewer), and so is a file that is not ours.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qoffice.db import sqlite as sq
from qoffice.db.base import Database  # noqa: F401 - the open database, made here
from qoffice.db.lock import DatabaseLock, describe_holder, lock_holder, lock_path_for  # noqa: F401
from qoffice.db.schema import KNOWN_REVISIONS, SCHEMA_HEAD
from qoffice.errors import (
    DatabaseDamaged,
    DatabaseLocked,
    DatabaseMissing,
    DatabaseNeedsUpgrade,
    DatabaseNewer,
    NotQofficeDatabase,
    OutputNotWritable,
)
from qoffice.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MODES = ("create", "existing", "dry", "check", "view", "read")
GUI_PROGRAM = "qoffice"  # the lock note's program name for the GUI; a CLI does not wait for it


def read_rows(source: Database | Session, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """The rows of one read statement written once, with `?` parameters: on a Database's read
    connection (`Database.query`: no SQLAlchemy needed, as at start-up), or inside a Session's unit of
    work, which sees its own changes. A server's driver gets its own parameter style (db/pg.py)."""
    if isinstance(source, Database):
        return source.query(sql, params)
    connection = source.connection()
    if connection.dialect.paramstyle != "qmark":
        from qoffice.db.pg import from_sqlite, to_pyformat

        sql = to_pyformat(from_sqlite(sql))
    return [tuple(row) for row in connection.exec_driver_sql(sql, tuple(params))]


def open_database(path: Path | str, mode: str = "create", *, lock: bool = True, program: str = "qoffice-cli",
                  lock_wait: float = 0.0, on_backup=None) -> Database:
    """Open `path` per `mode`; take the writer lock unless read-only or lock=False."""
    assert mode in MODES, mode
    from qoffice.db.urls import is_url

    if is_url(path):  # a server's address: no file, no lock, nothing created or upgraded here
        from qoffice.db import pg

        return pg.open_server(path, mode)
    path = real_db_path(path)
    if mode == "read":
        try:
            return open_database(path, "view")
        except DatabaseNeedsUpgrade:  # older: upgraded after a backup, as "existing" does, then read
            open_database(path, "existing", lock=lock, program=program, lock_wait=lock_wait,
                          on_backup=on_backup).close()
            return open_database(path, "view")
    readonly = mode in ("dry", "check", "view")
    if path.is_dir():
        raise NotQofficeDatabase(_("{path} is a folder, not a database file. Give the path of the "
                                   "database file (for example qoffice.db).").format(path=path))
    exists = path.exists() and path.stat().st_size > 0
    if not exists and mode != "create":
        raise DatabaseMissing(_("The database {path} does not exist.").format(path=path))
    if exists:
        if not sq.is_sqlite_file(path):
            raise NotQofficeDatabase(_("{path} is not a qoffice database.").format(path=path))
        try:
            revision, ours = sq.read_revision(path)
        except sqlite3.OperationalError as exc:
            if sq.io_problem_kind(exc) != "in_use":
                raise NotQofficeDatabase(_("{path} cannot be read as a database: {reason}").format(
                    path=path, reason=exc)) from exc
            # Another program (not honouring our lock file) holds SQLite's own lock.
            raise DatabaseLocked(sq.io_problem_message(exc, path)) from exc
        except Exception as exc:  # sqlite3.DatabaseError: corrupt or encrypted file
            raise NotQofficeDatabase(_("{path} cannot be read as a database: {reason}").format(
                path=path, reason=exc)) from exc
        if not ours:
            raise NotQofficeDatabase(_("{path} is not a qoffice database.").format(path=path))
        if revision == sq.NO_VERSION and mode != "check":
            raise DatabaseDamaged(missing_version_message(path))
        if revision is not None and revision != sq.NO_VERSION and revision not in KNOWN_REVISIONS:
            raise DatabaseNewer(_("The database {path} was written by a newer version of qoffice "
                                  "(schema {rev}). Please install the newer version; the file was not changed.").format(
                path=path, rev=revision))
    else:
        revision, ours = None, True
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputNotWritable(sq.io_problem_message(exc, path)) from exc

    db_lock = None
    if lock and not readonly:
        db_lock = DatabaseLock(path, program=program)
        try:
            got = db_lock.acquire()
            if not got and lock_wait > 0 and (db_lock.holder() or {}).get("program") != GUI_PROGRAM:
                got = db_lock.acquire(wait_seconds=lock_wait)  # another CLI writer: wait our turn
        except OSError as exc:  # the lock file cannot be made: read-only folder, no permission
            raise OutputNotWritable(sq.io_problem_message(exc, lock_path_for(path))) from exc
        if not got:
            holder = db_lock.holder()
            raise DatabaseLocked(_("The database is in use by {holder}. Close it there first, or try again later.").format(
                holder=describe_holder(holder)), holder=holder and describe_holder(holder))

    try:
        if db_lock is not None and (not exists or revision is None) and _changed(path, exists, revision):
            # Another writer made the database while we waited for the lock: look at it again,
            # never initialise over it.
            db_lock.release()
            db_lock = None
            return open_database(path, mode, lock=lock, program=program, lock_wait=lock_wait, on_backup=on_backup)
        if db_lock is not None:
            _remove_leftovers(path)
        db = _open_locked(path, mode, exists, revision, readonly, on_backup)
    except BaseException:
        if db_lock is not None:
            db_lock.release()
        raise
    db.lock = db_lock
    return db


def _open_locked(path, mode, exists, revision, readonly, on_backup) -> Database:
    upgraded_from = None
    backup_made = None
    if not exists:
        _create_fresh(path)
        revision = SCHEMA_HEAD
    elif revision == sq.NO_VERSION:  # "check" looks at it as it is; every other mode refused it above
        pass
    elif revision is None:
        # An empty SQLite file (size>0 but no tables at all): initialise it.
        if readonly:
            raise NotQofficeDatabase(_("{path} is not a qoffice database.").format(path=path))
        _create_fresh(path)
        revision = SCHEMA_HEAD
    elif revision != SCHEMA_HEAD:
        if mode in ("dry", "view"):
            raise DatabaseNeedsUpgrade(_("The database uses an older schema; open it once with qoffice "
                                         "(or run a writing command) to upgrade it before a dry run."))
        if mode != "check":
            from qoffice.db.backup import discard_repeated, make_backup, rotate
            from qoffice.db.migrate import upgrade

            # Rotated only once the upgrade worked: a start that fails again and again must not
            # push the last good backups out, nor pile up copies of the same unchanged file.
            backup_made = make_backup(path, kind="event", reason="migrate", rotate_after=False)
            if on_backup:
                on_backup(backup_made)
            try:
                upgrade(path)
            except BaseException:
                discard_repeated(path, backup_made)
                raise
            rotate(path)
            upgraded_from, revision = revision, SCHEMA_HEAD
    return Database(path, readonly, revision, upgraded_from=upgraded_from, backup_made=backup_made)


def _changed(path: Path, exists: bool, revision: str | None) -> bool:
    """Whether the file is no longer what was looked at before the lock was taken (missing or empty)."""
    now_exists = path.exists() and path.stat().st_size > 0
    if now_exists != exists:
        return True
    if not now_exists:
        return False
    try:
        return sq.read_revision(path)[0] != revision
    except sqlite3.Error:
        return True  # let the full check say what it is


WORK_SUFFIXES = (".new", ".migrating", ".restoring")  # temp copies made only under the writer lock


def _remove_leftovers(path: Path) -> None:
    """With the writer lock held: remove what a killed writer left beside the database (a temp copy
    of a create, upgrade or restore, with its journal) and its killed backups' .part files."""
    for suffix in WORK_SUFFIXES:
        try:
            sq.remove_db_file(path.with_name(path.name + suffix))
        except OSError:
            pass
    # A lock note half-written by a killed holder (<db>.lock.info.<pid>): only the holder writes one.
    mine = f"{path.name}.lock.info.{os.getpid()}"
    try:
        notes = [p for p in path.parent.glob(f"{glob_escape(path.name)}.lock.info.*") if p.name != mine]
    except OSError:
        notes = []
    for note in notes:
        try:
            note.unlink()
        except OSError:
            pass
    from qoffice.db.backup import remove_stale_parts

    remove_stale_parts(path)


def real_db_path(path: Path | str) -> Path:
    """The file a database path names: a symbolic link is followed, so the lock, the backups and a
    restore's replacement all go to the real file (replacing the link would leave the file old)."""
    path = Path(path)
    if os.path.islink(path):
        return Path(os.path.realpath(path))
    return path


def missing_version_message(path: Path) -> str:
    """Why a file with qoffice's tables but no schema version row is refused, with what `check` sees."""
    try:
        ok, problems = sq.integrity_ok(path)
        found = _("SQLite integrity check: ok") if ok else _("SQLite integrity check: {detail}").format(
            detail=problems[0])
    except sqlite3.Error as exc:
        found = _("SQLite integrity check: {detail}").format(detail=exc)
    return _("{path} is a damaged qoffice database: its schema version record (alembic_version) is missing; "
             "{found}. The file was not changed. Run “qoffice check” for details and restore a backup "
             "(备份与恢复, or “qoffice restore FILE”).").format(path=path, found=found)


def _create_fresh(path: Path) -> None:
    """Create the schema of the newest revision in a new file (checked equal to Alembic's by a test).

    Written to a temp file and moved into place, so a crash never leaves a half-made database.
    """
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import text

    from qoffice.db.models import Base

    tmp = path.with_name(path.name + ".new")
    try:
        sq.remove_db_file(tmp)
        engine = sq.make_engine(tmp)
        try:
            with engine.begin() as conn:
                Base.metadata.create_all(conn)
                conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                                  "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
                conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": SCHEMA_HEAD})
        finally:
            engine.dispose()
        sq.fsync_file(tmp)
        os.replace(tmp, path)
        sq.fsync_dir(path.parent)
    except (OSError, sa_exc.OperationalError, sqlite3.OperationalError) as exc:
        try:
            sq.remove_db_file(tmp)
        except OSError:
            pass
        raise OutputNotWritable(sq.io_problem_message(exc, path)) from exc
