"""The 市级汇总 area (qoffice/ui/city.py): board colours, findings, values beside targets, chart and
ranking, drop to receive (the older-file question), 退回, history, 催报 list, export."""
from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

from qoffice.services import city as svc  # noqa: E402
from qoffice.services import settings as st  # noqa: E402
from qoffice.ui import messages  # noqa: E402
from tests.city import builders as B  # noqa: E402
from tests.city.builders import YEAR, code, ent, forum, proj, raw  # noqa: E402


@pytest.fixture
def answers():
    class Answers(list):
        reply = True

    got = Answers()
    messages.set_responder(lambda kind, title, text, details: got.append((kind, text)) or got.reply)
    yield got
    messages.set_responder(None)


def settled(area) -> bool:
    """Wait for the area's operation on the worker, and for one it started once that was over (the
    second receive after the older-file question), then for the board to show it. True when the
    last one succeeded."""
    while not area.job.finished:
        assert area.job.wait()
    ok = area.job.error is None
    assert shown(area)
    return ok


def shown(area, timeout_s: float = 30) -> bool:
    """Wait for the area's reads (its refresh on the worker, a 催报 list read for a date typed in)
    to be over and shown. True when they were."""
    import time

    from PySide6.QtCore import QCoreApplication

    end = time.monotonic() + timeout_s
    while area.refresh_job is not None and not area.refresh_job.finished:
        if not area.refresh_job.wait():
            return False
    while area.remind_read is not None and time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.005)
    return area.remind_read is None and (area.refresh_job is None or area.refresh_job.finished)


@pytest.fixture
def area(db, qtbot, tmp_path):
    from qoffice.ui.city import CityArea
    from qoffice.ui.context import AppContext

    with db.session() as s:
        st.set_value(s, "level", "city")
        st.set_value(s, "county.target.崇川区.1", "2")
    a = B.write_qoffice(tmp_path / "cc.xlsx", raw("崇川区", enterprises=[
        ent(code(1), "甲", "崇川区", excellence=YEAR, loss=1, checked=10, passed=9)],
        projects=[proj(code(1), "攻关", "质量攻关")], forums=[forum("论坛")], filled=dt.date(2025, 1, 10)))
    b = B.write_openpyxl(tmp_path / "tz.xlsx", raw("通州区", enterprises=[ent(code(2), "乙", "通州区", loss=2)],
                                                   summary={1: 4}, phone="0513-86000000"))
    svc.receive(db, [a, b], today=dt.date(2025, 3, 1))
    ctx = AppContext(db, YEAR)
    w = CityArea(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    assert shown(w)
    return w


def test_board_status_words_and_colours(area):
    rows = {area.board.item(i, 0).text(): (area.board.item(i, 1).text(), area.board.item(i, 1).data(Qt.UserRole))
            for i in range(area.board.rowCount())}
    assert rows["崇川区"] == ("已报送", "#2e7d32")  # no warnings: green
    assert rows["通州区"] == ("已报送", "#ef8f00")  # a hand-edited 汇总: amber
    assert rows["海门区"] == ("未报送", "#9e9e9e")
    assert area.title.text().startswith("2024")


def test_findings_and_values_of_the_selected_county(area):
    area.board.selectRow(1)
    texts = [area.findings.item(i, 3).text() for i in range(area.findings.rowCount())]
    assert "汇总表第1行填报4，按明细计算为0" in texts
    area.board.selectRow(0)
    assert area.findings.rowCount() == 0
    assert area.values.item(0, 2).text() == "1" and area.values.item(0, 3).text() == "2"
    assert area.values.item(0, 4).text() == "50.0" and area.values.item(0, 5).text() == "否"


def test_chart_ranking_history_and_reminders(area):
    assert [b[0] for b in area.chart.bars] == ["崇川区", "通州区"]
    area.chart_choice.setCurrentIndex(1)  # indicator 1
    assert area.chart.bars[0][1:] == (1.0, 2.0)
    assert area.ranking.item(0, 1).text() == "崇川区" and area.ranking.item(0, 0).text() == "1"
    assert area.history.rowCount() == 2
    # the default deadline (31 January of Y+1) is long past: the two returns came late, all eight listed
    assert area.remind.rowCount() == 8
    from PySide6.QtCore import QDate

    area.deadline.setDate(QDate(2100, 1, 1))
    assert shown(area)  # read quietly beside the screen
    assert area.remind.rowCount() == 6  # the six counties that have not reported


def test_withdraw_and_reminder_phone(area, monkeypatch, answers):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("汇总表与明细不符", True))
    area.board.selectRow(1)
    assert area.withdraw().wait()  # on the worker; the published change refreshes the board
    assert shown(area)  # read on the worker as well
    assert area.board.item(1, 1).text() == "已退回"
    assert area.board.item(1, 1).data(Qt.UserRole) == "#c62828"
    phones = {area.remind.item(i, 0).text(): area.remind.item(i, 2).text() for i in range(area.remind.rowCount())}
    assert phones["通州区"] == "0513-86000000"
    assert area.history.item(0, 4).text().endswith("汇总表与明细不符")


def test_drop_files_receives_them_and_asks_about_an_older_one(area, tmp_path, answers, qtbot):
    older = B.write_openpyxl(tmp_path / "old.xlsx", raw("崇川区", enterprises=[ent(code(1), "甲", "崇川区", loss=5)],
                                                        filled=dt.date(2025, 1, 1)))
    new = B.write_openpyxl(tmp_path / "hm.xlsx", raw("海门区", enterprises=[ent(code(3), "丙", "海门区")]))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(older)), QUrl.fromLocalFile(str(new))])
    answers.reply = False  # keep the newer return
    event = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    area.dropEvent(event)
    assert settled(area)
    kinds = [k for k, _t in answers]
    assert kinds[0] == "question" and kinds[-1] == "info"
    assert "old.xlsx：" in answers[-1][1] and "hm.xlsx：" in answers[-1][1]
    statuses = {area.board.item(i, 0).text(): area.board.item(i, 1).text() for i in range(area.board.rowCount())}
    assert statuses["海门区"] == "已报送" and statuses["崇川区"] == "已报送"
    answers.clear()
    answers.reply = True
    area.receive([older])
    assert settled(area)
    statuses = {area.board.item(i, 0).text(): area.board.item(i, 1).text() for i in range(area.board.rowCount())}
    assert statuses["崇川区"] == "已更新"


def test_export_button(area, tmp_path, monkeypatch, answers):
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "out.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert area.export().wait()
    assert target.is_file() and answers[-1][0] == "info"


def test_county_level_database_shows_the_reason(db, qtbot):
    from qoffice.ui.city import CityArea
    from qoffice.ui.context import AppContext

    w = CityArea(AppContext(db, YEAR))
    qtbot.addWidget(w)
    assert shown(w)
    assert "level" in w.title.text()


def test_targets_table_edit_import_and_feedback(area, tmp_path, monkeypatch, answers):
    from openpyxl import Workbook
    from PySide6.QtWidgets import QFileDialog

    from qoffice.domain import indicators as ind

    t = area.targets
    assert [t.verticalHeaderItem(i).text() for i in range(t.rowCount())][-1] == "全市"
    assert t.item(0, 0).text() == "2"  # 崇川区's target 1
    assert t.item(t.rowCount() - 1, 7).text() == "96"  # the city's default target 8
    t.item(0, 1).setText("12")
    assert area.save_targets().wait() and area.job.error is None
    with area.ctx.db.read_session() as s:
        assert st.county_targets(s, "崇川区")[2] == 12
    t = area.targets  # refilled after the save
    t.item(0, 2).setText("abc")
    assert area.save_targets().wait() and area.job.error is not None
    assert answers[-1][0] == "error" and "崇川区" in answers[-1][1]
    with area.ctx.db.read_session() as s:
        assert st.county_targets(s, "崇川区")[3] is None  # nothing changed
    # import a table shaped like 分县汇总
    wb = Workbook()
    wb.active.append(["序号", "区县", "报送状态"] + [name for _n, name, _u in ind.DEFINITIONS])
    wb.active.append([1, "通州区", None, 5] + [None] * 16)
    wb.active.append([None, "全市", None, 150] + [None] * 16)
    wb.save(tmp_path / "t.xlsx")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "t.xlsx"), ""))
    area.import_targets()
    assert settled(area) and answers[-1] == ("info", "已导入 2 个区县的目标。")
    with area.ctx.db.read_session() as s:
        assert st.county_targets(s, "通州区")[1] == 5 and st.city_targets(s)[1] == 150
    # 反馈单: .xlsx and PDF side by side
    area.board.selectRow(1)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "fb.xlsx"), ""))
    assert area.feedback().wait()
    assert (tmp_path / "fb.xlsx").is_file() and (tmp_path / "fb.pdf").read_bytes()[:4] == b"%PDF"
    assert area.print_summary(str(tmp_path / "sum.pdf")).wait()
    assert (tmp_path / "sum.pdf").read_bytes()[:4] == b"%PDF"


def test_first_run_asks_the_level_and_the_city_area_comes_first(db, qtbot):
    from qoffice.ui.context import AppContext
    from qoffice.ui.mainwindow import MainWindow
    from qoffice.ui.settingsarea import FirstRunDialog

    window = MainWindow(AppContext(db, YEAR))  # county level: no 市级汇总
    qtbot.addWidget(window)
    assert "city" not in window.areas and window.nav.item(0).text() == "企业档案"
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.level.currentData() == "county"
    dialog.form.w["county"].setEditText("崇川区")
    dialog.form.w["office"].setText("南通市质量办")
    dialog.level.setCurrentIndex(dialog.level.findData("city"))
    dialog.ok.click()
    assert dialog.job.wait()  # saved on the worker
    with db.read_session() as s:
        assert st.level(s) == "city"
    window = MainWindow(AppContext(db, YEAR))
    qtbot.addWidget(window)
    assert list(window.areas)[0] == "city" and window.nav.item(0).text() == "市级汇总"


def test_double_clicking_a_finding_opens_a_copy_at_its_sheet_and_row(area, monkeypatch):
    import openpyxl

    import qoffice.ui.city as ui_city

    opened = []
    monkeypatch.setattr(ui_city, "open_file", opened.append)
    area.board.selectRow(1)
    texts = [area.findings.item(i, 3).text() for i in range(area.findings.rowCount())]
    i = texts.index("汇总表第1行填报4，按明细计算为0")
    sheet, row = area.findings.item(i, 1).text(), int(area.findings.item(i, 2).text())
    area.findings.cellDoubleClicked.emit(i, 0)
    assert area.file_job.wait()  # the copy is written on the worker
    [path] = opened
    assert "received-view" in path.parts
    wb = openpyxl.load_workbook(path)
    assert wb.active.title == sheet and wb.active.sheet_view.selection[0].activeCell == f"A{row}"


def test_the_areas_writes_are_operations_on_the_worker(area, monkeypatch, answers, tmp_path):
    """Issue 14: 退回, 保存目标, the deadline and 收取报表 run services on the worker; the one hook
    publishes what they changed (the board refreshes from it: no hand-written refresh signal)."""
    import threading

    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QInputDialog

    from qoffice.services import city_targets
    from qoffice.services.changes import Changes

    ran_on = []

    def spy(module, name):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, **k: ran_on.append((name, threading.current_thread()))
                            or real(*a, **k))

    spy(svc, "withdraw_return")
    spy(svc, "receive_files")
    spy(city_targets, "save_target_table")
    spy(st, "save_values")
    heard = []
    area.ctx.changed.connect(heard.append)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("重报", True))
    area.board.selectRow(0)
    assert area.withdraw().wait() and heard[-1] == Changes.of("city_return", ids=heard[-1].ids)
    area.targets.item(0, 1).setText("12")
    assert area.save_targets().wait() and heard[-1] == Changes.of("setting")
    area.deadline.setDate(QDate(2100, 1, 1))
    area.deadline.setDate(QDate(2100, 1, 2))  # while the first is stored: stored after it, not beside it
    while area.deadline_job is not None and not area.deadline_job.finished:
        assert area.deadline_job.wait()
    assert st.get(area.ctx.db, st.DEADLINE) == "2100-01-02"
    path = B.write_openpyxl(tmp_path / "hm.xlsx", raw("海门区", enterprises=[ent(code(3), "丙", "海门区")]))
    assert area.receive([path]).wait() and heard[-1] == Changes.of("city_return")
    assert shown(area)
    statuses = {area.board.item(i, 0).text(): area.board.item(i, 1).text() for i in range(area.board.rowCount())}
    assert statuses["海门区"] == "已报送"
    names = [name for name, _thread in ran_on]
    assert names == ["withdraw_return", "save_target_table", "save_values", "save_values", "receive_files"]
    assert threading.main_thread() not in [thread for _name, thread in ran_on]
