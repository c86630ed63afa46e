"""对接会's writes are service operations run on the worker (issue 14, "No db.session() in ui/"):
保存对接会 (services.meetings.save_meeting), the status actions 确认 / 签到 / 缺席 / 退出报名
(set_statuses) and a place freed behind the scenes (promote_freed_places). Each returns its Job;
its Changes reach the screens through the one hook; a question (退出报名?) is asked before the
operation, while nothing holds the database's write lock; no warning or message box is shown
from inside a write."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from qoffice.db.models import Enterprise, MatchmakingMeeting, SignUp
from qoffice.services import enterprises as enterprise_service
from qoffice.services import meeting_signups, meetings
from qoffice.services import partners as partner_service
from qoffice.ui import messages
from qoffice.ui.context import AppContext
from qoffice.ui.meeting import MeetingArea
from qoffice.ui.worker import Job
from tests.ui.test_activities_meeting import firms, sign_up, status_column  # noqa: F401 (fixture)

pytestmark = pytest.mark.gui

TODAY = dt.date(2025, 4, 1)


@pytest.fixture
def area(qtbot, db):
    w = MeetingArea(AppContext(db, 2025))
    w.today = lambda: TODAY
    qtbot.addWidget(w)
    w.resize(1400, 800)
    w.show()
    return w


def done(job) -> None:
    assert isinstance(job, Job), job
    assert job.wait()


def make_meeting(area, capacity=None):
    area.m_venue.setText("如皋市行政中心三楼会议室")
    area.m_capacity.setText("" if capacity is None else str(capacity))
    done(area.save_meeting())
    assert area.meeting_id is not None


def test_saving_the_meeting_is_an_operation_and_the_one_hook_publishes_it(area, answers, db):
    with db.session() as s:
        uni = partner_service.create_partner(s, {"name": "南通大学", "type": "高等院校"}).id
    area.refresh()
    heard = []
    area.ctx.changed.connect(heard.append)
    area.m_venue.setText("如皋市行政中心")
    area.m_partners.item(0).setCheckState(Qt.Checked)
    job = area.save_meeting()
    done(job)
    assert any(c.touches({"meeting"}) for c in heard)
    with db.read_session() as s:
        m = meetings.meeting_for_year(s, 2025)
        assert m.venue == "如皋市行政中心" and [p.id for p in meetings.meeting_partners(s, m)] == [uni]
        meeting_id = m.id
    assert area.meeting_id == meeting_id and area.m_save.text() == "保存对接会信息"
    assert not [a for a in answers if a[0] == "crash"]


def test_a_smaller_capacity_is_saved_then_warned(area, answers, firms):  # noqa: F811
    make_meeting(area)
    for eid in firms[:3]:
        sign_up(area, eid)
    answers.clear()
    area.m_capacity.setText("2")
    done(area.save_meeting())
    assert [k for k, _t in answers] == ["warning"] and "3" in answers[0][1]


def test_status_actions_are_operations_naming_who_moved_up(area, answers, firms, db):  # noqa: F811
    make_meeting(area, capacity=2)
    for eid in firms[:3]:
        sign_up(area, eid)
    area.signups.select_id(area.signups.model.row_id(0))
    answers.clear()
    job = area.set_status(area.signups.selected_ids(), "已确认")
    done(job)
    assert status_column(area)[0] == "已确认"
    area.signups.select_id(area.signups.model.row_id(1))
    done(area.withdraw(area.signups.selected_ids()))
    assert answers[0][0] == "question"
    assert answers[-1][0] == "info" and "如皋市双马化工有限公司" in answers[-1][1]
    assert status_column(area) == ["已确认", "已退出", "已报名"]


def test_a_refused_status_change_changes_nothing_and_says_why(area, answers, firms, db):  # noqa: F811
    make_meeting(area, capacity=1)
    for eid in firms[:2]:
        sign_up(area, eid)
    with db.read_session() as s:
        waiting = s.scalar(select(SignUp).where(SignUp.enterprise_id == firms[1])).id
    answers.clear()
    done(area.set_status([waiting], "已报名"))
    assert answers and answers[-1][0] in ("error", "warning")
    assert status_column(area) == ["已报名", "候补（第1位）"]


def test_the_withdraw_question_is_asked_while_nothing_holds_the_write_lock(area, answers, firms, db):  # noqa: F811
    make_meeting(area)
    sign_up(area, firms[0])
    writable = []

    def reply(kind):
        con = sqlite3.connect(db.path, timeout=0)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.rollback()
            writable.append(True)
        except sqlite3.OperationalError as exc:  # database is locked
            writable.append(str(exc))
        finally:
            con.close()
        return True

    messages.set_responder(lambda kind, title, text, details: answers.append((kind, text)) or reply(kind))
    area.signups.select_id(area.signups.model.row_id(0))
    done(area.withdraw(area.signups.selected_ids()))
    assert writable and set(writable) == {True}
    assert status_column(area) == ["已退出"]


def test_check_in_is_an_operation_and_selects_the_search_for_the_next_name(area, answers, firms):  # noqa: F811
    make_meeting(area)
    sign_up(area, firms[0])
    view = area.checkin
    view.search_box.setText("海星")
    view.apply_search_now()
    view.table.selectRow(0)
    job = area.check_in(view.selected_ids())
    done(job)
    assert area.chips["已签到"].text() == "已签到 1"
    assert view.search_box.selectedText() == "海星"
    assert area.check_in(view.selected_ids()) is None  # already checked in: nothing to do


def test_a_place_freed_behind_the_scenes_goes_to_the_waiting_list_by_an_operation(area, answers, firms, db):  # noqa: F811
    make_meeting(area, capacity=1)
    for eid in firms[:2]:
        sign_up(area, eid)
    with db.session() as s:  # another window deletes the enterprise that holds the place
        enterprise_service.soft_delete(s, s.get(Enterprise, firms[0]))
    area.refresh()
    done(area.promote_job)
    with db.read_session() as s:
        m = s.scalar(select(MatchmakingMeeting))
        assert s.scalar(select(SignUp).where(SignUp.enterprise_id == firms[1])).status == "已报名"
        assert meeting_signups.counts(s, m).waiting == 0
    assert status_column(area) == ["已报名"]


def test_a_refresh_keeps_what_the_clerk_is_typing_in_the_meeting_form(area, answers, firms, db):  # noqa: F811
    """Sign-ups come and go while the clerk edits the meeting (another window; on the server another
    clerk, heard within seconds): the list refreshes, the typing in the meeting form stays — and a
    meeting changed meanwhile is still a conflict when the typing is saved."""
    from qoffice.services.changes import Changes
    from qoffice.ui import conflict_dialog

    make_meeting(area)
    area.m_venue.setText("国际会议中心")  # typed, not saved
    area.m_capacity.setText("40")
    with db.session() as s:  # another window signs an enterprise up and sets the deadline
        m = s.get(MatchmakingMeeting, area.meeting_id)
        meeting_signups.sign_up(s, m, firms[0], [meeting_signups.AttendeeIn("张伟")], today=TODAY)
        meetings.update_meeting(s, m, {"deadline": dt.date(2025, 5, 10)})
    area.ctx.publish(Changes.of("signup", "meeting"))
    assert status_column(area) == ["已报名"]  # the list follows
    assert (area.m_venue.text(), area.m_capacity.text()) == ("国际会议中心", "40")  # the typing stays
    shown = []
    previous = conflict_dialog.set_responder(lambda dialog: shown.append(dialog.shown_rows()) or conflict_dialog.CANCEL)
    try:
        done(area.save_meeting())
    finally:
        conflict_dialog.set_responder(previous)
    assert shown and any(row[1:] == ["2025-05-10", "（空）"] for row in shown[0]), shown
    assert area.m_venue.text() == "国际会议中心"
