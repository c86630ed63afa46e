"""Matchmaking meeting: one sign-up per enterprise, capacity, the 候补 list and its promotion order,
re-signing, imports beyond capacity, the deadline, the status flow, soft delete, the sign-in rows."""
import datetime as dt

import pytest

from qoffice.db.models import AuditEntry, SignUp
from qoffice.domain import signups as rules
from qoffice.errors import KnownError, ValidationFailed
from qoffice.services import enterprises, meeting_signups, meetings
from qoffice.services.meeting_signups import AttendeeIn, DuplicateSignUp, MeetingFull

DAY = dt.date(2024, 5, 1)


@pytest.fixture
def s(db):
    with db.session() as session:
        yield session


def people(*names):
    return [AttendeeIn(n, "经理", "1380000000" + str(i)) for i, n in enumerate(names)]


def meeting(s, capacity=None, deadline=None):
    m, created = meetings.get_or_create_meeting(s, 2024, dt.date(2024, 6, 18))
    assert created
    meetings.update_meeting(s, m, {"capacity": capacity, "deadline": deadline})
    return m


def sign(s, m, ent, **kw):
    kw.setdefault("today", DAY)
    return meeting_signups.sign_up(s, m, ent.id, people("张三"), **kw)


def statuses(s, m, ents):
    return [meeting_signups.find_signup(s, m, e.id).status for e in ents]


def test_one_sign_up_per_enterprise_and_the_refusal_names_the_existing_one(s, builders):
    m = meeting(s)
    e = builders.make_enterprise(s, name="南通华光纺织有限公司")
    first = sign(s, m, e).signup
    with pytest.raises(DuplicateSignUp) as err:
        sign(s, m, e)
    assert "南通华光纺织有限公司" in err.value.message and first.status in err.value.message
    assert err.value.existing_id == first.id
    assert s.query(SignUp).count() == 1


def test_an_imported_second_sign_up_updates_the_first(s, builders):
    m = meeting(s)
    e = builders.make_enterprise(s)
    first = sign(s, m, e).signup
    r = meeting_signups.sign_up(s, m, e.id, people("李四", "王五"), need="检测合作", imported=True, today=DAY)
    assert r.signup.id == first.id and not r.created
    assert [a.name for a in r.signup.attendees] == ["李四", "王五"]
    assert r.signup.need == "检测合作"


def test_capacity_puts_later_sign_ups_on_the_waiting_list_in_order(s, builders):
    m = meeting(s, capacity=2)
    ents = [builders.make_enterprise(s) for _ in range(4)]
    results = [sign(s, m, e) for e in ents]
    assert statuses(s, m, ents) == ["已报名", "已报名", "候补", "候补"]
    assert results[2].warnings and not results[0].warnings
    assert [su.enterprise_id for su in meeting_signups.waiting_list(s, m)] == [ents[2].id, ents[3].id]
    c = meeting_signups.counts(s, m)
    assert (c.registered, c.waiting, c.taken, c.remaining, c.signed_up) == (2, 2, 2, 0, 4)


@pytest.mark.parametrize("status", ["已确认", "已签到", "缺席"])
def test_every_status_but_withdrawn_and_waiting_takes_a_place(s, builders, status):
    m = meeting(s, capacity=1)
    a, b = builders.make_enterprise(s), builders.make_enterprise(s)
    su = sign(s, m, a).signup
    meeting_signups.set_status(s, su, status)
    assert sign(s, m, b).signup.status == "候补"
    assert meeting_signups.counts(s, m).remaining == 0


def test_withdrawal_promotes_the_first_waiting_only(s, builders):
    m = meeting(s, capacity=1)
    a, b, c = (builders.make_enterprise(s) for _ in range(3))
    su_a = sign(s, m, a).signup
    sign(s, m, b)
    sign(s, m, c)
    promoted = meeting_signups.withdraw(s, su_a)
    assert [p.enterprise_id for p in promoted] == [b.id]
    assert statuses(s, m, [a, b, c]) == ["已退出", "已报名", "候补"]
    c_counts = meeting_signups.counts(s, m)
    assert (c_counts.withdrawn, c_counts.registered, c_counts.waiting) == (1, 1, 1)


def test_withdrawing_a_waiting_sign_up_promotes_nobody(s, builders):
    m = meeting(s, capacity=1)
    a, b, c = (builders.make_enterprise(s) for _ in range(3))
    sign(s, m, a)
    su_b = sign(s, m, b).signup
    sign(s, m, c)
    assert meeting_signups.withdraw(s, su_b) == []
    assert statuses(s, m, [a, b, c]) == ["已报名", "已退出", "候补"]


def test_raising_the_capacity_promotes_in_order_of_arrival(s, builders):
    m = meeting(s, capacity=1)
    ents = [builders.make_enterprise(s) for _ in range(4)]
    for e in ents:
        sign(s, m, e)
    promoted, warnings = meetings.update_meeting(s, m, {"capacity": 3})
    assert [p.enterprise_id for p in promoted] == [ents[1].id, ents[2].id] and warnings == []
    assert statuses(s, m, ents) == ["已报名", "已报名", "已报名", "候补"]
    promoted, _ = meetings.update_meeting(s, m, {"capacity": None})
    assert [p.enterprise_id for p in promoted] == [ents[3].id]


def test_lowering_the_capacity_below_the_places_taken_warns_and_moves_nobody_back(s, builders):
    m = meeting(s, capacity=3)
    ents = [builders.make_enterprise(s) for _ in range(3)]
    for e in ents:
        sign(s, m, e)
    promoted, warnings = meetings.update_meeting(s, m, {"capacity": 2})
    assert promoted == [] and len(warnings) == 1
    assert statuses(s, m, ents) == ["已报名"] * 3
    assert meeting_signups.counts(s, m).remaining == 0


def test_a_withdrawn_enterprise_signing_up_again_gets_its_old_sign_up_back(s, builders):
    m = meeting(s)
    e = builders.make_enterprise(s)
    su = sign(s, m, e).signup
    first_time = su.signed_up_at
    meeting_signups.withdraw(s, su)
    r = meeting_signups.sign_up(s, m, e.id, people("赵六"), today=DAY)
    assert r.reactivated and not r.created and r.signup.id == su.id
    assert r.signup.status == "已报名" and r.signup.signed_up_at == first_time
    assert [a.name for a in r.signup.attendees] == ["赵六"]
    assert s.query(SignUp).count() == 1


def test_re_signing_when_full_goes_to_the_end_of_the_waiting_list(s, builders):
    m = meeting(s, capacity=1)
    a, b, c = (builders.make_enterprise(s) for _ in range(3))
    su_a = sign(s, m, a).signup
    sign(s, m, b)  # waiting
    meeting_signups.withdraw(s, su_a)  # b moves up
    sign(s, m, c)  # waiting, first in line
    r = sign(s, m, a)
    assert r.reactivated and r.signup.status == "候补" and r.warnings
    assert [w.enterprise_id for w in meeting_signups.waiting_list(s, m)] == [c.id, a.id]


def test_imported_sign_ups_beyond_capacity_wait_in_file_order_with_a_warning(s, builders):
    m = meeting(s, capacity=2)
    ents = [builders.make_enterprise(s) for _ in range(4)]
    file_statuses = ["已确认", "已报名", "已确认", "已报名"]
    results = [sign(s, m, e, status=st, imported=True) for e, st in zip(ents, file_statuses)]
    assert statuses(s, m, ents) == ["已确认", "已报名", "候补", "候补"]
    assert results[2].warnings and results[3].warnings and not results[1].warnings
    assert [w.enterprise_id for w in meeting_signups.waiting_list(s, m)] == [ents[2].id, ents[3].id]


def test_an_empty_imported_status_means_registered_or_waiting_and_leaves_an_existing_one(s, builders):
    m = meeting(s, capacity=1)
    a, b = builders.make_enterprise(s), builders.make_enterprise(s)
    su_a = sign(s, m, a, imported=True).signup
    assert su_a.status == "已报名"
    meeting_signups.set_status(s, su_a, "已确认")
    assert sign(s, m, b, imported=True).signup.status == "候补"
    r = sign(s, m, a, imported=True)
    assert r.signup.status == "已确认" and not r.created


def test_an_import_without_status_leaves_a_withdrawn_one_withdrawn_and_with_a_status_brings_it_back(s, builders):
    m = meeting(s)
    e = builders.make_enterprise(s)
    su = sign(s, m, e).signup
    meeting_signups.withdraw(s, su)
    r = sign(s, m, e, imported=True)
    assert r.signup.status == "已退出" and not r.reactivated
    r = sign(s, m, e, imported=True, status="已确认")
    assert r.signup.status == "已确认" and r.reactivated and r.signup.id == su.id


def test_an_imported_status_change_for_a_waiting_one_still_respects_capacity(s, builders):
    m = meeting(s, capacity=1)
    a, b = builders.make_enterprise(s), builders.make_enterprise(s)
    sign(s, m, a)
    sign(s, m, b)
    r = sign(s, m, b, status="已确认", imported=True)
    assert r.signup.status == "候补" and r.warnings


def test_the_deadline_warns_a_clerk_and_does_not_stop_an_import(s, builders):
    m = meeting(s, deadline=dt.date(2024, 6, 1))
    a, b, c = (builders.make_enterprise(s) for _ in range(3))
    assert sign(s, m, a, today=dt.date(2024, 6, 1)).warnings == []
    late = sign(s, m, b, today=dt.date(2024, 6, 2))
    imported = sign(s, m, c, today=dt.date(2024, 6, 2), imported=True)
    assert len(late.warnings) == 1 and len(imported.warnings) == 1
    assert late.warnings != imported.warnings
    assert late.signup.status == imported.signup.status == "已报名"


def test_status_flow(s, builders):
    m = meeting(s)
    su = sign(s, m, builders.make_enterprise(s)).signup
    meeting_signups.set_status(s, su, "已确认")
    meeting_signups.check_in(s, su)
    assert su.status == "已签到"
    with pytest.raises(ValidationFailed):
        meeting_signups.set_status(s, su, "已报名")
    meeting_signups.set_status(s, su, "缺席")  # a wrong click on the day is corrected
    meeting_signups.withdraw(s, su)
    with pytest.raises(ValidationFailed):
        meeting_signups.set_status(s, su, "已确认")  # sign up again instead


def test_a_sign_up_is_never_put_on_the_waiting_list_by_hand(s, builders):
    m = meeting(s)
    su = sign(s, m, builders.make_enterprise(s)).signup
    with pytest.raises(ValidationFailed):
        meeting_signups.set_status(s, su, "候补")


def test_taking_a_waiting_one_off_the_list_needs_a_free_place(s, builders):
    m = meeting(s, capacity=1)
    sign(s, m, builders.make_enterprise(s))
    waiting = sign(s, m, builders.make_enterprise(s)).signup
    with pytest.raises(MeetingFull):
        meeting_signups.set_status(s, waiting, "已确认")
    with pytest.raises(ValidationFailed):
        meeting_signups.check_in(s, waiting)
    meeting_signups.withdraw(s, waiting)
    assert waiting.status == "已退出"


def test_domain_transitions_match_the_flow():
    assert rules.transition_problem("已报名", "已确认") is None
    assert rules.transition_problem("已确认", "已签到") is None
    assert rules.transition_problem("已确认", "缺席") is None
    assert rules.transition_problem("候补", "已退出") is None
    assert rules.transition_problem("已签到", "已确认")
    assert rules.transition_problem("已退出", "已报名")
    assert rules.transition_problem("已报名", "候补")
    assert rules.transition_problem("已报名", "参会")


def test_attendees_keep_their_order_and_need_a_name(s, builders):
    m = meeting(s)
    e = builders.make_enterprise(s)
    with pytest.raises(ValidationFailed):
        meeting_signups.sign_up(s, m, e.id, [], today=DAY)
    with pytest.raises(ValidationFailed):
        meeting_signups.sign_up(s, m, e.id, [AttendeeIn("", "经理", "13800000000")], today=DAY)
    su = meeting_signups.sign_up(s, m, e.id, [AttendeeIn("王五"), AttendeeIn("李四", None, "139"),
                                       AttendeeIn("  ", None, None), AttendeeIn("张三", "总工")], today=DAY).signup
    assert [(a.position, a.name, a.post, a.phone) for a in su.attendees] == [
        (0, "王五", None, None), (1, "李四", None, "139"), (2, "张三", "总工", None)]
    meeting_signups.update_signup(s, su, attendees=[AttendeeIn("张三"), AttendeeIn("王五")])
    assert [a.name for a in su.attendees] == ["张三", "王五"]


def test_a_deleted_enterprise_leaves_lists_counts_and_capacity(s, builders):
    """Documented choice (services/meetings.py): a deleted enterprise's sign-up frees its place."""
    m = meeting(s, capacity=1)
    a, b, c = (builders.make_enterprise(s) for _ in range(3))
    sign(s, m, a)
    sign(s, m, b)  # waiting
    enterprises.soft_delete(s, a)
    assert [su.enterprise_id for su in meeting_signups.list_signups(s, m)] == [b.id]
    assert meeting_signups.counts(s, m).taken == 0 and meeting_signups.counts(s, m).remaining == 1
    assert [p.enterprise_id for p in meeting_signups.promote_waiting(s, m)] == [b.id]
    assert sign(s, m, c).signup.status == "候补"
    enterprises.restore(s, a)  # back as it was, over capacity, nobody pushed back
    assert statuses(s, m, [a, b, c]) == ["已报名", "已报名", "候补"]
    assert meeting_signups.counts(s, m).remaining == 0


def test_a_place_freed_by_a_deletion_goes_to_the_waiting_list_before_a_newcomer(s, builders):
    m = meeting(s, capacity=1)
    a, b, c = (builders.make_enterprise(s) for _ in range(3))
    sign(s, m, a)
    sign(s, m, b)
    enterprises.soft_delete(s, a)
    r = sign(s, m, c)
    assert [p.enterprise_id for p in r.promoted] == [b.id]
    assert statuses(s, m, [b, c]) == ["已报名", "候补"]


def test_a_deleted_enterprise_cannot_sign_up(s, builders):
    m = meeting(s)
    e = builders.make_enterprise(s)
    enterprises.soft_delete(s, e)
    with pytest.raises(KnownError):
        sign(s, m, e)


def test_signin_rows_one_per_attendee_of_those_holding_a_place(s, builders):
    m = meeting(s, capacity=3)
    a = builders.make_enterprise(s, name="甲公司")
    b = builders.make_enterprise(s, name="乙公司")
    c = builders.make_enterprise(s, name="丙公司")
    d = builders.make_enterprise(s, name="丁公司")
    e = builders.make_enterprise(s, name="戊公司")
    meeting_signups.sign_up(s, m, a.id, [AttendeeIn("张三", "经理", "138"), AttendeeIn("李四")], today=DAY)
    su_b = sign(s, m, b).signup
    meeting_signups.sign_up(s, m, c.id, [AttendeeIn("王五", None, "139")], today=DAY)
    meeting_signups.sign_up(s, m, d.id, [AttendeeIn("赵六")], today=DAY)  # waiting
    meeting_signups.withdraw(s, su_b)  # d moves up
    meeting_signups.sign_up(s, m, e.id, [AttendeeIn("钱七")], today=DAY)  # waiting
    assert meeting_signups.signin_rows(s, m) == [
        ("甲公司", "张三", "经理", "138"), ("甲公司", "李四", "", ""), ("丙公司", "王五", "", "139"),
        ("丁公司", "赵六", "", "")]


def test_list_signups_searches_name_code_and_pinyin(s, builders):
    m = meeting(s)
    a = builders.make_enterprise(s, name="南通华光纺织有限公司")
    b = builders.make_enterprise(s, name="如东海洋船舶有限公司")
    sign(s, m, a)
    sign(s, m, b)
    assert [x.enterprise_id for x in meeting_signups.list_signups(s, m, search="hgfz")] == [a.id]
    assert [x.enterprise_id for x in meeting_signups.list_signups(s, m, search="船舶")] == [b.id]
    assert [x.enterprise_id for x in meeting_signups.list_signups(s, m, search=b.uscc[-6:].lower())] == [b.id]


def test_one_meeting_a_year_and_its_date_is_fixed_for_imports(s):
    m, created = meetings.get_or_create_meeting(s, 2024, dt.date(2024, 6, 18))
    assert created and m.title == "2024年质量产学研合作对接会"
    again, created = meetings.get_or_create_meeting(s, 2024, dt.date(2024, 6, 18))
    assert again.id == m.id and not created
    with pytest.raises(ValidationFailed):
        meetings.get_or_create_meeting(s, 2024, dt.date(2024, 7, 1))
    with pytest.raises(KnownError):
        meetings.create_meeting(s, {"year": 2024, "date": dt.date(2024, 9, 1)})
    with pytest.raises(ValidationFailed):
        meetings.create_meeting(s, {"year": 2025, "date": dt.date(2024, 9, 1)})
    assert meetings.meeting_for_year(s, 2024).id == m.id and meetings.meeting_for_year(s, 2023) is None


def test_meeting_partners(s):
    from qoffice.services import partners

    m, _ = meetings.get_or_create_meeting(s, 2024, dt.date(2024, 6, 18))
    p1 = partners.create_partner(s, {"name": "南通大学", "type": "高等院校"})
    p2 = partners.create_partner(s, {"name": "江苏省质量研究院", "type": "质量研究咨询机构"})
    meetings.set_meeting_partners(s, m, [p1.id, p2.id])
    meetings.set_meeting_partners(s, m, [p2.id])
    assert [p.name for p in meetings.meeting_partners(s, m)] == ["江苏省质量研究院"]


def test_status_changes_go_to_the_audit_log(s, builders):
    m = meeting(s, capacity=1)
    a, b = builders.make_enterprise(s), builders.make_enterprise(s)
    su_a = sign(s, m, a).signup
    su_b = sign(s, m, b).signup
    meeting_signups.withdraw(s, su_a)
    rows = s.query(AuditEntry).filter_by(table_name="signup", field="status", action="update").all()
    assert {(r.record_id, r.old, r.new) for r in rows} == {(su_a.id, "已报名", "已退出"), (su_b.id, "候补", "已报名")}
