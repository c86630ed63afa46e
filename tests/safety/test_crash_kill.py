"""Crash safety: SIGKILL a 10,000-row enterprise import at random moments; the DB always survives whole.

Each kill lands somewhere in start-up, reading the file, the pre-import backup or the one write
transaction. Afterwards the database opens, passes integrity_check, and holds either the count
before the import or before + every row — never part of an import.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qoffice.db.database import open_database
from qoffice.db.sqlite import integrity_ok
from qoffice.domain.uscc import make_valid

ROOT = Path(__file__).resolve().parents[2]
ROWS = 10_000
KILLS = 20


def write_csv(path: Path, first: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("统一社会信用代码,企业名称,区县,联系电话,法定代表人\n")
        for i in range(first, first + ROWS):
            fh.write(f"{make_valid(f'9132068{i:010d}')},南通崩溃测试{i}有限公司,海安市,0513-8{i % 10_000_000:07d},张{i % 97}\n")


def start_import(db: Path, csv: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "qoffice", "--db", str(db), "import", "enterprises", str(csv),
                             "--json"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_kill_during_a_10000_row_import_never_damages_the_database(count, tmp_path):
    db = tmp_path / "q.db"
    seed = tmp_path / "seed.csv"
    write_csv(seed, 0)
    t0 = time.monotonic()
    first = start_import(db, seed)
    assert first.wait(timeout=600) == 0, first.stderr.read().decode()
    full_run = time.monotonic() - t0  # only to spread kill moments over a whole run
    assert count(db) == ROWS

    rng = random.Random(20240601)
    kills = completed = mid_write = 0
    attempt = 0
    while kills < KILLS:
        attempt += 1
        assert attempt <= KILLS * 3, "imports kept finishing before the kill"
        csv = tmp_path / f"batch{attempt % 2}.csv"
        write_csv(csv, attempt * ROWS)
        before = count(db)
        proc = start_import(db, csv)
        try:
            proc.wait(timeout=rng.uniform(0.3 * full_run, full_run * 1.05))  # past most of start-up
        except subprocess.TimeoutExpired:
            pass
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            kills += 1
            mid_write += Path(str(db) + "-journal").exists()  # killed inside the write transaction
        else:
            assert proc.returncode == 0, proc.stderr.read().decode()
            completed += 1
        proc.stderr.close()
        # The GUI opening the file after the crash:
        opened = open_database(db)
        opened.close()
        assert integrity_ok(db) == (True, [])
        assert count(db) in (before, before + ROWS), (attempt, before, count(db))
    print(f"\nkills survived: {kills} ({mid_write} inside the write transaction), "
          f"imports that finished first: {completed}, final count {count(db)}")
    assert kills == KILLS
    assert mid_write >= 1  # the kills did reach the writing, not only start-up


# --- export-return and restore (issue 12): 10 kills each, nothing lost, nothing stray ----------------

KILLS_EACH = 10


def _cli(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "qoffice", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _run(*args) -> None:
    proc = _cli(*args)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()


def _kill_loop(start, check, full_run: float, seed: int) -> tuple[int, int]:
    """Start the command again and again, SIGKILL it at a random moment, then `check()`."""
    rng = random.Random(seed)
    kills = completed = 0
    attempt = 0
    while kills < KILLS_EACH:
        attempt += 1
        assert attempt <= KILLS_EACH * 6, "the command kept finishing before the kill"
        proc = start(attempt)
        t0 = time.monotonic()
        try:
            proc.wait(timeout=rng.uniform(0.3 * full_run, full_run * 1.05))  # past most of start-up
        except subprocess.TimeoutExpired:
            pass
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            kills += 1
        else:
            assert proc.returncode == 0, proc.stderr.read().decode()
            completed += 1
            full_run = min(full_run, time.monotonic() - t0)  # the first run was slower (cold caches)
        proc.stderr.close()
        check(attempt)
    return kills, completed


def _whole_workbook(p: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(p) as z:
            return z.testzip() is None and "xl/workbook.xml" in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _demo(tmp_path: Path, enterprises: int = 100) -> Path:
    db = tmp_path / "data" / "q.db"
    _run("--db", db, "demo-data", "--enterprises", enterprises, "--seed", "7")
    return db


def _records(p: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(p)
    try:
        return con.execute("SELECT path, copy_path FROM return_submission ORDER BY id").fetchall()
    finally:
        con.close()


def _others(folder: Path, expected: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in expected)


@pytest.mark.slow
def test_kill_during_export_return_loses_nothing(tmp_path, qoffice_home):
    db = _demo(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "return.xlsx"
    t0 = time.monotonic()
    _run("--db", db, "export-return", "--year", "2025", "-o", target)
    full_run = time.monotonic() - t0
    assert _whole_workbook(target)
    returns = qoffice_home / "returns"
    state = {"before": 0, "mid": 0, "unrecorded": 0, "hidden": 0}

    def start(_attempt):
        state["before"] = len(_records(db))
        return _cli("--db", db, "export-return", "--year", "2025", "-o", target)

    def check(attempt):
        left = _others(out_dir, {"return.xlsx"})
        state["mid"] += bool(left or Path(str(db) + "-journal").exists())
        opened = open_database(db)  # the GUI opening the file after the crash
        opened.close()
        assert integrity_ok(db) == (True, [])
        records = _records(db)
        assert len(records) in (state["before"], state["before"] + 1), attempt
        assert _whole_workbook(target), attempt  # never a half-written return under the target name
        for _path, copy in records:  # every record's kept copy is there, whole
            assert _whole_workbook(Path(copy)), (attempt, copy)
        kept = [p for p in returns.iterdir() if not p.name.startswith(".~")]
        assert all(_whole_workbook(p) for p in kept), attempt
        # A kill between the rename into place and the commit can leave one copy without its record,
        # and a kill while writing leaves the writer's hidden temp file (.~…): counted, never visible names.
        state["unrecorded"] += len(kept) - len(records)
        state["hidden"] += len(left) + len([p for p in returns.iterdir() if p.name.startswith(".~")])
        assert all(name.startswith(".~") for name in left), (attempt, left)
        for name in left:
            (out_dir / name).unlink()
        for p in returns.iterdir():
            if p.name.startswith(".~"):
                p.unlink()
        assert _others(db.parent, {"q.db", "q.db.lock", "backups"}) == [], attempt

    kills, completed = _kill_loop(start, check, full_run, 20261206)
    print(f"\nexport-return: kills {kills} ({state['mid']} mid-write), finished first {completed}, "
          f"records {len(_records(db))}, copies without a record {state['unrecorded']}, "
          f"hidden temp files left {state['hidden']}")
    assert kills == KILLS_EACH


def _state(p: Path) -> tuple:
    con = sqlite3.connect(p)
    try:
        return (con.execute("SELECT count(*), group_concat(name, '|') FROM enterprise").fetchone(),
                tuple(con.execute("SELECT * FROM setting ORDER BY 1")))
    finally:
        con.close()


@pytest.mark.slow
def test_kill_during_restore_loses_nothing(tmp_path):
    db = _demo(tmp_path, 1000)
    saved = [tmp_path / "a.db", tmp_path / "b.db"]
    _run("--db", db, "backup", "-o", saved[0])
    _run("--db", db, "settings", "set", "office", "另一个填报单位")
    _run("--db", db, "backup", "-o", saved[1])
    states = [_state(s) for s in saved]
    assert states[0] != states[1]
    t0 = time.monotonic()
    _run("--db", db, "restore", saved[0])
    full_run = time.monotonic() - t0
    assert _state(db) == states[0]
    backups = db.parent / "backups"
    state = {"before": None, "chosen": None, "mid": 0}

    def start(attempt):
        state["before"] = _state(db)
        state["chosen"] = attempt % 2
        return _cli("--db", db, "restore", saved[attempt % 2])

    def check(attempt):
        state["mid"] += bool(_others(db.parent, {"q.db", "q.db.lock", "backups"})
                             or (backups.exists() and any(p.suffix == ".part" for p in backups.iterdir())))
        opened = open_database(db)  # the GUI opening the file after the crash
        opened.close()
        assert integrity_ok(db) == (True, [])
        assert _state(db) in (state["before"], states[state["chosen"]]), attempt
        assert _others(db.parent, {"q.db", "q.db.lock", "backups"}) == [], attempt
        for p in backups.iterdir():
            assert p.suffix == ".db" and integrity_ok(p) == (True, []), (attempt, p.name)
        assert _state(saved[0]) == states[0] and _state(saved[1]) == states[1]

    kills, completed = _kill_loop(start, check, full_run, 7)
    print(f"\nrestore: kills {kills} ({state['mid']} mid-restore), finished first {completed}")
    assert kills == KILLS_EACH
