"""Issue 12 item 6: the return, its kept copy in returns/ and its 报送记录 succeed together or leave
nothing — a full data folder, an immutable database, a failing commit, a locked target.

The full disk is a small tmpfs the test mounts (and unmounts) itself, or an injected ENOSPC; the
immutable database is `chattr +i` on a file in tmp_path (always undone), or an injected failure.
"""
from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cli_run import one_line as _one_line
from cli_run import run as _run

from qoffice.db.database import open_database
from qoffice.services import enterprises, settings

Y = 2023


def _make_db(path: Path, builders, n: int = 30) -> Path:
    db = open_database(path, "create")
    try:
        with db.session() as s:
            settings.set_value(s, "county", "崇川区")
            settings.set_value(s, "office", "崇川区市场监督管理局")
            for i in range(n):
                e = builders.make_enterprise(s, uscc=builders.code(700_000 + i), name=f"南通第{i}号企业有限公司",
                                             cqo_name="王", cqo_phone="13800000000")
                enterprises.set_figures(s, e.id, Y, checked=2, passed=1)
    finally:
        db.close()
    return path


def _submissions(dbp: Path) -> int:
    con = sqlite3.connect(f"file:{dbp}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM return_submission").fetchone()[0]
    finally:
        con.close()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~"))


def _assert_nothing_happened(dbp: Path, target: Path, old: bytes | None, home: Path) -> None:
    if old is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == old  # the clerk's previous file, as it was
    assert _leftovers(target.parent) == []
    returns = home / "returns"
    assert not returns.exists() or list(returns.iterdir()) == []  # no copy, whole or partial
    assert _submissions(dbp) == 0


# --- a full data folder: a tmpfs of its own ------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "full"
    mount_point.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip()}); the injected ENOSPC test still runs")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], capture_output=True)
        if os.path.ismount(mount_point):
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of `folder` but `leave` bytes."""
    filler = folder / "filler.bin"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    size = filler.stat().st_size
    with open(filler, "r+b") as fh:
        fh.truncate(max(0, size - leave))


@pytest.mark.slow
@pytest.mark.parametrize("old", [None, b"the clerk's previous return"])
def test_a_full_data_folder_leaves_nothing(small_disk, tmp_path, builders, capsys, monkeypatch, old):
    home = small_disk
    monkeypatch.setenv("QOFFICE_HOME", str(home))
    dbp = _make_db(home / "qoffice.db", builders, n=300)
    (home / "returns").mkdir()
    target = tmp_path / "out.xlsx"  # on another (roomy) disk: the return itself can be written
    if old is not None:
        target.write_bytes(old)
    _fill(home, leave=8192)
    code, out, err = _run(capsys, "export-return", "--year", Y, "-o", target)
    assert code == 2
    line = _one_line(err)
    assert "副本" in line or "空间" in line
    _assert_nothing_happened(dbp, target, old, home)
    # with room again, the same export works and is recorded
    (home / "filler.bin").unlink()
    code, out, err = _run(capsys, "export-return", "--year", Y, "-o", target)
    assert code == 0, err
    assert target.read_bytes()[:2] == b"PK" and _submissions(dbp) == 1
    assert len(list((home / "returns").iterdir())) == 1


# --- the same, injected: the copy stops with ENOSPC after 20,480 bytes -------------------------------
def test_a_copy_that_runs_out_of_space_is_removed_and_stops_the_export(tmp_path, builders, capsys, monkeypatch,
                                                                       qoffice_home):
    dbp = _make_db(tmp_path / "q.db", builders, n=300)
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh, self.written = fh, 0

        def write(self, data):
            if self.written + len(data) > 20480:
                self.fh.write(data[:20480 - self.written])
                self.fh.flush()
                raise OSError(errno.ENOSPC, "No space left on device")
            self.written += len(data)
            return self.fh.write(data)

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def fdopen(fd, mode="r", *a, **k):
        fh = real_fdopen(fd, mode, *a, **k)
        return Full(fh) if "w" in mode else fh

    from qoffice.excel import outputs

    monkeypatch.setattr(outputs.os, "fdopen", fdopen)
    # a big enough return: the copy crosses 20,480 bytes
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target)
    monkeypatch.undo()
    assert code == 2
    assert "副本" in _one_line(err)
    _assert_nothing_happened(dbp, target, b"old", qoffice_home)


# --- an immutable database -----------------------------------------------------------------------
@pytest.fixture
def immutable():
    made = []

    def make(path: Path) -> None:
        if shutil.which("chattr") is None:
            pytest.skip("no chattr here; the injected commit failure still runs")
        proc = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"chattr +i does not work here ({proc.stderr.strip()})")
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


@pytest.mark.parametrize("old", [None, b"the clerk's previous return"])
def test_an_immutable_database_leaves_nothing(tmp_path, builders, capsys, qoffice_home, immutable, old):
    dbp = _make_db(tmp_path / "q.db", builders)
    target = tmp_path / "out" / "r.xlsx"
    target.parent.mkdir()
    if old is not None:
        target.write_bytes(old)
    before = dbp.read_bytes()
    immutable(dbp)
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target)
    assert code == 2
    _one_line(err)
    _assert_nothing_happened(dbp, target, old, qoffice_home)
    assert dbp.read_bytes() == before


@pytest.mark.parametrize("old", [None, b"the clerk's previous return"])
def test_a_failing_commit_takes_the_files_back(tmp_path, builders, capsys, qoffice_home, monkeypatch, old):
    """The record cannot be committed (disk I/O error, as an immutable file gives): the new return
    is taken back (the previous file put back), the copy removed, exit 2."""
    import sqlalchemy.exc
    from sqlalchemy.orm import Session

    dbp = _make_db(tmp_path / "q.db", builders)
    target = tmp_path / "r.xlsx"
    if old is not None:
        target.write_bytes(old)
    seen = {}

    def failing_commit(self):
        seen["target at commit"] = target.read_bytes()[:2] if target.exists() else None
        seen["copies at commit"] = list((qoffice_home / "returns").iterdir())
        raise sqlalchemy.exc.OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target, "--json")
    monkeypatch.undo()
    assert code == 2
    assert "error" in __import__("json").loads(out)
    # the files were in place when the commit was tried, and are taken back after it failed
    assert seen["target at commit"] == b"PK" and len(seen["copies at commit"]) == 1
    _assert_nothing_happened(dbp, target, old, qoffice_home)


def test_a_locked_target_removes_the_copy_too(tmp_path, builders, capsys, qoffice_home, monkeypatch):
    dbp = _make_db(tmp_path / "q.db", builders)
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == target:
            raise PermissionError(errno.EACCES, "sharing violation")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target)
    monkeypatch.undo()
    assert code == 2
    assert "关闭" in _one_line(err)
    _assert_nothing_happened(dbp, target, b"old", qoffice_home)


def test_a_good_export_keeps_all_three(tmp_path, builders, capsys, qoffice_home):
    dbp = _make_db(tmp_path / "q.db", builders)
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target)
    assert code == 0, err
    copies = list((qoffice_home / "returns").iterdir())
    assert len(copies) == 1 and copies[0].read_bytes() == target.read_bytes()
    assert _submissions(dbp) == 1
    assert _leftovers(tmp_path) == [] and _leftovers(qoffice_home / "returns") == []
