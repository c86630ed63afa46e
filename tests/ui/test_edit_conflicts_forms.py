"""The lost-update rule in every other editor form (issue 13): a partner, a project, a forum, the
year's meeting and a sign-up changed since the form loaded them are not overwritten — the
side-by-side is shown; cancel keeps the stored record, keep mine saves the typing on purpose."""
from __future__ import annotations

import datetime as dt

import pytest

from qoffice.db.models import Forum, MatchmakingMeeting, Partner, Project, SignUp
from qoffice.services import forums as forum_service
from qoffice.services import meeting_signups, meetings
from qoffice.services import partners as partner_service
from qoffice.services import projects as project_service
from qoffice.ui import conflict_dialog
from qoffice.ui.conflict_dialog import CANCEL, KEEP_MINE, TAKE_THEIRS
from qoffice.ui.context import AppContext
from tests.ui.helpers import accept

pytestmark = pytest.mark.gui


@pytest.fixture
def conflicts():
    class Conflicts(list):
        reply = CANCEL

    got = Conflicts()

    def answer(dialog):
        got.append(dialog.shown_rows())
        return got.reply

    conflict_dialog.set_responder(answer)
    yield got
    conflict_dialog.set_responder(None)


@pytest.fixture
def data(enterprise_and_partner):
    return enterprise_and_partner


def show(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(1300, 750)
    widget.show()
    return widget


def test_partner_form(qtbot, db, data, answers, conflicts):
    from qoffice.ui.partners import PartnersArea

    area = show(qtbot, PartnersArea(AppContext(db, 2025)))
    dlg = area.edit(data["uni"])
    with db.session() as s:  # another window saves the entry meanwhile
        partner_service.update_partner(s, s.get(Partner, data["uni"]), {"contact": "赵老师"})
    dlg.phone.setText("0513-85012345")
    accept(dlg)
    assert dlg.isVisible() and len(conflicts) == 1
    assert ["联系人", "赵老师", "（空）"] in conflicts[0]
    with db.read_session() as s:
        assert (s.get(Partner, data["uni"]).contact, s.get(Partner, data["uni"]).phone) == ("赵老师", None)
    conflicts.reply = TAKE_THEIRS
    accept(dlg)
    assert dlg.contact.text() == "赵老师" and dlg.phone.text() == ""
    dlg.phone.setText("0513-85012345")
    accept(dlg)  # no conflict now: the form holds the stored version
    assert not dlg.isVisible() and len(conflicts) == 2
    with db.read_session() as s:
        assert (s.get(Partner, data["uni"]).contact, s.get(Partner, data["uni"]).phone) == ("赵老师", "0513-85012345")


def test_project_form(qtbot, db, data, answers, conflicts):
    from qoffice.ui.projects import ProjectsArea

    with db.session() as s:
        pid = project_service.create_project(s, {"enterprise_id": data["ent"], "type": "产学研合作", "title": "攻关",
                                                 "year": 2025, "partner_id": data["uni"]}).id
    area = show(qtbot, ProjectsArea(AppContext(db, 2025)))
    dlg = area.edit(pid)
    with db.session() as s:
        project_service.set_stage(s, s.get(Project, pid), "签约")
    dlg.title.setText("攻关二期")
    accept(dlg)
    assert dlg.isVisible() and any(r[1:] == ["签约", "培育"] for r in conflicts[-1]), conflicts
    with db.read_session() as s:
        assert s.get(Project, pid).title == "攻关"
    conflicts.reply = KEEP_MINE
    accept(dlg)
    assert not dlg.isVisible()
    with db.read_session() as s:
        p = s.get(Project, pid)
        assert (p.title, p.stage) == ("攻关二期", "培育")


def test_forum_form(qtbot, db, answers, conflicts):
    from qoffice.ui.forums import ForumsArea

    with db.session() as s:
        fid = forum_service.create_forum(s, {"title": "首席质量官论坛", "date": dt.date(2025, 6, 18)},
                                         today=dt.date(2025, 3, 1))[0].id
    area = ForumsArea(AppContext(db, 2025))
    area.today = lambda: dt.date(2025, 3, 1)
    show(qtbot, area)
    dlg = area.edit(fid)
    with db.session() as s:
        forum_service.update_forum(s, s.get(Forum, fid), {"venue": "政务中心"}, today=dt.date(2025, 3, 1))
    dlg.w["speakers"].setText("孙教授")
    accept(dlg)
    assert dlg.isVisible() and any(r[1:] == ["政务中心", "（空）"] for r in conflicts[-1])
    with db.read_session() as s:
        assert (s.get(Forum, fid).venue, s.get(Forum, fid).speakers) == ("政务中心", None)


def test_meeting_form_and_sign_up_dialog(qtbot, db, data, answers, conflicts):
    from qoffice.ui.meeting import MeetingArea

    area = MeetingArea(AppContext(db, 2025))
    area.today = lambda: dt.date(2025, 4, 1)
    show(qtbot, area)
    area.m_venue.setText("行政中心")
    assert area.save_meeting().wait()  # an operation on the worker
    with db.session() as s:
        meetings.update_meeting(s, s.get(MatchmakingMeeting, area.meeting_id), {"capacity": 30})
    area.m_venue.setText("国际会议中心")
    assert area.save_meeting().wait()  # refused: the conflict dialog once the operation is over
    assert any(r[1:] == ["30", "（空）"] for r in conflicts[-1])
    with db.read_session() as s:
        m = s.get(MatchmakingMeeting, area.meeting_id)
        assert (m.venue, m.capacity) == ("行政中心", 30)
    # A sign-up whose attendees another window changed meanwhile.
    with db.session() as s:
        sid = meeting_signups.sign_up(s, s.get(MatchmakingMeeting, area.meeting_id), data["ent"],
                               [meeting_signups.AttendeeIn("王五")], today=dt.date(2025, 4, 1)).signup.id
    dlg = area.edit_signup(sid)
    with db.session() as s:
        meeting_signups.update_signup(s, s.get(SignUp, sid), attendees=[meeting_signups.AttendeeIn("王五"),
                                                                 meeting_signups.AttendeeIn("钱六")])
    dlg.need.setPlainText("精密加工")
    n = len(conflicts)
    dlg.accept()
    assert dlg.job.wait()  # the sign-up is saved on the worker
    assert len(conflicts) == n + 1 and dlg.isVisible()
    with db.read_session() as s:
        su = s.get(SignUp, sid)
        assert su.need is None and [a.name for a in su.attendees] == ["王五", "钱六"]
