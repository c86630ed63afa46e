"""Smoke test of the frozen Linux build (build.spec): only the built executables are used.

Builds dist/qoffice with PyInstaller unless dist/ is newer than every source file, then drives
`qoffice-cli` (demo-data, import of a messy roster, export-return read back with openpyxl) and the
windowed `qoffice` offscreen in the smoke mode, prints the city summary to PDF, and opens PostgreSQL
servers (the socket one; a TLS one on 127.0.0.1 with a password). Proves that lazily imported modules,
the Alembic migrations, the .mo catalogs, Qt's plugins and libpq with its OpenSSL were bundled, and that
what build.spec leaves out (the system's second OpenSSL, most of ICU's locale data) is not missed — by running
them, not by hope.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_db_server_auth import CLERK, PASSWORD, tls_server  # noqa: F401 (a module-scoped fixture)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux frozen build")]

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "qoffice"
SOURCES = [ROOT / "qoffice", ROOT / "resources", ROOT / "build.spec", ROOT / "packaging" / "qoffice_cli.py",
           ROOT / "packaging" / "qoffice_gui.py", ROOT / "pyproject.toml"]
# issue 16: the Linux folder ≤ 150 MB (10^6 bytes) with the PostgreSQL client (psycopg's libpq and OpenSSL),
# both as the bytes of its files (du -sb) and as the disk blocks it takes (du -s --block-size=1).
SIZE_GOAL_BYTES = 150_000_000


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


def _du(folder: Path, *options: str) -> int:
    out = subprocess.run(["du", "-s", *options, str(folder)], check=True, capture_output=True, text=True).stdout
    return int(out.split()[0])


def test_frozen_folder_is_within_its_size_goal(frozen):
    apparent = _du(frozen, "-b")
    on_disk = _du(frozen, "--block-size=1")
    sizes = f"du -sb {apparent} bytes ({apparent / 1048576:.1f} MiB), on disk {on_disk} bytes"
    print(sizes)
    assert apparent <= SIZE_GOAL_BYTES, sizes
    assert on_disk <= SIZE_GOAL_BYTES, sizes
    # what build.spec leaves out must really be out
    names = {p.name for p in frozen.rglob("*")}
    assert not any(n.startswith(("libQt6Quick", "libQt6Qml", "libQt6WebEngine", "libQt6Multimedia")) for n in names)
    qms = {p.name for p in (frozen / "_internal" / "PySide6" / "Qt" / "translations").glob("*.qm")}
    assert "qtbase_zh_CN.qm" in qms
    assert all("zh_CN" in q or q.endswith("_en.qm") for q in qms), qms
    assert not (frozen / "_internal" / "tests").exists()
    # one OpenSSL: Python's _ssl (psycopg_binary imports ssl) loads the one psycopg_binary bundles for libpq
    internal = frozen / "_internal"
    assert list(internal.glob("python3*/lib-dynload/_ssl.*"))
    for name in ("libssl.so.3", "libcrypto.so.3"):
        link = internal / name
        assert link.is_symlink(), f"{name}: a second OpenSSL"
        assert link.resolve().parent == (internal / "psycopg_binary.libs").resolve() and link.resolve().is_file()
    # ICU's data: the reduced library (root, zh*, en*), not PySide6's 32 MB one
    (icudata,) = (internal / "PySide6" / "Qt" / "lib").glob("libicudata.so.*")
    assert icudata.stat().st_size < 20_000_000, icudata.stat().st_size


_ICU_PROBE = """
import ctypes, sys
v = sys.argv[1]
i18n = ctypes.CDLL("libicui18n.so." + v)
ucol_open = getattr(i18n, "ucol_open_" + v)
ucol_open.restype = ctypes.c_void_p
ucol_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
key = getattr(i18n, "ucol_getSortKey_" + v)
key.restype = ctypes.c_int32
key.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_char_p, ctypes.c_int32]
words = sys.argv[2].split(",")
for loc in ("zh_CN", "en_US", "de_DE"):
    err = ctypes.c_int(0)
    coll = ucol_open(loc.encode(), ctypes.byref(err))
    assert coll and err.value <= 0, (loc, err.value)
    def sort_key(w):
        out = ctypes.create_string_buffer(1024)
        n = key(coll, w.encode("utf-16-le"), len(w), out, 1024)
        return out.raw[:n]
    print(loc, err.value, ",".join(sorted(words, key=sort_key)))
"""


def test_frozen_icu_data_still_sorts_chinese_in_pinyin_order(frozen, tmp_path):
    """The reduced ICU data (build.spec) keeps zh's collation: the frozen ICU libraries sort names in
    pinyin order; English uses its own data; a locale left out falls back to root (a warning, no error)."""
    lib = frozen / "_internal" / "PySide6" / "Qt" / "lib"
    (icudata,) = lib.glob("libicudata.so.*")
    version = re.search(r"\.so\.(\d+)$", icudata.name).group(1)
    env = {"LD_LIBRARY_PATH": str(lib), "PATH": os.environ.get("PATH", "")}
    r = subprocess.run([sys.executable, "-I", "-c", _ICU_PROBE, version, "张家港,南通,Zeta,北京,安徽,alpha,崇川"],
                       env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = {line.split()[0]: line.split() for line in r.stdout.splitlines()}
    assert lines["zh_CN"][2] == "安徽,北京,崇川,南通,张家港,alpha,Zeta"
    assert lines["zh_CN"][1] in ("0", "-128", "-127")  # found (or zh's fallback for zh_CN)
    assert lines["en_US"][2].startswith("alpha,Zeta,")
    assert lines["de_DE"][1] == "-127"  # U_USING_DEFAULT_WARNING: root's data


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


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run (the bootstrap installs xvfb)")
def test_frozen_gui_opens_on_x11(frozen, tmp_path):
    """The xcb platform plugin and the libraries it needs are in the folder (offscreen needs none of them)."""
    db = tmp_path / "x.db"
    assert _run(frozen, "qoffice-cli", ["--db", str(db), "demo-data", "--enterprises", "100"], tmp_path).returncode == 0
    report = tmp_path / "smoke.json"
    env = _env(tmp_path, QOFFICE_EXIT_AFTER_SHOW="1", QOFFICE_SMOKE_REPORT=str(report))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    r = subprocess.run(["xvfb-run", "-a", str(frozen / "qoffice"), "--db", str(db)], cwd=tmp_path, env=env,
                       capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["platform"] == "xcb" and data["exit"] == 0 and "质量强企工作台" in data["title"]


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


def test_frozen_cli_prints_the_city_summary_to_pdf(frozen, tmp_path):
    """Printing (打印) in a frozen build: QPdfWriter with the CJK font embedded, through the CLI."""
    r = _run(frozen, "qoffice-cli", ["demo-data", "--level", "city", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    year = max(json.loads(r.stdout)["years"])
    pdf = tmp_path / "汇总.pdf"
    r = _run(frozen, "qoffice-cli", ["city", "summary-pdf", "--year", str(year), "-o", str(pdf), "--json"], tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    assert len(reader.pages) == 2
    assert f"{year}年度全市质量强企工作汇总表" in reader.pages[0].extract_text()
    fonts = {str(f.get_object().get("/BaseFont")) for page in reader.pages
             for f in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts, "no font embedded"


def _tls_url(server, *, ca: str, user: str = CLERK) -> str:
    return (f"postgresql://{user}@127.0.0.1:{server['port']}/qauth?sslmode=verify-full&sslrootcert={ca}")


def test_frozen_cli_opens_a_tls_server_with_a_password(frozen, tmp_path, tls_server):  # noqa: F811
    """Issue 16: a server on 127.0.0.1 that takes TLS connections only (hostssl, scram-sha-256): the frozen
    qoffice-cli verifies its certificate with the office's CA and logs in with PGPASSWORD (no credential
    store in a frozen Linux build as root) — through libpq's OpenSSL, which Python's ssl shares."""
    certs = tls_server["certs"]
    home = {"HOME": str(tmp_path)}  # no ~/.pgpass
    url = _tls_url(tls_server, ca=str(certs / "ca.crt"))
    proc = _run(frozen, "qoffice-cli", ["--db", url, "check", "--json"], tmp_path, PGPASSWORD=PASSWORD, **home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["role"] == "clerk" and report["server_version"]
    # a wrong password and a certificate signed by another CA: each its one line
    proc = _run(frozen, "qoffice-cli", ["--db", url, "check"], tmp_path, PGPASSWORD="not-the-password", **home)
    assert proc.returncode == 2 and "拒绝了密码" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "not-the-password" not in proc.stderr
    wrong = _tls_url(tls_server, ca=str(certs / "wrong_ca.crt"))
    proc = _run(frozen, "qoffice-cli", ["--db", wrong, "check"], tmp_path, PGPASSWORD=PASSWORD, **home)
    assert proc.returncode == 2 and "SSL" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
