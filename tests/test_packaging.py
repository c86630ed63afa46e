"""Packaging rules that can be checked without building: the windowed launcher, the About dialog
and its licence notices, and the pins of the Windows build."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WIN = ROOT / "packaging" / "windows"


# ---------------------------------------------------------------- the windowed launcher
@pytest.mark.parametrize("argv, expected", [
    ([], None),
    (["-platform", "offscreen"], None),
    (["--db", "x.db", "-platform", "offscreen"], None),
    (["--db", "export-return"], None),           # a database file named like a command is no command
    (["demo-data", "--enterprises", "3"], "demo-data"),
    (["-platform", "offscreen", "export-return"], "export-return"),
    (["--db", "x.db", "import", "enterprises", "f.xlsx"], "import"),
    (["--help"], "--help"),
    (["nonsense"], "nonsense"),
])
def test_launcher_finds_a_command(argv, expected):
    from qoffice.main import command_in

    assert command_in(argv) == expected


def test_launcher_refuses_a_command_and_points_to_qoffice_cli(tmp_path, monkeypatch, qoffice_home):
    from qoffice.main import gui_main

    report = tmp_path / "report.json"
    monkeypatch.setenv("QOFFICE_EXIT_AFTER_SHOW", "1")
    monkeypatch.setenv("QOFFICE_SMOKE_REPORT", str(report))
    assert gui_main(["demo-data", "--enterprises", "5"]) == 2
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["language"] == "zh_CN"
    assert "请打开命令提示符" in data["prompt"] and "qoffice-cli demo-data --help" in data["prompt"]
    assert not (qoffice_home / "qoffice.db").exists()


# ---------------------------------------------------------------- where the resources are found
def test_checkout_reads_the_top_level_resources():
    """Editable install and `python -m qoffice`: the checkout's resources/ (the package folder has
    no copy; only a built wheel does)."""
    from qoffice.paths import locale_dir, resources_dir

    assert not (ROOT / "qoffice" / "resources").exists(), "resources/ is kept at the top level only"
    assert resources_dir() == ROOT / "resources"
    assert (resources_dir() / "pinyin" / "initials.txt").is_file()
    assert locale_dir() == ROOT / "resources" / "locale"


def _fake_installed_package(root: Path) -> Path:
    package = root / "site-packages" / "qoffice"
    (package / "resources" / "pinyin").mkdir(parents=True)
    (package / "resources" / "pinyin" / "initials.txt").write_text("n\t南\n", encoding="utf-8")
    return package


def test_installed_wheel_reads_its_packaged_copy_through_importlib_resources(tmp_path, monkeypatch):
    import importlib.resources

    from qoffice import paths

    package = _fake_installed_package(tmp_path)
    monkeypatch.setattr(paths, "_loaded_from_disk", lambda: False)  # a loader other than files on disk
    asked = []

    def files(name):
        asked.append(name)
        return package

    monkeypatch.setattr(importlib.resources, "files", files)
    assert paths.resources_dir() == package / "resources"
    assert paths.locale_dir() == package / "resources" / "locale"
    assert asked == ["qoffice", "qoffice"]


def test_a_package_without_a_packaged_copy_falls_back_to_the_checkout(tmp_path, monkeypatch):
    import importlib.resources
    import zipfile

    from qoffice import paths

    monkeypatch.setattr(paths, "_loaded_from_disk", lambda: False)  # a loader other than files on disk
    monkeypatch.setattr(importlib.resources, "files", lambda name: tmp_path / "qoffice")
    assert paths.resources_dir() == ROOT / "resources"
    # imported from a zip: no folder to open, so not used
    archive = tmp_path / "q.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("qoffice/resources/pinyin/initials.txt", "n\t南\n")
    monkeypatch.setattr(importlib.resources, "files", lambda name: zipfile.Path(archive, "qoffice/"))
    assert paths.resources_dir() == ROOT / "resources"


def test_frozen_build_reads_the_unpacked_copy_first(tmp_path, monkeypatch):
    import importlib.resources
    import sys

    from qoffice import paths

    monkeypatch.setattr(importlib.resources, "files", lambda name: _fake_installed_package(tmp_path))
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert paths.resources_dir() == tmp_path / "_internal" / "resources"


def test_sdist_manifest_ships_resources_but_no_compiled_catalogs():
    lines = [line.split("#")[0].split() for line in (ROOT / "MANIFEST.in").read_text(encoding="utf-8").splitlines()]
    lines = [words for words in lines if words]
    assert ["graft", "resources"] in lines
    assert any(words[0] == "global-exclude" and "*.mo" in words for words in lines)
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    assert any(r.lower().startswith("babel") for r in build), "setup.py compiles the catalogs with Babel"


# ---------------------------------------------------------------- licences and the About dialog
def _runtime_distributions() -> list[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = [re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0] for d in deps]
    # Babel only compiles .po files at build time; the frozen app ships the compiled .mo files.
    return [n for n in names if n.lower() != "babel"]


def test_notice_names_every_bundled_runtime_library():
    notice = (ROOT / "resources" / "licenses" / "NOTICE.txt").read_text(encoding="utf-8").lower()
    assert "lgpl" in notice and "pyside6" in notice
    for name in _runtime_distributions():
        short = {"pyside6-essentials": "pyside6", "python-calamine": "python-calamine"}.get(name.lower(), name.lower())
        assert short in notice, f"{name} is bundled but not named in NOTICE.txt"
    for f in (ROOT / "resources" / "licenses" / "third-party").glob("*.txt"):
        assert f.stem.split("-")[0].lower() in notice, f"{f.name} is not mentioned in NOTICE.txt"


def test_lgpl_and_gpl_texts_ship():
    lgpl = (ROOT / "resources" / "licenses" / "LGPL-3.0.txt").read_text(encoding="utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in lgpl and "Version 3" in lgpl
    gpl = (ROOT / "resources" / "licenses" / "GPL-3.0.txt").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in gpl


def test_about_dialog_shows_version_and_licences(qtbot):
    from qoffice import __version__
    from qoffice.ui.about import AboutDialog

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "关于质量强企工作台"
    assert __version__ in dialog.version_label.text()
    assert "LGPL" in dialog.text.toPlainText() and "PySide6" in dialog.text.toPlainText()
    labels = [dialog.chooser.itemText(i) for i in range(dialog.chooser.count())]
    lgpl = next(i for i in range(dialog.chooser.count()) if dialog.chooser.itemData(i).endswith("LGPL-3.0.txt"))
    assert labels[lgpl] == "GNU LGPL 第 3 版（Qt、PySide6）"
    dialog.chooser.setCurrentIndex(lgpl)
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in dialog.text.toPlainText()
    assert any("openpyxl" in t for t in labels)


# ---------------------------------------------------------------- the Windows build's pins
def _pins() -> dict[str, str]:
    pins = {}
    for line in (WIN / "requirements-win.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"not pinned: {line}"
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_windows_build_ships_the_same_pyside6_as_the_source_build():
    import PySide6

    assert _pins()["pyside6-essentials"] == PySide6.__version__
    assert _pins()["shiboken6"] == PySide6.__version__


def test_every_windows_wheel_is_hash_pinned():
    hashed = {}
    for line in (WIN / "wheels.sha256").read_text(encoding="utf-8").splitlines():
        digest, name = line.split()
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        dist, version = name.split("-")[:2]
        hashed[dist.lower().replace("_", "-")] = version
    for name, version in _pins().items():
        assert hashed.get(name) == version, f"{name}=={version} has no pinned wheel hash"
    for name in _runtime_distributions():
        assert name.lower().replace("_", "-") in _pins(), f"runtime dependency {name} missing on Windows"


def test_installer_script_is_per_user_64_bit_chinese_first():
    nsi = (WIN / "qoffice.nsi").read_text(encoding="utf-8")
    assert re.search(r"^Target amd64-unicode", nsi, re.M)
    assert re.search(r"^RequestExecutionLevel user", nsi, re.M)
    assert '$LOCALAPPDATA\\Programs\\${APPNAME}' in nsi
    langs = re.findall(r'MUI_LANGUAGE "(\w+)"', nsi)
    assert langs == ["SimpChinese", "English"]
    assert "AtLeastWin10" in nsi and "HKCU" in nsi and "HKLM" not in nsi
    # the data folder is removed only by the unticked (/o) uninstaller section
    assert re.search(r'Section /o "un\.\$\(SecRemoveData\)"', nsi)
