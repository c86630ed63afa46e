"""交流活动 driven through the real widgets: plan forums, the 超出 warning, badge, cancel, held, attendance."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from qoffice.db.models import Forum
from qoffice.services import enterprises as enterprise_service
from qoffice.services import forums as forum_service
from qoffice.ui.context import AppContext
from qoffice.ui.forums import ForumsArea
from tests.ui.helpers import accept

pytestmark = pytest.mark.gui

TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def area(qtbot, db):
    ctx = AppContext(db, 2025)
    w = ForumsArea(ctx)
    w.today = lambda: TODAY
    qtbot.addWidget(w)
    w.resize(1300, 600)
    w.show()
    w.refresh()
    return w


def plan(area, title, date):
    dlg = area.new()
    dlg.w["title"].setText(title)
    dlg.w["date"].setDate(date)
    dlg.w["venue"].setText("如皋市行政中心")
    accept(dlg)  # saved on the worker
    assert not dlg.isVisible()


def test_two_forums_planned_then_the_third_is_warned(area, answers, db):
    assert area.badge.text() == "未安排"
    plan(area, "质量提升交流会", dt.date(2025, 5, 20))
    assert area.badge.text() == "已安排 1 场"
    plan(area, "首席质量官论坛", dt.date(2025, 10, 15))
    assert area.badge.text() == "已安排 2 场"
    assert area.warning.isHidden() and answers == []
    plan(area, "标准化沙龙", dt.date(2025, 11, 5))
    assert area.list.model.rowCount() == 3
    assert not area.warning.isHidden() and "超出" in area.warning.text()  # words, not only colour
    assert [k for k, t in answers] == ["warning"] and "超出" in answers[0][1]
    # the timeline shows the year in date order with weekday and status mark
    assert area.list.model.data(area.list.model.index(0, 1)).startswith("2025-05-20（周二）")
    assert area.list.model.data(area.list.model.index(0, 2)) == "○ 计划"


def test_cancel_with_reason_clears_the_warning(area, answers, db):
    for i, d in enumerate((dt.date(2025, 5, 1), dt.date(2025, 6, 1), dt.date(2025, 7, 1))):
        plan(area, f"论坛{i}", d)
    assert not area.warning.isHidden()
    area.list.select_id(area.list.model.row_id(2))
    dlg = area.cancel_selected(area.list.selected_ids())
    assert not dlg.save_button.isEnabled()  # a reason is required
    dlg.reason_edit.setPlainText("场地冲突")
    accept(dlg)
    assert area.warning.isHidden()
    assert area.list.model.data(area.list.model.index(2, 2)) == "✕ 已取消：场地冲突"
    assert area.badge.text() == "已安排 2 场"


def test_mark_held_refuses_a_future_date_and_shows_done(area, answers, db):
    plan(area, "质量提升交流会", dt.date(2025, 2, 20))
    area.list.select_id(area.list.model.row_id(0))
    dlg = area.held_selected(area.list.selected_ids())
    dlg.date_edit.setDate(dt.date(2025, 4, 1))  # after "today"
    assert not dlg.save_button.isEnabled() and "2025-04-01" in dlg.reason.text()
    dlg.date_edit.setDate(dt.date(2025, 2, 21))
    dlg.people.setText("85")
    accept(dlg)
    with db.read_session() as s:
        forum = s.scalar(select(Forum))
        assert (forum.status, forum.date, forum.people_count) == ("已举办", dt.date(2025, 2, 21), 85)
    assert area.badge.text() == "已完成"


def test_attendance_picked_from_the_file_and_counted(area, answers, db, builders):
    with db.session() as s:
        a = builders.make_enterprise(s, name="南通海星电子股份有限公司").id
        b = builders.make_enterprise(s, name="江苏南通二建集团有限公司").id
        gone = builders.make_enterprise(s, name="如皋市已删除企业有限公司")
        enterprise_service.soft_delete(s, gone)
    plan(area, "质量提升交流会", dt.date(2025, 2, 20))
    area.list.select_id(area.list.model.row_id(0))
    picker = area.attendance_selected(area.list.selected_ids())
    assert picker.list.model.total_count == 2  # deleted enterprises are never offered
    picker.list.search_box.setText("nthx")  # pinyin initials of 南通海星
    picker.list.apply_search_now()
    assert picker.list.model.rowCount() == 1
    picker.list.select_id(a)
    picker.list.buttons["action0"].click()  # 加入
    picker.list.search_box.setText("二建")
    picker.list.apply_search_now()
    picker.list.select_id(b)
    picker.list.buttons["action0"].click()
    assert picker.count_label.text() == "已选：2"
    accept(picker)
    with db.read_session() as s:
        assert forum_service.attendance_count(s, s.scalar(select(Forum))) == 2
    assert area.list.model.data(area.list.model.index(0, 9)) == "2"
