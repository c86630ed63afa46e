"""Issue 6's screens: 备份与恢复, the second-instance dialog (只读查看), the network-share notice, 彻底删除."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import func, select

from qoffice.db import backup as bk
from qoffice.db.database import GUI_PROGRAM, open_database
from qoffice.db.lock import DatabaseLock
from qoffice.db.models import AuditEntry, Award, Enterprise, Project, SignUp, YearFigures
from qoffice.db.schema import KNOWN_REVISIONS, SCHEMA_HEAD
from qoffice.errors import DatabaseError
from qoffice.services import backups as backups_service
from qoffice.services import enterprises as enterprise_service
from qoffice.services import settings as settings_service
from qoffice.ui import backups_page, messages
from qoffice.ui.backups_page import BackupsPage
from qoffice.ui.context import AppContext
from qoffice.ui.mainwindow import MainWindow
from tests.ui.helpers import saved

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


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "db"


def _revision(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


def _schema(path: Path) -> dict[str, list]:
    """Every table's columns and indexes, read with plain sqlite3 (not through qoffice)."""
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: [tuple(c[1:]) for c in con.execute(f'PRAGMA table_info("{t}")')]
                + sorted(r[1:3] for r in con.execute(f'PRAGMA index_list("{t}")')) for t in names}
    finally:
        con.close()


@pytest.mark.parametrize("rev", KNOWN_REVISIONS[:-1])
def test_restore_of_an_older_backup_upgrades_it(qtbot, db, builders, answers, monkeypatch, tmp_path, rev):
    # A real database of an older schema (tests/fixtures/db/<rev>.db), chosen with 从其他文件恢复….
    settle(db, builders, ["南通甲有限公司"])
    older = tmp_path / "旧版" / f"质量办{rev}.db"
    older.parent.mkdir()
    shutil.copyfile(FIXTURES / f"{rev}.db", older)
    assert _revision(older) == rev != SCHEMA_HEAD
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    window.show_area("enterprises")
    assert window.rows_shown() == 1
    page = window.show_area("settings").backups
    monkeypatch.setattr(backups_page, "choose_file", lambda parent: str(older))
    job = page.restore_file()
    assert str(older) in answers.texts("question")[-1]
    assert job.wait()
    assert not answers.texts("error"), answers
    # The schema is head's: the revision row and every table, column and index a new database has.
    assert _revision(db.path) == SCHEMA_HEAD
    fresh = open_database(tmp_path / "fresh.db")
    fresh.close()
    assert _schema(db.path) == _schema(tmp_path / "fresh.db")
    # The old file's data is there, read by the running window and its ORM.
    assert names_in(db) == ["南通示例精密机械有限公司", "海门已注销纺织厂"]
    with db.read_session() as s:
        assert [a.name for a in s.scalars(select(SignUp)).one().attendees] == ["王五", "钱六"]
        assert s.scalar(select(func.count()).select_from(Project)) == 1
    window.show_area("enterprises")
    assert window.rows_shown() == 1  # the soft-deleted one stays in the recycle bin
    with db.session() as s:  # and it still writes, holding the lock
        builders.make_enterprise(s, name="南通丙有限公司")
    assert db.lock is not None and db.lock.held
    # The chosen file is left as it was (upgraded on a copy); the data before is kept.
    assert _revision(older) == rev
    safety = [r for r in backups_service.list_backups(db.path) if r.kind_label == "恢复前"]
    assert len(safety) == 1
    kept = open_database(safety[0].path, "check")
    try:
        assert names_in(kept) == ["南通甲有限公司"]
    finally:
        kept.close()


def test_open_backup_folder(qtbot, db, monkeypatch):
    opened = []
    monkeypatch.setattr(backups_page, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    page = BackupsPage(AppContext(db))
    qtbot.addWidget(page)
    page.folder_button.click()
    assert opened == [str(Path(db.path).resolve().parent / "backups")]
    assert Path(opened[0]).is_dir()


# ---- the second instance ---------------------------------------------------------------------

def settled_file(path: Path, builders, names=("南通甲有限公司",)) -> Path:
    database = open_database(path, "create")
    try:
        settle(database, builders, names)
    finally:
        database.close()
    return path


def test_second_instance_dialog_names_the_holder(qtbot, qoffice_home):
    from qoffice.ui.second_instance import QUIT, VIEW, SecondInstanceDialog

    holder = {"user": "wangfang", "host": "ZJB-PC01", "pid": 4242, "program": "qoffice",
              "since": "2024-05-06T08:30:00"}
    dialog = SecondInstanceDialog(qoffice_home / "q.db", holder)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "数据库正在使用中"
    assert {k: w.text() for k, w in dialog.fields.items() if k != "path"} == {
        "user": "wangfang", "host": "ZJB-PC01", "program": "qoffice", "since": "2024-05-06 08:30:00"}
    assert (dialog.view_button.text(), dialog.quit_button.text()) == ("只读查看", "退出")
    assert dialog.view_button.isDefault()
    dialog.quit_button.click()
    assert dialog.choice == QUIT and dialog.result() == QDialog.Rejected
    dialog.view_button.click()
    assert dialog.choice == VIEW and dialog.result() == QDialog.Accepted


def test_second_instance_views_read_only_and_refuses_writes(qtbot, qoffice_home, builders, answers):
    from qoffice.ui import app as app_module
    from qoffice.ui.mainwindow import MainWindow
    from qoffice.ui.second_instance import notices

    path = settled_file(qoffice_home / "shared.db", builders)
    other = DatabaseLock(path, program=GUI_PROGRAM)  # "the other qoffice", as the GUI takes it
    assert other.acquire()
    before = path.read_bytes()
    seen = {}

    def inspect():
        try:
            window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
            seen["title"] = window.windowTitle()
            seen["notices"] = [n.text() for n in notices(window)]
            seen["rows"] = window.rows_shown()
            enterprises = window.areas["enterprises"]
            seen["new_enabled"] = enterprises.list.buttons["new"].isEnabled()
            settings = window.show_area("settings")
            settings.form.w["office"].setText("改过的名字")
            seen["save_enabled"] = settings.save_button.isEnabled()
            seen["saved"] = saved(settings)  # pressed anyway (e.g. by shortcut): refused, with a message
            settings.backups.reload()
            seen["restore_enabled"] = (settings.backups.restore_button.isEnabled()
                                       or settings.backups.file_button.isEnabled())
            try:
                with window.ctx.db.session() as s:
                    builders.make_enterprise(s, name="不该写入的企业")
            except DatabaseError as exc:
                seen["refused"] = exc.message
        finally:
            QApplication.instance().exit(0)

    def reply(kind):
        if kind == "second_instance":
            QTimer.singleShot(0, inspect)  # runs once the window's event loop runs
            return True  # 只读查看
        return True

    answers.reply = reply
    try:
        assert app_module.run_gui(str(path), []) == 0
    finally:
        other.release()
    asked = answers.texts("second_instance")
    assert len(asked) == 1 and "已在另一个 qoffice 中打开" in asked[0] and "qoffice" in asked[0]
    assert seen["title"] == "质量强企工作台 — 崇川区 【只读】"
    assert len(seen["notices"]) == 1 and seen["notices"][0].startswith("只读查看：数据库正由")
    assert seen["rows"] == 1  # the data is there to look at
    assert not seen["new_enabled"] and not seen["save_enabled"] and not seen["restore_enabled"]
    assert seen["saved"] is False and "只读" in answers.texts("error")[-1]
    assert "只读" in seen["refused"] and "关闭另一个 qoffice" in seen["refused"]
    assert path.read_bytes() == before
    assert not bk.list_backups(path)  # no daily backup by the viewer: the holder makes it


def test_second_instance_quit_exits_2_untouched(qtbot, qoffice_home, builders, answers):
    from qoffice.ui.app import run_gui

    path = settled_file(qoffice_home / "shared.db", builders)
    with DatabaseLock(path, program=GUI_PROGRAM) as other:
        assert other.acquire()
        before = path.read_bytes()
        answers.reply = lambda kind: False if kind == "second_instance" else True
        assert run_gui(str(path), []) == 2
    assert path.read_bytes() == before
    assert [k for k, _t, _d in answers] == ["second_instance"]


def test_second_instance_under_exit_after_show_exits_without_blocking(qoffice_home, builders):
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    path = settled_file(qoffice_home / "shared.db", builders)
    report = qoffice_home / "report.json"
    env = dict(os.environ, QOFFICE_EXIT_AFTER_SHOW="1", QOFFICE_SMOKE_REPORT=str(report),
               QOFFICE_HOME=str(qoffice_home), QT_QPA_PLATFORM="offscreen")
    with DatabaseLock(path, program=GUI_PROGRAM) as other:
        assert other.acquire()
        proc = subprocess.run([sys.executable, "-m", "qoffice", "--db", str(path)], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit"] == 2 and data["prompt"].startswith("数据库正被") and "qoffice" in data["prompt"]


# ---- a database on a network share ---------------------------------------------------------------

def test_network_share_warning_is_a_banner_not_a_prompt(qtbot, qoffice_home, builders, monkeypatch):
    from qoffice.db import sqlite as sq
    from qoffice.ui import app as app_module
    from qoffice.ui import second_instance

    path = settled_file(qoffice_home / "share.db", builders)
    monkeypatch.setattr(sq, "is_network_path", lambda p, **probe: Path(p) == path)
    monkeypatch.setenv("QOFFICE_EXIT_AFTER_SHOW", "1")  # any modal would make the start fail
    bars = []
    real_add = second_instance.add_notice
    monkeypatch.setattr(second_instance, "add_notice",
                        lambda window, text, **kw: bars.append(real_add(window, text, **kw)) or bars[-1])
    assert app_module.run_gui(str(path), []) == 0
    assert len(bars) == 1
    assert "网络驱动器" in bars[0].text() and "本机磁盘" in bars[0].text()
    assert bars[0].close_button is not None and bars[0].close_button.text() == "知道了"


def test_no_banner_for_a_local_database(qtbot, db, monkeypatch):
    from qoffice.db import sqlite as sq
    from qoffice.ui.second_instance import network_notice, notices

    monkeypatch.setattr(sq, "is_network_path", lambda p, **probe: False)
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    assert network_notice(window, db.path) is None and notices(window) == []


# ---- 彻底删除 ------------------------------------------------------------------------------------

def deleted_enterprise_with_records(db, builders):
    """A deleted enterprise with 2 figures, 1 project, 2 awards, 1 sign-up (2 attendees), 1 forum;
    and a second deleted enterprise and a live one, which must stay."""
    from qoffice.db.models import Attendee, Forum, ForumAttendance, MatchmakingMeeting

    with db.session() as s:
        ent = builders.make_enterprise(s, name="南通待清除有限公司", contact="李秀英", phone="13912345678",
                                       legal_rep="王建国")
        other = builders.make_enterprise(s, name="南通另一家有限公司")
        live = builders.make_enterprise(s, name="南通在营有限公司")
        enterprise_service.set_figures(s, ent.id, 2023, checked=10, passed=9)
        enterprise_service.set_figures(s, ent.id, 2024, checked=12, passed=12)
        enterprise_service.set_figures(s, live.id, 2024, checked=5, passed=5)
        s.add(Project(enterprise_id=ent.id, type="质量攻关", title="焊缝一次合格率攻关", year=2024))
        s.add(Award(enterprise_id=ent.id, award="县级质量奖", year=2023))
        s.add(Award(enterprise_id=ent.id, award="南通市市长质量奖", year=2024))
        meeting = MatchmakingMeeting(year=2024, title="质量对接会", date=dt.date(2024, 6, 1))
        forum = Forum(title="质量大讲堂", date=dt.date(2024, 4, 1))
        s.add_all([meeting, forum])
        s.flush()
        signup = SignUp(meeting_id=meeting.id, enterprise_id=ent.id)
        s.add(signup)
        s.flush()
        s.add_all([Attendee(signup_id=signup.id, name="张伟", phone="13800001111"),
                   Attendee(signup_id=signup.id, name="陈静", phone="13800002222", position=1)])
        s.add(ForumAttendance(forum_id=forum.id, enterprise_id=ent.id))
        enterprise_service.soft_delete(s, ent)
        enterprise_service.soft_delete(s, other)
        return ent.id, ent.uscc, other.id, live.id


def test_purge_names_what_goes_then_removes_it_and_blanks_the_log(qtbot, db, builders, answers):
    from qoffice.db.models import Attendee, ForumAttendance
    from qoffice.ui.enterprises import RecycleBinArea

    eid, code, other_id, live_id = deleted_enterprise_with_records(db, builders)
    with db.read_session() as s:
        logged = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.enterprise_id == eid, AuditEntry.new.is_not(None)))
    assert logged > 0  # the log held its name, phone, contact…
    area = RecycleBinArea(AppContext(db))
    qtbot.addWidget(area)
    area.activated()
    assert area.list.buttons["action1"].text() == "彻底删除"
    rows = {area.list.model.index(r, 2).data(): r for r in range(area.list.model.rowCount())}
    area.list.table.selectRow(rows["南通待清除有限公司"])
    assert area.list.buttons["action1"].isEnabled()

    answers.reply = lambda kind: False if kind == "question" else None  # first: 否
    area.list.buttons["action1"].click()
    question = answers.texts("question")[-1]
    assert question.startswith("要彻底删除这家企业及其全部记录吗？")
    assert (f"• 南通待清除有限公司（{code}）\n    年度数据 2 条、质量项目 1 个、获奖 2 项\n"
            "    对接会报名 1 条、论坛参会 1 次" in question)
    assert "个人信息" in question and "不能撤销" in question
    with db.read_session() as s:
        assert s.get(Enterprise, eid) is not None  # 否 keeps everything

    answers.reply = True
    area.list.buttons["action1"].click()
    qtbot.waitUntil(lambda: bool(answers.texts("info")))  # purged on the worker
    assert answers.texts("info")[-1] == "南通待清除有限公司 已彻底删除。"
    with db.read_session() as s:
        assert s.get(Enterprise, eid) is None
        for model in (YearFigures, Project, Award, SignUp, ForumAttendance):
            assert s.scalar(select(func.count()).select_from(model).where(model.enterprise_id == eid)) == 0
        assert s.scalar(select(func.count()).select_from(Attendee)) == 0
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.enterprise_id == eid)))
        assert entries and all(e.old is None and e.new is None for e in entries)
        assert not any("李秀英" in (e.old or "") + (e.new or "") or "13912345678" in (e.old or "") + (e.new or "")
                       for e in s.scalars(select(AuditEntry)))
        assert s.get(Enterprise, other_id) is not None and s.get(Enterprise, live_id) is not None
        assert s.scalar(select(func.count()).select_from(YearFigures)) == 1  # the live one's
    assert [area.list.model.index(r, 2).data() for r in range(area.list.model.rowCount())] == ["南通另一家有限公司"]


def test_purge_preview_counts_match_what_the_service_removes(db, builders):
    eid, _code, _other, _live = deleted_enterprise_with_records(db, builders)
    [item] = enterprise_service.purge_preview(db, [eid])
    with db.session() as s:
        removed = enterprise_service.purge(s, s.get(Enterprise, eid))
    assert {k: item.counts[k] for k in removed} == removed
    assert item.counts["forums"] == 1


def test_purge_of_several_names_each_and_a_read_only_view_refuses(qtbot, db, builders, answers, qoffice_home):
    from qoffice.ui.purge import purge_enterprises

    eid, _code, other_id, _live = deleted_enterprise_with_records(db, builders)
    db.close()
    viewer = open_database(db.path, "view")
    try:
        job = purge_enterprises(None, AppContext(viewer), [eid, other_id])
        assert job.wait() and not answers.texts("info")
    finally:
        viewer.close()
    question = answers.texts("question")[-1]
    assert question.startswith("要彻底删除这 2 家企业及其全部记录吗？")
    assert "南通待清除有限公司" in question and "南通另一家有限公司" in question
    assert "只读" in answers.texts("error")[-1]
    check = open_database(db.path, "check")
    try:
        with check.read_session() as s:
            assert s.get(Enterprise, eid) is not None and s.get(Enterprise, other_id) is not None
    finally:
        check.close()


def test_restore_from_another_file(qtbot, db, builders, answers, monkeypatch, tmp_path):
    settle(db, builders, ["南通甲有限公司"])
    usb = tmp_path / "U盘" / "质量办备份.db"
    usb.parent.mkdir()
    backups_service.backup_now(db.path, target=usb)
    with db.session() as s:
        builders.make_enterprise(s, name="南通乙有限公司")
    page = BackupsPage(AppContext(db))
    qtbot.addWidget(page)
    assert page.file_button.text() == "从其他文件恢复…"

    not_ours = tmp_path / "随便.db"
    not_ours.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    monkeypatch.setattr(backups_page, "choose_file", lambda parent: str(not_ours))
    assert page.restore_file() is None  # refused before any question
    assert answers[-1][0] == "error" and not answers.texts("question")
    monkeypatch.setattr(backups_page, "choose_file", lambda parent: "")
    assert page.restore_file() is None  # cancelled file dialog

    monkeypatch.setattr(backups_page, "choose_file", lambda parent: str(usb))
    job = page.restore_file()
    assert str(usb) in answers.texts("question")[-1]
    assert job.wait()
    assert names_in(db) == ["南通甲有限公司"]
    assert usb.exists()  # the chosen file is copied, not moved
    assert [r.kind_label for r in page.rows] == ["恢复前"]
