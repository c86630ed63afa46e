"""Backup policy (verified copies, rotation 7/4/12, events apart), restore, and the backup/restore CLI."""
from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest

from qoffice.cli.main import main as cli
from qoffice.db import backup as bk
from qoffice.db.database import open_database
from qoffice.db.sqlite import integrity_ok
from qoffice.errors import DatabaseLocked, DatabaseNewer, NotQofficeDatabase
from qoffice.services import backups


def digest(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def assert_verified(p: Path) -> None:
    assert integrity_ok(p) == (True, [])


# --- backups ------------------------------------------------------------------------------------

def test_backup_is_a_verified_copy_with_the_data(count, dbfile):
    b = bk.make_backup(dbfile, "manual")
    assert b.parent == dbfile.parent / "backups"
    assert_verified(b)
    assert count(b) == 3
    assert not list(b.parent.glob("*.part"))


def test_a_backup_of_a_live_database_during_a_write_is_consistent(count, dbfile, builders):
    """The backup API copies a snapshot: a GUI holding the DB and writing does not tear it."""
    db = open_database(dbfile, program="qoffice")
    with db.session() as s:
        builders.make_enterprise(s)
        b = bk.make_backup(dbfile, "manual")  # while the write transaction is open
    db.close()
    assert_verified(b)
    assert count(b) == 3


def test_two_backups_in_one_second_both_kept(dbfile):
    now = dt.datetime(2024, 5, 1, 10, 0, 0)
    a = bk.make_backup(dbfile, "manual", now=now)
    b = bk.make_backup(dbfile, "manual", now=now)
    assert a != b and a.exists() and b.exists()
    assert {x.path for x in bk.list_backups(dbfile)} == {a, b}


def test_backups_of_another_database_in_the_same_folder_are_not_ours(dbfile):
    other = dbfile.with_name("other.db")
    open_database(other).close()
    mine = bk.make_backup(dbfile, "manual")
    theirs = bk.make_backup(other, "manual")
    assert [b.path for b in bk.list_backups(dbfile)] == [mine]
    for i in range(12):  # rotating ours never removes theirs
        bk.make_backup(dbfile, "event", reason="import", now=dt.datetime(2024, 1, 1, 0, 0, i))
    assert theirs.exists()


def test_failed_verification_keeps_the_copy_named_damaged(dbfile, monkeypatch):
    # issue 12: the copy is page for page, so a failed check blames the database; the copy may be
    # the clerk's only one and is kept under a -damaged name (never a .part, never a good name).
    from qoffice.errors import DatabaseDamaged

    monkeypatch.setattr(bk.sq, "integrity_ok", lambda p: (False, ["*** in database main ***"]))
    with pytest.raises(DatabaseDamaged) as exc:
        bk.make_backup(dbfile, "manual")
    assert "数据库" in exc.value.message and "损坏" in exc.value.message
    (made,) = (dbfile.parent / "backups").glob("*")
    assert made.name.endswith("-damaged.db") and exc.value.backup == made
    assert [b.damaged for b in bk.list_backups(dbfile)] == [True]


def _fake(db: Path, kind: str, at: dt.datetime, reason: str | None = None) -> Path:
    folder = db.parent / "backups"
    folder.mkdir(exist_ok=True)
    p = folder / (f"{db.stem}-{kind}-{at:%Y%m%d-%H%M%S}" + (f"-{reason}" if reason else "") + ".db")
    p.write_bytes(b"x")
    return p


def test_daily_rotation_keeps_7_days_4_weeks_12_months(tmp_path):
    db = tmp_path / "q.db"
    day = dt.date(2024, 1, 1)
    while day <= dt.date(2024, 12, 31):
        _fake(db, "daily", dt.datetime.combine(day, dt.time(9, 0)))
        day += dt.timedelta(days=1)
    removed = bk.rotate(db)
    kept = sorted(b.at.date() for b in bk.list_backups(db))
    days = [dt.date(2024, 12, d) for d in range(25, 32)]
    weeks = [dt.date(2024, 12, 15), dt.date(2024, 12, 22)]  # + Dec 29 (ISO week 52) and Dec 31 (2025-W01)
    months = [dt.date(2024, m + 1, 1) - dt.timedelta(days=1) for m in range(1, 12)]  # last day of Jan..Nov
    assert kept == sorted(days + weeks + months)
    assert len(removed) == 366 - len(kept)


def test_rotation_is_stable_day_after_day(tmp_path):
    """Running daily for two years keeps the same shape: never more than 7 + 4 + 12 dailies."""
    db = tmp_path / "q.db"
    day = dt.date(2023, 1, 1)
    while day <= dt.date(2024, 12, 31):
        _fake(db, "daily", dt.datetime.combine(day, dt.time(9, 0)))
        bk.rotate(db)
        day += dt.timedelta(days=1)
    kept = [b.at.date() for b in bk.list_backups(db)]
    assert len(kept) <= 7 + 4 + 12
    assert min(kept) >= dt.date(2024, 1, 1)  # 12 months back
    assert {(d.year, d.month) for d in kept} == {(2024, m) for m in range(1, 13)}


def test_events_are_rotated_apart_and_manual_ones_kept(tmp_path):
    db = tmp_path / "q.db"
    t0 = dt.datetime(2024, 6, 1, 8, 0, 0)
    dailies = [_fake(db, "daily", t0 - dt.timedelta(days=i)) for i in range(3)]
    manual = [_fake(db, "manual", t0 - dt.timedelta(days=400 + i)) for i in range(30)]
    events = [_fake(db, "event", t0 + dt.timedelta(minutes=i), "import") for i in range(15)]
    bk.rotate(db)
    left = {b.path for b in bk.list_backups(db)}
    assert set(events[-10:]) <= left and not (set(events[:5]) & left)
    assert set(dailies) <= left and set(manual) <= left


def test_daily_backup_once_a_day(dbfile):
    first = backups.daily_backup(dbfile)
    assert first is not None
    assert_verified(first)
    assert backups.daily_backup(dbfile) is None
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert backups.daily_backup(dbfile, today=tomorrow) is not None


def test_event_backup_before_import_is_listed_with_its_label(dbfile):
    b = backups.event_backup(dbfile, "import")
    assert_verified(b)
    (row,) = backups.list_backups(dbfile)
    assert (row.kind, row.kind_label, row.size) == ("event", "导入前", b.stat().st_size)
    assert isinstance(row.at, dt.datetime)


def test_backups_folder_is_made(tmp_path):
    f = backups.backups_folder(tmp_path / "x" / "q.db")
    assert f.is_dir() and f.name == "backups"


# --- restore ------------------------------------------------------------------------------------

def test_restore_backs_up_current_then_replaces(count, dbfile, builders):
    saved = backups.backup_now(dbfile)
    builders.add_enterprises(dbfile, 2)
    assert count(dbfile) == 5
    result = backups.restore_from(dbfile, saved)
    assert count(dbfile) == 3
    assert_verified(dbfile)
    assert result.safety_backup is not None and count(result.safety_backup) == 5
    assert_verified(result.safety_backup)
    assert [b.reason for b in bk.list_backups(dbfile) if b.kind == "event"] == ["restore"]
    open_database(dbfile).close()


def test_restore_into_a_missing_database_creates_it(count, dbfile, tmp_path):
    saved = backups.backup_now(dbfile)
    target = tmp_path / "new" / "fresh.db"
    result = backups.restore_from(target, saved)
    assert result.safety_backup is None and count(target) == 3


def test_restore_refuses_newer_foreign_damaged_files_untouched(dbfile, tmp_path):
    before = digest(dbfile)
    newer = tmp_path / "newer.db"
    bk.make_backup(dbfile, target=newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num='9999'")
    con.commit()
    con.close()
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for bad, err in ((newer, DatabaseNewer), (foreign, NotQofficeDatabase), (junk, NotQofficeDatabase),
                     (empty, NotQofficeDatabase)):
        with pytest.raises(err):
            backups.restore_from(dbfile, bad)
        assert digest(dbfile) == before
    assert not bk.list_backups(dbfile)  # refused before anything was written


def test_restore_of_a_damaged_page_is_refused(dbfile, tmp_path):
    bad = tmp_path / "bad.db"
    bk.make_backup(dbfile, target=bad)
    data = bytearray(bad.read_bytes())
    page = 4096
    for i in range(page * 3, page * 4):  # wipe a whole b-tree page in the middle
        data[i] = 0xFF
    bad.write_bytes(bytes(data))
    before = digest(dbfile)
    with pytest.raises(NotQofficeDatabase):
        backups.restore_from(dbfile, bad)
    assert digest(dbfile) == before


def test_restore_mends_a_damaged_database_and_keeps_the_damaged_copy(count, dbfile):
    saved = backups.backup_now(dbfile)
    dbfile.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 5000)
    Path(str(dbfile) + "-journal").write_bytes(b"junk journal of the damaged file")
    damaged = digest(dbfile)
    result = backups.restore_from(dbfile, saved)
    assert count(dbfile) == 3 and not Path(str(dbfile) + "-journal").exists()
    assert digest(result.safety_backup) == damaged
    assert "恢复前的损坏文件" in [r.kind_label for r in backups.list_backups(dbfile)]


def test_restoring_the_oldest_event_backup_survives_its_own_rotation(count, dbfile):
    events = [bk.make_backup(dbfile, "event", "import", now=dt.datetime(2024, 1, 1, 0, 0, i)) for i in range(10)]
    backups.restore_from(dbfile, events[0])  # the safety backup rotates events[0] away
    assert not events[0].exists()
    assert count(dbfile) == 3 and integrity_ok(dbfile)[0]


def test_restore_refused_while_the_gui_holds_the_database(dbfile):
    saved = backups.backup_now(dbfile)
    gui = open_database(dbfile, program="qoffice")
    before = digest(dbfile)
    try:
        with pytest.raises(DatabaseLocked) as exc:
            backups.restore_from(dbfile, saved, lock_wait=5)
        assert "qoffice" in exc.value.message
        assert digest(dbfile) == before
        # The GUI itself restores with the lock it holds, after closing its connections.
        gui.engine.dispose()
        backups.restore_from(dbfile, saved, lock=gui.lock)
        assert gui.lock.held
    finally:
        gui.close()


def test_restore_of_the_database_itself_is_refused(dbfile):
    from qoffice.errors import UsageError

    with pytest.raises(UsageError):
        backups.restore_from(dbfile, dbfile)


# --- CLI ----------------------------------------------------------------------------------------

def test_cli_backup_missing_database_exits_2(tmp_path, capsys):
    assert cli(["--db", str(tmp_path / "none.db"), "backup"]) == 2
    assert "不存在" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_cli_backup_and_output_file(count, dbfile, tmp_path, capsys):
    assert cli(["--db", str(dbfile), "backup"]) == 0
    (b,) = bk.list_backups(dbfile)
    assert b.kind == "manual" and str(b.path) in capsys.readouterr().out
    assert_verified(b.path)
    out = tmp_path / "copy.db"
    assert cli(["--db", str(dbfile), "backup", "-o", str(out), "--json"]) == 0
    assert '"path"' in capsys.readouterr().out
    assert_verified(out)
    assert count(out) == 3


def test_cli_backup_works_while_the_gui_holds_the_database(dbfile):
    gui = open_database(dbfile, program="qoffice")
    try:
        assert cli(["--db", str(dbfile), "backup"]) == 0
    finally:
        gui.close()


def test_cli_backup_to_an_unwritable_place_exits_2(dbfile, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert cli(["--db", str(dbfile), "backup", "-o", str(blocker / "sub" / "b.db")]) == 2
    assert capsys.readouterr().err.startswith("qoffice: ")


def test_cli_restore(count, dbfile, tmp_path, builders, capsys):
    saved = tmp_path / "saved.db"
    assert cli(["--db", str(dbfile), "backup", "-o", str(saved)]) == 0
    builders.add_enterprises(dbfile, 1)
    assert cli(["--db", str(dbfile), "restore", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "已从" in out and "另存为" in out
    assert count(dbfile) == 3
    fresh = tmp_path / "elsewhere" / "q.db"
    assert cli(["--db", str(fresh), "restore", str(saved)]) == 0  # creates when missing
    assert count(fresh) == 3


def test_cli_restore_refusals_exit_2(dbfile, tmp_path, capsys):
    assert cli(["--db", str(dbfile), "restore", str(tmp_path / "nope.db")]) == 2
    assert cli(["--db", str(dbfile), "restore", str(dbfile)]) == 2
    gui = open_database(dbfile, program="qoffice")
    saved = tmp_path / "s.db"
    bk.make_backup(dbfile, target=saved)
    try:
        assert cli(["--db", str(dbfile), "restore", str(saved)]) == 2
    finally:
        gui.close()
    err = capsys.readouterr().err
    assert "正被" in err and all(line.startswith("qoffice: ") for line in err.splitlines())

