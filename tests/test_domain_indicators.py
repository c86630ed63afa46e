"""The 17 indicators of 汇总, one test (or more) per formula, with the spec's edge cases."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from qoffice.domain import indicators as ind
from qoffice.domain.returndata import (
    AwardRec,
    Cover,
    EnterpriseRec,
    FiguresRec,
    ForumRec,
    MeetingRec,
    ProjectRec,
    ReturnData,
    SignUpRec,
)
from qoffice.domain.uscc import make_valid

Y = 2023


def code(n: int) -> str:
    return make_valid(f"9132060{n:010d}")


def ent(n: int, **kw) -> EnterpriseRec:
    return EnterpriseRec(id=n, uscc=code(n), name=f"企业{n}", county="崇川区", **kw)


def data(enterprises=(), year=Y, **kw) -> ReturnData:
    ents = list(enterprises) or [ent(1)]
    return ReturnData(year=year, cover=Cover("质监办", "崇川区"), enterprises={e.id: e for e in ents}, **kw)


def proj(i, eid=1, type_="质量攻关", year=Y, **kw) -> ProjectRec:
    return ProjectRec(id=i, enterprise_id=eid, type=type_, title=f"项目{i}", year=year, **kw)


# --- 1 ---------------------------------------------------------------------------------------------
def test_row1_counts_adopters_of_the_year_that_count_for_it():
    d = data([ent(1, excellence_year=Y), ent(2, excellence_year=Y - 1), ent(3, excellence_year=Y, deleted=True),
              ent(4, excellence_year=Y, status="注销", status_year=Y),  # closed in Y: does not count for Y
              ent(5, excellence_year=Y, status="迁出", status_year=Y + 1)])  # left later: counts
    assert ind.excellence_adopters(d) == 2


# --- 2, 3 ------------------------------------------------------------------------------------------
def test_row2_tackling_and_improvement_of_the_year():
    d = data(projects=(proj(1, type_="质量攻关"), proj(2, type_="质量改进"), proj(3, type_="质量创新"),
                       proj(4, type_="质量攻关", year=Y - 1)))
    assert ind.tackling_and_improvement(d) == 2


def test_row3_qc_results():
    d = data(projects=(proj(1, type_="QC课题成果"), proj(2, type_="QC课题成果", year=Y + 1), proj(3)))
    assert ind.qc_results(d) == 1


def test_deleted_enterprises_records_are_out_of_every_indicator():
    d = data([ent(1), ent(2, deleted=True, excellence_year=Y, benchmark=True, cqo_name="王")],
             projects=(proj(1, eid=2, type_="QC课题成果"),
                       proj(2, eid=2, type_="产学研合作", stage="见效", partner_type="高等院校",
                            investment_yuan=1_000_000)),
             awards=(AwardRec(1, 2, "中国质量奖", Y),),
             figures=(FiguresRec(2, Y, loss_rate_e4=10000, checked=10, passed=5, benefit_yuan=10000),),
             forums=(ForumRec(1, "论坛", dt.date(Y, 5, 1), "已举办", attending_ids=(1, 2)),),
             meeting=MeetingRec(1, Y, "对接会", dt.date(Y, 6, 1)),
             signups=(SignUpRec(1, 2, "已报名"),))
    values = {r.number: r.value for r in ind.compute(d)}
    assert values == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: None, 9: None, 10: None, 11: None,
                      12: 1, 13: 0, 14: 0, 15: 0, 16: Decimal(0), 17: 0}
    assert d.forum_attending(d.forums[0]) == 1


def test_enterprise_closed_during_the_year_keeps_its_records():
    closed = ent(1, status="注销", status_year=Y)
    d = data([closed], projects=(proj(1, type_="质量攻关"),), awards=(AwardRec(1, 1, "江苏省质量奖", Y),),
             figures=(FiguresRec(1, Y, checked=4, passed=3),))
    assert ind.tackling_and_improvement(d) == 1
    assert ind.jiangsu_awards(d) == 1
    assert ind.pass_rate(d) == 75
    assert d.enterprise_rows() == []  # but it is not in 企业名录


# --- 4 ---------------------------------------------------------------------------------------------
def test_row4_benchmarking_start_year():
    d = data([ent(1, benchmark=True, benchmark_since=Y), ent(2, benchmark=True, benchmark_since=None),
              ent(3, benchmark=True, benchmark_since=Y + 1), ent(4, benchmark=False, benchmark_since=Y - 5),
              ent(5, benchmark=True, status="停产", status_year=Y - 1)])
    assert ind.benchmarking_enterprises(d) == 2


# --- 5, 14 -----------------------------------------------------------------------------------------
def test_row5_cooperation_results_at_stage_effective_only():
    d = data(projects=(proj(1, type_="产学研合作", stage="见效"), proj(2, type_="产学研合作", stage="推进"),
                       proj(3, type_="质量攻关", stage="见效")))
    assert ind.cooperation_results(d) == 1


def test_row14_cooperation_signed_advancing_or_effective():
    d = data(projects=tuple(proj(i, type_="产学研合作", stage=s) for i, s in
                            enumerate(("培育", "签约", "推进", "见效"), start=1)) + (proj(9, type_="质量改进", stage="签约"),))
    assert ind.cooperation_signed(d) == 3


# --- 6, 7 ------------------------------------------------------------------------------------------
def test_row6_nominations_not_counted():
    d = data(awards=(AwardRec(1, 1, "中国质量奖", Y), AwardRec(2, 1, "中国质量奖提名奖", Y),
                     AwardRec(3, 1, "中国质量奖", Y - 1)))
    assert ind.china_awards(d) == 1


def test_row7_jiangsu_awards():
    d = data(awards=(AwardRec(1, 1, "江苏省质量奖", Y), AwardRec(2, 1, "南通市市长质量奖", Y)))
    assert ind.jiangsu_awards(d) == 1


# --- 8 ---------------------------------------------------------------------------------------------
def test_row8_pass_rate_is_sum_over_sum_rounded_half_up():
    d = data([ent(1), ent(2)], figures=(FiguresRec(1, Y, checked=3, passed=2), FiguresRec(2, Y, checked=5, passed=5),
                                       FiguresRec(1, Y - 1, checked=9, passed=0)))
    assert ind.pass_rate(d) == Fraction(700, 8)
    row = ind.compute(d)[7]
    assert row.value == Decimal("87.50")


def test_row8_empty_when_nothing_checked():
    assert ind.pass_rate(data(figures=(FiguresRec(1, Y, checked=0, passed=0),))) is None
    assert ind.pass_rate(data()) is None


def test_row8_half_up_not_banker():
    d = data(figures=(FiguresRec(1, Y, checked=800, passed=1),))
    assert ind.compute(d)[7].value == Decimal("0.13")  # 0.125 → 0.13, where round() gives 0.12
    assert round(0.125, 2) == 0.12


# --- 9, 10 -----------------------------------------------------------------------------------------
def test_row9_mean_of_reported_rates():
    d = data([ent(1), ent(2), ent(3)], figures=(FiguresRec(1, Y, loss_rate_e4=12500), FiguresRec(2, Y, loss_rate_e4=10000),
                                               FiguresRec(3, Y, loss_rate_e4=None, checked=1, passed=1)))
    assert ind.loss_rate(d) == Fraction(225, 200)
    assert ind.compute(d)[8].value == Decimal("1.13")  # 1.125 → 1.13


def test_row9_empty_when_none_reported():
    assert ind.loss_rate(data(figures=(FiguresRec(1, Y, checked=1, passed=1),))) is None


def test_row10_from_exact_values_then_rounded():
    # Y: 1.005 ; Y−1: 1.010 → exact change −0.005 → −0.01 (half away from zero).
    # Rounding rows 9 first would give 1.01 − 1.01 = 0.00: the rule is exact first, round once.
    d = data([ent(1)], figures=(FiguresRec(1, Y, loss_rate_e4=10050), FiguresRec(1, Y - 1, loss_rate_e4=10100)))
    assert ind.loss_rate_change(d) == Fraction(-5, 1000)
    rows = {r.number: r for r in ind.compute(d)}
    assert rows[10].value == Decimal("-0.01")
    assert rows[9].value == Decimal("1.01")


def test_row10_uses_exact_means():
    # Y: mean(1.0051, 1.0000) = 1.00255 ; Y−1: mean(1.0000, 1.0000) = 1 → 0.00255 → 0.00
    d = data([ent(1), ent(2)], figures=(FiguresRec(1, Y, loss_rate_e4=10051), FiguresRec(2, Y, loss_rate_e4=10000),
                                       FiguresRec(1, Y - 1, loss_rate_e4=10000), FiguresRec(2, Y - 1, loss_rate_e4=10000)))
    assert ind.loss_rate_change(d) == Fraction(255, 100000)
    assert ind.compute(d)[9].value == Decimal("0.00")


def test_row10_empty_when_either_year_has_no_rate():
    d = data(figures=(FiguresRec(1, Y, loss_rate_e4=10000),))
    assert ind.loss_rate_change(d) is None
    d = data(figures=(FiguresRec(1, Y - 1, loss_rate_e4=10000),))
    assert ind.loss_rate_change(d) is None


# --- 11 --------------------------------------------------------------------------------------------
def test_row11_benefit_exact_wan():
    d = data([ent(1), ent(2)], figures=(FiguresRec(1, Y, benefit_yuan=123_456_789), FiguresRec(2, Y, benefit_yuan=1)))
    assert ind.compute(d)[10].value == Decimal("12345.679")
    assert ind.compute(d)[10].value == Decimal(123_456_790) / 10000


def test_row11_empty_when_none_reported_zero_when_reported_zero():
    assert ind.benefit_wan(data()) is None
    assert ind.benefit_wan(data(figures=(FiguresRec(1, Y, benefit_yuan=0),))) == 0


# --- 12 --------------------------------------------------------------------------------------------
def test_row12_forums_held_in_the_year():
    d = data(forums=(ForumRec(1, "a", dt.date(Y, 3, 1), "已举办"), ForumRec(2, "b", dt.date(Y, 9, 1), "计划"),
                     ForumRec(3, "c", dt.date(Y, 10, 1), "已取消"), ForumRec(4, "d", dt.date(Y - 1, 12, 31), "已举办")))
    assert ind.forums_held(d) == 1


# --- 13 --------------------------------------------------------------------------------------------
def test_row13_signups_not_withdrawn_waiting_counts():
    statuses = ("已报名", "已确认", "已签到", "缺席", "已退出", "候补")
    d = data([ent(i) for i in range(1, 7)], meeting=MeetingRec(1, Y, "对接会", dt.date(Y, 6, 1)),
             signups=tuple(SignUpRec(i, i, s) for i, s in enumerate(statuses, start=1)))
    assert ind.meeting_signups(d) == 5


def test_row13_zero_without_a_meeting_of_the_year():
    d = data(meeting=MeetingRec(1, Y - 1, "去年", dt.date(Y - 1, 6, 1)), signups=(SignUpRec(1, 1, "已报名"),))
    assert ind.meeting_signups(d) == 0


# --- 15, 16 ----------------------------------------------------------------------------------------
def test_rows15_16_subsidy_needs_more_than_500000_and_a_qualifying_partner():
    d = data(projects=(
        proj(1, partner_type="高等院校", investment_yuan=500_000),  # exactly 50万: no
        proj(2, partner_type="高等院校", investment_yuan=500_001),  # 150000.3 → 150000
        proj(3, partner_type="质量研究咨询机构", investment_yuan=1_000_005),  # 300001.5 → 300002 (half-up)
        proj(4, partner_type="科研院所", investment_yuan=9_000_000),  # partner type: no
        proj(5, partner_type=None, investment_yuan=9_000_000),
        proj(6, partner_type="高等院校", investment_yuan=9_000_000, year=Y - 1),
    ))
    assert ind.subsidised_projects(d) == 2
    rows = {r.number: r for r in ind.compute(d)}
    assert rows[15].value == 2
    assert rows[16].value == Decimal("45.0002")  # (150000 + 300002) / 10000 exactly


# --- 17 --------------------------------------------------------------------------------------------
def test_row17_cqo_appointed_by_year_end_or_date_unknown():
    d = data([ent(1, cqo_name="甲", cqo_appointed=dt.date(Y, 12, 31)), ent(2, cqo_name="乙"),
              ent(3, cqo_name="丙", cqo_appointed=dt.date(Y + 1, 1, 1)), ent(4, cqo_name=" "),
              ent(5, cqo_name="丁", status="注销", status_year=Y - 1)])
    assert ind.cqo_enterprises(d) == 2


# --- 汇总 shape, targets, completion -----------------------------------------------------------------
def test_compute_gives_17_rows_in_order_with_names_and_units():
    rows = ind.compute(data())
    assert [r.number for r in rows] == list(range(1, 18))
    assert rows[0].name == "卓越绩效管理模式导入企业数" and rows[0].unit == "家"
    assert rows[9].unit == "百分点" and rows[10].unit == "万元"
    assert all(isinstance(r.value, int) for r in rows if r.number not in (8, 9, 10, 11, 16))


def test_completion_rate_half_up_one_decimal_from_exact_value():
    d = data([ent(i, excellence_year=Y) for i in range(1, 4)], targets={1: Decimal(8)})
    row = ind.compute(d)[0]
    assert row.target == Decimal(8)
    assert row.completion == Decimal("37.5")  # 3/8
    assert ind.completion_rate(1, 1, Decimal(16)) == Decimal("6.3")  # 6.25 → 6.3 (round() gives 6.2)


@pytest.mark.parametrize("number", [9, 10])
def test_completion_rate_always_empty_for_rows_9_and_10(number):
    assert ind.completion_rate(number, Fraction(1), Decimal(1)) is None


def test_completion_rate_empty_for_zero_or_empty_target_or_value():
    assert ind.completion_rate(1, 5, Decimal(0)) is None
    assert ind.completion_rate(1, 5, None) is None
    assert ind.completion_rate(8, None, Decimal(96)) is None
    assert ind.completion_rate(16, Fraction(5, 10000), Decimal("0.001")) == Decimal("50.0")


def test_round_half_up_exact():
    assert ind.round_half_up(Fraction(1, 8), 2) == Decimal("0.13")
    assert ind.round_half_up(Fraction(-1, 8), 2) == Decimal("-0.13")
    assert ind.round_half_up(Fraction(1, 3), 2) == Decimal("0.33")
    assert ind.round_half_up(Fraction(2, 3), 1) == Decimal("0.7")
    assert ind.round_half_up(5, 0) == Decimal(5)


def test_as_json_keeps_the_17_values_as_text():
    out = ind.as_json(ind.compute(data(figures=(FiguresRec(1, Y, checked=3, passed=1),))))
    assert len(out) == 17 and out["8"] == "33.33" and out["9"] is None and out["16"] == "0"
