"""Exchange forums: the year state, the over-limit warning, held dates, cancelling, attendance."""
import datetime as dt

import pytest

from qoffice.domain import forums as rules
from qoffice.errors import KnownError, ValidationFailed
from qoffice.services import enterprises, forums

TODAY = dt.date(2024, 8, 1)


@pytest.fixture
def s(db):
    with db.session() as session:
        yield session


def plan(s, title, date, **kw):
    return forums.create_forum(s, {"title": title, "date": date, **kw}, today=TODAY)


@pytest.mark.parametrize("statuses, today, kind, held, planned", [
    (["已举办", "已取消"], dt.date(2024, 3, 1), rules.DONE, 1, 0),
    (["已举办", "计划"], dt.date(2025, 3, 1), rules.DONE, 1, 1),
    (["计划", "计划"], dt.date(2025, 1, 1), rules.SHORT, 0, 2),  # the year is over, none held
    ([], dt.date(2025, 1, 1), rules.SHORT, 0, 0),
    (["计划", "已取消", "计划"], dt.date(2024, 12, 31), rules.SCHEDULED, 0, 2),
    (["已取消"], dt.date(2024, 6, 1), rules.NONE, 0, 0),
    ([], dt.date(2024, 6, 1), rules.NONE, 0, 0),
])
def test_year_state_first_that_applies(statuses, today, kind, held, planned):
    state = rules.year_state(2024, statuses, today)
    assert (state.kind, state.held, state.planned) == (kind, held, planned)


def test_year_state_badges_in_chinese():
    assert rules.year_state(2024, ["已举办"], TODAY).badge == "已完成"
    assert rules.year_state(2023, ["计划"], TODAY).badge == "未完成"
    assert rules.year_state(2024, ["计划", "计划"], TODAY).badge == "已安排 2 场"
    assert rules.year_state(2024, [], TODAY).badge == "未安排"


def test_more_than_two_not_cancelled_is_over_the_limit():
    assert not rules.year_state(2024, ["计划", "已举办", "已取消", "已取消"], TODAY).over_limit
    state = rules.year_state(2024, ["计划", "已举办", "计划"], TODAY)
    assert state.over_limit and "3" in state.warning and state.kind == rules.DONE


def test_a_third_forum_is_allowed_and_warned(s):
    assert plan(s, "质量论坛一", dt.date(2024, 4, 1))[1] == []
    assert plan(s, "质量论坛二", dt.date(2024, 9, 1))[1] == []
    assert plan(s, "往年论坛", dt.date(2023, 9, 1))[1] == []
    assert plan(s, "取消的论坛", dt.date(2024, 10, 1), status="已取消", cancel_reason="场地")[1] == []
    forum, warnings = plan(s, "质量论坛三", dt.date(2024, 11, 1))
    assert forum.id and len(warnings) == 1 and "3" in warnings[0]
    state = forums.year_state(s, 2024, TODAY)
    assert state.over_limit and state.not_cancelled == 3
    forums.cancel(s, forum, "与论坛二合并")
    assert not forums.year_state(s, 2024, TODAY).over_limit


def test_a_held_forum_cannot_be_dated_in_the_future(s):
    forum, _ = plan(s, "质量论坛", dt.date(2024, 9, 1))
    with pytest.raises(ValidationFailed):
        forums.mark_held(s, forum, dt.date(2024, 8, 2), 40, today=TODAY)
    forums.mark_held(s, forum, dt.date(2024, 8, 1), 40, today=TODAY)
    assert (forum.status, forum.date, forum.people_count) == ("已举办", dt.date(2024, 8, 1), 40)
    with pytest.raises(ValidationFailed):
        plan(s, "未来论坛", dt.date(2024, 8, 2), status="已举办")
    with pytest.raises(ValidationFailed):
        forums.mark_held(s, forum, dt.date(2024, 7, 1), -1, today=TODAY)


def test_cancel_needs_a_reason(s):
    forum, _ = plan(s, "质量论坛", dt.date(2024, 9, 1))
    with pytest.raises(ValidationFailed):
        forums.cancel(s, forum, "  ")
    forums.cancel(s, forum, "疫情防控")
    assert (forum.status, forum.cancel_reason) == ("已取消", "疫情防控")
    forums.update_forum(s, forum, {"status": "计划"}, today=TODAY)  # re-planned: the reason goes
    assert forum.cancel_reason is None


def test_forum_fields_are_checked(s):
    with pytest.raises(ValidationFailed):
        plan(s, "", dt.date(2024, 9, 1))
    with pytest.raises(ValidationFailed):
        plan(s, "质量论坛", None)
    with pytest.raises(ValidationFailed):
        plan(s, "质量论坛", dt.date(2024, 9, 1), status="举办")
    plan(s, "质量论坛", dt.date(2024, 9, 1))
    with pytest.raises(KnownError):
        plan(s, "质量论坛", dt.date(2024, 9, 1))


def test_attendance_counts_leave_out_deleted_enterprises_and_keep_them_for_a_restore(s, builders):
    forum, _ = plan(s, "质量论坛", dt.date(2024, 6, 1))
    a, b, c = (builders.make_enterprise(s) for _ in range(3))
    assert forums.set_attendance(s, forum, [a.id, b.id]) == 2
    enterprises.soft_delete(s, b)
    assert forums.attendance_count(s, forum) == 1
    assert [e.id for e in forums.attendance(s, forum)] == [a.id]
    forums.set_attendance(s, forum, [a.id, c.id])
    assert forums.attendance_count(s, forum) == 2
    enterprises.restore(s, b)
    assert {e.id for e in forums.attendance(s, forum)} == {a.id, b.id, c.id}
    enterprises.soft_delete(s, c)
    with pytest.raises(ValidationFailed):
        forums.set_attendance(s, forum, [c.id])


def test_forums_of_a_year_in_date_order(s):
    plan(s, "乙", dt.date(2024, 9, 1))
    plan(s, "甲", dt.date(2024, 3, 1))
    plan(s, "丙", dt.date(2023, 12, 31))
    plan(s, "丁", dt.date(2025, 1, 1))
    assert [f.title for f in forums.forums_for_year(s, 2024)] == ["甲", "乙"]
    assert forums.forum_years(s) == [2025, 2024, 2023]
