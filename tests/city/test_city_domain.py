"""The city's rules in the domain (city.md): reading a return, recomputation, city totals, completion,
达标, 综合完成率 and ranking — each rule its own test, and one 8-county set computed by hand."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from qoffice.domain import city
from qoffice.domain import indicators as ind
from tests.city.builders import (
    COUNTIES,
    YEAR,
    award,
    check_row,
    code,
    county_return,
    ent,
    forum,
    proj,
    raw,
    signup,
)

TODAY = dt.date(2025, 3, 1)


def read(r):
    return city.read_return(r, COUNTIES, today=TODAY)


# --- refusals ------------------------------------------------------------------------------------------
def test_honest_return_is_accepted_without_findings():
    reading = read(raw("崇川区", enterprises=[ent(code(1), "甲", "崇川区", loss=1)]))
    assert reading.ret is not None and reading.errors == [] and reading.warnings == []
    assert city.summary_findings(reading.ret) == []


@pytest.mark.parametrize("fmt", [2, "2", None, "x"])
def test_newer_or_missing_format_version_is_refused(fmt):
    reading = read(raw("崇川区", cover_over={"格式版本": fmt}))
    assert reading.refused
    assert any("由更新版本的软件生成" in e.message and e.row == 8 for e in reading.errors)


@pytest.mark.parametrize("county", [None, "", "苏州市"])
def test_county_empty_or_not_in_list_is_refused(county):
    reading = read(raw("崇川区", cover_over={"区县": county}))
    assert reading.refused
    assert [e.row for e in reading.errors] == [2]


@pytest.mark.parametrize("year", [None, "二〇二四", "2024.5", 12])
def test_year_missing_or_not_a_year_is_refused(year):
    reading = read(raw("崇川区", cover_over={"年度": year}))
    assert reading.refused and [e.row for e in reading.errors] == [3]


def test_year_as_text_is_read():
    reading = read(raw("崇川区", cover_over={"年度": "2024"}))
    assert reading.ret.year == 2024


@pytest.mark.parametrize("sheet", ["enterprises", "projects", "awards", "signups"])
@pytest.mark.parametrize("bad", [None, code(1)[:-1] + ("0" if code(1)[-1] != "0" else "1")])
def test_detail_row_with_missing_or_wrong_code_is_refused(sheet, bad):
    rows = {"enterprises": [ent(code(1), "甲", "崇川区"), ent(bad, "乙", "崇川区")],
            "projects": [proj(code(1), "甲", "质量攻关"), proj(bad, "乙", "质量攻关")],
            "awards": [award(code(1), "中国质量奖"), award(bad, "中国质量奖")],
            "signups": [signup(code(1)), signup(bad)]}
    r = raw("崇川区", **{sheet: rows[sheet]}, summary={})
    reading = read(r)
    assert reading.refused
    assert [(e.row) for e in reading.errors] == [3]


def test_code_in_full_width_or_lower_case_is_normalised():
    c = code(7)
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in c.lower())
    reading = read(raw("崇川区", enterprises=[ent(wide, "甲", "崇川区")], summary={}))
    assert reading.ret.sheet(city.S_ENTERPRISES)[0].get("统一社会信用代码") == c


def test_same_code_twice_in_enterprises_is_refused():
    reading = read(raw("崇川区", enterprises=[ent(code(1), "甲", "崇川区"), ent(code(2), "乙", "崇川区"),
                                            ent(code(1), "丙", "崇川区")], summary={}))
    assert reading.refused
    assert reading.errors[0].row == 4 and "第2行" in reading.errors[0].message


# --- warnings --------------------------------------------------------------------------------------------
def test_enterprise_county_differing_from_cover_is_a_warning():
    reading = read(raw("崇川区", enterprises=[ent(code(1), "甲", "通州区")]))
    assert not reading.refused
    assert [(w.level, w.sheet, w.row) for w in reading.warnings] == [("警告", "企业名录", 2)]


def test_filled_date_later_than_today_is_a_warning():
    reading = read(raw("崇川区", filled=TODAY + dt.timedelta(days=1)))
    assert [(w.sheet, w.row) for w in reading.warnings] == [("封面", 6)]
    assert read(raw("崇川区", filled=TODAY)).warnings == []


def test_subsidy_differing_from_rule_is_a_warning_and_the_rule_counts():
    p = proj(code(1), "合作", "产学研合作", partner="南通大学", partner_type="高等院校", invest=100, stage="签约",
             subsidy=50)
    r = raw("崇川区", enterprises=[ent(code(1), "甲", "崇川区")], projects=[p])
    reading = read(r)
    assert [(w.sheet, w.row) for w in reading.warnings] == [("质量项目", 2)]
    assert "应为30万元" in reading.warnings[0].message
    assert city.recompute(reading.ret)[16] == Fraction(30)


def test_county_checks_are_carried_with_their_own_sheet_and_row():
    r = raw("崇川区", checks=[check_row("警告", "交流活动", None, "本年度未举办交流活动"),
                            check_row("警告", "企业名录", 5, "某企业未填电话")])
    reading = read(r)
    carried = [(w.level, w.sheet, w.row, w.county) for w in reading.warnings]
    assert carried == [("警告", "交流活动", None, "崇川区"), ("警告", "企业名录", 5, "崇川区")]


def test_bad_number_in_a_detail_cell_is_a_warning_and_empty():
    e = ent(code(1), "甲", "崇川区", checked=10, passed=9)
    e["抽查批次"] = "十"
    reading = read(raw("崇川区", enterprises=[e], summary={}))
    assert any(w.sheet == "企业名录" and "抽查批次" in w.message for w in reading.warnings)
    assert reading.ret.sheet(city.S_ENTERPRISES)[0].get("抽查批次") is None


# --- recomputation ------------------------------------------------------------------------------------
def _one_county():
    return dict(
        enterprises=[ent(code(1), "甲", "崇川区", excellence=YEAR, bench=True, cqo="王五", loss="1.25", checked=10,
                         passed=9, benefit="12.3456"),
                     ent(code(2), "乙", "崇川区", excellence=YEAR - 1, loss="2.5", checked=3, passed=3, benefit=1)],
        projects=[proj(code(1), "攻关", "质量攻关"), proj(code(1), "改进", "质量改进"), proj(code(1), "QC", "QC课题成果"),
                  proj(code(2), "合作1", "产学研合作", partner_type="高等院校", invest="50.0001", stage="见效"),
                  proj(code(2), "合作2", "产学研合作", partner_type="企业", invest=100, stage="推进"),
                  proj(code(3), "关停企业的项目", "质量创新")],  # an enterprise closed during Y: not in 企业名录
        awards=[award(code(1), "中国质量奖"), award(code(2), "中国质量奖提名奖"), award(code(2), "江苏省质量奖")],
        forums=[forum("论坛1"), forum("论坛2", status="已取消"), forum("论坛3", status="计划")],
        signups=[signup(code(1)), signup(code(2), "已退出"), signup(code(3), "候补")],
    )


def test_recompute_uses_the_county_formulas_on_the_details():
    ret = county_return("崇川区", **_one_county())
    v = city.recompute(ret)
    shown = {n: ind.present(n, x) for n, x in v.items()}
    assert shown == {1: 1, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: Decimal("92.31"), 9: Decimal("1.88"), 10: None,
                     11: Decimal("13.3456"), 12: 1, 13: 2, 14: 2, 15: 1, 16: Decimal("15"), 17: 1}  # 500,001 yuan × 30% → 150,000 yuan


def test_hand_edited_summary_is_a_warning_naming_row_reported_and_computed():
    ret = county_return("崇川区", summary={n: v for n, v in {**_honest(), 2: Decimal(5)}.items()}, **_one_county())
    found = city.summary_findings(ret)
    assert [(f.level, f.sheet, f.row, f.message) for f in found] == [
        ("警告", "汇总", 3, "汇总表第2行填报5，按明细计算为2")]


def _honest():
    ret = county_return("崇川区", **_one_county())
    return {n: ind.present(n, x) for n, x in city.recompute(ret).items()}


@pytest.mark.parametrize("n", [8, 9, 11])
def test_rows_8_9_11_differences_are_notes(n):
    honest = _honest()
    honest[n] = Decimal("1")
    found = city.summary_findings(county_return("崇川区", summary=honest, **_one_county()))
    assert [(f.level, f.row) for f in found] == [("提示", n + 1)]


def test_row_10_compared_only_with_the_previous_return():
    honest = _honest()
    honest[10] = Decimal("-0.50")
    ret = county_return("崇川区", summary=honest, **_one_county())
    assert city.summary_findings(ret) == []  # no Y−1 return: not compared
    prev = county_return("崇川区", YEAR - 1, enterprises=[ent(code(1), "甲", "崇川区", loss=2)])
    found = city.summary_findings(ret, prev)
    # Y: (1.25 + 2.5)/2 = 1.875; Y−1: 2 → −0.125 → −0.13 (half-up away from zero)
    assert [(f.row, f.message) for f in found] == [(11, "汇总表第10行填报-0.5，按明细计算为-0.13")]


def test_empty_reported_value_against_computed_one():
    honest = _honest()
    honest[12] = None
    found = city.summary_findings(county_return("崇川区", summary=honest, **_one_county()))
    assert [f.message for f in found] == ["汇总表第12行填报空，按明细计算为1"]


# --- the city totals: an 8-county set computed by hand -----------------------------------------------
def _eight():
    E1, E2, E3, E4, E5, E6, E7 = (code(i) for i in range(11, 18))
    sub = dict(partner="南通大学", partner_type="高等院校", invest=100, stage="见效")  # 30 万元 subsidy
    returns = {
        "崇川区": county_return(
            "崇川区",
            enterprises=[ent(E1, "甲", "崇川区", excellence=YEAR, bench=True, cqo="王", loss=1, checked=10, passed=9,
                             benefit=100),
                         ent(E2, "乙", "崇川区", loss=2, checked=10, passed=10, benefit="50.5")],
            projects=[proj(E1, "攻关A", "质量攻关"), proj(E1, "合作B", "产学研合作", **sub)],
            awards=[award(E1, "中国质量奖")], forums=[forum("论坛")],
            signups=[signup(E1), signup(E2, "已退出")]),
        "通州区": county_return(
            "通州区",
            # E1 listed again, with other figures: counted once, from 崇川区 (first in the list)
            enterprises=[ent(E3, "丙", "通州区", loss="2.5", checked=5, passed=4),
                         ent(E1, "甲", "通州区", excellence=YEAR, bench=True, cqo="王", loss=9, checked=10, passed=0,
                             benefit=999)],
            projects=[proj(E1, "合作B", "产学研合作", **sub), proj(E3, "QC", "QC课题成果")],
            awards=[award(E1, "中国质量奖")], forums=[forum("论坛"), forum("取消的", status="已取消")],
            signups=[signup(E1), signup(E3)]),
        "海门区": county_return(
            "海门区", enterprises=[ent(E4, "丁", "海门区", excellence=YEAR, cqo="赵")],
            awards=[award(E4, "江苏省质量奖")]),
        "海安市": county_return("海安市", enterprises=[ent(E5, "戊", "海安市")]),
        "如皋市": county_return("如皋市", enterprises=[ent(E6, "己", "如皋市")]),
        "如东县": county_return("如东县", enterprises=[ent(E7, "庚", "如东县")]),
        "启东市": county_return("启东市"),
        # 南通经济技术开发区 has not reported
    }
    return returns


def test_city_totals_of_eight_counties_by_hand():
    totals = city.city_totals(YEAR, _eight(), {}, COUNTIES)
    by_hand = {
        1: 2,  # E1 (once), E4
        2: 1,  # 攻关A
        3: 1,  # QC
        4: 1,  # E1 once
        5: 1,  # 合作B listed by two counties, counted once
        6: 1,  # E1's 中国质量奖 listed twice, once
        7: 1,
        8: Decimal("92.00"),  # (9 + 10 + 4) / (10 + 10 + 5) = 23/25; 通州's copy of E1 (0/10) not used
        9: Decimal("1.83"),  # (1 + 2 + 2.5) / 3 = 1.8333…, not the mean of county means (1.5, 2.5 → 2.00)
        10: None,  # no Y−1 returns
        11: Decimal("150.5"),  # 100 + 50.5; 通州's 999 for E1 not used
        12: 2,  # 崇川 1 + 通州 1 held
        13: 3,  # 崇川 1 (one withdrawn) + 通州 2
        14: 1,
        15: 1,
        16: Decimal("30"),  # once, though listed twice
        17: 2,  # E1, E4
    }
    assert {n: totals.shown(n) for n in range(1, 18)} == by_hand
    cross = [(f.sheet, f.message) for f in totals.cross]
    assert ("企业名录", f"“甲”（{code(11)}）同时列于崇川区和通州区的企业名录，按崇川区计入全市") in cross
    assert any(s == "质量项目" and "崇川区和通州区" in m and "重复资助" in m for s, m in cross)
    assert any(s == "获奖情况" and "崇川区和通州区" in m for s, m in cross)
    assert len(cross) == 3
    assert totals.notes and "同比变化未计算" in totals.notes[0].message


def test_first_county_in_list_wins_whatever_the_file_order():
    returns = _eight()
    reordered = {c: returns[c] for c in reversed(list(returns))}
    totals = city.city_totals(YEAR, reordered, {}, COUNTIES)
    assert totals.shown(8) == Decimal("92.00") and totals.shown(11) == Decimal("150.5")


def test_city_row_10_only_when_every_county_has_its_previous_return():
    cur = {"崇川区": county_return("崇川区", enterprises=[ent(code(1), "甲", "崇川区", loss=1)]),
           "通州区": county_return("通州区", enterprises=[ent(code(2), "乙", "通州区", loss=2)])}
    prev = {"崇川区": county_return("崇川区", YEAR - 1, enterprises=[ent(code(1), "甲", "崇川区", loss="1.5")]),
            "通州区": county_return("通州区", YEAR - 1, enterprises=[ent(code(2), "乙", "通州区", loss="2.2"),
                                                           ent(code(3), "丙", "通州区", loss="3.3")]),
            "海门区": county_return("海门区", YEAR - 1, enterprises=[ent(code(4), "丁", "海门区", loss=50)])}
    totals = city.city_totals(YEAR, cur, prev, COUNTIES)
    # Y: (1 + 2)/2 = 1.5; Y−1 over 崇川, 通州 only (海门 has no Y return): (1.5+2.2+3.3)/3 = 7/3 → 1.5 − 2.3333 = −0.8333
    assert totals.shown(10) == Decimal("-0.83") and totals.notes == []
    del prev["通州区"]
    totals = city.city_totals(YEAR, cur, prev, COUNTIES)
    assert totals.shown(10) is None and "通州区" in totals.notes[0].message


def test_exact_money_and_half_up_once():
    cur = {"崇川区": county_return("崇川区", enterprises=[ent(code(1), "甲", "崇川区", benefit="0.0001", loss="0.005",
                                                          checked=3, passed=2)]),
           "通州区": county_return("通州区", enterprises=[ent(code(2), "乙", "通州区", benefit="0.0002", loss="0.005")])}
    totals = city.city_totals(YEAR, cur, {}, COUNTIES)
    assert totals.shown(11) == Decimal("0.0003")
    assert totals.shown(9) == Decimal("0.01")  # 0.005 exactly: half-up, not to even
    assert totals.shown(8) == Decimal("66.67")


# --- completion, 达标, 综合完成率, ranking ------------------------------------------------------------------
def test_completion_rate_rules():
    assert city.completion(1, 2, Decimal(3)) == Decimal("66.7")
    assert city.completion(1, 1, Decimal(0)) is None
    assert city.completion(1, None, Decimal(3)) is None
    assert city.completion(9, Fraction(1), Decimal(2)) is None
    assert city.completion(10, Fraction(-1), Decimal(-2)) is None


def test_meets_rules():
    assert city.meets(1, 100, Decimal(100)) is True
    assert city.meets(1, 99, Decimal(100)) is False
    assert city.meets(8, Fraction(95999, 1000), Decimal(96)) is False  # exact, though shown as 96.00
    assert city.meets(9, Fraction(1), Decimal("1.0")) is True
    assert city.meets(10, Fraction(-4, 100), Decimal("-0.05")) is False
    assert city.meets(10, Fraction(-6, 100), Decimal("-0.05")) is True
    assert city.meets(1, None, Decimal(1)) is None
    assert city.meets(1, 1, None) is None


def test_overall_completion_caps_at_100_counts_empty_as_zero_and_skips_9_10_and_zero_targets():
    values = {n: None for n in range(1, 18)}
    values.update({1: 300, 2: 50, 9: Fraction(1), 10: Fraction(-1)})
    targets = {1: Decimal(100), 2: Decimal(100), 3: Decimal(10), 4: Decimal(0), 9: Decimal(2), 10: Decimal(0)}
    a = city.assess("崇川区", values, targets)
    # (100 + 50 + 0) / 3 = 50.0; 4 has target 0 (value empty: not 达标); 9 and 10 达标 (≤)
    assert a.overall == Decimal("50.0")
    assert a.met == 3  # 1, 9, 10
    assert a.unmet == (2, 3, 4)
    assert a.unmet_names() == "质量攻关和改进计划数、质量课题成果数、开展质量比对提升企业数"


def test_overall_rounded_once_from_exact():
    values = {1: 1, 2: 2, 3: 2}
    targets = {1: Decimal(3), 2: Decimal(3), 3: Decimal(3)}
    # (33.33… + 66.66… + 66.66…)/3 = 55.555… → 55.6 (rounding each first would give 55.5)
    assert city.assess("x", values, targets).overall == Decimal("55.6")


def test_ranking_order():
    T = {1: Decimal(10)}
    rows = [
        city.assess("A", {1: 5}, T),  # 50
        city.assess("B", {1: 10}, {1: Decimal(10), 2: Decimal(0)}),  # 100 (target 0 skipped in the mean), met 2
        city.assess("C", {1: 10}, T),  # 100, met 1 → after B
        city.assess("D", None, T),  # no return: last, unranked
        city.assess("E", {1: 5}, {}),  # no target > 0: after those with one
        city.assess("F", {1: 5}, T),  # 50, tie with A, later in the list
    ]
    ranked = city.rank(rows)
    assert [(a.rank, a.county) for a in ranked] == [(1, "B"), (2, "C"), (3, "A"), (4, "F"), (5, "E"), (None, "D")]


def test_plan_totals():
    by_year = {
        2013: {"崇川区": county_return("崇川区", 2013, projects=[proj(code(1), "合作", "产学研合作", stage="见效", year=2013)],
                                   enterprises=[ent(code(1), "甲", "崇川区")]),
               "通州区": county_return("通州区", 2013, projects=[proj(code(1), "合作", "产学研合作", stage="见效", year=2013)],
                                   awards=[award(code(1), "中国质量奖", year=2013)])},
        2014: {"崇川区": county_return("崇川区", 2014, awards=[award(code(1), "江苏省质量奖", year=2014)])},
        2018: {"崇川区": county_return("崇川区", 2018, awards=[award(code(1), "江苏省质量奖", year=2018)])},
    }
    assert city.plan_totals(by_year, COUNTIES, 2017, 2013, 2017) == {5: 1, 6: 1, 7: 1}
    assert city.plan_totals(by_year, COUNTIES, 2013, 2013, 2017) == {5: 1, 6: 1, 7: 0}
    assert city.plan_totals(by_year, COUNTIES, 2012, 2013, 2017) == {5: None, 6: None, 7: None}
    assert city.plan_totals(by_year, COUNTIES, 2019, 2013, 2017)[7] == 1  # 2018 is after plan.end
