"""A form's save on the office server (issue 16): another clerk's commit between the form's version
check and its UPDATE (StaleDataError) shows the conflict dialog like the version check does; a save
when the connection is gone says so in one line and keeps the unsaved form."""
from __future__ import annotations

import pytest

from qoffice.ui import conflict_dialog
from qoffice.ui.conflict_dialog import CANCEL
from tests.ui.helpers import saved

pytestmark = pytest.mark.gui


@pytest.fixture
def answers():
    from qoffice.ui import messages

    got = []
    messages.set_responder(lambda kind, title, text, details: got.append((kind, text)) or None)
    yield got
    messages.set_responder(None)


@pytest.fixture
def server(pg_url, builders):
    from qoffice.db.database import open_database

    db = open_database(pg_url, "create")
    with db.session() as s:
        eid = builders.make_enterprise(s, name="南通示例机械有限公司").id
    yield db, eid
    db.close()


def test_another_clerks_commit_just_before_the_update_shows_the_conflict_dialog(qtbot, server, answers,
                                                                                 monkeypatch):
    from sqlalchemy import text

    from qoffice.db.database import open_database
    from qoffice.services import versions
    from qoffice.ui.enterprise_editor import EnterpriseEditor

    db, eid = server
    other = open_database(db.url.render_as_string(hide_password=False), "create")
    real_check = versions.check
    raced = []

    def check_then_another_clerk_saves(record, expected, fields, *, table):
        real_check(record, expected, fields, table=table)
        if table == "enterprise" and not raced:  # the other clerk commits after our check, before our UPDATE
            raced.append(1)
            with other.session() as s:
                s.execute(text("UPDATE enterprise SET contact = '乙某', version = version + 1 WHERE id = :i"),
                          {"i": eid})

    monkeypatch.setattr(versions, "check", check_then_another_clerk_saves)
    shown = []
    previous = conflict_dialog.set_responder(lambda dialog: shown.append(dialog.shown_rows()) or CANCEL)
    editor = EnterpriseEditor(db, eid)
    qtbot.addWidget(editor)
    try:
        editor.w["contact"].setText("甲某")
        assert not saved(editor)
        assert raced and shown, answers
        assert any("乙某" in str(row) for row in shown[0])
        assert editor.w["contact"].text() == "甲某"  # cancel keeps the typing
    finally:
        conflict_dialog.set_responder(previous)
        other.close()


def test_a_save_after_the_connection_is_lost_keeps_the_form(qtbot, server, answers):
    from sqlalchemy.engine import make_url

    from qoffice.db import pg
    from qoffice.ui.enterprise_editor import EnterpriseEditor

    db, eid = server
    editor = EnterpriseEditor(db, eid)
    qtbot.addWidget(editor)
    editor.show()
    editor.w["contact"].setText("甲某")
    # the server goes away: every new connection fails
    db.engine.dispose()
    gone = make_url(str(db.url)).set(host="127.0.0.1", port=1, query={"connect_timeout": "2"})
    db.__dict__["engine"] = pg.make_engine(gone)
    db.__dict__.pop("_factory", None)
    assert not saved(editor)
    assert editor.isVisible() and editor.w["contact"].text() == "甲某" and editor.is_dirty()
    assert [k for k, _t in answers] == ["error"]
    assert "Traceback" not in answers[0][1] and len(answers[0][1].strip().splitlines()) == 1
