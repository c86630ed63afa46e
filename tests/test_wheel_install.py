"""An ordinary install works: the sdist and the wheel that `python -m build` makes are complete.

Builds from a clean copy of the checkout (the files git knows, tracked or new, never build/,
*.egg-info or the git-ignored .mo catalogs), the way a packager would: `python -m build` makes the
sdist and then the wheel from that sdist, in an isolated build environment (so the build
requirements in pyproject.toml are tested too). The wheel goes into a fresh venv outside the
checkout, and only that venv's `qoffice-cli` / `qoffice` are run, from a folder outside the checkout:
an import of a messy roster, `export-return`, and the GUI smoke start in Chinese. That proves the
pinyin table, the compiled catalogs and the icons are inside the installed package.

The fresh venv has no access to the system's or the project's site-packages
(`--system-site-packages` would hide a dependency missing from pyproject.toml). To stay fast its
dependencies come from a wheelhouse kept inside the project's venv (`pip download` fills it once,
pinned to the versions of the project's venv, so later runs download nothing); pip then installs
with `--no-index`, resolving only from the wheel's own metadata.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="builds and runs a Linux venv")]

ROOT = Path(__file__).resolve().parent.parent
TITLE = "质量强企工作台"


def _git_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, check=True).stdout
    return sorted({f for f in out.decode("utf-8").split("\0") if f and (ROOT / f).is_file()})


def _clean_copy(dest: Path) -> list[str]:
    files = _git_files()
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    return files


def _wheelhouse() -> Path:
    """Kept in the project's venv (deleted with it); a temp folder when not run from a venv."""
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix) / "qoffice-test-wheelhouse"
    return Path(os.environ.get("TMPDIR", "/tmp")) / "qoffice-test-wheelhouse"


def _run(cmd: list[str], timeout: int = 900, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=timeout, **kw)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "QT_", "VIRTUAL_ENV", "QOFFICE_"))}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    files = _clean_copy(src)
    assert not any(f.endswith(".mo") for f in files), "compiled catalogs are not source files"
    out = base / "dist"
    r = _run([sys.executable, "-m", "build", "--outdir", str(out), str(src)])
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]
    sdists = list(out.glob("qoffice-*.tar.gz"))
    wheels = list(out.glob("qoffice-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, list(out.iterdir())
    return {"base": base, "src": src, "sdist": sdists[0], "wheel": wheels[0], "files": files}


@pytest.fixture(scope="module")
def venv(built) -> Path:
    base = built["base"]
    house = _wheelhouse()
    house.mkdir(parents=True, exist_ok=True)
    pins = base / "pins.txt"
    freeze = _run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"])
    assert freeze.returncode == 0, freeze.stderr
    pins.write_text("\n".join(line for line in freeze.stdout.splitlines()
                              if line and not line.lower().startswith(("qoffice", "-e"))) + "\n")
    # The dependencies the wheel declares, as wheels: from the wheelhouse alone when it has them
    # all (no network), else fetched into it once.
    download = [sys.executable, "-m", "pip", "download", "-q", "--only-binary", ":all:", "-d", str(house),
                "-c", str(pins), str(built["wheel"])]
    r = _run([*download, "--no-index", "--find-links", str(house)], env=_clean_env(PIP_FIND_LINKS=""))
    if r.returncode != 0:
        r = _run(download)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    for stale in house.glob("qoffice-*"):
        stale.unlink()

    env_dir = base / "venv"
    r = _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], timeout=300)
    assert r.returncode == 0, r.stderr
    py = env_dir / "bin" / "python"
    r = _run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-index",
              "--find-links", str(house), str(built["wheel"])], env=_clean_env())
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    return env_dir


@pytest.fixture
def outside(tmp_path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    assert ROOT not in work.parents
    return work


def _qoffice(venv: Path, exe: str, args: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    env = _clean_env(QOFFICE_HOME=str(cwd / "home"), **extra)
    return _run([str(venv / "bin" / exe), *args], timeout=600, cwd=cwd, env=env)


# ---------------------------------------------------------------- what the archives hold
def test_sdist_holds_resources_and_the_po_parts(built):
    with tarfile.open(built["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    wanted = [f for f in built["files"] if f.startswith("resources/")]
    assert any(f.endswith(".po") for f in wanted)
    missing = [f for f in wanted if f not in names]
    assert not missing, missing
    assert {"setup.py", "pyproject.toml", "MANIFEST.in", "qoffice/i18n_build.py"} <= names
    assert not [n for n in names if n.endswith(".mo")], "the sdist ships sources; the build compiles"


def test_wheel_holds_resources_and_compiled_catalogs(built):
    with zipfile.ZipFile(built["wheel"]) as zf:
        names = set(zf.namelist())
    for rel in built["files"]:
        if rel.startswith("resources/") and not rel.endswith(".po"):
            assert f"qoffice/{rel}" in names, rel
    parts = [f for f in built["files"] if f.startswith("resources/locale/") and f.endswith(".po")]
    assert parts
    for po in parts:
        assert f"qoffice/{po[:-3]}.mo" in names, f"{po} was not compiled into the wheel"
    assert "qoffice/db/migrations/env.py" in names
    assert not [n for n in names if n.startswith(("resources/", "tests/"))]


def test_pip_wheel_of_a_checkout_compiles_afresh_over_stale_catalogs(built):
    """`pip install .` / `pip wheel .` build straight from the source tree, where `make bootstrap`
    leaves .mo files that may be stale: the wheel gets catalogs compiled from the .po parts."""
    import gettext

    from babel.messages.pofile import read_po

    src = built["base"] / "checkout"
    _clean_copy(src)
    folder = src / "resources" / "locale" / "zh_CN" / "LC_MESSAGES"
    with (folder / "core.po").open("rb") as fh:
        message = next(m for m in read_po(fh) if m.id and isinstance(m.id, str) and m.string and not m.fuzzy)
    (folder / "core.mo").write_bytes(b"stale, not a catalog")
    out = built["base"] / "pip-wheel"
    r = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(src)])
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]
    [wheel] = out.glob("qoffice-*.whl")
    with zipfile.ZipFile(wheel) as zf, zipfile.ZipFile(built["wheel"]) as from_sdist:
        ours = {n for n in zf.namelist() if ".dist-info/" not in n}
        assert ours == {n for n in from_sdist.namelist() if ".dist-info/" not in n}
        catalog = gettext.GNUTranslations(zf.open("qoffice/resources/locale/zh_CN/LC_MESSAGES/core.mo"))
    assert catalog.gettext(message.id) == message.string


# ---------------------------------------------------------------- the installed package, run
def _messy_roster(path: Path, codes: list[str], bad_code: str) -> None:
    """A two-line title, a header merged over two rows (联系人 over 姓名 | 电话), stray spaces,
    lower-case codes and one code with a wrong check digit."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["南通市崇川区"])
    ws.append(["2025年重点企业名单"])
    ws.merge_cells("A1:F1")
    ws.merge_cells("A2:F2")
    ws.append(["序号", "单位名称", "社会信用\n代码", "所属区县", "联系人", None])
    ws.append([None, None, None, None, "姓名", "电话"])
    for col in "ABCD":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("E3:F3")
    for i, code in enumerate(codes, start=1):
        shown = code.lower() if i % 2 else f" {code} "
        ws.append([i, f" 南通轮子测试{i}号有限公司 ", shown, "崇川区", f"张{i}", f"1390628{i:04d}"])
    ws.append([len(codes) + 1, "校验码错误的企业", bad_code, "崇川区", "", ""])
    wb.save(path)


def test_installed_package_is_not_the_checkout(venv, outside):
    r = _run([str(venv / "bin" / "python"), "-c",
              "import qoffice, qoffice.paths as p; print(qoffice.__file__); print(p.resources_dir())"],
             cwd=outside, env=_clean_env())
    assert r.returncode == 0, r.stderr
    module, resources = (Path(line) for line in r.stdout.splitlines())
    assert venv in module.parents and venv in resources.parents, r.stdout
    assert (resources / "pinyin" / "initials.txt").is_file()


def test_installed_cli_imports_a_messy_roster_and_exports_the_return(venv, outside, builders):
    db = outside / "q.db"
    roster = outside / "名单.xlsx"
    codes = [builders.code(700 + i) for i in range(4)]
    bad = codes[0][:-1] + ("0" if codes[0][-1] != "0" else "1")
    _messy_roster(roster, codes, bad)

    r = _qoffice(venv, "qoffice-cli", ["--db", str(db), "import", "enterprises", str(roster), "--json"], outside)
    assert r.returncode == 1, r.stdout + r.stderr  # one row rejected
    assert "Traceback" not in r.stderr
    report = json.loads(r.stdout)
    assert report["created"] == 4 and report["rejected"] == 1, report
    [error] = report["errors"]
    assert error["row"] == 5 + len(codes)  # two title rows + two header rows + the good rows
    assert "校验位" in error["message"], error  # the Chinese catalog is installed

    # the pinyin table: the enterprises got their search initials
    import sqlite3

    con = sqlite3.connect(db)
    try:
        stored = dict(con.execute("select uscc, name_initials from enterprise").fetchall())
    finally:
        con.close()
    assert set(stored) == set(codes)
    assert stored[codes[0]].startswith("ntlzcs1hyxgs"), stored  # 南通轮子测试1号有限公司

    for key, value in [("county", "崇川区"), ("office", "崇川区市场监督管理局"), ("operator", "张三"),
                       ("phone", "0513-85000000")]:
        r = _qoffice(venv, "qoffice-cli", ["--db", str(db), "settings", "set", key, value], outside)
        assert r.returncode == 0, r.stdout + r.stderr

    out = outside / "报表.xlsx"
    r = _qoffice(venv, "qoffice-cli", ["--db", str(db), "export-return", "--year", "2025", "-o", str(out),
                                       "--json"], outside)
    assert r.returncode == 0, r.stdout + r.stderr
    result = json.loads(r.stdout)
    assert result["path"] and result["errors"] == []
    assert all(w["level"] == "警告" for w in result["warnings"])
    import openpyxl

    wb = openpyxl.load_workbook(out, read_only=True)
    try:
        texts = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    finally:
        wb.close()
    assert "崇川区市场监督管理局" in " ".join(texts)

    # a usage error is one Chinese line too
    r = _qoffice(venv, "qoffice-cli", ["--db", str(db), "import", "enterprises", str(outside / "无.xlsx")], outside)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.stderr), r.stderr


def test_installed_gui_starts_in_chinese(venv, outside):
    db = outside / "g.db"
    # a database with its settings made, or the first-run dialog would stop the unattended start
    r = _qoffice(venv, "qoffice-cli", ["--db", str(db), "demo-data", "--enterprises", "100"], outside)
    assert r.returncode == 0, r.stdout + r.stderr
    report = outside / "smoke.json"
    r = _qoffice(venv, "qoffice", ["--db", str(db), "-platform", "offscreen"], outside,
                 QOFFICE_EXIT_AFTER_SHOW="1", QOFFICE_SMOKE_REPORT=str(report), QT_QPA_PLATFORM="offscreen")
    logs = "".join(p.read_text(encoding="utf-8", errors="replace")[-3000:]
                   for p in (outside / "home" / "logs").glob("*.log"))
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:] + (report.read_text(encoding="utf-8")
                                                              if report.exists() else "") + logs
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["language"] == "zh_CN", data
    assert data["title"].startswith(TITLE), data
