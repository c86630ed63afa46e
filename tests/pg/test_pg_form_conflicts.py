"""The activity forms on the office server (issue 16), two clerks with their own connections: the
forum, partner, project and meeting forms and the sign-up dialog.

- another clerk saved the record after this clerk's form loaded it: the conflict dialog shows both
  values, 保留我的修改 saves over it (version bumped);
- another clerk's commit lands between this save's version check and its UPDATE (the UPDATE … WHERE
  version = … then finds no row: SQLAlchemy's StaleDataError): the service runs the unit again,
  meets the version check and refuses with the stored values — the same dialog, never a crash,
  and 取消 keeps what was typed."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from qoffice.services import versions
from qoffice.ui import conflict_dialog, messages
from qoffice.ui.conflict_dialog import CANCEL, KEEP_MINE
from qoffice.ui.context import AppContext
from tests.ui.test_activities_conflicts import CASES, MINE, THEIRS

pytestmark = pytest.mark.gui

COLUMN = {"forum": "venue", "partner": "contact", "project": "title", "meeting": "venue", "signup": "need"}


@pytest.fixture
def backend():
    return "postgresql"  # tests/conftest.py's `db` on the test server


@pytest.fixture
def answers():
    got = []
    previous = messages.set_responder(lambda kind, title, body, details: got.append((kind, body)) or True)
    yield got
    messages.set_responder(previous)


@pytest.fixture
def conflicts():
    class Conflicts(list):
        reply = CANCEL

    got = Conflicts()
    previous = conflict_dialog.set_responder(lambda dialog: got.append(dialog.shown_rows()) or got.reply)
    yield got
    conflict_dialog.set_responder(previous)


@pytest.fixture
def other_clerk(pg_url, db):
    """A second program on the same server: its own engine, its own connections."""
    from qoffice.db.database import open_database

    other = open_database(db.url.render_as_string(hide_password=False), "create")
    yield other
    other.close()


@pytest.fixture
def data(enterprise_and_partner):
    return enterprise_and_partner


def _open(qtbot, db, case, rid):
    area = case.area(AppContext(db, 2025))
    qtbot.addWidget(area)
    area.resize(1300, 750)
    area.show()
    return area, case.open(area, rid)


def _stored(db, case, rid):
    with db.read_session() as s:
        record = s.get(case.model, rid)
        return case.stored(record), record.version


@pytest.mark.parametrize("name", list(CASES))
def test_another_clerks_save_is_not_overwritten_unless_kept(qtbot, pg_url, db, other_clerk, data, answers,
                                                            conflicts, name):
    case = CASES[name]
    with db.session() as s:
        rid = case.make(s, data)
    area, form = _open(qtbot, db, case, rid)
    with other_clerk.session() as s:  # the second clerk, on their own connection
        case.elsewhere(s, s.get(case.model, rid))
    theirs_version = _stored(other_clerk, case, rid)[1]
    case.typed(form, MINE)
    conflicts.reply = KEEP_MINE
    case.save(form)
    assert len(conflicts) == 1 and any(row[1:] == [THEIRS, MINE] for row in conflicts[0]), (conflicts, answers)
    value, version = _stored(other_clerk, case, rid)
    assert value == MINE and version > theirs_version
    assert not [a for a in answers if a[0] == "crash"]


@pytest.mark.parametrize("name", list(CASES))
def test_a_commit_between_the_check_and_the_update_shows_the_conflict_dialog(qtbot, pg_url, db, other_clerk, data,
                                                                             answers, conflicts, monkeypatch, name):
    case = CASES[name]
    with db.session() as s:
        rid = case.make(s, data)
    area, form = _open(qtbot, db, case, rid)
    real_check = versions.check
    raced = []
    table = case.model.__tablename__

    def check_then_the_other_clerk_saves(record, expected, fields, *, table):
        real_check(record, expected, fields, table=table)
        if table == case.model.__tablename__ and expected is not None and not raced:
            raced.append(record.version)  # after our check passed, before our UPDATE
            with other_clerk.session() as s:
                s.execute(text(f"UPDATE {table} SET {COLUMN[name]} = :v, version = version + 1 WHERE id = :i"),
                          {"v": THEIRS, "i": rid})

    monkeypatch.setattr(versions, "check", check_then_the_other_clerk_saves)
    case.typed(form, MINE)
    conflicts.reply = CANCEL
    case.save(form)
    assert raced, answers
    assert not [a for a in answers if a[0] == "crash"], answers
    assert len(conflicts) == 1 and any(row[1:] == [THEIRS, MINE] for row in conflicts[0]), (conflicts, table)
    assert (form is area or form.isVisible()) and case.shown(form) == MINE
    assert _stored(other_clerk, case, rid) == (THEIRS, raced[0] + 1)


def test_the_attendance_picker_meets_a_commit_between_its_check_and_its_update(qtbot, pg_url, db, other_clerk, data,
                                                                               builders, answers, conflicts,
                                                                               monkeypatch):
    """参会企业 on the server: the other clerk's commit lands after this save's version check; the
    unit runs again and is refused with the stored list (by name), not a crash."""
    import datetime as dt

    from qoffice.db.models import Forum
    from qoffice.services import forums as forum_service
    from tests.ui.test_activities_conflicts import TODAY, _forums_area

    with db.session() as s:
        fid = forum_service.create_forum(s, {"title": "质量提升交流会", "date": dt.date(2025, 2, 20)},
                                         today=TODAY)[0].id
        other = builders.make_enterprise(s, name="江苏南通二建集团有限公司").id
    area = _forums_area(AppContext(db, 2025))
    qtbot.addWidget(area)
    area.show()
    picker = area.attendance_selected([fid])
    real_check = versions.check
    raced = []

    def check_then_the_other_clerk_saves(record, expected, fields, *, table):
        real_check(record, expected, fields, table=table)
        if table == "forum" and expected is not None and not raced:
            raced.append(record.version)
            with other_clerk.session() as s:
                forum_service.set_attendance(s, s.get(Forum, fid), [data["ent"]])

    monkeypatch.setattr(versions, "check", check_then_the_other_clerk_saves)
    picker.add_ids([other])
    conflicts.reply = CANCEL
    picker.accept()
    assert area.attendance_job.wait()
    assert raced and not [a for a in answers if a[0] == "crash"], answers
    assert ["参会企业", "南通海星电子股份有限公司", "江苏南通二建集团有限公司"] in conflicts[0], conflicts
    with other_clerk.read_session() as s:
        assert [e.id for e in forum_service.attendance(s, s.get(Forum, fid))] == [data["ent"]]
    assert area.dialog is not picker and area.dialog.selected_ids() == [other]  # the clerk's ticks kept
