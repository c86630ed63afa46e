"""论坛: 取消活动, 已举办 and 参会企业 are service operations (services.forums.cancel_forum,
mark_forum_held, set_forum_attendance) run on the worker through run_op; their Changes reach the
other screens through the one hook, even when the 论坛 area went while the write ran."""
from __future__ import annotations

import datetime as dt

import pytest
import shiboken6
from sqlalchemy import select

from qoffice.db.models import Forum
from qoffice.services import forums as forum_service
from qoffice.ui.forums import ForumsArea
from qoffice.ui.worker import Job
from tests.ui.helpers import accept
from tests.ui.test_activities_forums import area, plan  # noqa: F401 (fixture)

pytestmark = pytest.mark.gui


def heard_by(ctx):
    heard = []
    getattr(ctx, "shared", ctx).changed.connect(heard.append)
    return heard


def test_cancel_and_held_run_on_the_worker(area, answers, db):  # noqa: F811
    plan(area, "甲", dt.date(2025, 2, 20))
    plan(area, "乙", dt.date(2025, 5, 20))
    heard = heard_by(area.ctx)
    area.list.select_id(area.list.model.row_id(1))
    dlg = area.cancel_selected(area.list.selected_ids())
    dlg.reason_edit.setPlainText("场地冲突")
    dlg.accept()
    assert isinstance(dlg.job, Job)
    accept(dlg)
    area.list.select_id(area.list.model.row_id(0))
    dlg = area.held_selected(area.list.selected_ids())
    dlg.date_edit.setDate(dt.date(2025, 2, 21))
    dlg.accept()
    assert isinstance(dlg.job, Job)
    accept(dlg)
    with db.read_session() as s:
        assert sorted(f.status for f in s.scalars(select(Forum))) == ["已举办", "已取消"]
    assert len([c for c in heard if c.touches({"forum"})]) >= 2


def test_attendance_is_published_even_if_the_area_went(qtbot, area, answers, db, builders):  # noqa: F811
    with db.session() as s:
        a = builders.make_enterprise(s, name="南通海星电子股份有限公司").id
    plan(area, "甲", dt.date(2025, 2, 20))
    forum_id = area.list.model.row_id(0)
    heard = heard_by(area.ctx)
    starter = ForumsArea(area.ctx)  # a second 论坛 area, closed while its write runs
    job = starter.set_attendance(forum_id, [a])
    assert isinstance(job, Job)
    shiboken6.delete(starter)
    assert job.wait()
    with db.read_session() as s:
        assert forum_service.attendance_count(s, s.get(Forum, forum_id)) == 1
    assert any(c.touches({"forum"}) for c in heard)
