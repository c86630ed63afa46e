"""Restore and locks (issue 12): a failed restore changes nothing; the pre-restore backup is pinned;
failing starts never rotate good backups away; another program's SQLite write lock refuses a restore;
odd database and lock paths (folder, device node, FIFO, symbolic links) get the right message;
reading needs no write lock."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qoffice.cli.main import main as cli
from qoffice.db import backup as bk
from qoffice.db import database as dbmod
from qoffice.db import migrate, schema
from qoffice.db.database import open_database
from qoffice.db.sqlite import integrity_ok
from qoffice.errors import DatabaseError
from qoffice.services import backups

ROOT = Path(__file__).resolve().parent.parent
NEW_REV = "9001"


def digest(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def run_cli(*args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qoffice", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


# --- item 4: a restore whose upgrade fails changes nothing ------------------------------------------

def _fake_head(tmp_path: Path, monkeypatch, fails: bool = True) -> None:
    """This program's head becomes NEW_REV, one step above today's head; its upgrade fails or works."""
    folder = tmp_path / ("migrations_failing" if fails else "migrations_ok")
    shutil.copytree(migrate.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    body = ('    op.execute("CREATE TABLE half_done (x INTEGER)")\n    raise RuntimeError("injected failure")'
            if fails else '    op.execute("CREATE TABLE step_done (x INTEGER)")')
    (folder / "versions" / f"{NEW_REV}_step.py").write_text(textwrap.dedent(f'''
        """a test step"""
        from alembic import op
        revision = "{NEW_REV}"
        down_revision = "{schema.SCHEMA_HEAD}"
        branch_labels = None
        depends_on = None

        ''') + "def upgrade():\n" + body + "\n\n\ndef downgrade():\n    pass\n", encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", folder)
    known = schema.KNOWN_REVISIONS + (NEW_REV,)
    for mod in (dbmod, backups):
        monkeypatch.setattr(mod, "KNOWN_REVISIONS", known)
        monkeypatch.setattr(mod, "SCHEMA_HEAD", NEW_REV)


def _failing_head(tmp_path: Path, monkeypatch) -> None:
    _fake_head(tmp_path, monkeypatch, fails=True)


def _stamp(p: Path, rev: str) -> None:
    con = sqlite3.connect(p)
    con.execute("UPDATE alembic_version SET version_num = ?", (rev,))
    con.commit()
    con.close()


def test_a_restore_whose_upgrade_fails_leaves_the_database_as_it_was(count, dbfile, tmp_path, builders, monkeypatch,
                                                                       capsys):
    old = tmp_path / "old.db"
    bk.make_backup(dbfile, target=old)  # at today's head: "older" once the head is NEW_REV
    builders.add_enterprises(dbfile, 2)
    _stamp(dbfile, NEW_REV)  # the clerk's database is at the (pretend) newest schema
    _failing_head(tmp_path, monkeypatch)
    before = digest(dbfile)
    assert cli(["--db", str(dbfile), "restore", str(old)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "qoffice: " in err
    assert digest(dbfile) == before and count(dbfile) == 5
    assert sorted(p.name for p in dbfile.parent.iterdir() if p.name != "backups") == ["q.db", "q.db.lock"]
    with pytest.raises(DatabaseError):
        backups.restore_from(dbfile, old)
    assert digest(dbfile) == before
    # Later commands open the clerk's file, as it was: no -migrate backups, nothing rotated.
    for _ in range(12):
        open_database(dbfile, "existing").close()
    assert not [b for b in bk.list_backups(dbfile) if b.reason == "migrate"]


def test_an_older_backup_is_upgraded_on_a_copy_before_it_replaces_the_database(count, dbfile, tmp_path, builders,
                                                                               monkeypatch):
    old = tmp_path / "old.db"
    bk.make_backup(dbfile, target=old)  # at today's head: "older" once the head is NEW_REV
    builders.add_enterprises(dbfile, 2)
    _stamp(dbfile, NEW_REV)
    _fake_head(tmp_path, monkeypatch, fails=False)
    result = backups.restore_from(dbfile, old)
    assert not result.needs_upgrade and result.revision == NEW_REV
    con = sqlite3.connect(dbfile)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == NEW_REV
    assert con.execute("SELECT count(*) FROM step_done").fetchone()[0] == 0  # the step ran, on the copy
    con.close()
    assert count(dbfile) == 3 and integrity_ok(dbfile) == (True, [])
    assert digest(old) != digest(dbfile)  # the chosen file itself was not touched
    assert not list(dbfile.parent.glob("q.db.*ing*"))


def test_repeated_failing_starts_never_rotate_the_good_backups_away(dbfile, tmp_path, monkeypatch):
    good = [bk.make_backup(dbfile, "event", "import", now=dt.datetime(2024, 1, 1, 0, 0, i)) for i in range(10)]
    _failing_head(tmp_path, monkeypatch)
    before = digest(dbfile)
    for _ in range(12):
        with pytest.raises(DatabaseError):
            open_database(dbfile)
    assert digest(dbfile) == before
    names = {b.path for b in bk.list_backups(dbfile)}
    assert set(good) <= names
    assert len([b for b in bk.list_backups(dbfile) if b.reason == "migrate"]) <= 1


def test_the_pre_restore_backup_is_pinned_until_a_later_good_backup(count, dbfile, builders):
    saved = backups.backup_now(dbfile)
    builders.add_enterprises(dbfile, 2)
    pre = backups.restore_from(dbfile, saved).safety_backup
    assert count(pre) == 5
    for _ in range(12):  # a dozen imports later, the clerk's pre-restore data is still there
        bk.make_backup(dbfile, "event", "import")
    assert pre.exists()
    backups.backup_now(dbfile)  # a later good backup: the pin is released
    bk.make_backup(dbfile, "event", "import")
    assert not pre.exists()


# --- item 5: another program's SQLite write lock ---------------------------------------------------

WRITER = textwrap.dedent("""
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE enterprise SET name = name || '（其他程序）' WHERE id = 1")
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        con.execute("COMMIT")
        print("committed", flush=True)
    except sqlite3.Error as exc:
        print("failed", exc, flush=True)
""")


def test_restore_is_refused_while_another_program_holds_sqlites_write_lock(dbfile, tmp_path):
    saved = tmp_path / "saved.db"
    bk.make_backup(dbfile, target=saved)
    other = subprocess.Popen([sys.executable, "-c", WRITER, str(dbfile)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "ready"
        out = run_cli("--db", dbfile, "restore", saved)
        assert out.returncode == 2, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "另一个程序" in out.stderr, out.stderr
        other.stdin.write("\n")
        other.stdin.flush()
        assert other.stdout.readline().strip() == "committed"
    finally:
        other.kill()
        other.wait()
        other.stdin.close()
        other.stdout.close()
    con = sqlite3.connect(dbfile)
    assert "（其他程序）" in con.execute("SELECT name FROM enterprise WHERE id = 1").fetchone()[0]
    con.close()
    assert integrity_ok(dbfile) == (True, [])
    assert not list((dbfile.parent / "backups").glob("*.damaged"))


# --- odd paths --------------------------------------------------------------------------------------

def test_a_folder_as_database_is_named_as_such(tmp_path, dbfile, capsys):
    saved = tmp_path / "saved.db"
    bk.make_backup(dbfile, target=saved)
    folder = tmp_path / "folder.db"
    folder.mkdir()
    for argv in (["restore", str(saved)], ["settings", "show"], ["settings", "set", "county", "海安市"]):
        assert cli(["--db", str(folder), *argv]) == 2
        err = capsys.readouterr().err
        assert "文件夹" in err and "权限" not in err, err
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
def test_restore_from_a_device_or_pipe_says_what_it_is(dbfile, tmp_path, kind, capsys):
    node = tmp_path / "node"
    if kind == "fifo":
        os.mkfifo(node)
    else:
        try:
            os.mknod(node, 0o600 | __import__("stat").S_IFCHR, os.makedev(1, 5))  # like /dev/zero
        except PermissionError:
            pytest.skip("mknod needs root")
    before = digest(dbfile)
    assert cli(["--db", str(dbfile), "restore", str(node)]) == 2
    err = capsys.readouterr().err
    assert "不存在" not in err and "普通文件" in err, err
    assert digest(dbfile) == before


def test_a_lock_file_that_is_a_folder_is_named(dbfile, tmp_path, capsys):
    saved = tmp_path / "saved.db"
    bk.make_backup(dbfile, target=saved)
    Path(str(dbfile) + ".lock").unlink(missing_ok=True)
    Path(str(dbfile) + ".lock").mkdir()
    assert cli(["--db", str(dbfile), "restore", str(saved)]) == 2
    err = capsys.readouterr().err
    assert "q.db.lock" in err and "文件夹" in err, err
    assert cli(["--db", str(dbfile), "settings", "set", "county", "海安市"]) == 2
    err = capsys.readouterr().err
    assert "q.db.lock" in err and "文件夹" in err, err


def test_restore_through_a_symlinked_db_replaces_the_real_file(count, dbfile, tmp_path, builders):
    saved = tmp_path / "saved.db"
    bk.make_backup(dbfile, target=saved)
    builders.add_enterprises(dbfile, 2)
    link = tmp_path / "link.db"
    link.symlink_to(dbfile)
    assert cli(["--db", str(link), "restore", str(saved)]) == 0
    assert link.is_symlink() and os.path.samefile(link, dbfile)
    assert count(dbfile) == 3


def test_a_symlinked_lock_file_is_not_followed(dbfile, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("important", encoding="utf-8")
    lock = Path(str(dbfile) + ".lock")
    lock.unlink(missing_ok=True)
    lock.symlink_to(victim)
    db = open_database(dbfile)
    try:
        assert victim.read_text(encoding="utf-8") == "important"
        assert not lock.is_symlink() or db is None
        import fcntl

        fd = os.open(victim, os.O_RDWR)  # the victim was never locked
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    finally:
        db.close()
    assert victim.read_text(encoding="utf-8") == "important"


# --- reading needs no write lock ---------------------------------------------------------------------

def test_settings_show_works_while_the_gui_holds_the_database(dbfile):
    gui = open_database(dbfile, program="qoffice")
    try:
        out = run_cli("--db", dbfile, "settings", "show", "--json")
        assert out.returncode == 0, out.stderr
        assert '"settings"' in out.stdout
        assert run_cli("--db", dbfile, "check").returncode == 0
    finally:
        gui.close()


def test_settings_show_upgrades_an_older_database_first(dbfile, tmp_path, monkeypatch, capsys):
    _fake_head(tmp_path, monkeypatch, fails=False)
    assert cli(["--db", str(dbfile), "settings", "show", "--json"]) == 0
    assert '"settings"' in capsys.readouterr().out
    con = sqlite3.connect(dbfile)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == NEW_REV
    con.close()
    assert [b.reason for b in bk.list_backups(dbfile)] == ["migrate"]


@pytest.fixture
def readonly_mount(tmp_path):
    point = tmp_path / "ro"
    point.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(point)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_read_only_commands_work_on_a_read_only_disk(count, dbfile, readonly_mount, tmp_path):
    p = readonly_mount / "q.db"
    shutil.copyfile(dbfile, p)
    assert subprocess.run(["mount", "-o", "remount,ro", str(readonly_mount)]).returncode == 0
    roster = tmp_path / "r.csv"
    from qoffice.domain.uscc import make_valid

    roster.write_text(f"统一社会信用代码,企业名称,区县\n{make_valid('91320600000000999')},南通一号有限公司,海安市\n",
                      encoding="utf-8")
    for argv in (["settings", "show"], ["check"], ["backup", "-o", tmp_path / "copy.db"],
                 ["import", "enterprises", roster, "--dry-run"]):
        out = run_cli("--db", p, *argv)
        assert out.returncode == 0, (argv, out.stderr)
    assert count(tmp_path / "copy.db") == 3
    out = run_cli("--db", p, "settings", "set", "county", "海安市")
    assert out.returncode == 2 and "只读" in out.stderr, out.stderr
