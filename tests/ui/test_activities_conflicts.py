"""The lost-update rule in every activity form (issues 13 and 16): the forum, partner, project and
meeting forms and the sign-up dialog. Each is loaded, the same record is changed in a second session
(its version bumped), then the form is saved: the shared conflict dialog shows the stored and the
typed value of the field side by side, and

- 取消 (cancel) keeps the form open with what was typed, nothing saved;
- 采用他人的修改 (take theirs) puts the stored values in the form (a save after it meets no conflict);
- 保留我的修改 (keep mine) saves the typing over the stored record (its version bumped again).

(获奖情况 has no edit form: an award is added or deleted, never edited.)"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from qoffice.db.models import Forum, MatchmakingMeeting, Partner, Project, SignUp
from qoffice.services import forums as forum_service
from qoffice.services import meeting_signups, meetings
from qoffice.services import partners as partner_service
from qoffice.services import projects as project_service
from qoffice.ui import conflict_dialog
from qoffice.ui.conflict_dialog import CANCEL, KEEP_MINE, TAKE_THEIRS
from qoffice.ui.context import AppContext
from qoffice.ui.worker import Job
from tests.ui.helpers import accept

pytestmark = pytest.mark.gui

TODAY = dt.date(2025, 4, 1)
THEIRS, MINE = "政务中心三楼", "国际会议中心"


@pytest.fixture
def conflicts():
    class Conflicts(list):
        reply = CANCEL
        marks: list  # each dialog's shown_marks(): who changed which field

    got = Conflicts()
    got.marks = []

    def answer(dialog):
        got.append(dialog.shown_rows())
        got.marks.append(dialog.shown_marks())
        return got.reply

    previous = conflict_dialog.set_responder(answer)
    yield got
    conflict_dialog.set_responder(previous)


@pytest.fixture
def data(enterprise_and_partner):
    return enterprise_and_partner


def wait_meeting(area):
    """The meeting's save runs on the worker (a retry after 保留我的修改 too): wait for all of it."""
    while isinstance(getattr(area, "meeting_job", None), Job) and not area.meeting_job.finished:
        assert area.meeting_job.wait()


@dataclass
class Case:
    """One form: how to make its record, open it, change it elsewhere, type into it and read it."""
    model: Any
    make: Callable  # (session, data) → record id
    area: Callable  # (ctx) → the area
    open: Callable  # (area, id) → the form (a dialog; the area itself for the meeting)
    elsewhere: Callable  # (session, record) → another window's save of the field to THEIRS
    typed: Callable  # (form, text) → type text into the field
    shown: Callable  # (form) → the field's text in the form
    stored: Callable  # (record) → the field's stored value
    save: Callable  # (form) → save and wait for the operation
    live_form: Callable = lambda area, form: form  # the form after 采用他人的修改 (a sign-up reopens)


def _forum(s, data):
    return forum_service.create_forum(s, {"title": "首席质量官论坛", "date": dt.date(2025, 6, 18)}, today=TODAY)[0].id


def _forums_area(ctx):
    from qoffice.ui.forums import ForumsArea

    area = ForumsArea(ctx)
    area.today = lambda: TODAY
    return area


def _project(s, data):
    return project_service.create_project(s, {"enterprise_id": data["ent"], "type": "产学研合作", "title": "攻关",
                                              "year": 2025, "partner_id": data["uni"]}).id


def _projects_area(ctx):
    from qoffice.ui.projects import ProjectsArea

    return ProjectsArea(ctx)


def _partners_area(ctx):
    from qoffice.ui.partners import PartnersArea

    return PartnersArea(ctx)


def _meeting(s, data):
    return meetings.create_meeting(s, {"year": 2025, "date": dt.date(2025, 5, 20), "venue": "行政中心"}).id


def _meeting_area(ctx):
    from qoffice.ui.meeting import MeetingArea

    area = MeetingArea(ctx)
    area.today = lambda: TODAY
    return area


def _save_meeting(area):
    area.save_meeting()
    wait_meeting(area)


def _signup(s, data):
    m = meetings.create_meeting(s, {"year": 2025, "date": dt.date(2025, 5, 20)})
    return meeting_signups.sign_up(s, m, data["ent"], [meeting_signups.AttendeeIn("王五")], today=TODAY).signup.id


CASES = {
    "forum": Case(
        Forum, _forum, _forums_area, lambda area, i: area.edit(i),
        lambda s, r: forum_service.update_forum(s, r, {"venue": THEIRS}, today=TODAY),
        lambda f, t: f.w["venue"].setText(t), lambda f: f.w["venue"].text(), lambda r: r.venue, accept),
    "partner": Case(
        Partner, lambda s, data: data["uni"], _partners_area, lambda area, i: area.edit(i),
        lambda s, r: partner_service.update_partner(s, r, {"contact": THEIRS}),
        lambda f, t: f.contact.setText(t), lambda f: f.contact.text(), lambda r: r.contact, accept),
    "project": Case(
        Project, _project, _projects_area, lambda area, i: area.edit(i),
        lambda s, r: project_service.update_project(s, r, {"title": THEIRS}),
        lambda f, t: f.title.setText(t), lambda f: f.title.text(), lambda r: r.title, accept),
    "meeting": Case(
        MatchmakingMeeting, _meeting, _meeting_area, lambda area, i: area,
        lambda s, r: meetings.update_meeting(s, r, {"venue": THEIRS}),
        lambda f, t: f.m_venue.setText(t), lambda f: f.m_venue.text(), lambda r: r.venue, _save_meeting),
    "signup": Case(
        SignUp, _signup, _meeting_area, lambda area, i: area.edit_signup(i),
        lambda s, r: meeting_signups.update_signup(s, r, need=THEIRS),
        lambda f, t: f.need.setPlainText(t), lambda f: f.need.toPlainText(), lambda r: r.need, accept,
        live_form=lambda area, form: area.dialog),
}


def _is_open(case, area, form) -> bool:
    return form is area or form.isVisible()


@pytest.fixture(params=list(CASES))
def loaded(request, qtbot, db, data):
    """(case, area, form, record id, version after the other window's save): the form loaded, then
    the same record saved in a second session."""
    case = CASES[request.param]
    with db.session() as s:
        rid = case.make(s, data)
    area = case.area(AppContext(db, 2025))
    qtbot.addWidget(area)
    area.resize(1300, 750)
    area.show()
    form = case.open(area, rid)
    with db.session() as s:  # another window (or clerk) saves the same record meanwhile
        case.elsewhere(s, s.get(case.model, rid))
    with db.read_session() as s:
        theirs_version = s.get(case.model, rid).version
    case.typed(form, MINE)
    return case, area, form, rid, theirs_version


def _stored(db, case, rid):
    with db.read_session() as s:
        record = s.get(case.model, rid)
        return case.stored(record), record.version


def test_cancel_keeps_the_form_open_with_the_typing(loaded, db, answers, conflicts):
    case, area, form, rid, theirs_version = loaded
    conflicts.reply = CANCEL
    case.save(form)
    assert len(conflicts) == 1, answers
    assert any(row[1:] == [THEIRS, MINE] for row in conflicts[0]), conflicts[0]  # stored | typed
    # Both changed that field since the form loaded it: a clash, listed first; nothing else moved.
    assert conflicts[0][0][1:] == [THEIRS, MINE] and list(conflicts.marks[0].values()) == [conflict_dialog.CLASH]
    assert _is_open(case, area, form) and case.shown(form) == MINE
    assert _stored(db, case, rid) == (THEIRS, theirs_version)
    assert not [a for a in answers if a[0] == "crash"]


def test_take_theirs_reloads_the_stored_values(loaded, db, answers, conflicts):
    case, area, form, rid, theirs_version = loaded
    conflicts.reply = TAKE_THEIRS
    case.save(form)
    assert len(conflicts) == 1 and any(row[1:] == [THEIRS, MINE] for row in conflicts[0])
    form = case.live_form(area, form)
    assert _is_open(case, area, form) and case.shown(form) == THEIRS
    assert _stored(db, case, rid) == (THEIRS, theirs_version)
    case.save(form)  # the form now holds the stored version: no conflict, saved
    assert len(conflicts) == 1, conflicts
    assert _stored(db, case, rid)[0] == THEIRS
    assert not [a for a in answers if a[0] == "crash"]


def test_keep_mine_saves_over_the_stored_record(loaded, db, answers, conflicts):
    case, area, form, rid, theirs_version = loaded
    conflicts.reply = KEEP_MINE
    case.save(form)
    assert len(conflicts) == 1 and any(row[1:] == [THEIRS, MINE] for row in conflicts[0])
    value, version = _stored(db, case, rid)
    assert value == MINE and version > theirs_version
    assert form is area or not form.isVisible()  # a dialog closes once saved
    assert not [a for a in answers if a[0] == "crash"]


def test_the_meetings_attending_partners_changed_elsewhere_are_a_conflict_shown_by_name(qtbot, db, data, answers,
                                                                                        conflicts):
    """Another window ticked a partner institution: a save of the meeting form that loaded the old
    list would silently untick it — refused, the lists side by side by name; take theirs ticks it."""
    from PySide6.QtCore import Qt

    with db.session() as s:
        mid = _meeting(s, data)
    area = _meeting_area(AppContext(db, 2025))
    qtbot.addWidget(area)
    area.show()
    assert area.checked_partners() == []
    with db.session() as s:
        meetings.set_meeting_partners(s, s.get(MatchmakingMeeting, mid), [data["uni"]])
    area.m_title.setText("2025年对接会（第二场）")
    conflicts.reply = TAKE_THEIRS
    _save_meeting(area)
    assert len(conflicts) == 1
    row = next(r for r in conflicts[0] if r[0] == "参会合作单位")
    assert "南通大学" in row[1] and row[2] == "（空）"
    assert area.m_partners.item(0).checkState() == Qt.Checked and area.checked_partners() == [data["uni"]]
    _save_meeting(area)  # now it holds the stored version
    assert len(conflicts) == 1
    with db.read_session() as s:
        assert [p.id for p in meetings.meeting_partners(s, s.get(MatchmakingMeeting, mid))] == [data["uni"]]


# ---- the forum's small forms: 标记已举办, 取消活动, 参会企业 ------------------------------------------

@pytest.fixture
def forums(qtbot, db, data, builders):
    """The forums area with one planned forum (before TODAY, so it can be marked held) and a second enterprise."""
    with db.session() as s:
        fid = forum_service.create_forum(s, {"title": "质量提升交流会", "date": dt.date(2025, 2, 20)},
                                         today=TODAY)[0].id
        other = builders.make_enterprise(s, name="江苏南通二建集团有限公司").id
    area = _forums_area(AppContext(db, 2025))
    qtbot.addWidget(area)
    area.show()
    return area, fid, other


def _forum_row(db, fid):
    with db.read_session() as s:
        f = s.get(Forum, fid)
        return f.status, f.people_count, f.version, [e.id for e in forum_service.attendance(s, f)]


@pytest.mark.parametrize("reply", [CANCEL, TAKE_THEIRS, KEEP_MINE])
def test_mark_held_form(forums, db, answers, conflicts, reply):
    area, fid, _other = forums
    dlg = area.held_selected([fid])
    with db.session() as s:  # another window marked it held with 30 people meanwhile
        forum_service.mark_held(s, s.get(Forum, fid), dt.date(2025, 2, 20), 30, today=TODAY)
    theirs_version = _forum_row(db, fid)[2]
    dlg.people.setText("45")
    conflicts.reply = reply
    accept(dlg)
    assert len(conflicts) == 1 and ["参加人数", "30", "45"] in conflicts[0], conflicts
    assert conflicts.marks[0] == {"参加人数": conflict_dialog.CLASH}  # 已举办 by both alike: not shown
    status, people, version, _att = _forum_row(db, fid)
    if reply == CANCEL:
        assert dlg.isVisible() and dlg.people.text() == "45" and (people, version) == (30, theirs_version)
    elif reply == TAKE_THEIRS:
        assert dlg.isVisible() and dlg.people.text() == "30" and (people, version) == (30, theirs_version)
        accept(dlg)  # the form now holds the stored version
        assert len(conflicts) == 1 and not dlg.isVisible()
    else:
        assert not dlg.isVisible() and people == 45 and version > theirs_version
    assert not [a for a in answers if a[0] == "crash"]


@pytest.mark.parametrize("reply", [CANCEL, TAKE_THEIRS, KEEP_MINE])
def test_cancel_forum_form(forums, db, answers, conflicts, reply):
    area, fid, _other = forums
    dlg = area.cancel_selected([fid])
    with db.session() as s:  # another window recorded it as held meanwhile
        forum_service.mark_held(s, s.get(Forum, fid), dt.date(2025, 2, 20), 30, today=TODAY)
    theirs_version = _forum_row(db, fid)[2]
    dlg.reason_edit.setPlainText("场地冲突")
    conflicts.reply = reply
    accept(dlg)
    assert len(conflicts) == 1 and ["状态", "已举办", "已取消"] in conflicts[0], conflicts
    status, _people, version, _att = _forum_row(db, fid)
    if reply == CANCEL:
        assert dlg.isVisible() and dlg.reason_edit.toPlainText() == "场地冲突"
        assert (status, version) == ("已举办", theirs_version)
    elif reply == TAKE_THEIRS:
        assert not dlg.isVisible() and (status, version) == ("已举办", theirs_version)
    else:
        assert not dlg.isVisible() and status == "已取消" and version > theirs_version
    assert not [a for a in answers if a[0] == "crash"]


@pytest.mark.parametrize("reply", [CANCEL, TAKE_THEIRS, KEEP_MINE])
def test_attendance_picker(forums, db, data, answers, conflicts, reply):
    area, fid, other = forums
    picker = area.attendance_selected([fid])
    with db.session() as s:  # another window recorded 南通海星 as attending meanwhile
        forum_service.set_attendance(s, s.get(Forum, fid), [data["ent"]])
    theirs_version = _forum_row(db, fid)[2]
    picker.add_ids([other])
    conflicts.reply = reply
    accept(picker)
    assert area.attendance_job.wait()
    assert len(conflicts) == 1
    assert ["参会企业", "南通海星电子股份有限公司", "江苏南通二建集团有限公司"] in conflicts[0], conflicts
    _status, _people, version, attending = _forum_row(db, fid)
    if reply == KEEP_MINE:
        assert attending == [other] and version > theirs_version
    else:
        assert attending == [data["ent"]] and version == theirs_version
    if reply == CANCEL:  # the picker again, with the clerk's ticks
        assert area.dialog is not picker and area.dialog.isVisible() and area.dialog.selected_ids() == [other]
    assert not [a for a in answers if a[0] == "crash"]


def test_a_sign_ups_attendees_changed_elsewhere_are_shown_side_by_side(qtbot, db, data, answers, conflicts):
    with db.session() as s:
        sid = _signup(s, data)
    area = _meeting_area(AppContext(db, 2025))
    qtbot.addWidget(area)
    area.show()
    dlg = area.edit_signup(sid)
    with db.session() as s:  # another window adds an attendee
        meeting_signups.update_signup(s, s.get(SignUp, sid), attendees=[meeting_signups.AttendeeIn("王五"),
                                                                 meeting_signups.AttendeeIn("钱六", "质量部", "13800000006")])
    dlg.set_attendees([("王五", "总经理", "")])
    accept(dlg)
    assert ["参会人员", "王五、钱六（质量部，13800000006）", "王五（总经理）"] in conflicts[0], conflicts
    assert dlg.isVisible()
