"""Disk full, read-only folder, no permission, file in use: one clear Chinese line, previous data intact.

CI runs as root, for whom a read-only folder is no obstacle, so the failures are injected where the
operating system would report them (ENOSPC, EROFS, EACCES and Windows' sharing violation 32), plus
SQLite's own "disk full" (max_page_count) and "database is locked"; and one real case runs as
`nobody` from a world-readable copy of the program.
"""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import event, text

from qoffice.db import backup as bk
from qoffice.db import migrate
from qoffice.db import sqlite as sq
from qoffice.db.database import open_database
from qoffice.errors import DatabaseError, KnownError, OutputNotWritable
from qoffice.services import backups

ROOT = Path(__file__).resolve().parents[2]


class SharingViolation(PermissionError):
    """What Windows raises when Excel or an antivirus holds the file."""

    winerror = 32

    def __init__(self):
        super().__init__(errno.EACCES, "The process cannot access the file because it is being used by another process")


FAILURES = {
    "disk full": (lambda: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), "磁盘已满"),
    "read-only": (lambda: OSError(errno.EROFS, os.strerror(errno.EROFS)), "只读"),
    "no permission": (lambda: PermissionError(errno.EACCES, os.strerror(errno.EACCES)), "没有"),
    "in use": (SharingViolation, "占用"),
}


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def one_clear_line(exc: KnownError, word: str) -> None:
    msg = exc.message
    assert word in msg, msg
    assert "\n" not in msg and "原有数据未受影响" in msg


def failing(make_exc, *, after: int = 0, when=lambda *a: True):
    """A stand-in that raises the injected error (after `after` successful real calls, for the
    calls `when` selects)."""

    def wrap(real):
        calls = [0]

        def fn(*a, **kw):
            if when(*a):
                calls[0] += 1
                if calls[0] > after:
                    raise make_exc()
            return real(*a, **kw)

        return fn

    return wrap


# --- backups ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FAILURES)
@pytest.mark.parametrize("where", ["writing", "renaming"])
def test_backup_failure_leaves_no_file_and_a_clear_message(dbfile, monkeypatch, name, where):
    make_exc, word = FAILURES[name]
    before = digest(dbfile)
    if where == "writing":
        monkeypatch.setattr(sq, "backup_file", failing(make_exc)(sq.backup_file))
    else:
        monkeypatch.setattr(bk.os, "replace", failing(make_exc, when=lambda src, dst: str(src).endswith(".part"))(os.replace))
    with pytest.raises(OutputNotWritable) as exc:
        backups.backup_now(dbfile)
    one_clear_line(exc.value, word)
    assert digest(dbfile) == before
    assert bk.list_backups(dbfile) == []
    assert not list((dbfile.parent / "backups").glob("*"))  # no .part left behind


# --- restore ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FAILURES)
@pytest.mark.parametrize("where", ["copying the backup", "backing up the current file", "replacing"])
def test_restore_failure_leaves_the_database_as_it_was(count, dbfile, tmp_path, builders, monkeypatch, name, where):
    import qoffice.services.backups as svc

    make_exc, word = FAILURES[name]
    saved = tmp_path / "saved.db"
    bk.make_backup(dbfile, target=saved)
    db = open_database(dbfile)
    with db.session() as s:
        builders.make_enterprise(s)
    db.close()
    before = digest(dbfile)
    if where == "copying the backup":
        monkeypatch.setattr(sq, "backup_file", failing(make_exc)(sq.backup_file))
    elif where == "backing up the current file":
        monkeypatch.setattr(sq, "backup_file", failing(make_exc, after=1)(sq.backup_file))
    else:
        monkeypatch.setattr(svc.os, "replace", failing(make_exc, when=lambda src, dst: Path(dst) == dbfile)(os.replace))
    with pytest.raises(OutputNotWritable) as exc:
        backups.restore_from(dbfile, saved)
    one_clear_line(exc.value, word)
    monkeypatch.undo()
    assert digest(dbfile) == before and count(dbfile) == 4
    assert sorted(p.name for p in dbfile.parent.iterdir() if p.name.startswith("q.db")) == ["q.db", "q.db.lock"]
    assert sq.integrity_ok(dbfile) == (True, [])


# --- database writes ----------------------------------------------------------------------------

def test_real_sqlite_disk_full_during_a_write_rolls_back(count, dbfile, builders):
    db = open_database(dbfile)
    try:
        with pytest.raises(OutputNotWritable) as exc:
            with db.session() as s:
                pages = s.execute(text("PRAGMA page_count")).scalar()
                s.execute(text(f"PRAGMA max_page_count={pages}"))  # the "disk" holds no more pages
                for _ in range(300):
                    builders.make_enterprise(s, note="满" * 2000)
        one_clear_line(exc.value, "磁盘已满")
    finally:
        db.close()
    assert count(dbfile) == 3 and sq.integrity_ok(dbfile) == (True, [])


@pytest.mark.parametrize("message, word", [
    ("attempt to write a readonly database", "只读"),
    ("unable to open database file", "没有"),
    ("database or disk is full", "磁盘已满"),
])
def test_sqlite_write_errors_become_clear_messages(count, dbfile, builders, message, word):
    db = open_database(dbfile)

    @event.listens_for(db.engine, "before_cursor_execute")
    def _fail(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError(message)

    try:
        with pytest.raises(OutputNotWritable) as exc:
            with db.session() as s:
                builders.make_enterprise(s)
        one_clear_line(exc.value, word)
    finally:
        db.close()
    assert count(dbfile) == 3


def test_database_held_by_a_foreign_program_gives_in_use(count, dbfile, builders, monkeypatch):
    """Another program (not qoffice, so not honouring our lock file) holds SQLite's write lock."""
    from qoffice.errors import DatabaseLocked

    monkeypatch.setattr(sq, "BUSY_TIMEOUT_MS", 200)
    db = open_database(dbfile)
    other = sqlite3.connect(dbfile, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLocked) as exc:  # opening now: the same clear line, not "not a database"
            open_database(dbfile, "check")
        one_clear_line(exc.value, "占用")
        with pytest.raises(OutputNotWritable) as exc:
            with db.session() as s:
                builders.make_enterprise(s)
        one_clear_line(exc.value, "占用")
    finally:
        db.close()
        other.execute("ROLLBACK")
        other.close()
    assert count(dbfile) == 3


@pytest.mark.parametrize("name", FAILURES)
def test_creating_a_database_in_an_unwritable_folder(tmp_path, monkeypatch, name):
    import qoffice.db.database as dbmod

    make_exc, word = FAILURES[name]
    monkeypatch.setattr(dbmod.os, "replace", failing(make_exc, when=lambda src, dst: str(src).endswith(".new"))(os.replace))
    with pytest.raises(OutputNotWritable) as exc:
        open_database(tmp_path / "new.db")
    one_clear_line(exc.value, word)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("new.db") and not p.name.endswith(".lock")] == []


@pytest.mark.parametrize("name", FAILURES)
def test_lock_file_that_cannot_be_made(tmp_path, monkeypatch, name):
    from qoffice.db import lock

    make_exc, word = FAILURES[name]
    monkeypatch.setattr(lock.os, "open", failing(make_exc, when=lambda path, *a: str(path).endswith(".lock"))(os.open))
    with pytest.raises(OutputNotWritable) as exc:
        open_database(tmp_path / "q.db")
    one_clear_line(exc.value, word)


@pytest.mark.parametrize("name", FAILURES)
def test_migration_copy_failure_leaves_the_original(dbfile, monkeypatch, name):
    make_exc, word = FAILURES[name]
    before = digest(dbfile)
    monkeypatch.setattr(sq, "backup_file", failing(make_exc)(sq.backup_file))
    with pytest.raises(DatabaseError) as exc:
        migrate.upgrade(dbfile)
    assert word in exc.value.message
    assert digest(dbfile) == before
    assert not Path(str(dbfile) + ".migrating").exists()


# --- the real thing, as an unprivileged user ---------------------------------------------------

def _nobody_python() -> list[str]:
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("needs root to switch to the user nobody")
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("setpriv (util-linux) is not installed")
    cmd = [setpriv, "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", sys.executable]
    probe = subprocess.run(cmd + ["-c", "import sqlalchemy, babel, openpyxl"], capture_output=True, text=True,
                           timeout=60, cwd="/")
    if probe.returncode != 0:
        pytest.skip(f"the user nobody cannot run this virtualenv's python: {probe.stderr.strip()[-200:]}")
    return cmd


@pytest.mark.slow
def test_real_read_only_folder_as_nobody(count, builders):
    cmd = _nobody_python()
    top = Path(tempfile.mkdtemp(prefix="qoffice-nobody-"))
    try:
        os.chmod(top, 0o755)
        shutil.copytree(ROOT / "qoffice", top / "app" / "qoffice", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "resources", top / "app" / "resources")
        data = top / "data"  # root's folder: nobody may read it, not write it
        data.mkdir(mode=0o755)
        db_path = data / "q.db"
        db = open_database(db_path)
        with db.session() as s:
            for _ in range(3):
                builders.make_enterprise(s)
        db.close()
        out_dir = top / "out"  # nobody's own folder
        out_dir.mkdir()
        os.chown(out_dir, 65534, 65534)
        csv = top / "e.csv"
        csv.write_text("统一社会信用代码,企业名称\n" + builders.code() + ",只读测试有限公司\n", encoding="utf-8")
        for p in top.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.chmod(out_dir, 0o755)
        before = digest(db_path)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(out_dir), "PYTHONPATH": str(top / "app"),
               "QOFFICE_HOME": str(out_dir / "home"), "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}

        def run(*args):
            return subprocess.run(cmd + ["-m", "qoffice", "--db", str(db_path), *map(str, args)],
                                  capture_output=True, text=True, encoding="utf-8", timeout=180, env=env, cwd=top / "app")

        where = subprocess.run(cmd + ["-c", "import qoffice; print(qoffice.__file__)"], capture_output=True,
                               text=True, env=env, cwd=top / "app", timeout=60)
        assert where.stdout.startswith(str(top / "app")), where  # the copy runs, not the checkout
        saved = out_dir / "saved.db"
        ok = run("backup", "-o", saved)  # reading is allowed
        assert ok.returncode == 0, ok.stderr
        assert sq.integrity_ok(saved) == (True, [])
        for args in (("import", "enterprises", csv), ("backup",), ("restore", saved)):
            res = run(*args)
            assert res.returncode == 2, (args, res.stdout, res.stderr)
            lines = res.stderr.strip().splitlines()
            assert len(lines) == 1 and "没有" in lines[0] and "权限" in lines[0], (args, lines)
            assert "Traceback" not in res.stderr
        assert digest(db_path) == before and count(db_path) == 3
        assert sorted(p.name for p in data.iterdir()) == ["q.db", "q.db.lock"]
    finally:
        shutil.rmtree(top, ignore_errors=True)
