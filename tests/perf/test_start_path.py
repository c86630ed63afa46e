"""Guards for the cold-start gains (no timings): the main window builds only the area it shows,
other areas' modules are not imported until they are shown, and `window.areas` still hands out
every area (built on first look-up)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qoffice.db.database import open_database
from qoffice.services import settings as settings_service
from qoffice.ui.context import AppContext

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
OTHER_AREA_MODULES = ("qoffice.ui.forums", "qoffice.ui.meeting", "qoffice.ui.projects", "qoffice.ui.awards",
                      "qoffice.ui.partners", "qoffice.ui.returns_page", "qoffice.ui.settingsarea")


@pytest.fixture
def window(qtbot, db):
    from qoffice.ui.mainwindow import MainWindow

    w = MainWindow(AppContext(db))
    qtbot.addWidget(w)
    return w


def test_the_window_builds_only_the_first_area(window):
    from qoffice.ui.mainwindow import available_areas

    keys = [entry.key for entry, _load in available_areas()]
    assert list(window.areas) == keys and len(keys) == window.nav.count() == window.stack.count()
    assert [k for k in keys if window.areas.is_built(k)] == ["enterprises"]
    assert window.current_area() is window.areas["enterprises"]
    assert "settings" in window.areas and not window.areas.is_built("settings")  # `in` builds nothing


def test_an_area_is_built_when_first_shown_in_its_placeholder_place(window):
    row = list(window.areas).index("settings")
    placeholder = window.stack.widget(row)
    window.nav.setCurrentRow(row)
    settings_area = window.areas.built()["settings"]
    assert window.stack.widget(row) is settings_area is window.current_area()
    assert window.stack.count() == window.nav.count()
    assert window.stack.indexOf(placeholder) == -1
    window.nav.setCurrentRow(0)
    window.nav.setCurrentRow(row)
    assert window.areas["settings"] is settings_area  # built once


def test_looking_an_area_up_builds_it_without_showing_it(window):
    partners = window.areas["partners"]
    assert window.current_area() is window.areas["enterprises"]
    assert window.stack.indexOf(partners) == list(window.areas).index("partners")
    assert window.show_area("partners") is partners is window.current_area()
    with pytest.raises(KeyError):
        window.areas["nowhere"]


def test_a_lazily_built_area_reports_its_counts_to_the_status_bar(window):
    area = window.show_area("partners")
    assert hasattr(area, "statusText")
    area.statusText.emit("共 99 条")
    assert window.counts_label.text() == "共 99 条"
    window.show_area("enterprises")
    area.statusText.emit("共 98 条")  # not the current area: the status bar keeps its own counts
    assert window.counts_label.text() != "共 98 条"


def test_listing_the_areas_imports_none_of_them():
    code = textwrap.dedent("""
        import sys
        from qoffice.ui.mainwindow import available_areas
        for level in ("county", "city"):
            keys = [e.key for e, _load in available_areas(level)]
            print(keys[0], len(keys), sorted(m for m in sys.modules if m.startswith("qoffice.ui.")
                                             and m not in ("qoffice.ui.mainwindow", "qoffice.ui.context",
                                                           "qoffice.ui.state")))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    # A county office lists nine areas; a city office has 市级汇总 first (city.md) as well.
    assert out.stdout.strip().splitlines()[-2:] == ["enterprises 9 []", "city 10 []"]


def test_start_up_does_not_import_the_other_areas(tmp_path):
    code = textwrap.dedent(f"""
        import os, sys
        os.environ["QOFFICE_HOME"] = {str(tmp_path)!r}
        from PySide6.QtWidgets import QApplication
        app = QApplication(["t", "-platform", "offscreen"])
        from qoffice.db.database import open_database
        from qoffice.ui.context import AppContext
        from qoffice.ui.mainwindow import MainWindow
        db = open_database({str(tmp_path / "q.db")!r}, "create")
        window = MainWindow(AppContext(db))
        window.show()
        app.processEvents()
        before = sorted(m for m in {OTHER_AREA_MODULES!r} if m in sys.modules)
        window.show_area("forums")
        print(before, "qoffice.ui.forums" in sys.modules)
        window.close()
        db.close()
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[] True"



def test_the_days_backup_is_made_on_a_worker_after_the_window_shows(qtbot, qoffice_home, monkeypatch):
    """A real, verified copy takes seconds on a big county's database: it must not hold up the
    window, and it must be finished (and in the status bar) before the app exits."""
    import threading

    from qoffice.db import backup as bk
    from qoffice.ui.app import run_gui

    path = qoffice_home / "q.db"
    database = open_database(path, "create")
    try:
        with database.session() as s:
            settings_service.set_value(s, "county", "崇川区")
            settings_service.set_value(s, "office", "崇川区质量强市工作领导小组办公室")
    finally:
        database.close()
    from qoffice.ui.mainwindow import MainWindow

    events: list[tuple[str, bool]] = []  # (what, on the GUI thread?)
    real_backup, real_show = bk.make_backup, MainWindow.show

    def backup_spy(*args, **kwargs):
        events.append(("backup", threading.current_thread() is threading.main_thread()))
        return real_backup(*args, **kwargs)

    def show_spy(self):
        events.append(("shown", threading.current_thread() is threading.main_thread()))
        return real_show(self)

    monkeypatch.setattr(bk, "make_backup", backup_spy)
    monkeypatch.setattr(MainWindow, "show", show_spy)
    monkeypatch.setenv("QOFFICE_EXIT_AFTER_SHOW", "1")
    report = qoffice_home / "smoke.json"
    monkeypatch.setenv("QOFFICE_SMOKE_REPORT", str(report))
    assert run_gui(str(path), []) == 0
    # Every area is in the navigation (the frozen smoke test reads the same list).
    assert json.loads(report.read_text(encoding="utf-8"))["areas"] == [
        "enterprises", "forums", "meeting", "projects", "awards", "partners", "returns", "recycle", "settings"]
    assert events == [("shown", True), ("backup", False)]
    assert [b.kind for b in bk.list_backups(path)] == ["daily"]


def test_an_unchanged_window_state_is_not_written_again(window, qoffice_home):
    """QSettings rewrites ui.ini through a safe save (a new file, flushed to disk) at every sync
    that has a change: tens of ms at each exit when nothing changed. A changed value is written."""
    window.save_state()
    ini = qoffice_home / "ui.ini"
    first = ini.stat()
    window.save_state()  # the window's own exit saves twice (after the loop, then closeEvent)
    again = ini.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    window.splitter.setSizes([300, 900])
    window.save_state()
    assert ini.stat().st_ino != first.st_ino or ini.stat().st_mtime_ns != first.st_mtime_ns


def test_a_language_s_catalogs_are_read_once_a_run(monkeypatch):
    """The window's start sets the language twice (command line, then GUI): 21 catalogs parsed
    once, not twice; switching back to a language reuses what was read."""
    from qoffice import i18n

    read = []
    real = i18n.load_translations
    monkeypatch.setattr(i18n, "load_translations", lambda language: read.append(language) or real(language))
    monkeypatch.setattr(i18n, "_loaded", {}, raising=False)
    for language in ("zh_CN", "zh_CN", "en", "zh_CN"):
        i18n.set_language(language)
    assert read == ["zh_CN", "en"]
    assert i18n._("Enterprises") == "企业档案"


@pytest.mark.parametrize("argv", [[], ["--db", "x.db"], ["--db=x.db"], ["--db="], ["--db", "postgresql://u@h/q"]])
def test_the_window_s_command_lines_open_it_without_building_the_command_parser(argv, monkeypatch):
    """`qoffice [--db X]` opens the window without building every command's parser (and its
    translated help); what the window gets is what the parser would have made of the line."""
    from qoffice.cli import main as cli

    expected = cli.build_parser().parse_args(argv)
    assert cli.window_args(argv) == expected
    opened = []

    def no_parser():
        raise AssertionError("the command parser was built to open the window")

    monkeypatch.setattr(cli, "build_parser", no_parser)
    monkeypatch.setattr("qoffice.excel.outputs.protect_database", lambda database: None)
    monkeypatch.setattr("qoffice.cli.common.db_path", lambda args: Path(args.db or "default.db"))
    assert cli.main([*argv, "-platform", "offscreen"], open_window=lambda db, qt: opened.append((db, qt)) or 0) == 0
    assert opened == [(expected.db, ["-platform", "offscreen"])]


@pytest.mark.parametrize("argv", [["--db"], ["--db", "-x"], ["--d", "x.db"], ["--db", "x.db", "backup"], ["--help"],
                                  ["x.db"], ["--db", "a.db", "--db", "b.db"]])
def test_every_other_command_line_goes_through_the_parser(argv):
    from qoffice.cli import main as cli

    assert cli.window_args(argv) is None


def test_the_window_shows_a_long_list_s_first_page_before_its_count(qtbot, db, builders):
    """The first page of a list longer than a page is shown without waiting for COUNT(*) (10 ms
    and more on 100,000 enterprises): the total is a quiet read of the worker's, and the status
    bar's 共 N 条 follows."""
    from qoffice.ui.listmodel import PAGE_SIZE
    from qoffice.ui.mainwindow import MainWindow
    from tests.perf.test_perf_guards import fill

    fill(db, builders, PAGE_SIZE + 20, deleted_every=10_000)  # row 0 is in the recycle bin
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    model = window.areas["enterprises"].list.model
    assert model.rowCount() == PAGE_SIZE and model.counting()
    assert window.counts_label.text() == ""
    qtbot.waitUntil(lambda: window.counts_label.text() == f"共 {PAGE_SIZE + 19} 条", timeout=5000)
    assert not model.counting()


def test_finding_the_resources_does_not_import_importlib_resources(tmp_path):
    """The checkout and every install from files find resources/ without importlib.resources (its
    import, with zipfile and tempfile, is a measurable part of the window's start)."""
    code = ("import sys; from qoffice.paths import locale_dir, resources_dir; "
            "print(resources_dir(), locale_dir().is_dir(), 'importlib.resources' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(ROOT / "resources"), "True", "False"]


def test_the_start_s_plain_log_gives_way_to_the_rotating_one(qoffice_home):
    import logging
    import logging.handlers

    from qoffice.ui import crash

    path = crash.setup_logging(rotating=False)
    mine = [h for h in crash.log.handlers if getattr(h, "baseFilename", None) == str(path.resolve())]
    try:
        assert [type(h) for h in mine] == [logging.FileHandler]
        crash.log.info("before")
        crash.use_rotating_log()
        crash.log.info("after")
        mine = [h for h in crash.log.handlers if getattr(h, "baseFilename", None) == str(path.resolve())]
        assert [type(h) for h in mine] == [logging.handlers.RotatingFileHandler]
        assert mine[0].maxBytes == crash.LOG_MAX_BYTES and mine[0].backupCount == crash.LOG_BACKUPS
        crash.use_rotating_log()  # once is enough
        assert crash.setup_logging() == path  # and setup_logging adds no second handler
        assert len([h for h in crash.log.handlers if getattr(h, "baseFilename", None) == str(path.resolve())]) == 1
        lines = path.read_text(encoding="utf-8").splitlines()
        assert [line.split(": ", 1)[1] for line in lines] == ["before", "after"]
    finally:
        for h in mine:
            crash.log.removeHandler(h)
            h.close()


def test_a_language_s_parts_make_one_catalog_that_translates_as_the_chain_did():
    """Every part's messages in one table (a lookup each, not a walk through the parts), with what
    the parts' chain gave: the first part defining a message wins; plurals included."""
    from qoffice import i18n
    from qoffice.paths import locale_dir

    merged = i18n.load_translations("zh_CN")
    folder = locale_dir() / "zh_CN" / "LC_MESSAGES"
    stems = sorted({p.stem for p in folder.glob("*.po")} | {p.stem for p in folder.glob("*.mo")})
    parts = [i18n._load_part(folder / f"{stem}.mo", folder / f"{stem}.po" if (folder / f"{stem}.po").exists()
                             else None) for stem in stems]
    parts = [p for p in parts if p is not None]
    for part in parts[1:]:
        parts[0].add_fallback(part)
    chain = parts[0]
    assert len(parts) > 5 and getattr(merged, "_fallback", None) is None
    keys = {key for part in parts for key in part._catalog}
    for key in keys:
        if isinstance(key, tuple):  # (msgid, plural index): ngettext of each part's plural messages
            continue
        assert merged.gettext(key) == chain.gettext(key), key
    assert merged.ngettext("{n} record", "{n} records", 3) == chain.ngettext("{n} record", "{n} records", 3)
    assert merged.gettext("no such message, surely") == "no such message, surely"
