"""Backups of the database file into `backups/` beside it, verified after writing.

Kinds: `daily` (first GUI start of a day; rotated to 7 daily, 4 weekly, 12 monthly), `event`
(before a migration, a restore or a bulk import; rotated apart from the others: the last 10 kept),
`manual` (立即备份 and `qoffice backup`; never removed by rotation).

Each backup is written with SQLite's online backup API to a `.part` file, checked with
`PRAGMA integrity_check`, flushed to disk and only then renamed to its final name, so a listed
backup is always a whole, verified database. Rotation keeps, like restic's keep-daily/-weekly/
-monthly, the newest backup of each of the most recent N days, ISO weeks and months.
"""
from __future__ import annotations

import datetime as dt
import glob
import os
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from qoffice.db import sqlite as sq
from qoffice.errors import OutputNotWritable
from qoffice.i18n import _
from qoffice.paths import backups_dir_for

KINDS = ("daily", "event", "manual")
REASONS = ("migrate", "restore", "import", "damaged")
EVENT_KEEP = 10
DAILY_KEEP, WEEKLY_KEEP, MONTHLY_KEEP = 7, 4, 12
STALE_PART_SECONDS = 3600  # a .part older than this was left by a killed backup
_NAME = re.compile(r"^(?P<stem>.+)-(?P<kind>daily|event|manual)-(?P<stamp>\d{8}-\d{6})"
                   r"(?:-(?P<reason>[a-z]+))?(?:-(?P<seq>\d+))?(?P<damaged>-damaged)?\.db$")
DAMAGED_SUFFIX = "-damaged"


class SourceUnreadable(OutputNotWritable):
    """The database being backed up could not be read whole (damaged): nothing was written."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str
    at: dt.datetime
    reason: str | None
    size: int
    damaged: bool = False  # a copy of a damaged database (…-damaged.db): kept, but never a good backup
    mtime: float = 0.0  # orders backups made within one second


def _stamp_time(stamp: str) -> dt.datetime:
    """A name's YYYYmmdd-HHMMSS (ValueError when it is no real time). Not strptime: its first use
    imports _strptime, locale and calendar, and the window's start reads the last backup's time."""
    return dt.datetime(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]),
                       int(stamp[9:11]), int(stamp[11:13]), int(stamp[13:15]))


def list_backups(db_path: Path) -> list[BackupInfo]:
    """This database's backups (not those of another DB sharing the folder), newest first."""
    db_path = Path(db_path)
    folder = backups_dir_for(db_path)
    out = []
    if not folder.is_dir():
        return out
    for p in folder.glob("*.db"):
        m = _NAME.match(p.name)
        if not m or m["stem"] != db_path.stem:
            continue
        try:
            at = _stamp_time(m["stamp"])
            st = p.stat()
            size = st.st_size
        except (ValueError, OSError):
            continue
        out.append(BackupInfo(p, m["kind"], at, m["reason"], size,
                              damaged=bool(m["damaged"]) or m["reason"] == "damaged", mtime=st.st_mtime))
    out.sort(key=lambda b: (b.at, b.mtime, int(_NAME.match(b.path.name)["seq"] or 0)), reverse=True)
    return out


def last_backup(db_path: Path) -> BackupInfo | None:
    items = list_backups(db_path)
    return items[0] if items else None


def _new_name(db_path: Path, kind: str, reason: str | None, now: dt.datetime, damaged: bool = False) -> Path:
    folder = backups_dir_for(db_path)
    base = f"{db_path.stem}-{kind}-{now.strftime('%Y%m%d-%H%M%S')}" + (f"-{reason}" if reason else "")
    tail = DAMAGED_SUFFIX if damaged else ""
    target = folder / f"{base}{tail}.db"
    n = 1
    while target.exists() or Path(str(target) + ".part").exists():  # two backups within one second
        n += 1
        target = folder / f"{base}-{n}{tail}.db"
    return target


def _damaged_name(target: Path) -> Path:
    """`-o FILE` of a damaged database: FILE's name with -damaged (FILE itself stays as it was)."""
    target = Path(target)
    suffix = target.suffix if target.suffix else ""
    stem = target.name[: len(target.name) - len(suffix)] if suffix else target.name
    return target.with_name(f"{stem}{DAMAGED_SUFFIX}{suffix}")


def _problem_lines(path: Path, problems: list[str]) -> list[str]:
    """integrity_ok()'s findings in `qoffice check`'s words."""
    out = []
    for line in problems:
        if line.startswith("foreign key: "):
            try:
                table, rowid, parent, _fkid = eval_tuple(line[len("foreign key: "):])
                out.append(_("Record {id} of table {table} points at a missing record of {parent}.").format(
                    id=rowid, table=table, parent=parent))
                continue
            except ValueError:
                pass
        out.append(_("The database file is damaged: {detail}").format(detail=line))
    return out


def eval_tuple(text: str) -> tuple:
    import ast

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise ValueError(text) from exc
    if not isinstance(value, tuple) or len(value) != 4:
        raise ValueError(text)
    return value


def verify(path: Path) -> tuple[bool, list[str]]:
    """integrity_check + foreign_key_check of a backup file."""
    try:
        return sq.integrity_ok(path)
    except sqlite3.Error as exc:
        return False, [str(exc)]


def make_backup(db_path: Path, kind: str = "manual", reason: str | None = None,
                target: Path | None = None, now: dt.datetime | None = None, *, rotate_after: bool = True) -> Path:
    """Back up `db_path`; verify the copy; rotate. Returns the new file.

    With `target` (``qoffice backup -o FILE``) the copy goes there and nothing is rotated.
    A failure leaves no partial file and raises OutputNotWritable with a clerk's message.

    A copy that fails its check shows the DATABASE is damaged (the copy is page for page): it is
    still kept — it may be the clerk's only copy — under a name ending in -damaged (never in place
    of a good backup, never counted as one by rotation), and DatabaseDamaged says so.
    """
    from qoffice.errors import DatabaseDamaged

    assert kind in KINDS, kind
    assert reason is None or reason in REASONS, reason
    db_path = Path(db_path)
    now = now or dt.datetime.now()
    explicit = target is not None
    if target is None:
        target = _new_name(db_path, kind, reason, now)
    target = Path(target)
    tmp = Path(str(target) + ".part")
    damaged: list[str] = []
    busy = None
    try:
        sq.remove_db_file(tmp)
        busy = _claim_part(tmp)
        sq.backup_file(db_path, tmp)
        ok, problems = verify(tmp)
        if not ok:
            damaged = _problem_lines(db_path, problems)
            target = _damaged_name(target) if explicit else _new_name(db_path, kind, reason, now, damaged=True)
        sq.fsync_file(tmp)
        os.replace(tmp, target)
        sq.fsync_dir(target.parent)
    except (OSError, sqlite3.Error) as exc:
        _quiet_remove(tmp)
        if isinstance(exc, sqlite3.DatabaseError) and sq.io_problem_kind(exc) is None:
            raise SourceUnreadable(_("{path} cannot be read as a database: {reason}").format(
                path=db_path, reason=exc)) from exc
        raise OutputNotWritable(sq.io_problem_message(exc, target)) from exc
    except BaseException:
        _quiet_remove(tmp)
        raise
    finally:
        _release_part(busy)
    if not explicit and (rotate_after or damaged):
        rotate(db_path)
    if damaged:
        more = len(damaged) - 1
        detail = damaged[0] + (_(" (and {n} more)").format(n=more) if more else "")
        raise DatabaseDamaged(_("The database {path} is damaged: {detail} A copy was still saved as {backup}, "
                                "but it is not a good backup. Nothing else was done. Run “qoffice check” for "
                                "details and restore a good backup.").format(
            path=db_path, detail=detail, backup=target), backup=target)
    return target


def discard_repeated(db_path: Path, made: Path) -> bool:
    """After a failed upgrade: drop the backup just `made` when an older event backup holds the very same
    bytes (the file was left unchanged, so every failing start would otherwise add one more copy)."""
    import filecmp

    made = Path(made)
    for b in list_backups(db_path):
        if b.path == made or b.kind != "event" or b.damaged or b.size != made.stat().st_size:
            continue
        try:
            if filecmp.cmp(b.path, made, shallow=False):
                made.unlink()
                return True
        except OSError:
            continue
    return False


def copy_raw(db_path: Path, reason: str = "damaged", now: dt.datetime | None = None) -> Path:
    """Byte copy of a file SQLite cannot read (before a restore replaces it): kept, not verified."""
    db_path = Path(db_path)
    target = _new_name(db_path, "event", reason, now or dt.datetime.now())
    tmp = Path(str(target) + ".part")
    busy = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        busy = _claim_part(tmp)
        shutil.copyfile(db_path, tmp)
        sq.fsync_file(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        _quiet_remove(tmp)
        raise OutputNotWritable(sq.io_problem_message(exc, target)) from exc
    finally:
        _release_part(busy)
    rotate(db_path)
    return target


def _claim_part(tmp: Path) -> int | None:
    """Create `tmp` and hold an OS lock on it while the backup writes it, so a later run can tell
    a .part left by a killed backup (no holder: removed) from one being written now (kept).

    flock, which Linux and the BSDs keep apart from SQLite's fcntl locks; elsewhere None (the age rule)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    tmp.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _release_part(fd: int | None) -> None:
    # Closed last, after SQLite's own connections to the file: closing an fd drops the process's
    # fcntl locks on that file.
    if fd is not None:
        os.close(fd)


def remove_stale_parts(db_path: Path) -> list[Path]:
    """Remove this database's backup .part files that no running backup holds (left by a kill);
    without OS locks to ask (Windows), those older than STALE_PART_SECONDS."""
    folder = backups_dir_for(Path(db_path))
    removed = []
    try:
        parts = list(folder.glob(f"{glob.escape(Path(db_path).stem)}-*.db.part"))
    except OSError:
        return removed
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None
    cutoff = time.time() - STALE_PART_SECONDS
    for part in parts:
        try:
            if fcntl is None:
                stale = part.stat().st_mtime < cutoff
            else:
                fd = os.open(part, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                try:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        stale = True
                    except OSError:
                        stale = False  # a backup is writing it right now
                finally:
                    os.close(fd)
            if stale:
                sq.remove_db_file(part)
                removed.append(part)
        except OSError:
            pass
    return removed


def _quiet_remove(path: Path) -> None:
    try:
        sq.remove_db_file(path)
    except OSError:
        pass


def kept_by_policy(items: list[BackupInfo]) -> set[Path]:
    """The backups the retention policy keeps (items newest first).

    Copies of a damaged database are rotated among themselves (the last EVENT_KEEP), never in place
    of a good backup. The newest backup made before a restore is pinned until a later good manual or
    daily backup exists: undoing a mistaken restore stays possible however many events follow.
    """
    keep: set[Path] = {b.path for b in items if b.kind == "manual"}
    keep.update(b.path for b in [b for b in items if b.damaged and b.kind != "manual"][:EVENT_KEEP])
    items = [b for b in items if not b.damaged]
    events = [b for b in items if b.kind == "event"]
    keep.update(b.path for b in events[:EVENT_KEEP])
    pre_restore = next((b for b in events if b.reason == "restore"), None)
    if pre_restore is not None and not any(b.kind in ("manual", "daily") and (b.at, b.mtime) > (pre_restore.at, pre_restore.mtime)
                                           for b in items):
        keep.add(pre_restore.path)
    seen = {"day": [], "week": [], "month": []}
    limits = {"day": DAILY_KEEP, "week": WEEKLY_KEEP, "month": MONTHLY_KEEP}
    for b in (b for b in items if b.kind == "daily"):  # newest first: the newest of each bucket
        day = b.at.date()
        buckets = {"day": day, "week": tuple(day.isocalendar()[:2]), "month": (day.year, day.month)}
        for name, bucket in buckets.items():
            if bucket not in seen[name] and len(seen[name]) < limits[name]:
                seen[name].append(bucket)
                keep.add(b.path)
    return keep


def rotate(db_path: Path, now: dt.datetime | None = None) -> list[Path]:
    """Apply the retention policy; returns the removed files. A file that cannot be removed
    (open in another program) stays until the next rotation; it never fails a backup."""
    items = list_backups(db_path)
    keep = kept_by_policy(items)
    removed = []
    for b in items:
        if b.path not in keep:
            try:
                b.path.unlink()
                removed.append(b.path)
            except OSError:
                pass
    remove_stale_parts(db_path)
    return removed


def daily_backup_due(db_path: Path, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    return not any(b.kind == "daily" and not b.damaged and b.at.date() == today for b in list_backups(db_path))
