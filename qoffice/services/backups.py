"""Backups and restore as use cases for the GUI's 备份与恢复 page and the CLI alike.

- `list_backups(db_path)`: date, kind (translated label) and size of each backup, newest first.
- `backup_now(db_path)`: a manual backup; `daily_backup(db_path)`: the GUI's start-up backup;
  `event_backup(db_path, reason)`: before a bulk import (migrations and restores make their own).
- `restore_from(db_path, backup_file)`: checks the chosen file is a whole qoffice database no
  newer than this program, backs the current file up first, then replaces it atomically.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from qoffice.db import backup as bk
from qoffice.db import sqlite as sq
from qoffice.db.database import GUI_PROGRAM, real_db_path
from qoffice.db.lock import DatabaseLock, describe_holder, lock_path_for
from qoffice.db.schema import KNOWN_REVISIONS, SCHEMA_HEAD
from qoffice.errors import (
    DatabaseDamaged,
    DatabaseLocked,
    DatabaseNewer,
    FileUnreadable,
    NotQofficeDatabase,
    OutputNotWritable,
    UsageError,
)
from qoffice.i18n import _
from qoffice.paths import backups_dir_for


@dataclass(frozen=True)
class BackupRow:
    path: Path
    kind: str  # daily | event | manual
    kind_label: str  # 每日 / 事件 / 手动 …
    at: dt.datetime
    size: int


def kind_label(kind: str, reason: str | None = None, damaged: bool = False) -> str:
    if damaged and not (kind == "event" and reason == "damaged"):  # event…-damaged: the raw pre-restore copy
        return _("Copy of a damaged database")
    if kind == "daily":
        return _("Daily")
    if kind == "manual":
        return _("Manual")
    return {
        "migrate": _("Before upgrade"),
        "restore": _("Before restore"),
        "import": _("Before import"),
        "damaged": _("Damaged file before restore"),
    }.get(reason or "", _("Event"))


def list_backups(db_path: Path | str) -> list[BackupRow]:
    return [BackupRow(b.path, b.kind, kind_label(b.kind, b.reason, b.damaged), b.at, b.size)
            for b in bk.list_backups(Path(db_path))]


def backups_folder(db_path: Path | str) -> Path:
    """The folder 打开备份文件夹 opens (made if missing)."""
    folder = backups_dir_for(Path(db_path))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputNotWritable(sq.io_problem_message(exc, folder)) from exc
    return folder


def backup_now(db_path: Path | str, target: Path | str | None = None) -> Path:
    """立即备份 (manual, kept) — or a verified copy at `target` (`qoffice backup -o FILE`)."""
    return bk.make_backup(Path(db_path), "manual", target=None if target is None else Path(target))


def daily_backup(db_path: Path | str, today: dt.date | None = None) -> Path | None:
    """The GUI's start-up backup: once a day, rotated. Returns the new file or None if not due."""
    db_path = Path(db_path)
    if not db_path.exists() or not bk.daily_backup_due(db_path, today):
        return None
    now = None if today is None else dt.datetime.combine(today, dt.datetime.now().time())
    return bk.make_backup(db_path, "daily", now=now)


def event_backup(db_path: Path | str, reason: str = "import") -> Path | None:
    """The backup before a bulk import (kept apart: the last 10 event backups)."""
    db_path = Path(db_path)
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    return bk.make_backup(db_path, "event", reason=reason)


@dataclass(frozen=True)
class BackupCheck:
    path: Path
    revision: str
    older: bool  # restoring it means an upgrade on the next open


def check_backup_file(path: Path | str) -> BackupCheck:
    """Refuse anything that is not a whole qoffice database this program can open."""
    path = Path(path)
    if not path.is_file():
        if path.exists():  # a folder, a device node, a pipe: never opened (a FIFO would block)
            raise FileUnreadable(_("{path} is not a regular file (it is a folder, a device or a pipe); "
                                   "choose a backup file.").format(path=path))
        raise FileUnreadable(_("The file {path} does not exist.").format(path=path))
    if path.stat().st_size == 0 or not sq.is_sqlite_file(path):
        raise NotQofficeDatabase(_("{path} is not a qoffice database.").format(path=path))
    try:
        revision, ours = sq.read_revision(path)
    except sqlite3.Error as exc:
        raise NotQofficeDatabase(_("{path} cannot be read as a database: {reason}").format(
            path=path, reason=exc)) from exc
    if revision == sq.NO_VERSION:
        raise NotQofficeDatabase(_("The backup {path} is damaged (its schema version record is missing); "
                                   "choose another one. Nothing was changed.").format(path=path))
    if not ours or revision is None:
        raise NotQofficeDatabase(_("{path} is not a qoffice database.").format(path=path))
    if revision not in KNOWN_REVISIONS:
        raise DatabaseNewer(_("The backup {path} was written by a newer version of qoffice (schema {rev}); "
                              "this version cannot restore it. Nothing was changed.").format(path=path, rev=revision))
    ok, problems = bk.verify(path)
    if not ok:
        raise NotQofficeDatabase(_("The backup {path} is damaged ({detail}); choose another one. "
                                   "Nothing was changed.").format(path=path, detail=problems[0]))
    return BackupCheck(path, revision, revision != SCHEMA_HEAD)


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    safety_backup: Path | None  # the current file, saved before it was replaced
    revision: str
    needs_upgrade: bool


def restore_from(db_path: Path | str, backup_file: Path | str, *, lock: DatabaseLock | None = None,
                 program: str = "qoffice-cli", lock_wait: float = 0.0) -> RestoreResult:
    """Replace the database with `backup_file`, after backing up the current file.

    The caller must have closed its own connections. The GUI passes the lock it holds (`lock=`);
    otherwise the writer lock is taken here (another CLI writer is waited for up to `lock_wait`
    seconds; a GUI holder refuses with DatabaseLocked). A missing database is simply created from
    the backup. Any failure leaves the current file as it was.
    """
    db_path = real_db_path(db_path)  # through a symbolic link: the real file is the one replaced
    backup_file = Path(backup_file)
    if db_path.is_dir():
        raise NotQofficeDatabase(_("{path} is a folder, not a database file. Give the path of the "
                                   "database file (for example qoffice.db).").format(path=db_path))
    if db_path.exists() and backup_file.exists() and os.path.samefile(db_path, backup_file):
        raise UsageError(_("{path} is the database itself; choose a backup file.").format(path=backup_file))
    checked = check_backup_file(backup_file)
    own_lock = None
    if lock is None or not lock.held:
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputNotWritable(sq.io_problem_message(exc, db_path.parent)) from exc
        try:
            own_lock = DatabaseLock(db_path, program=program)
            got = own_lock.acquire()
            if not got and lock_wait > 0 and (own_lock.holder() or {}).get("program") != GUI_PROGRAM:
                got = own_lock.acquire(wait_seconds=lock_wait)
        except OSError as exc:
            raise OutputNotWritable(sq.io_problem_message(exc, lock_path_for(db_path))) from exc
        if not got:
            holder = own_lock.holder()
            raise DatabaseLocked(_("The database is in use by {holder}. Close it there first, or try again later.").format(
                holder=describe_holder(holder)), holder=holder and describe_holder(holder))
    try:
        return _restore_locked(db_path, checked)
    finally:
        if own_lock is not None:
            own_lock.release()


def _restore_locked(db_path: Path, checked: BackupCheck) -> RestoreResult:
    # 1. The chosen file first, into a temp beside the database: the safety backup's rotation
    #    below may remove the very event backup being restored. An older backup is upgraded there,
    #    on the copy: only a copy that upgraded and passed its check ever replaces the database.
    tmp = db_path.with_name(db_path.name + ".restoring")
    try:
        sq.remove_db_file(tmp)
        sq.backup_file(checked.path, tmp)
        ok, problems = bk.verify(tmp)
        if not ok:
            raise NotQofficeDatabase(_("The backup {path} is damaged ({detail}); choose another one. "
                                       "Nothing was changed.").format(path=checked.path, detail=problems[0]))
        if checked.older:
            _upgrade_copy(tmp, checked)
        sq.fsync_file(tmp)
    except (OSError, sqlite3.Error) as exc:
        _discard(tmp)
        raise OutputNotWritable(sq.io_problem_message(exc, db_path)) from exc
    except BaseException:
        _discard(tmp)
        raise
    guard = None
    try:
        # 2. SQLite's own write lock on the current file, held until it is replaced: another program
        #    that does not honour our lock file (a plain sqlite3 tool, a sync client) may be inside
        #    a write transaction, and its live journal must never be moved aside.
        guard = _sqlite_write_lock(db_path)
        # 3. The current file, backed up (raw if SQLite cannot read it: restoring is how a damaged
        #    database is mended, and the damaged file is still kept).
        safety = None
        if db_path.exists() and db_path.stat().st_size > 0:
            if guard is None:
                sq.recover_hot_journal(db_path)
            try:
                safety = bk.make_backup(db_path, "event", reason="restore")
            except DatabaseDamaged as exc:  # a broken foreign key or page: the copy is kept as -damaged
                safety = exc.backup
            except bk.SourceUnreadable:
                safety = bk.copy_raw(db_path, "damaged")
        # 4. A journal still beside the old file belongs to it, not to the restored one: move it aside.
        #    (With the write lock held no live transaction has one; this is a stale or damaged file's.)
        journal = Path(str(db_path) + "-journal")
        if journal.exists():
            os.replace(journal, backups_dir_for(db_path) / f"{db_path.name}-journal.damaged")
        if guard is not None and sys.platform == "win32":  # pragma: no cover - an open file cannot be replaced there
            guard.close()
            guard = None
        os.replace(tmp, db_path)
        sq.fsync_dir(db_path.parent)
    except OSError as exc:
        _discard(tmp)
        raise OutputNotWritable(sq.io_problem_message(exc, db_path)) from exc
    except BaseException:
        _discard(tmp)
        raise
    finally:
        if guard is not None:
            try:
                guard.close()  # the old file's lock: it is no longer the database
            except sqlite3.Error:
                pass
    return RestoreResult(checked.path, safety, SCHEMA_HEAD if checked.older else checked.revision, False)


def _upgrade_copy(tmp: Path, checked: BackupCheck) -> None:
    """Bring the restoring copy to this program's schema (Alembic, on the copy itself)."""
    from qoffice.db.migrate import run_upgrade_in_place
    from qoffice.errors import DatabaseError

    try:
        run_upgrade_in_place(tmp)
        ok, problems = sq.integrity_ok(tmp)
    except Exception as exc:
        if sq.io_problem_kind(exc):
            raise OutputNotWritable(sq.io_problem_message(exc, tmp)) from exc
        raise DatabaseError(_("The backup {path} could not be upgraded to this version of qoffice ({reason}); "
                              "the database was not changed.").format(path=checked.path, reason=exc)) from exc
    if not ok:
        raise DatabaseError(_("The backup {path} could not be upgraded to this version of qoffice ({reason}); "
                              "the database was not changed.").format(path=checked.path, reason=problems[0]))


def _sqlite_write_lock(db_path: Path) -> sqlite3.Connection | None:
    """A connection holding SQLite's RESERVED lock on `db_path` (other readers may go on; no other
    writer can start), or None when there is no readable database to lock (missing or damaged).

    Waits SQLite's busy timeout like every writer, then refuses with DatabaseLocked.
    """
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    try:
        con = sqlite3.connect(f"file:{sq._uri_path(db_path)}?mode=rw", uri=True,
                              timeout=sq.BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        con.execute("BEGIN IMMEDIATE")  # also rolls back a crashed writer's hot journal first
        return con
    except sqlite3.Error as exc:
        con.close()
        if sq.io_problem_kind(exc) == "in_use":
            raise DatabaseLocked(_("The database {path} is being written by another program (not qoffice). "
                                   "Close that program and try again; nothing was changed.").format(
                path=db_path)) from exc
        return None  # a damaged or read-only file: restoring is how it is mended


def _discard(tmp: Path) -> None:
    try:
        sq.remove_db_file(tmp)
    except OSError:
        pass
