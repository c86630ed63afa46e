"""Start-up and the frame: refusing a newer DB, the smoke mode, first run, title, language, crashes."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from qoffice import i18n
from qoffice.db.database import open_database
from qoffice.services import settings as settings_service
from qoffice.ui import crash, messages
from qoffice.ui.app import run_gui
from qoffice.ui.context import AppContext
from qoffice.ui.mainwindow import MainWindow
from qoffice.ui.settingsarea import FirstRunDialog
from tests.ui.helpers import saved

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def settled_db(path: Path, enterprises: int = 0, demo: bool = False, builders=None) -> Path:
    database = open_database(path, "create")
    try:
        with database.session() as s:
            settings_service.set_value(s, "county", "崇川区")
            settings_service.set_value(s, "office", "崇川区质量强市工作领导小组办公室")
            if demo:
                from qoffice.db.models import Setting

                s.merge(Setting(key="demo", value="1"))
            for i in range(enterprises):
                builders.make_enterprise(s, name=f"崇川测试企业{i}")
    finally:
        database.close()
    return path


def test_newer_database_is_refused_untouched(qtbot, qoffice_home, answers):
    path = settled_db(qoffice_home / "newer.db")
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    assert run_gui(str(path), []) == 2
    assert path.read_bytes() == before
    assert answers and answers[-1][0] == "error"
    assert "更新版本" in answers[-1][1] or "新版本" in answers[-1][1]


def test_locked_database_names_the_holder(qtbot, qoffice_home, answers):
    path = settled_db(qoffice_home / "locked.db")
    holder = open_database(path, "create", program="qoffice")
    # The second-instance dialog (tests/ui/test_safety_ui.py): answered 退出 here.
    messages.set_responder(lambda kind, title, text, details: answers.append((kind, text)) or False)
    try:
        assert run_gui(str(path), []) == 2
    finally:
        holder.close()
    assert answers[-1][0] == "second_instance" and "qoffice" in answers[-1][1]


def test_exit_after_show_smoke_run(qoffice_home, builders):
    path = settled_db(qoffice_home / "smoke.db", enterprises=3, builders=builders)
    report = qoffice_home / "report.json"
    env = dict(os.environ, QOFFICE_EXIT_AFTER_SHOW="1", QOFFICE_SMOKE_REPORT=str(report),
               QOFFICE_HOME=str(qoffice_home))
    env.pop("QT_QPA_PLATFORM", None)  # the -platform option must reach Qt by itself
    proc = subprocess.run([sys.executable, "-m", "qoffice", "--db", str(path), "-platform", "offscreen"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["title"] == "质量强企工作台 — 崇川区"
    assert data["language"] == "zh_CN"
    assert data["platform"] == "offscreen"
    assert data["rows"] == 3


def test_exit_after_show_refuses_to_block_on_the_first_run_dialog(qoffice_home):
    report = qoffice_home / "report.json"
    env = dict(os.environ, QOFFICE_EXIT_AFTER_SHOW="1", QOFFICE_SMOKE_REPORT=str(report),
               QOFFICE_HOME=str(qoffice_home))
    proc = subprocess.run([sys.executable, "-m", "qoffice", "--db", str(qoffice_home / "fresh.db"),
                           "-platform", "offscreen"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0
    assert json.loads(report.read_text(encoding="utf-8"))["exit"] == proc.returncode


def test_first_run_dialog_needs_county_and_office(qtbot, db):
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    assert "区县" in dialog.reason.text() and "填报单位" in dialog.reason.text()
    dialog.form.w["county"].setEditText("如东县")
    dialog.form.w["office"].setText("如东县质量办")
    dialog.form.w["operator"].setText("王芳")
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    assert dialog.job.wait() and dialog.result() == FirstRunDialog.Accepted  # on the worker
    with db.read_session() as s:
        assert not settings_service.first_run_needed(s)
        assert settings_service.get(s, "operator") == "王芳"


def test_title_names_the_county_and_marks_demo_data(qtbot, qoffice_home, builders):
    path = settled_db(qoffice_home / "demo.db", demo=True, enterprises=2, builders=builders)
    database = open_database(path, "create")
    try:
        window = MainWindow(AppContext(database))
        qtbot.addWidget(window)
        assert window.windowTitle() == "质量强企工作台 — 崇川区 【演示数据】"
        assert window.office_label.text().startswith("崇川区")
        assert window.counts_label.text() == "共 2 条"
        assert "数据库" in window.db_label.text()
        nav = [window.nav.item(i).text() for i in range(window.nav.count())]
        assert nav[0] == "企业档案" and nav[-2:] == ["回收站", "设置"]  # later areas go in between
    finally:
        database.close()


def test_settings_read_through_a_session_and_through_plain_sqlite_agree(db):
    """Start-up reads the settings with plain sqlite3 (Database); the services with a Session."""
    with db.session() as s:
        assert settings_service.first_run_needed(s) and settings_service.first_run_needed(db)
        settings_service.set_value(s, "county", "如皋市")
        settings_service.set_value(s, "office", "如皋市质量强市工作领导小组办公室")
        settings_service.set_value(s, "counties", "如皋市、海安市")
        assert not settings_service.first_run_needed(s)  # the session sees its own changes
    with db.read_session() as s:
        assert settings_service.get_all(s) == settings_service.get_all(db)
    assert not settings_service.first_run_needed(db)
    assert settings_service.counties(db) == ["如皋市", "海安市"]
    assert settings_service.get(db, "operator", "—") == "—"


def test_warm_up_builds_the_shown_lists_sql_after_the_window_shows(qtbot, qoffice_home, builders):
    from qoffice.ui.enterprises import ENTERPRISES

    path = settled_db(qoffice_home / "w.db", enterprises=3, builders=builders)
    database = open_database(path, "create")
    try:
        ENTERPRISES._built = None  # as in a new process
        window = MainWindow(AppContext(database))
        qtbot.addWidget(window)
        window.show()
        assert window.rows_shown() == 3
        assert ENTERPRISES._built is None  # the first page came from the start SQL
        window.warm_up()
        assert ENTERPRISES._built is not None
    finally:
        database.close()


def test_every_registered_area_imports_its_class():
    """Areas are imported explicitly: a registered one whose module or class is missing fails
    here (a frozen build that missed a module would otherwise lose a screen)."""
    from PySide6.QtWidgets import QWidget

    from qoffice.ui import mainwindow

    for entry in mainwindow.AREAS:
        cls = entry.load()
        assert isinstance(cls, type) and issubclass(cls, QWidget), entry.key


def test_a_registered_area_that_is_missing_is_an_error_not_a_hidden_screen(monkeypatch):
    from qoffice.ui import mainwindow

    def missing() -> type:
        from qoffice.ui.not_built_yet import NowhereArea  # noqa: F401  (there is no such module)

    monkeypatch.setattr(mainwindow, "AREAS", mainwindow.AREAS + [
        mainwindow.AreaEntry("nowhere", "Nowhere", "x.svg", missing)])
    entries = dict((entry.key, load) for entry, load in mainwindow.available_areas())
    assert "nowhere" in entries and "enterprises" in entries
    with pytest.raises(ModuleNotFoundError):
        entries["nowhere"]()


def test_the_city_area_is_listed_for_a_city_office_only():
    from qoffice.ui import mainwindow

    county = [entry.key for entry, _load in mainwindow.available_areas("county")]
    city = [entry.key for entry, _load in mainwindow.available_areas("city")]
    assert "city" not in county
    assert [entry.key for entry, _load in mainwindow.available_areas(None)] == county  # not set: a county
    assert [k for k in city if k != "city"] == county and city[0] == "city"


def test_language_switch_changes_widgets_and_service_errors(qtbot, qoffice_home):
    from qoffice.domain import uscc

    path = settled_db(qoffice_home / "lang.db")
    database = open_database(path, "create")
    try:
        window = MainWindow(AppContext(database))
        qtbot.addWidget(window)
        assert window.nav.item(0).text() == "企业档案"
        assert "信用代码" in uscc.problem("")
        settings_area = window.show_area("settings")
        settings_area.language.setCurrentIndex(settings_area.language.findData("en"))
        assert saved(settings_area)
        assert window.nav.item(0).text() == "Enterprises"
        assert window.windowTitle() == "qoffice — 崇川区"
        assert uscc.problem("") == "The credit code is empty."
        assert window.stack.currentWidget() is window.areas["settings"]
        with database.read_session() as s:
            assert settings_service.get(s, "language") == "en"
        settings_area = window.areas["settings"]
        settings_area.language.setCurrentIndex(settings_area.language.findData("zh_CN"))
        assert saved(settings_area)
        assert window.nav.item(0).text() == "企业档案"
        assert "信用代码" in uscc.problem("")
    finally:
        database.close()
        i18n.set_language("zh_CN")


def test_qt_own_dialogs_are_translated(qtbot):
    from qoffice.ui.language import apply_language, qt_translator_loaded

    apply_language("zh_CN")
    assert qt_translator_loaded()
    assert QApplication.translate("QPlatformTheme", "Cancel") == "取消"
    apply_language("en")
    assert not qt_translator_loaded()
    apply_language("zh_CN")


def test_unexpected_error_is_logged_and_shown_with_copyable_details(qtbot, qoffice_home):
    shown = []
    messages.set_responder(lambda kind, title, text, details: shown.append((kind, text)))
    try:
        log_file = crash.setup_logging()
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError:
            crash._excepthook(*sys.exc_info())
    finally:
        messages.set_responder(None)
    assert shown and shown[-1][0] == "crash" and "boom in a slot" in shown[-1][1]
    for handler in crash.log.handlers:
        handler.flush()
    assert "boom in a slot" in log_file.read_text(encoding="utf-8")
    assert log_file.parent == qoffice_home / "logs"
    dialog = crash.CrashDialog(shown[-1][1])
    qtbot.addWidget(dialog)
    assert dialog.copy_button.text() == "复制详情"
    dialog.copy_button.click()
    assert "boom in a slot" in QApplication.clipboard().text()


def test_known_error_reaching_the_hook_is_a_message_not_a_crash(qtbot):
    from qoffice.errors import OutputNotWritable

    shown = []
    messages.set_responder(lambda kind, title, text, details: shown.append((kind, text)))
    try:
        crash._excepthook(OutputNotWritable, OutputNotWritable("请先关闭Excel中打开的该文件"), None)
    finally:
        messages.set_responder(None)
    assert shown == [("error", "请先关闭Excel中打开的该文件")]


def test_ctrl_plus_and_minus_scale_the_font_and_remember_it(qtbot, db, qoffice_home):
    from qoffice.ui.state import ui_settings

    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    app = QApplication.instance()
    original = app.font()
    try:
        start = round(app.font().pointSizeF())
        window.zoom(1)
        assert round(app.font().pointSizeF()) == start + 1
        assert int(ui_settings().value("ui/font_pt")) == start + 1
        window.zoom(-1)
        assert round(app.font().pointSizeF()) == start
    finally:
        app.setFont(original)


def test_window_geometry_is_kept_in_the_data_folder(qtbot, db, qoffice_home):
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.save_state()
    text = (qoffice_home / "ui.ini").read_text(encoding="utf-8")
    assert "geometry" in text and "splitter" in text
