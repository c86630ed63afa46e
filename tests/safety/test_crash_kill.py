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


def count(p: Path) -> int:
    con = sqlite3.connect(p)
    try:
        return con.execute("SELECT count(*) FROM enterprise").fetchone()[0]
    finally:
        con.close()


def start_import(db: Path, csv: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "qoffice", "--db", str(db), "import", "enterprises", str(csv),
                             "--json"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_kill_during_a_10000_row_import_never_damages_the_database(tmp_path):
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
            proc.wait(timeout=rng.uniform(0.05, full_run * 1.05))
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
