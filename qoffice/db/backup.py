"""Backups of the database file into `backups/` beside it, verified after writing.

Kinds: `daily` (first GUI start of a day; rotated to 7 daily, 4 weekly, 12 monthly), `event`
(before a migration, a restore or a bulk import; the last 10 kept), `manual` (立即备份; kept).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from qoffice.db.sqlite import backup_file, integrity_ok
from qoffice.errors import OutputNotWritable
from qoffice.i18n import _
from qoffice.paths import backups_dir_for

KINDS = ("daily", "event", "manual")
EVENT_KEEP = 10
_NAME = re.compile(r"^(?P<stem>.+)-(?P<kind>daily|event|manual)-(?P<stamp>\d{8}-\d{6})(?:-(?P<reason>[a-z]+))?\.db$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str
    at: dt.datetime
    reason: str | None
    size: int


def list_backups(db_path: Path) -> list[BackupInfo]:
    folder = backups_dir_for(db_path)
    out = []
    if not folder.is_dir():
        return out
    for p in folder.glob("*.db"):
        m = _NAME.match(p.name)
        if not m:
            continue
        at = dt.datetime.strptime(m["stamp"], "%Y%m%d-%H%M%S")
        out.append(BackupInfo(p, m["kind"], at, m["reason"], p.stat().st_size))
    out.sort(key=lambda b: (b.at, b.path.name), reverse=True)
    return out


def last_backup(db_path: Path) -> BackupInfo | None:
    items = list_backups(db_path)
    return items[0] if items else None


def make_backup(db_path: Path, kind: str = "manual", reason: str | None = None,
                target: Path | None = None, now: dt.datetime | None = None) -> Path:
    """Back up `db_path`; verify the copy with integrity_check; rotate. Returns the new file."""
    db_path = Path(db_path)
    now = now or dt.datetime.now()
    if target is None:
        stamp = now.strftime("%Y%m%d-%H%M%S")
        base = f"{db_path.stem}-{kind}-{stamp}" + (f"-{reason}" if reason else "")
        folder = backups_dir_for(db_path)
        target = folder / f"{base}.db"
        n = 1
        while target.exists():  # two backups within one second
            n += 1
            target = folder / f"{base}{'x' * (n - 1)}.db" if reason else folder / f"{base}-{'x' * (n - 1)}.db"
    tmp = Path(str(target) + ".part")
    try:
        backup_file(db_path, tmp)
        ok, problems = integrity_ok(tmp)
        if not ok:
            tmp.unlink(missing_ok=True)
            raise OutputNotWritable(_("The backup failed its integrity check: {detail}").format(detail=problems[0]))
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputNotWritable(_("Could not write the backup {path}: {reason}").format(
            path=target, reason=exc.strerror or exc)) from exc
    rotate(db_path, now=now)
    return target


def rotate(db_path: Path, now: dt.datetime | None = None) -> list[Path]:
    """Apply the retention policy; returns the removed files."""
    items = list_backups(db_path)
    keep: set[Path] = set()
    events = [b for b in items if b.kind == "event"]
    keep.update(b.path for b in events[:EVENT_KEEP])
    daily = [b for b in items if b.kind == "daily"]
    seen_days, seen_weeks, seen_months = [], [], []
    for b in daily:  # newest first
        day = b.at.date()
        week = day.isocalendar()[:2]
        month = (day.year, day.month)
        if day not in seen_days and len(seen_days) < 7:
            seen_days.append(day)
            keep.add(b.path)
        if week not in seen_weeks and len(seen_weeks) < 4:
            seen_weeks.append(week)
            keep.add(b.path)
        if month not in seen_months and len(seen_months) < 12:
            seen_months.append(month)
            keep.add(b.path)
    removed = []
    for b in items:
        if b.kind in ("event", "daily") and b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def daily_backup_due(db_path: Path, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    return not any(b.kind == "daily" and b.at.date() == today for b in list_backups(db_path))
