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
from dataclasses import dataclass
from pathlib import Path

from qoffice.db import backup as bk
from qoffice.db import sqlite as sq
from qoffice.db.database import GUI_PROGRAM
from qoffice.db.lock import DatabaseLock, describe_holder
from qoffice.db.schema import KNOWN_REVISIONS, SCHEMA_HEAD
from qoffice.errors import (
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


def kind_label(kind: str, reason: str | None = None) -> str:
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
    return [BackupRow(b.path, b.kind, kind_label(b.kind, b.reason), b.at, b.size)
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
        raise FileUnreadable(_("The file {path} does not exist.").format(path=path))
    if path.stat().st_size == 0 or not sq.is_sqlite_file(path):
        raise NotQofficeDatabase(_("{path} is not a qoffice database.").format(path=path))
    try:
        revision, ours = sq.read_revision(path)
    except sqlite3.Error as exc:
        raise NotQofficeDatabase(_("{path} cannot be read as a database: {reason}").format(
            path=path, reason=exc)) from exc
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
    db_path = Path(db_path)
    backup_file = Path(backup_file)
    if db_path.exists() and backup_file.exists() and os.path.samefile(db_path, backup_file):
        raise UsageError(_("{path} is the database itself; choose a backup file.").format(path=backup_file))
    checked = check_backup_file(backup_file)
    own_lock = None
    if lock is None or not lock.held:
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            own_lock = DatabaseLock(db_path, program=program)
            got = own_lock.acquire()
            if not got and lock_wait > 0 and (own_lock.holder() or {}).get("program") != GUI_PROGRAM:
                got = own_lock.acquire(wait_seconds=lock_wait)
        except OSError as exc:
            raise OutputNotWritable(sq.io_problem_message(exc, db_path)) from exc
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
    #    below may remove the very event backup being restored.
    tmp = db_path.with_name(db_path.name + ".restoring")
    try:
        sq.remove_db_file(tmp)
        sq.backup_file(checked.path, tmp)
        ok, problems = bk.verify(tmp)
        if not ok:
            raise NotQofficeDatabase(_("The backup {path} is damaged ({detail}); choose another one. "
                                       "Nothing was changed.").format(path=checked.path, detail=problems[0]))
        sq.fsync_file(tmp)
    except (OSError, sqlite3.Error) as exc:
        _discard(tmp)
        raise OutputNotWritable(sq.io_problem_message(exc, db_path)) from exc
    except BaseException:
        _discard(tmp)
        raise
    try:
        # 2. The current file, backed up (raw if SQLite cannot read it: restoring is how a damaged
        #    database is mended, and the damaged file is still kept).
        safety = None
        if db_path.exists() and db_path.stat().st_size > 0:
            sq.recover_hot_journal(db_path)
            try:
                safety = bk.make_backup(db_path, "event", reason="restore")
            except bk.SourceUnreadable:
                safety = bk.copy_raw(db_path, "damaged")
        # 3. A journal still beside the old file belongs to it, not to the restored one: move it aside.
        journal = Path(str(db_path) + "-journal")
        if journal.exists():
            os.replace(journal, backups_dir_for(db_path) / f"{db_path.name}-journal.damaged")
        os.replace(tmp, db_path)
        sq.fsync_dir(db_path.parent)
    except OSError as exc:
        _discard(tmp)
        raise OutputNotWritable(sq.io_problem_message(exc, db_path)) from exc
    except BaseException:
        _discard(tmp)
        raise
    return RestoreResult(checked.path, safety, checked.revision, checked.older)


def _discard(tmp: Path) -> None:
    try:
        sq.remove_db_file(tmp)
    except OSError:
        pass
