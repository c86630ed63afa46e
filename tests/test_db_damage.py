"""Damaged databases (issue 12): refused untouched, never re-initialised; a damaged page is one line;
a backup of a damaged database is still made, named -damaged and never rotated in place of a good one;
odd characters in the folder's name work for every writing command."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qoffice.cli.main import main as cli
from qoffice.db import backup as bk
from qoffice.db.database import open_database
from qoffice.errors import DatabaseError

ROOT = Path(__file__).resolve().parent.parent

DBFILE_ENTERPRISES = 20  # the dbfile fixture's enterprises (tests/conftest.py)


def digest(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def run_cli(*args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qoffice", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def _sql(p: Path, *statements: str) -> None:
    con = sqlite3.connect(p)
    try:
        for st in statements:
            con.execute(st)
        con.commit()
    finally:
        con.close()


# --- item 2: an empty alembic_version table --------------------------------------------------------

@pytest.mark.parametrize("damage", ["DELETE FROM alembic_version", "DROP TABLE alembic_version"])
def test_a_database_without_its_version_row_is_refused_untouched(count, dbfile, damage, capsys):
    _sql(dbfile, damage)
    before = digest(dbfile)
    for mode in ("create", "existing", "dry", "view"):
        with pytest.raises(DatabaseError) as exc:
            open_database(dbfile, mode)
        assert "损坏" in exc.value.message and "qoffice check" in exc.value.message, exc.value.message
        assert digest(dbfile) == before and count(dbfile) == 20
    for argv in (["settings", "show"], ["settings", "set", "county", "海安市"], ["demo-data", "--force"],
                 ["backup"], ["export-return", "--year", "2024", "-o", str(dbfile.parent / "r.xlsx")]):
        assert cli(["--db", str(dbfile), *argv]) == 2, argv
        err = capsys.readouterr().err
        assert "损坏" in err and len(err.strip().splitlines()) == 1, err
        assert digest(dbfile) == before and count(dbfile) == 20
    assert not bk.list_backups(dbfile)
    # `check` says what is wrong (exit 1), still without changing anything.
    assert cli(["--db", str(dbfile), "check"]) == 1
    out = capsys.readouterr().out
    assert "版本" in out, out
    assert digest(dbfile) == before


def test_an_empty_sqlite_file_is_still_initialised(count, tmp_path):
    p = tmp_path / "empty.db"
    con = sqlite3.connect(p)
    con.execute("PRAGMA user_version=1")  # writes a header: a real SQLite file with no tables
    con.close()
    assert p.stat().st_size > 0
    open_database(p).close()
    assert count(p) == 0


# --- a damaged page: one line, exit 2 --------------------------------------------------------------

def _wipe_a_page_of_enterprise(p: Path) -> None:
    con = sqlite3.connect(p)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name='enterprise'").fetchone()[0]
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(p, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * page_size)


@pytest.fixture
def damaged_page(tmp_path, dbfile) -> Path:
    assert cli(["--db", str(dbfile), "settings", "set", "county", "海安市"]) == 0
    _wipe_a_page_of_enterprise(dbfile)
    return dbfile


def test_a_damaged_page_is_one_line_in_export_and_dry_run(damaged_page, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("统一社会信用代码,企业名称,区县\n91320600000000001X,南通一号有限公司,海安市\n", encoding="utf-8")
    for argv in (["export-return", "--year", "2024", "-o", tmp_path / "out.xlsx"],
                 ["import", "enterprises", roster, "--dry-run"]):
        out = run_cli("--db", damaged_page, *argv)
        assert out.returncode == 2, (argv, out.stderr)
        assert "Traceback" not in out.stderr, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "损坏" in lines[0] and "qoffice check" in lines[0], out.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_the_db_layer_turns_a_damaged_page_into_a_known_error(damaged_page):
    db = open_database(damaged_page, "existing")
    try:
        with pytest.raises(DatabaseError) as exc:
            db.query("SELECT count(*), max(name) FROM enterprise")
        assert "损坏" in exc.value.message
        from sqlalchemy import text

        with pytest.raises(DatabaseError):
            with db.read_session() as s:
                s.execute(text("SELECT max(name) FROM enterprise")).all()
        with pytest.raises(DatabaseError):
            with db.session() as s:
                s.execute(text("UPDATE enterprise SET name = name || 'x'"))
    finally:
        db.close()


# --- a foreign-key violation: the database is blamed, a -damaged backup is still made ---------------

@pytest.fixture
def fk_broken(dbfile) -> Path:
    con = sqlite3.connect(dbfile)
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("INSERT INTO year_figures (enterprise_id, year, created_at) VALUES (999999, 2024, CURRENT_TIMESTAMP)")
    con.commit()
    con.close()
    return dbfile


def test_backup_of_a_database_with_a_foreign_key_violation(count, fk_broken, capsys):
    assert cli(["--db", str(fk_broken), "backup"]) == 1
    err = capsys.readouterr().err
    assert "备份文件未通过完整性检查" not in err
    assert "数据库" in err and "损坏" in err and "year_figures" in err, err
    made = bk.list_backups(fk_broken)
    assert len(made) == 1 and made[0].path.name.endswith("-damaged.db"), made
    assert count(made[0].path) == 20
    assert str(made[0].path) in err
    from qoffice.services import backups

    assert [r.kind_label for r in backups.list_backups(fk_broken)] == ["损坏数据库的副本"]  # 备份与恢复 says so
    # -o FILE: the copy is still written, under FILE's name with -damaged.
    out = fk_broken.parent / "copy.db"
    assert cli(["--db", str(fk_broken), "backup", "-o", str(out)]) == 1
    capsys.readouterr()
    assert not out.exists() and (fk_broken.parent / "copy-damaged.db").exists()


def test_damaged_backups_never_rotate_good_ones_away(dbfile):
    # Good backups made while the database was whole, then many damaged ones.
    good = [bk.make_backup(dbfile, "event", "import", now=dt.datetime(2024, 1, 1, 0, 0, i)) for i in range(3)]
    good.append(bk.make_backup(dbfile, "daily", now=dt.datetime(2024, 1, 2, 0, 0, 0)))
    con = sqlite3.connect(dbfile)
    con.execute("INSERT INTO year_figures (enterprise_id, year, created_at) VALUES (999999, 2024, CURRENT_TIMESTAMP)")
    con.commit()
    con.close()
    for i in range(15):
        with pytest.raises(DatabaseError):
            bk.make_backup(dbfile, "event", "import", now=dt.datetime(2024, 2, 1, 0, 0, i))
        with pytest.raises(DatabaseError):
            bk.make_backup(dbfile, "daily", now=dt.datetime(2024, 2, 1 + i, 0, 0, 0))
    names = [b.path for b in bk.list_backups(dbfile)]
    assert all(g in names for g in good)
    assert 1 <= sum(1 for n in names if n.name.endswith("-damaged.db")) <= bk.EVENT_KEEP
    assert not bk.daily_backup_due(dbfile, dt.date(2024, 1, 2))
    assert bk.daily_backup_due(dbfile, dt.date(2024, 2, 3))  # a damaged copy is not the day's backup


def test_import_and_demo_data_blame_the_database(count, fk_broken, tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text("统一社会信用代码,企业名称,区县\n91320600000000001X,南通一号有限公司,海安市\n", encoding="utf-8")
    before = count(fk_broken)
    for argv in (["import", "enterprises", str(roster)], ["demo-data", "--force", "--enterprises", "5"]):
        code = cli(["--db", str(fk_broken), *argv])
        err = capsys.readouterr().err
        assert code == 2, (argv, err)
        assert "备份文件未通过完整性检查" not in err and "数据库" in err and "损坏" in err, err
        assert "qoffice check" in err
        assert count(fk_broken) == before


# --- ?, # and % in the folder's name ----------------------------------------------------------------

def test_odd_characters_in_the_folder_name(count, tmp_path):
    folder = tmp_path / "数据?#%20"
    folder.mkdir()
    p = folder / "q.db"
    for argv in (["settings", "set", "county", "海安市"], ["settings", "show"], ["backup"], ["check"],
                 ["demo-data", "--enterprises", "100", "--seed", "1"]):
        out = run_cli("--db", p, *argv)
        assert out.returncode == 0, (argv, out.stderr)
    assert count(p) == 100
    assert sorted(x.name for x in folder.iterdir()) == ["backups", "q.db", "q.db.lock"], list(folder.iterdir())
    assert sorted(x.name for x in tmp_path.iterdir()) == ["qhome", "数据?#%20"]
    saved = bk.list_backups(p)[0].path
    out = run_cli("--db", p, "restore", saved)
    assert out.returncode == 0, out.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["qhome", "数据?#%20"]
    assert sorted(x.name for x in folder.iterdir()) == ["backups", "q.db", "q.db.lock"]


def test_the_gui_refuses_a_database_without_its_version_row(count, dbfile, qoffice_home):
    import json

    _sql(dbfile, "DELETE FROM alembic_version")
    before = digest(dbfile)
    report = qoffice_home / "report.json"
    env = dict(os.environ, QOFFICE_EXIT_AFTER_SHOW="1", QOFFICE_SMOKE_REPORT=str(report),
               QOFFICE_HOME=str(qoffice_home), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "qoffice", "--db", str(dbfile)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit"] == 2 and "损坏" in data["prompt"], data
    assert digest(dbfile) == before and count(dbfile) == 20


def test_restore_mends_a_database_with_a_foreign_key_violation(count, dbfile, tmp_path):
    saved = tmp_path / "saved.db"
    bk.make_backup(dbfile, target=saved)
    con = sqlite3.connect(dbfile)
    con.execute("INSERT INTO year_figures (enterprise_id, year, created_at) VALUES (999999, 2024, CURRENT_TIMESTAMP)")
    con.commit()
    con.close()
    from qoffice.services import backups

    result = backups.restore_from(dbfile, saved)
    assert result.safety_backup.name.endswith("-damaged.db") and count(result.safety_backup) == 20
    from qoffice.db.sqlite import integrity_ok

    assert integrity_ok(dbfile) == (True, [])
