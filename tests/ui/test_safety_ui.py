"""Issue 6's screens: 备份与恢复, the second-instance dialog (只读查看), the network-share notice, 彻底删除."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QTableWidget
from sqlalchemy import func, select

from qoffice.db import backup as bk
from qoffice.db.database import GUI_PROGRAM, open_database
from qoffice.db.lock import DatabaseLock
from qoffice.db.models import AuditEntry, Award, Enterprise, Project, SignUp, YearFigures
from qoffice.errors import DatabaseError
from qoffice.services import backups as backups_service
from qoffice.services import enterprises as enterprise_service
from qoffice.services import settings as settings_service
from qoffice.ui import backups_page, messages
from qoffice.ui.backups_page import BackupsPage
from qoffice.ui.context import AppContext
from qoffice.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def answers():
    """Auto-answer message boxes; records (kind, text, details). Set .reply to answer questions."""

    class Answers(list):
        reply = True

        def texts(self, kind):
            return [t for k, t, _d in self if k == kind]

    got = Answers()

    def respond(kind, title, text, details):
        got.append((kind, text, details))
        return got.reply(kind) if callable(got.reply) else got.reply

    messages.set_responder(respond)
    yield got
    messages.set_responder(None)


def settle(db, builders=None, names=()):
    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量强区工作领导小组办公室")
        for name in names:
            builders.make_enterprise(s, name=name)


def names_in(db) -> list[str]:
    with db.read_session() as s:
        return sorted(s.scalars(select(Enterprise.name)))


# ---- 备份与恢复 ------------------------------------------------------------------------------

def test_page_shows_policy_kinds_and_sizes(qtbot, db, builders):
    settle(db, builders, ["南通甲有限公司"])
    bk.make_backup(db.path, "daily", now=dt.datetime(2024, 5, 1, 8, 30))
    bk.make_backup(db.path, "event", reason="import", now=dt.datetime(2024, 5, 2, 9, 0))
    bk.make_backup(db.path, "event", reason="migrate", now=dt.datetime(2024, 5, 3, 9, 0))
    bk.make_backup(db.path, "manual", now=dt.datetime(2024, 5, 4, 10, 15))
    page = BackupsPage(AppContext(db))
    qtbot.addWidget(page)
    rows = [[page.table.item(r, c).text() for c in range(3)] for r in range(page.table.rowCount())]
    assert [r[:2] for r in rows] == [["2024-05-04 10:15:00", "手动"], ["2024-05-03 09:00:00", "事件（升级前）"],
                                     ["2024-05-02 09:00:00", "事件（导入前）"], ["2024-05-01 08:30:00", "每日"]]
    assert all(r[2].endswith("KB") for r in rows)
    policy = page.policy_label.text()
    for words in ("最近 7 个每日备份", "4 个每周备份", "12 个每月备份", "保留最近 10 份"):
        assert words in policy
    assert page.last_label.text() == "最近备份：2024-05-04 10:15"
    assert not page.restore_button.isEnabled()  # nothing chosen yet
    page.table.selectRow(1)
    assert page.restore_button.isEnabled()


def test_size_text():
    assert backups_page.size_text(900) == "900 字节"
    assert backups_page.size_text(200 * 1024) == "200 KB"
    assert backups_page.size_text(3 * 1024 * 1024 + 400 * 1024) == "3.4 MB"


def test_backup_now_adds_a_verified_row_and_updates_the_status_bar(qtbot, db, builders, answers):
    settle(db, builders, ["南通甲有限公司"])
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    settings = window.show_area("settings")
    settings.show_backups()
    page = settings.backups
    assert page.table.rowCount() == 0 and page.empty_label.text().startswith("还没有备份")
    assert window.backup_label.text() == "尚无备份"
    job = page.backup_now()
    assert job.wait()
    assert page.table.rowCount() == 1
    made = page.rows[0]
    assert made.kind == "manual" and page.table.item(0, 1).text() == "手动"
    assert page.selected() == made
    assert bk.verify(made.path)[0]
    assert window.backup_label.text().startswith("最近备份：")
    assert answers.texts("info") and str(made.path) in answers.texts("info")[-1]


def test_restore_brings_the_backup_back_and_keeps_the_current_file(qtbot, db, builders, answers):
    settle(db, builders, ["南通甲有限公司"])
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    page = window.show_area("settings").backups
    assert page.backup_now().wait()
    with db.session() as s:
        builders.make_enterprise(s, name="南通乙有限公司")
    window.show_area("enterprises")
    assert window.rows_shown() == 2
    page.reload()
    page.table.selectRow(0)
    chosen = page.selected()
    job = page.restore_selected()
    question = answers.texts("question")[-1]
    assert chosen.at.strftime("%Y-%m-%d %H:%M") in question and "先备份" in question
    assert job.wait()
    assert names_in(db) == ["南通甲有限公司"]  # the same Database object reads the restored file
    assert window.rows_shown() == 1  # the enterprise list reloaded
    with db.session() as s:  # and still writes, holding the lock
        builders.make_enterprise(s, name="南通丙有限公司")
    assert db.lock is not None and db.lock.held
    safety = [r for r in backups_service.list_backups(db.path) if r.kind_label == "恢复前"]
    assert len(safety) == 1
    kept = open_database(safety[0].path, "check")
    try:
        assert names_in(kept) == ["南通乙有限公司", "南通甲有限公司"]
    finally:
        kept.close()
    assert safety[0].path.name in answers.texts("info")[-1]
    assert page.table.rowCount() == 2


def test_restore_needs_a_yes(qtbot, db, builders, answers):
    settle(db, builders, ["南通甲有限公司"])
    page = BackupsPage(AppContext(db))
    qtbot.addWidget(page)
    assert page.backup_now().wait()
    with db.session() as s:
        builders.make_enterprise(s, name="南通乙有限公司")
    answers.reply = False
    page.table.selectRow(0)
    assert page.restore_selected() is None
    assert names_in(db) == ["南通乙有限公司", "南通甲有限公司"]


def test_a_failed_restore_leaves_the_window_on_the_current_data(qtbot, db, builders, answers):
    settle(db, builders, ["南通甲有限公司"])
    page = BackupsPage(AppContext(db))
    qtbot.addWidget(page)
    assert page.backup_now().wait()
    page.rows[0].path.write_bytes(b"not a database at all" * 100)  # the backup got damaged
    page.table.selectRow(0)
    job = page.restore_selected()
    assert job.wait()
    assert answers[-1][0] == "error" and "不是 qoffice 数据库" in answers[-1][1]
    assert names_in(db) == ["南通甲有限公司"]
    with db.session() as s:
        builders.make_enterprise(s, name="南通乙有限公司")


def test_restore_of_an_older_backup_upgrades_it(qtbot, db, builders, answers, monkeypatch):
    from qoffice.db import migrate

    settle(db, builders, ["南通甲有限公司"])
    page = BackupsPage(AppContext(db))
    qtbot.addWidget(page)
    assert page.backup_now().wait()
    real = backups_service.restore_from
    upgraded = []

    def older(*args, **kwargs):
        result = real(*args, **kwargs)
        return backups_service.RestoreResult(result.restored_from, result.safety_backup, "0000", True)

    monkeypatch.setattr(backups_service, "restore_from", older)
    monkeypatch.setattr(migrate, "upgrade", lambda path: upgraded.append(Path(path)))
    page.table.selectRow(0)
    assert page.restore_selected().wait()
    assert upgraded == [Path(db.path)]
    assert any(r.kind_label == "升级前" for r in backups_service.list_backups(db.path))


def test_open_backup_folder(qtbot, db, monkeypatch):
    opened = []
    monkeypatch.setattr(backups_page, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    page = BackupsPage(AppContext(db))
    qtbot.addWidget(page)
    page.folder_button.click()
    assert opened == [str(Path(db.path).resolve().parent / "backups")]
    assert Path(opened[0]).is_dir()
