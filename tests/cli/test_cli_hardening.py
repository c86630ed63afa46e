"""Issue 12 (CLI, outputs): output files never land on the database or a device, odd arguments
are one line with exit 2, a `scheme://` --db creates nothing, and written files get the user's umask.

Device nodes and FIFOs are made by the test in tmp_path (never /dev/*).
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import one_line as _one_line
from cli_run import run as _run

from qoffice.db.database import open_database
from qoffice.services import enterprises, settings

Y = 2023


def _make_db(path: Path, builders) -> Path:
    db = open_database(path, "create")
    try:
        with db.session() as s:
            settings.set_value(s, "county", "崇川区")
            settings.set_value(s, "office", "崇川区市场监督管理局")
            e = builders.make_enterprise(s, name="南通好企业有限公司", cqo_name="王")
            enterprises.set_figures(s, e.id, Y, checked=2, passed=1)
    finally:
        db.close()
    return path


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every entry of a folder (recursively): its file type and, for regular files, its bytes."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(folder))] = (stat.S_IFMT(st.st_mode),
                                           p.read_bytes() if stat.S_ISREG(st.st_mode) else None)
    return out


@pytest.fixture
def dbp(tmp_path, builders):
    return _make_db(tmp_path / "q.db", builders)


def _protected_targets(dbp: Path) -> dict[str, Path]:
    """Every file that belongs to the database, and a symlink to it."""
    backups = dbp.parent / "backups"
    backups.mkdir(exist_ok=True)
    (backups / "q-20230101-000000-manual.db").write_bytes(b"a backup")
    link = dbp.parent / "link.xlsx"
    link.symlink_to(dbp)
    hard = dbp.parent / "hard.xlsx"
    os.link(dbp, hard)
    return {"db": dbp, "lock": Path(str(dbp) + ".lock"), "journal": Path(str(dbp) + "-journal"),
            "wal": Path(str(dbp) + "-wal"), "backups folder": backups,
            "a backup": backups / "q-20230101-000000-manual.db", "new file in backups": backups / "new.xlsx",
            "symlink to db": link, "hard link to db": hard,
            "db by a relative path with ..": dbp.parent / "backups" / ".." / "q.db"}


@pytest.mark.parametrize("command", ["template", "export-return"])
@pytest.mark.parametrize("which", ["db", "lock", "journal", "wal", "backups folder", "a backup",
                                   "new file in backups", "symlink to db", "hard link to db",
                                   "db by a relative path with .."])
def test_output_onto_the_database_is_refused(dbp, capsys, command, which):
    target = _protected_targets(dbp)[which]
    before = _snapshot(dbp.parent)
    argv = ["--db", dbp, "template", "enterprises", "-o", target] if command == "template" else \
        ["--db", dbp, "export-return", "--year", Y, "-o", target]
    code, out, err = _run(capsys, *argv)
    assert code == 2, (out, err)
    line = _one_line(err)
    assert "数据库" in line
    assert _snapshot(dbp.parent) == before  # nothing written, no temp file left
    db = open_database(dbp, "existing")
    try:
        from qoffice.services import returns

        with db.read_session() as s:
            assert returns.list_submissions(s) == []
            assert settings.get(s, "county") == "崇川区"
    finally:
        db.close()


def test_output_onto_the_default_database_is_refused(qoffice_home, builders, capsys):
    dbp = _make_db(qoffice_home / "qoffice.db", builders)
    before = dbp.read_bytes()
    code, _, err = _run(capsys, "template", "enterprises", "-o", dbp)
    assert code == 2 and "数据库" in _one_line(err)
    assert dbp.read_bytes() == before


def test_output_is_refused_under_json_with_an_error_object(dbp, capsys):
    before = dbp.read_bytes()
    code, out, _ = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", dbp, "--json")
    assert code == 2
    assert set(json.loads(out)) == {"error"} and "数据库" in json.loads(out)["error"]
    assert dbp.read_bytes() == before


def _fifo(tmp_path: Path) -> Path:
    p = tmp_path / "pipe.xlsx"
    os.mkfifo(p)
    return p


def _char_device(tmp_path: Path) -> Path:
    p = tmp_path / "null.xlsx"
    try:
        os.mknod(p, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # what /dev/null is, made here
    except PermissionError:
        pytest.skip("mknod needs root (CI runs as root)")
    return p


@pytest.mark.parametrize("command", ["template", "export-return"])
@pytest.mark.parametrize("make", [_fifo, _char_device], ids=["fifo", "char-device"])
def test_output_onto_a_device_or_fifo_is_refused_and_the_node_stays(dbp, tmp_path, capsys, command, make):
    node = make(tmp_path)
    kind = stat.S_IFMT(node.lstat().st_mode)
    argv = ["--db", dbp, "template", "enterprises", "-o", node] if command == "template" else \
        ["--db", dbp, "export-return", "--year", Y, "-o", node]
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert "不是普通文件" in _one_line(err)
    assert stat.S_IFMT(node.lstat().st_mode) == kind  # still the node, not a regular file
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


def test_a_symlink_to_an_ordinary_file_writes_through_the_link(dbp, tmp_path, capsys):
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"old")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    code, _, err = _run(capsys, "--db", dbp, "template", "enterprises", "-o", link)
    assert code == 0, err
    assert link.is_symlink() and real.read_bytes()[:2] == b"PK"


def test_a_dangling_symlink_is_refused(dbp, tmp_path, capsys):
    link = tmp_path / "dangling.xlsx"
    link.symlink_to(tmp_path / "nowhere" / "x.xlsx")
    code, _, err = _run(capsys, "--db", dbp, "template", "enterprises", "-o", link)
    assert code == 2
    _one_line(err)
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


def test_list_export_and_error_rows_refuse_the_open_database(qoffice_home, builders, tmp_path):
    """The GUI's writers go through the same rule: the open database is protected."""
    from qoffice.errors import OutputNotWritable
    from qoffice.excel import outputs
    from qoffice.excel.list_export import ExportColumn, write_list

    other = tmp_path / "other.db"
    other.write_bytes(b"x" * 100)
    outputs.protect_database(other)
    with pytest.raises(OutputNotWritable):
        write_list(other, "企业", [ExportColumn("名称", lambda r: r[0])], [("甲",)])
    assert other.read_bytes() == b"x" * 100
    # the database of the data folder is always protected
    home_db = _make_db(qoffice_home / "qoffice.db", builders)
    before = home_db.read_bytes()
    with pytest.raises(OutputNotWritable):
        write_list(home_db, "企业", [ExportColumn("名称", lambda r: r[0])], [("甲",)])
    assert home_db.read_bytes() == before


# --- item 9: odd arguments ---------------------------------------------------------------------
@pytest.mark.parametrize("year", ["0", "-1", "10000", "1e20", "abc", "1948", "2101"])
def test_an_impossible_year_is_a_usage_error(dbp, tmp_path, capsys, year):
    target = tmp_path / "r.xlsx"
    code, _, err = _run(capsys, "--db", dbp, "export-return", f"--year={year}", "-o", target)
    assert code == 2
    assert "年度" in _one_line(err)
    assert not target.exists()


def test_an_impossible_year_under_json(dbp, tmp_path, capsys):
    code, out, _ = _run(capsys, "--db", dbp, "export-return", "--year=0", "-o", tmp_path / "r.xlsx", "--json")
    assert code == 2 and "年度" in json.loads(out)["error"]


def test_a_file_name_over_255_bytes_is_one_line(dbp, tmp_path, capsys):
    name = "报" * 90 + ".xlsx"  # 275 bytes in UTF-8
    for argv in (["export-return", "--year", Y, "-o", tmp_path / name], ["template", "enterprises", "-o",
                                                                          tmp_path / name]):
        code, _, err = _run(capsys, "--db", dbp, *argv)
        assert code == 2
        assert "文件名太长" in _one_line(err)


def _cli(tmp_path, *argv, env=None):
    environ = dict(os.environ, QOFFICE_HOME=str(tmp_path / "home"), **(env or {}))
    return subprocess.run([sys.executable, "-m", "qoffice.cli.main", *map(str, argv)], capture_output=True,
                          text=True, env=environ, cwd=tmp_path, timeout=120)


@pytest.mark.parametrize("command", ["template", "export-return"])
def test_a_missing_output_folder_is_one_line_and_nothing_else(dbp, tmp_path, command):
    """In a child process: the write-only workbook's streams must not complain at exit."""
    target = tmp_path / "nope" / "r.xlsx"
    argv = ["--db", dbp, "template", "enterprises", "-o", target] if command == "template" else \
        ["--db", dbp, "export-return", "--year", Y, "-o", target]
    proc = _cli(tmp_path, *argv)
    assert proc.returncode == 2
    assert "不存在" in _one_line(proc.stderr)
    assert "Exception ignored" not in proc.stderr


# --- item 11: a URL as --db ----------------------------------------------------------------------
@pytest.mark.parametrize("url", ["sqlite:///q.db", "file://q.db", "https://example.org/q.db", "mysql://h/q"])
@pytest.mark.parametrize("argv", [["settings", "set", "county", "崇川区"], ["demo-data", "--enterprises", "100"],
                                  ["settings", "show"], ["export-return", "--year", "2023", "-o", "r.xlsx"],
                                  ["template", "enterprises", "-o", "t.xlsx"], ["import", "enterprises", "x.csv"],
                                  ["backup"], ["check"]])
def test_a_url_as_db_is_refused_and_creates_nothing(tmp_path, capsys, monkeypatch, url, argv):
    """A scheme:// --db qoffice cannot use: exit 2, one line naming it, no folder tree. (postgresql://
    belongs to the server mode when there is one, and is tested with it.)"""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("统一社会信用代码,企业名称\n", encoding="utf-8")
    before = _snapshot(tmp_path)
    code, _, err = _run(capsys, "--db", url, *argv)
    assert code == 2
    assert url in _one_line(err)
    assert _snapshot(tmp_path) == before


def test_a_url_as_db_is_refused_before_the_gui_starts(tmp_path, capsys, monkeypatch):
    import qoffice.ui.app as app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(app, "run_gui", lambda **kw: pytest.fail("the GUI was started"))
    before = _snapshot(tmp_path)
    code, _, err = _run(capsys, "--db", "mysql://host/q")
    assert code == 2
    _one_line(err)
    assert _snapshot(tmp_path) == before


# --- the top-level guard ---------------------------------------------------------------------------
def test_an_unexpected_error_is_one_line_naming_the_log(dbp, qoffice_home, capsys, monkeypatch):
    from qoffice.cli.commands import settings as settings_cmd

    def boom(args):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(settings_cmd, "run_show", boom)
    code, out, err = _run(capsys, "--db", dbp, "settings", "show")
    assert code == 2
    line = _one_line(err)
    log = qoffice_home / "logs" / "qoffice.log"
    assert str(log) in line
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "something nobody expected" in text
    code, out, err = _run(capsys, "--db", dbp, "settings", "show", "--json")
    assert code == 2 and err == ""
    assert str(log) in json.loads(out)["error"]


def test_the_guard_copes_with_a_log_folder_that_cannot_be_written(dbp, qoffice_home, capsys, monkeypatch):
    from qoffice.cli.commands import settings as settings_cmd

    (qoffice_home / "logs").write_text("a file where the folder should be")
    monkeypatch.setattr(settings_cmd, "run_show", lambda args: 1 / 0)
    code, _, err = _run(capsys, "--db", dbp, "settings", "show")
    assert code == 2
    _one_line(err)


def test_the_guard_in_a_child_process(dbp, tmp_path):
    """Through a real process: an error deep inside a command never prints a traceback."""
    code = ("import sys; from qoffice.services import returns\n"
            "def boom(*a, **k): raise KeyError('deep inside')\n"
            "returns.load = boom\n"
            "from qoffice.cli.main import main; sys.exit(main(sys.argv[1:]))")
    env = dict(os.environ, QOFFICE_HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, "-c", code, "--db", str(dbp), "export-return", "--year", str(Y),
                           "-o", str(tmp_path / "r.xlsx")], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "qoffice.log" in _one_line(proc.stderr)
    assert not (tmp_path / "r.xlsx").exists()


# --- file modes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_get_the_users_umask(dbp, tmp_path, qoffice_home, umask, mode):
    """Returns, their kept copies and templates are mailed by the clerk: not 0600."""
    code = (f"import os, sys; os.umask({umask}); from qoffice.cli.main import main; "
            "sys.exit(main(sys.argv[1:]))")
    env = dict(os.environ, QOFFICE_HOME=str(qoffice_home))
    for argv in (["--db", dbp, "template", "enterprises", "-o", tmp_path / "t.xlsx"],
                 ["--db", dbp, "export-return", "--year", Y, "-o", tmp_path / "r.xlsx"]):
        proc = subprocess.run([sys.executable, "-c", code, *map(str, argv)], capture_output=True, text=True,
                              env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
    copies = list((qoffice_home / "returns").iterdir())
    assert len(copies) == 1
    for p in (tmp_path / "t.xlsx", tmp_path / "r.xlsx", copies[0]):
        assert stat.S_IMODE(p.stat().st_mode) == mode, p


# --- the cover PDF (GUI) goes through the same rule ---------------------------------------------------
def test_the_cover_pdf_refuses_the_database_and_gets_the_users_mode(qtbot, dbp, tmp_path):
    from qoffice.errors import OutputNotWritable
    from qoffice.excel.outputs import protect_database
    from qoffice.ui.return_print import CoverData, write_pdf

    data = CoverData(year=Y, county="崇川区", office="办公室", operator="张三", phone="0513")
    protect_database(dbp)  # as the GUI's start does for its database
    before = dbp.read_bytes()
    with pytest.raises(OutputNotWritable):
        write_pdf(data, dbp)
    assert dbp.read_bytes() == before
    fifo = _fifo(tmp_path)
    with pytest.raises(OutputNotWritable):
        write_pdf(data, fifo)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    old = os.umask(0o022)
    try:
        out = write_pdf(data, tmp_path / "cover.pdf")
    finally:
        os.umask(old)
    assert out.read_bytes()[:4] == b"%PDF" and stat.S_IMODE(out.stat().st_mode) == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


def test_ctrl_c_is_one_chinese_line_with_exit_130(dbp, capsys, monkeypatch):
    from qoffice.cli.commands import settings as settings_cmd

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(settings_cmd, "run_show", interrupted)
    code, _, err = _run(capsys, "--db", dbp, "settings", "show")
    assert code == 130
    assert "中断" in _one_line(err)


def test_a_windows_drive_written_with_two_slashes_is_a_path_not_an_address(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "--db", "C://nowhere/q.db", "settings", "show")
    assert code == 2
    line = _one_line(err)
    assert "不存在" in line  # the missing database, not "an address qoffice cannot use"
