"""对接会 driven through the real widgets: capacity and 候补, promotion, duplicates, check-in, the PDF sheet."""
from __future__ import annotations

import datetime as dt
import re

import pypdf
import pytest
from sqlalchemy import select

from qoffice.db.models import Enterprise, Project, SignUp
from qoffice.services import meeting_signups, meetings
from qoffice.ui.context import AppContext
from qoffice.ui.meeting import MeetingArea

pytestmark = pytest.mark.gui

TODAY = dt.date(2025, 4, 1)


@pytest.fixture
def area(qtbot, db):
    ctx = AppContext(db, 2025)
    w = MeetingArea(ctx)
    w.today = lambda: TODAY
    qtbot.addWidget(w)
    w.resize(1400, 800)
    w.show()
    return w


def make_meeting(area, capacity=None, deadline=None):
    area.m_venue.setText("如皋市行政中心三楼会议室")
    area.m_capacity.setText("" if capacity is None else str(capacity))
    if deadline:
        area.m_deadline.setDate(deadline)
    job = area.save_meeting()  # an operation on the worker
    assert job.wait()
    assert area.meeting_id is not None


def sign_up(area, enterprise_id, people=(("张伟", "质量部经理", "13812345678"),)):
    dlg = area.new_signup()
    dlg.set_enterprise(enterprise_id)
    dlg.set_attendees(people)
    assert dlg.save_button.isEnabled(), dlg.reason.text()
    return accept(dlg)


def accept(dlg):
    """保存, and wait for the save that runs on the worker."""
    dlg.accept()
    if dlg.job is not None:
        assert dlg.job.wait()
    return dlg


def pdf_text(reader) -> str:
    """The PDF's text with runs of spaces/tabs as one space (Qt positions words; pypdf guesses gaps)."""
    return re.sub(r"[ \t]+", " ", "\n".join(page.extract_text() for page in reader.pages))


def status_column(area):
    model = area.signups.model
    col = model.column_keys().index("status")
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


@pytest.fixture
def firms(db, builders):
    names = ["南通海星电子股份有限公司", "江苏南通二建集团有限公司", "如皋市双马化工有限公司",
             "南通醋酸纤维有限公司", "江苏林洋能源股份有限公司"]
    with db.session() as s:
        return [builders.make_enterprise(s, name=n).id for n in names]


def test_sign_up_until_capacity_then_the_waiting_list(area, answers, firms):
    make_meeting(area, capacity=3)
    for eid in firms[:3]:
        sign_up(area, eid)
    assert area.chips["full"].text() == "已满" and area.chips["full"].isVisible()
    assert area.chips["remaining"].text() == "剩余名额 0 / 3"
    answers.clear()
    sign_up(area, firms[3])
    sign_up(area, firms[4])
    assert status_column(area) == ["已报名", "已报名", "已报名", "候补（第1位）", "候补（第2位）"]
    assert area.chips["候补"].text() == "候补 2"
    assert area.chips["已报名"].text() == "已报名 3"
    assert [k for k, _t in answers] == ["warning", "warning"] and "候补" in answers[0][1]


def test_withdraw_promotes_the_first_waiting(area, answers, firms, db):
    make_meeting(area, capacity=2)
    for eid in firms[:4]:
        sign_up(area, eid)
    area.signups.select_id(area.signups.model.row_id(0))
    answers.clear()
    assert area.withdraw(area.signups.selected_ids()).wait()
    assert status_column(area) == ["已退出", "已报名", "已报名", "候补（第1位）"]
    assert answers[0][0] == "question"
    assert answers[-1][0] == "info" and "如皋市双马化工有限公司" in answers[-1][1]
    assert area.chips["候补"].text() == "候补 1"


def test_second_sign_up_of_the_same_enterprise_is_refused_naming_it(area, answers, firms, db):
    make_meeting(area)
    sign_up(area, firms[0])
    answers.clear()
    dlg = area.new_signup()
    dlg.set_enterprise(firms[0])
    dlg.set_attendees((("李娜", "", ""),))
    # said before saving: 保存 is disabled with the reason naming the enterprise and its status
    assert not dlg.save_button.isEnabled()
    assert "南通海星电子股份有限公司" in dlg.reason.text() and "已报名" in dlg.reason.text()
    accept(dlg)
    assert dlg.isVisible()  # stays open: nothing saved
    with db.read_session() as s:
        assert s.scalar(select(SignUp).where(SignUp.enterprise_id == firms[0])).attendees[0].name == "张伟"


def test_new_enterprise_on_the_spot_and_the_deadline_question(area, answers, builders, db):
    make_meeting(area, deadline=dt.date(2025, 3, 20))  # before TODAY
    dlg = area.new_signup()
    dlg.new_enterprise.setChecked(True)
    dlg.code.setText(builders.code(9001))
    assert not dlg.save_button.isEnabled()
    dlg.name.setText("南通新到企业有限公司")
    dlg.set_attendees([("王强", "总经理", "0513-8888888"), ("赵敏", "质量主管", "")])
    answers.reply = False  # "take it after the deadline?" — no
    accept(dlg)
    assert "截止" in answers[-1][1] and answers[-1][0] == "question"
    with db.read_session() as s:
        assert s.scalar(select(Enterprise).where(Enterprise.name == "南通新到企业有限公司")) is None
    answers.reply = True
    accept(dlg)
    with db.read_session() as s:
        ent = s.scalar(select(Enterprise).where(Enterprise.name == "南通新到企业有限公司"))
        su = s.scalar(select(SignUp).where(SignUp.enterprise_id == ent.id))
        assert [a.name for a in su.attendees] == ["王强", "赵敏"]
    assert status_column(area) == ["已报名"]


def test_the_deadline_question_is_asked_before_the_write_holds_the_database(area, answers, builders, db, firms):
    """A clerk's pending answer must not hold SQLite's write lock: while the question is open,
    another writer (a second clerk, the CLI) can still write."""
    import sqlite3

    make_meeting(area, deadline=dt.date(2025, 3, 20))  # before TODAY
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

    from qoffice.ui import messages

    messages.set_responder(lambda kind, title, text, details: answers.append((kind, text)) or reply(kind))
    dlg = sign_up(area, firms[0])
    assert answers[-1][0] == "question" and "截止" in answers[-1][1]
    assert writable == [True]
    assert not dlg.isVisible()
    assert status_column(area) == ["已报名"]


def test_check_in_from_the_check_in_view(area, answers, firms, db):
    make_meeting(area, capacity=3)
    for eid in firms:
        sign_up(area, eid)
    view = area.checkin
    assert view.model.rowCount() == 3  # waiting sign-ups hold no place and do not check in
    view.search_box.setText("smhg")  # pinyin initials of 双马化工
    view.apply_search_now()
    assert view.model.rowCount() == 1
    view.table.selectRow(0)
    view.buttons["action0"].click()
    assert area.status_job.wait()  # 签到 is an operation on the worker
    col = view.model.column_keys().index("status")
    assert view.model.data(view.model.index(0, col)) == "✓ 已签到"
    assert area.chips["已签到"].text() == "已签到 1"
    with db.read_session() as s:
        assert s.scalar(select(SignUp).where(SignUp.enterprise_id == firms[2])).status == "已签到"


def test_print_the_sign_in_sheet_to_pdf(area, answers, firms, tmp_path):
    make_meeting(area, capacity=4)
    sign_up(area, firms[0], (("张伟", "经理", "13800000001"), ("李娜", "主管", "13800000002")))
    for eid in firms[1:]:
        sign_up(area, eid, ((f"参会人{eid}", "", ""),))
    # 4 places: firms 0–3 hold them (5 rows: firm 0 brings two people); firm 4 waits and is not on the sheet
    path = area.save_signin_pdf(tmp_path / "签到表")
    assert path == tmp_path / "签到表.pdf" and path.exists()
    reader = pypdf.PdfReader(str(path))
    text = pdf_text(reader)
    assert "签到表" in text and "如皋市行政中心三楼会议室" in text and "签名" in text
    assert text.count("南通海星电子股份有限公司") == 2  # one row per attendee
    attendee_rows = [n for n in ("张伟", "李娜", f"参会人{firms[1]}", f"参会人{firms[2]}", f"参会人{firms[3]}")
                     if n in text]
    assert len(attendee_rows) == 5 and f"参会人{firms[4]}" not in text
    assert "第 1 页 / 共 1 页" in text
    fonts = {str(f["/BaseFont"]) for p in reader.pages for f in
             (p["/Resources"]["/Font"][k].get_object() for k in p["/Resources"]["/Font"])}
    assert fonts  # the CJK font is embedded (checked below)
    for p in reader.pages:
        for k in p["/Resources"]["/Font"]:
            font = p["/Resources"]["/Font"][k].get_object()
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert any(key in desc for key in ("/FontFile2", "/FontFile3", "/FontFile"))


def test_many_rows_break_into_numbered_pages(area, answers, db, builders, tmp_path):
    make_meeting(area)
    with db.session() as s:
        meeting = meetings.meeting_for_year(s, 2025)
        for i in range(30):
            eid = builders.make_enterprise(s, name=f"南通分页测试{i:02d}有限公司").id
            meeting_signups.sign_up(s, meeting, eid, [meeting_signups.AttendeeIn(f"人员{i:02d}")], today=TODAY)
    area.refresh()
    path = area.save_signin_pdf(tmp_path / "sheet.pdf")
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) == 2
    text = pdf_text(reader)
    assert sum(1 for i in range(30) if f"人员{i:02d}" in text) == 30
    assert "第 2 页 / 共 2 页" in text


def test_turn_a_sign_up_into_a_project(area, answers, firms, db):
    from qoffice.services import partners

    with db.session() as s:
        pid = partners.create_partner(s, {"name": "南通大学", "type": "高等院校"}).id
    area.refresh()
    make_meeting(area)
    dlg = area.new_signup()
    dlg.set_enterprise(firms[0])
    dlg.set_attendees([("张伟", "", "")])
    dlg.partner.setCurrentIndex(dlg.partner.findData(pid))
    accept(dlg)
    area.signups.select_id(area.signups.model.row_id(0))
    job = area.to_project(area.signups.selected_ids())
    assert job.wait()  # on the worker
    made = job.result.changes.ids
    with db.read_session() as s:
        project = s.get(Project, made[0])
        assert (project.type, project.stage, project.year, project.partner_id, project.enterprise_id) == (
            "产学研合作", "培育", 2025, pid, firms[0])
    assert "质量项目" in answers[-1][1]
