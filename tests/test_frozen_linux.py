"""Smoke test of the frozen Linux build (build.spec): only the built executables are used.

Builds dist/qoffice with PyInstaller unless dist/ is newer than every source file, then drives
`qoffice-cli` (demo-data, import of a messy roster, export-return read back with openpyxl) and the
windowed `qoffice` offscreen in the smoke mode. Proves that lazily imported modules, the Alembic
migrations, the .mo catalogs and Qt's plugins were bundled — by running them, not by hope.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux frozen build")]

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "qoffice"
SOURCES = [ROOT / "qoffice", ROOT / "resources", ROOT / "build.spec", ROOT / "packaging" / "qoffice_cli.py",
           ROOT / "pyproject.toml"]
SIZE_GOAL_MB = 150  # issue 16: the Linux folder ≤ 150 MB with the PostgreSQL client (psycopg's libpq and OpenSSL)


def _newest_source_mtime() -> float:
    newest = 0.0
    for src in SOURCES:
        files = [src] if src.is_file() else [p for p in src.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                                             and p.suffix not in (".mo", ".pyc")]
        for f in files:
            newest = max(newest, f.stat().st_mtime)
    return newest


@pytest.fixture(scope="module")
def frozen() -> Path:
    stamp = DIST / "qoffice-cli"
    if not stamp.exists() or stamp.stat().st_mtime < _newest_source_mtime():
        result = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "build.spec"],
                                cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-4000:]
    assert (DIST / "qoffice").exists() and (DIST / "qoffice-cli").exists()
    return DIST


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_", "VIRTUAL_ENV"))}
    env["QOFFICE_HOME"] = str(tmp_path / "home")
    env.update(extra)
    return env


def _run(frozen: Path, exe: str, args: list[str], tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    # cwd outside the checkout: nothing can be imported from the source tree by accident.
    return subprocess.run([str(frozen / exe), *args], cwd=tmp_path, env=_env(tmp_path, **extra),
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


def _messy_roster(path: Path, codes: list[str], bad_code: str) -> None:
    """Like the spreadsheets clerks receive: a title row, other header names with marks and line
    breaks, stray spaces, lower-case codes, full-width digits, a bad code and a 合计 footer."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["2025年重点企业名单"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", " 单位名称 *", "社会信用\n代码", "所属区县", "联系方式"])
    for i, code in enumerate(codes, start=1):
        shown = code.lower() if i % 2 else f" {code} "
        ws.append([i, f"  南通冻结测试{i}号有限公司 ", shown, "崇川区", "１３９０６２８" + f"{i:04d}"])
    ws.append([len(codes) + 1, "校验码错误的企业", bad_code, "崇川区", ""])
    ws.append(["合计", f"{len(codes) + 1} 家"])
    wb.save(path)


def test_frozen_folder_is_within_its_size_goal(frozen):
    total = sum(p.stat().st_size for p in frozen.rglob("*") if p.is_file() and not p.is_symlink())
    assert total / 1048576 <= SIZE_GOAL_MB, f"{total / 1048576:.1f} MB"
    # what build.spec leaves out must really be out
    names = {p.name for p in frozen.rglob("*")}
    assert not any(n.startswith(("libQt6Quick", "libQt6Qml", "libQt6WebEngine", "libQt6Multimedia")) for n in names)
    qms = {p.name for p in (frozen / "_internal" / "PySide6" / "Qt" / "translations").glob("*.qm")}
    assert "qtbase_zh_CN.qm" in qms
    assert all("zh_CN" in q or q.endswith("_en.qm") for q in qms), qms
    assert not (frozen / "_internal" / "tests").exists()


def test_frozen_cli_demo_data_import_and_export(frozen, tmp_path, builders):
    db = tmp_path / "t.db"
    r = _run(frozen, "qoffice-cli", ["--db", str(db), "demo-data", "--enterprises", "200"], tmp_path)
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from enterprise").fetchone()[0] == 200
    year = con.execute("select max(year) from year_figures").fetchone()[0]
    con.close()

    roster = tmp_path / "名单.xlsx"
    codes = [builders.code(900 + i) for i in range(5)]
    bad = codes[0][:-1] + ("0" if codes[0][-1] != "0" else "1")
    _messy_roster(roster, codes, bad)
    r = _run(frozen, "qoffice-cli", ["--db", str(db), "import", "enterprises", str(roster), "--json"], tmp_path)
    assert r.returncode == 1, r.stderr  # one row rejected
    report = json.loads(r.stdout)
    assert report["created"] == 5 and report["rejected"] == 1
    assert [e["row"] for e in report["errors"]] == [3 + len(codes)]  # title + header + 5 good rows
    con = sqlite3.connect(db)
    stored = {row[0] for row in con.execute("select uscc from enterprise")}
    con.close()
    assert set(codes) <= stored

    out = tmp_path / "报表.xlsx"
    r = _run(frozen, "qoffice-cli", ["--db", str(db), "export-return", "--year", str(year), "-o", str(out),
                                     "--json"], tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["path"]
    import openpyxl

    wb = openpyxl.load_workbook(out, read_only=True)
    texts = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert len(texts) > 200
    assert any("南通冻结测试1号有限公司" in t for t in texts)


def test_frozen_gui_starts_offscreen_in_chinese(frozen, tmp_path):
    db = tmp_path / "g.db"
    assert _run(frozen, "qoffice-cli", ["--db", str(db), "demo-data", "--enterprises", "100"], tmp_path).returncode == 0
    report = tmp_path / "smoke.json"
    r = _run(frozen, "qoffice", ["--db", str(db), "-platform", "offscreen"], tmp_path,
             QOFFICE_EXIT_AFTER_SHOW="1", QOFFICE_SMOKE_REPORT=str(report))
    assert r.returncode == 0, r.stderr[-3000:]
    text = report.read_text(encoding="utf-8")
    assert "质量强企工作台" in text
    assert "zh_CN" in text
    assert "offscreen" in text


def test_frozen_gui_points_commands_to_qoffice_cli(frozen, tmp_path):
    report = tmp_path / "smoke.json"
    r = _run(frozen, "qoffice", ["demo-data", "-platform", "offscreen"], tmp_path,
             QOFFICE_EXIT_AFTER_SHOW="1", QOFFICE_SMOKE_REPORT=str(report))
    assert r.returncode == 2
    data = json.loads(report.read_text(encoding="utf-8"))
    assert "qoffice-cli demo-data" in data["prompt"] and "命令" in data["prompt"]
    assert not (tmp_path / "home" / "qoffice.db").exists()  # nothing was run


def test_frozen_cli_opens_a_postgresql_server(frozen, tmp_path, pg_url):
    """Issue 16: the frozen build carries psycopg (its libpq with TLS), SQLAlchemy's PostgreSQL dialect
    and keyring: `check` on the test server reports the server; an unreachable server is the one
    connection line, not a missing-module crash."""
    proc = _run(frozen, "qoffice-cli", ["--db", pg_url, "check", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["role"] == "owner" and report["server_version"]
    # a server that is not there: the one connection line (the error path's modules are bundled too)
    proc = _run(frozen, "qoffice-cli", ["--db", "postgresql://u@127.0.0.1:1/q?sslmode=require", "check"], tmp_path)
    assert proc.returncode == 2
    assert "无法连接" in proc.stderr and "Traceback" not in proc.stderr and "意外错误" not in proc.stderr
