"""Projects: validation, the unique key, the subsidy and its reasons, stage history, from a sign-up."""
import datetime as dt

import pytest

from qoffice.errors import ValidationFailed
from qoffice.services import enterprises, meeting_signups, meetings, partners, projects
from qoffice.services.meeting_signups import AttendeeIn
from qoffice.services.projects import DuplicateProject


@pytest.fixture
def s(db):
    with db.session() as session:
        yield session


@pytest.fixture
def uni(s):
    return partners.create_partner(s, {"name": "南通大学", "type": "高等院校"})


def new(s, ent, **kw):
    data = {"enterprise_id": ent.id, "type": "质量创新", "title": "精益生产改进", "year": 2024}
    data.update(kw)
    return projects.create_project(s, data)


def test_a_project_starts_at_cultivated(s, builders):
    p = new(s, builders.make_enterprise(s))
    assert p.stage == "培育" and p.partner_id is None


def test_one_title_per_enterprise_and_year_with_a_clear_message(s, builders):
    e = builders.make_enterprise(s, name="南通华光纺织有限公司")
    new(s, e)
    with pytest.raises(DuplicateProject) as err:
        new(s, e, title=" 精益生产改进 ")
    assert "南通华光纺织有限公司" in err.value.message and "精益生产改进" in err.value.message
    new(s, e, year=2025)  # another year is another project
    new(s, builders.make_enterprise(s))  # and so is another enterprise
    other = new(s, e, title="另一个项目")
    with pytest.raises(DuplicateProject):
        projects.update_project(s, other, {"title": "精益生产改进"})


@pytest.mark.parametrize("field, value", [
    ("type", "质量提升"), ("title", "  "), ("year", 1800), ("stage", "结题"), ("partner_id", 999),
    ("investment_yuan", -1), ("benefit_yuan", -5),
])
def test_fields_are_checked(s, builders, field, value):
    with pytest.raises(ValidationFailed) as err:
        new(s, builders.make_enterprise(s), **{field: value})
    assert field in err.value.problems


def test_a_deleted_enterprise_gets_no_new_project(s, builders):
    e = builders.make_enterprise(s)
    enterprises.soft_delete(s, e)
    with pytest.raises(ValidationFailed):
        new(s, e)


@pytest.mark.parametrize("investment, ptype, amount, reason", [
    (500_001, "高等院校", 150_000, None),
    (1_000_005, "质量研究咨询机构", 300_002, None),  # 300001.5 → half-up
    (500_000, "高等院校", 0, "投资额未超过50万元"),
    (2_000_000, "科研院所", 0, "合作单位类型不符合资助条件"),
    (None, "高等院校", 0, "未填写投资额"),
])
def test_subsidy_and_its_reason(s, builders, investment, ptype, amount, reason):
    p = partners.create_partner(s, {"name": "合作单位", "type": ptype})
    d = projects.subsidy_for(new(s, builders.make_enterprise(s), partner_id=p.id, investment_yuan=investment))
    assert (d.amount_yuan, d.reason) == (amount, reason)


def test_no_partner_no_subsidy(s, builders):
    d = projects.subsidy_for(new(s, builders.make_enterprise(s), investment_yuan=900_000))
    assert d.amount_yuan == 0 and d.reason == "没有合作单位"


def test_wan_input_is_integer_yuan_rounded_half_up_with_a_warning():
    assert projects.yuan_from_wan("50.0001") == (500_001, None)
    assert projects.yuan_from_wan("") == (None, None)
    yuan, warning = projects.yuan_from_wan("50.00005")
    assert yuan == 500_001 and "500001" in warning
    with pytest.raises(ValidationFailed):
        projects.yuan_from_wan("五十")


def test_stage_changes_are_kept_with_their_dates(s, builders):
    p = new(s, builders.make_enterprise(s))
    projects.set_stage(s, p, "签约")
    projects.update_project(s, p, {"benefit_yuan": 10_000})  # not a stage change
    projects.set_stage(s, p, "推进")
    history = projects.stage_history(s, p)
    assert [(h.old, h.new) for h in history] == [(None, "培育"), ("培育", "签约"), ("签约", "推进")]
    assert all(isinstance(h.at, dt.datetime) for h in history)
    assert history[0].at <= history[1].at <= history[2].at


def test_project_from_signup(s, builders, uni):
    e = builders.make_enterprise(s)
    m, _ = meetings.get_or_create_meeting(s, 2024, dt.date(2024, 6, 18))
    su = meeting_signups.sign_up(s, m, e.id, [AttendeeIn("张三")], need="新材料检测", partner_id=uni.id,
                          today=dt.date(2024, 5, 1)).signup
    p = projects.project_from_signup(s, su)
    assert (p.enterprise_id, p.partner_id, p.year, p.type, p.stage, p.signup_id) == (
        e.id, uni.id, 2024, "产学研合作", "培育", su.id)
    assert "南通大学" in p.title
    with pytest.raises(DuplicateProject):
        projects.project_from_signup(s, su)


def test_project_from_signup_without_partner_uses_the_need(s, builders):
    e = builders.make_enterprise(s)
    m, _ = meetings.get_or_create_meeting(s, 2024, dt.date(2024, 6, 18))
    su = meeting_signups.sign_up(s, m, e.id, [AttendeeIn("张三")], need="高分子材料检测\n第二行",
                          today=dt.date(2024, 5, 1)).signup
    p = projects.project_from_signup(s, su)
    assert p.title == "高分子材料检测" and p.partner_id is None


def test_lists_leave_out_deleted_enterprises_and_count_stages(s, builders, uni):
    a = builders.make_enterprise(s)
    b = builders.make_enterprise(s)
    new(s, a, title="甲", stage="签约")
    new(s, a, title="乙", stage="见效", type="产学研合作", partner_id=uni.id)
    new(s, b, title="丙", stage="签约")
    new(s, b, title="丁", year=2023)
    assert projects.stage_counts(s, 2024) == {"培育": 0, "签约": 2, "推进": 0, "见效": 1}
    enterprises.soft_delete(s, b)
    assert projects.stage_counts(s, 2024) == {"培育": 0, "签约": 1, "推进": 0, "见效": 1}
    assert [p.title for p in projects.projects_for_year(s, 2024)] == ["甲", "乙"]  # type order
    assert [p.title for p in projects.projects_for_year(s, 2024, stage="见效")] == ["乙"]
    assert [row[0].title for row in s.execute(projects.projects_query(search="南通大学"))] == ["乙"]
    assert [p.title for p in projects.projects_for_enterprise(s, b.id)] == ["丙", "丁"]
