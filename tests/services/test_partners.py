"""Partner directory: name matching on import, types, retyping (the subsidy follows), merging, counts."""
import datetime as dt

import pytest

from qoffice.db.models import AuditEntry, MeetingPartner, Partner
from qoffice.errors import KnownError, ValidationFailed
from qoffice.services import enterprises, meeting_signups, meetings, partners, projects
from qoffice.services.meeting_signups import AttendeeIn


@pytest.fixture
def s(db):
    with db.session() as session:
        yield session


def test_a_new_name_creates_an_entry_of_the_given_type(s):
    m = partners.match_or_create(s, "南通大学", "高等院校")
    assert m.created and m.partner.type == "高等院校" and m.warning is None and m.error is None
    assert s.query(Partner).count() == 1


def test_a_new_name_without_a_type_is_filed_as_other_with_a_warning(s):
    m = partners.match_or_create(s, "某某咨询公司", None)
    assert m.created and m.partner.type == "其他" and m.warning and "某某咨询公司" in m.warning


@pytest.mark.parametrize("stored, spelling", [
    ("南通大学", " 南通 大学 "), ("南通大学", "南通\u3000大学"), ("NANTONG大学", "ＮＡＮＴＯＮＧ大学"),
    ("NANTONG大学", "nantong 大学"),
])
def test_names_match_after_whitespace_and_full_width_normalisation(s, stored, spelling):
    first = partners.match_or_create(s, stored, "高等院校").partner
    again = partners.match_or_create(s, spelling, None)
    assert not again.created and again.warning is None and again.partner.id == first.id


def test_full_width_brackets_match_ascii_ones_and_the_name_is_kept_as_typed(s):
    first = partners.match_or_create(s, "江苏大学（镇江）", "高等院校").partner
    assert first.name == "江苏大学（镇江）"
    assert partners.match_or_create(s, "江苏大学(镇江)", "高等院校").partner.id == first.id


def test_a_type_contradicting_the_directory_is_an_error(s):
    partners.match_or_create(s, "南通大学", "高等院校")
    m = partners.match_or_create(s, "南通大学", "企业")
    assert m.error and not m.created and "南通大学" in m.error
    assert partners.match_or_create(s, "南通大学", "高等院校").error is None
    assert partners.match_or_create(s, "南通大学", "").error is None


def test_an_unknown_type_is_an_error(s):
    m = partners.match_or_create(s, "南通大学", "大学")
    assert m.error and m.partner is None and s.query(Partner).count() == 0


def test_an_empty_name_is_no_partner(s):
    assert partners.match_or_create(s, "  ", "高等院校") == partners.PartnerMatch(None, False)


def test_create_refuses_a_second_entry_for_the_same_institution(s):
    partners.create_partner(s, {"name": "南通大学", "type": "高等院校"})
    with pytest.raises(partners.DuplicatePartner):
        partners.create_partner(s, {"name": "南通 大学"})
    with pytest.raises(ValidationFailed):
        partners.create_partner(s, {"name": "", "type": "高等院校"})
    with pytest.raises(ValidationFailed):
        partners.create_partner(s, {"name": "甲", "type": "大学"})


def test_set_type_makes_the_subsidy_follow(s, builders):
    e = builders.make_enterprise(s)
    p = partners.create_partner(s, {"name": "南通质量咨询中心", "type": "其他"})
    big = projects.create_project(s, {"enterprise_id": e.id, "type": "质量创新", "title": "甲", "year": 2024,
                                      "partner_id": p.id, "investment_yuan": 1_000_000})
    small = projects.create_project(s, {"enterprise_id": e.id, "type": "质量创新", "title": "乙", "year": 2024,
                                        "partner_id": p.id, "investment_yuan": 500_000})
    assert projects.subsidy_for(big).amount_yuan == 0
    changed = partners.set_type(s, p, "质量研究咨询机构")
    assert [x.id for x in changed] == [big.id]
    assert projects.subsidy_for(big).amount_yuan == 300_000 and projects.subsidy_for(small).amount_yuan == 0
    assert s.query(AuditEntry).filter_by(table_name="partner", field="type", new="质量研究咨询机构").count() == 1
    with pytest.raises(ValidationFailed):
        partners.set_type(s, p, "大学")


def test_merge_moves_projects_sign_ups_and_meeting_partners_and_logs_it(s, builders):
    e1, e2 = builders.make_enterprise(s), builders.make_enterprise(s)
    keep = partners.create_partner(s, {"name": "南通大学", "type": "高等院校"})
    drop = partners.create_partner(s, {"name": "南通大学技术转移中心", "type": "其他", "phone": "0513-85012345"})
    pr = projects.create_project(s, {"enterprise_id": e1.id, "type": "产学研合作", "title": "甲", "year": 2024,
                                     "partner_id": drop.id, "investment_yuan": 600_000})
    m, _ = meetings.get_or_create_meeting(s, 2024, dt.date(2024, 6, 18))
    su = meeting_signups.sign_up(s, m, e2.id, [AttendeeIn("张三")], partner_id=drop.id, today=dt.date(2024, 5, 1)).signup
    meetings.set_meeting_partners(s, m, [keep.id, drop.id])
    m2, _ = meetings.get_or_create_meeting(s, 2023, dt.date(2023, 6, 18))
    meetings.set_meeting_partners(s, m2, [drop.id])
    drop_id = drop.id
    moved = partners.merge(s, keep, drop)
    assert moved == {"projects": 1, "signups": 1, "meetings": 2}
    assert s.get(Partner, drop_id) is None
    assert pr.partner_id == keep.id and su.partner_id == keep.id
    assert {(r.meeting_id, r.partner_id) for r in s.query(MeetingPartner)} == {(m.id, keep.id), (m2.id, keep.id)}
    assert keep.phone == "0513-85012345" and keep.type == "高等院校"
    assert projects.subsidy_for(pr).amount_yuan == 180_000  # the kept entry's type now applies
    log = s.query(AuditEntry).filter_by(table_name="partner", action="merge", field="name").one()
    assert (log.record_id, log.old, log.new) == (keep.id, "南通大学技术转移中心", "南通大学")
    assert s.query(AuditEntry).filter_by(table_name="project", record_id=pr.id, action="merge").count() == 1
    # the dropped name no longer matches the directory; the kept one does
    assert partners.match_or_create(s, "南通大学", None).partner.id == keep.id
    with pytest.raises(ValidationFailed):
        partners.merge(s, keep, keep)


def test_directory_counts_projects_and_sign_ups_without_deleted_enterprises(s, builders):
    e1, e2 = builders.make_enterprise(s), builders.make_enterprise(s)
    p = partners.create_partner(s, {"name": "南通大学", "type": "高等院校", "contact": "周老师"})
    partners.create_partner(s, {"name": "江苏省质量研究院", "type": "质量研究咨询机构"})
    for e, title in ((e1, "甲"), (e1, "乙"), (e2, "丙")):
        projects.create_project(s, {"enterprise_id": e.id, "type": "产学研合作", "title": title, "year": 2024,
                                    "partner_id": p.id})
    m, _ = meetings.get_or_create_meeting(s, 2024, dt.date(2024, 6, 18))
    meeting_signups.sign_up(s, m, e2.id, [AttendeeIn("张三")], partner_id=p.id, today=dt.date(2024, 5, 1))
    rows = {r.partner.name: (r.projects, r.signups) for r in partners.directory(s)}
    assert rows == {"南通大学": (3, 1), "江苏省质量研究院": (0, 0)}
    enterprises.soft_delete(s, e2)
    rows = {r.partner.name: (r.projects, r.signups) for r in partners.directory(s)}
    assert rows["南通大学"] == (2, 0)
    assert [r.partner.name for r in partners.directory(s, search="ntdx")] == ["南通大学"]
    assert [r.partner.name for r in partners.directory(s, type_="质量研究咨询机构")] == ["江苏省质量研究院"]


def test_a_used_partner_is_merged_not_deleted(s, builders):
    e = builders.make_enterprise(s)
    p = partners.create_partner(s, {"name": "南通大学", "type": "高等院校"})
    unused = partners.create_partner(s, {"name": "临时单位"})
    projects.create_project(s, {"enterprise_id": e.id, "type": "产学研合作", "title": "甲", "year": 2024,
                                "partner_id": p.id})
    with pytest.raises(KnownError):
        partners.delete_partner(s, p)
    partners.delete_partner(s, unused)
    assert partners.find_by_name(s, "临时单位") is None


def test_renaming_updates_matching(s):
    p = partners.create_partner(s, {"name": "南通工学院", "type": "高等院校"})
    partners.update_partner(s, p, {"name": "南通大学"})
    assert partners.find_by_name(s, "南通大学").id == p.id
    assert partners.find_by_name(s, "南通工学院") is None
