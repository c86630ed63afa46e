"""One database, one writer — proved with real concurrent processes.

A "GUI" here is a process holding the database through open_database(program="qoffice"), exactly
as the GUI does; CLI writers are real `python -m qoffice` commands.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qoffice.db.database import open_database
from qoffice.db.lock import DatabaseLock, describe_holder, lock_holder
from qoffice.db.sqlite import integrity_ok
from qoffice.domain.uscc import make_valid
from qoffice.errors import DatabaseError, DatabaseLocked

ROOT = Path(__file__).resolve().parents[2]

DBFILE_ENTERPRISES = 1  # the dbfile fixture's enterprises (tests/conftest.py)


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def cli(*args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qoffice", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


class Holder:
    """A process that opens the database like the GUI (or a CLI) and keeps it until told to go."""

    def __init__(self, db: Path, program: str = "qoffice", hold: float = 120.0):
        code = textwrap.dedent(f"""
            import sys, time
            from qoffice.db.database import open_database
            db = open_database({str(db)!r}, program={program!r})
            print("ready", flush=True)
            sys.stdin.readline() if {hold} < 0 else time.sleep({hold})
            db.close()
            print("released", flush=True)
        """)
        self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.strip() == "ready", self.proc.stderr.read()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        for s in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            s.close()


def enterprises_csv(path: Path, first: int, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("统一社会信用代码,企业名称,区县\n")
        for i in range(first, first + n):
            fh.write(f"{make_valid(f'9132069{i:010d}')},并发测试{i}有限公司,如皋市\n")
    return path


def test_lock_holder_names_the_process_that_has_it(dbfile):
    assert lock_holder(dbfile) is None
    gui = Holder(dbfile)
    try:
        info = lock_holder(dbfile)
        assert info["program"] == "qoffice" and info["pid"] == gui.proc.pid
        assert info["user"] and info["host"] and info["since"]
        assert info["host"] in describe_holder(info)
    finally:
        gui.stop()
    assert lock_holder(dbfile) is None


def test_stale_lock_of_a_killed_holder_is_taken_over(count, dbfile):
    gui = Holder(dbfile)
    try:
        with pytest.raises(DatabaseLocked):
            open_database(dbfile)
        gui.kill()
        assert Path(str(dbfile) + ".lock.info").exists()  # its note is left behind…
        assert lock_holder(dbfile) is None  # …but the OS dropped the lock with the process
        db = open_database(dbfile)
        assert lock_holder(dbfile)["pid"] == os.getpid()
        with db.session() as s:
            from qoffice.services import enterprises

            enterprises.create(s, {"uscc": make_valid("91320600000000777"), "name": "接管后写入有限公司"})
        db.close()
    finally:
        gui.stop()
    assert count(dbfile) == 2 and integrity_ok(dbfile) == (True, [])


def test_cli_writes_while_the_gui_holds_the_database_exit_2_with_one_line(dbfile, tmp_path):
    backup = tmp_path / "b.db"
    assert cli("--db", dbfile, "backup", "-o", backup).returncode == 0
    csv = enterprises_csv(tmp_path / "e.csv", 0, 5)
    gui = Holder(dbfile)
    try:
        before = digest(dbfile)
        for args in (("import", "enterprises", csv), ("restore", backup), ("settings", "set", "county", "海安市")):
            out = cli("--db", dbfile, *args)
            assert out.returncode == 2, (args, out.stdout, out.stderr)
            lines = out.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("qoffice: ") and "正被" in lines[0], lines
            assert "qoffice" in lines[0] and "Traceback" not in out.stderr
        assert digest(dbfile) == before
        # Reading commands still work while the GUI has it open.
        assert cli("--db", dbfile, "backup").returncode == 0
    finally:
        gui.stop()


def test_a_cli_writer_waits_for_another_cli_writer(count, dbfile, tmp_path):
    csv = enterprises_csv(tmp_path / "e.csv", 0, 20)
    other = Holder(dbfile, program="qoffice-cli", hold=3)  # another CLI command, busy for a moment
    try:
        assert lock_holder(dbfile)["program"] == "qoffice-cli"
        out = cli("--db", dbfile, "import", "enterprises", csv)  # starts while the lock is held
        assert out.returncode == 0, out.stderr
        assert other.proc.wait(timeout=60) == 0  # the holder finished its turn undisturbed
    finally:
        other.stop()
    assert count(dbfile) == 21 and integrity_ok(dbfile) == (True, [])


def test_two_cli_imports_at_once_both_finish(count, dbfile, tmp_path):
    a = enterprises_csv(tmp_path / "a.csv", 0, 1500)
    b = enterprises_csv(tmp_path / "b.csv", 10_000, 1500)
    procs = [subprocess.Popen([sys.executable, "-m", "qoffice", "--db", str(dbfile), "import", "enterprises",
                               str(f)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for f in (a, b)]
    results = [(p.wait(timeout=300), p.stderr.read().decode()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [r[0] for r in results] == [0, 0], results
    assert count(dbfile) == 1 + 3000
    assert integrity_ok(dbfile) == (True, [])


def test_view_mode_reads_while_another_process_holds_the_database(dbfile):
    from sqlalchemy import func, select

    from qoffice.db.models import Enterprise

    gui = Holder(dbfile)
    try:
        with pytest.raises(DatabaseLocked):
            open_database(dbfile)
        viewer = open_database(dbfile, "view")
        assert viewer.readonly and viewer.lock is None
        with viewer.read_session() as s:
            assert s.scalar(select(func.count()).select_from(Enterprise)) == 1
        with pytest.raises(DatabaseError) as exc:
            with viewer.session():
                pass
        assert "只读" in exc.value.message
        viewer.close()
        assert lock_holder(dbfile)["pid"] == gui.proc.pid  # viewing took nothing from the holder
    finally:
        gui.stop()


def test_view_mode_refuses_an_older_schema_it_cannot_upgrade(dbfile, monkeypatch):
    from qoffice.db import database as dbmod
    from qoffice.errors import DatabaseNeedsUpgrade

    monkeypatch.setattr(dbmod, "KNOWN_REVISIONS", dbmod.KNOWN_REVISIONS + ("9001",))
    monkeypatch.setattr(dbmod, "SCHEMA_HEAD", "9001")
    with pytest.raises(DatabaseNeedsUpgrade):
        open_database(dbfile, "view")


def test_lock_in_process_release_and_reacquire(tmp_path):
    db = tmp_path / "x.db"
    a, b = DatabaseLock(db, "qoffice"), DatabaseLock(db, "qoffice-cli")
    assert a.acquire() and not b.acquire()
    assert b.holder()["program"] == "qoffice"
    a.release()
    assert b.acquire()
    b.release()
    assert lock_holder(db) is None
