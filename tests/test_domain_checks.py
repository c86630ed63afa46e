"""The return's checks: each error that stops the export, each warning that goes into 校验."""
from __future__ import annotations

import datetime as dt

from qoffice.domain import checks
from qoffice.domain.returndata import (
    AwardRec,
    Cover,
    EnterpriseRec,
    FiguresRec,
    ForumRec,
    ProjectRec,
    ReturnData,
)
from qoffice.domain.uscc import make_valid

Y = 2023
HELD = (ForumRec(900, "年度质量论坛", dt.date(Y, 5, 1), "已举办"),)


def code(n: int) -> str:
    return make_valid(f"9132060{n:010d}")


def ent(n: int, **kw) -> EnterpriseRec:
    kw.setdefault("uscc", code(n))
    kw.setdefault("name", f"企业{n}")
    kw.setdefault("county", "崇川区")
    return EnterpriseRec(id=n, **kw)


def run(enterprises=(), cover=None, forums=HELD, **kw):
    ents = list(enterprises) or [ent(1)]
    d = ReturnData(year=Y, cover=cover or Cover("崇川区质量强市办", "崇川区"),
                   enterprises={e.id: e for e in ents}, forums=forums, **kw)
    return checks.check(d)


def test_clean_data_has_no_problems():
    result = run()
    assert result.errors == [] and result.warnings == []


# --- errors -------------------------------------------------------------------------------------------
def test_empty_office_or_county_on_the_cover_is_an_error():
    result = run(cover=Cover("", None))
    assert [(p.sheet, p.row, p.table, p.record_id) for p in result.errors] == [
        ("封面", 1, "setting", "office"), ("封面", 2, "setting", "county")]
    assert all(p.level == "错误" for p in result.errors)


def test_invalid_credit_code_is_an_error_pointing_at_its_row():
    bad = code(2)[:17] + ("0" if code(2)[17] != "0" else "1")
    result = run([ent(1), ent(2, uscc=bad)])
    assert len(result.errors) == 1
    e = result.errors[0]
    assert (e.sheet, e.table, e.record_id) == ("企业名录", "enterprise", 2)
    assert e.row == 3  # sorted by code: ent(1) on row 2, ent(2) on row 3
    assert "企业2" in e.message and "校验位" in e.message


def test_duplicate_credit_code_is_an_error():
    result = run([ent(1), ent(2, uscc=code(1).lower())])
    dup = [p for p in result.errors if "重复" in p.message]
    assert {p.record_id for p in dup} == {1, 2}


def test_missing_name_or_code_is_an_error():
    result = run([ent(1, name=""), ent(2, uscc=None)])
    messages = [p.message for p in result.errors]
    assert any("缺少企业名称" in m for m in messages)
    assert any("缺少统一社会信用代码" in m for m in messages)


def test_missing_project_title_is_an_error():
    result = run(projects=(ProjectRec(5, 1, "质量攻关", "", Y),))
    assert [(p.sheet, p.row, p.table, p.record_id) for p in result.errors] == [("质量项目", 2, "project", 5)]


def test_passed_more_than_checked_is_an_error():
    result = run(figures=(FiguresRec(1, Y, checked=3, passed=4, id=7),))
    assert [(p.sheet, p.row, p.table, p.record_id) for p in result.errors] == [("企业名录", 2, "year_figures", 7)]
    assert "大于" in result.errors[0].message


def test_passed_without_checked_is_an_error():
    result = run(figures=(FiguresRec(1, Y, passed=4),))
    assert len(result.errors) == 1


def test_rate_outside_0_100_is_an_error():
    result = run(figures=(FiguresRec(1, Y, loss_rate_e4=1_000_001),))
    assert len(result.errors) == 1 and "0～100" in result.errors[0].message
    result = run(figures=(FiguresRec(1, Y, loss_rate_e4=-1),))
    assert len(result.errors) == 1
    assert run(figures=(FiguresRec(1, Y, loss_rate_e4=1_000_000),)).errors == []


def test_problems_outside_the_year_or_of_deleted_enterprises_are_not_checked():
    result = run([ent(1), ent(2, uscc="BAD", deleted=True)],
                 figures=(FiguresRec(1, Y - 3, checked=1, passed=5), FiguresRec(2, Y, checked=1, passed=5)))
    assert result.errors == []


def test_enterprise_closed_before_the_year_is_checked_through_its_records():
    closed = ent(2, uscc="913206000000000000", status="注销", status_year=Y - 1)
    result = run([ent(1), closed], awards=(AwardRec(3, 2, "县级质量奖", Y),))
    assert [(p.sheet, p.row) for p in result.errors] == [("获奖情况", 2)]


# --- warnings -----------------------------------------------------------------------------------------
def test_no_forum_held_is_a_year_level_warning():
    result = run(forums=(ForumRec(1, "计划中的论坛", dt.date(Y, 11, 1), "计划"),))
    w = result.warnings
    assert [(p.level, p.sheet, p.row) for p in w] == [("警告", "交流活动", None)]
    assert "没有举办" in w[0].message


def test_more_than_two_forums_not_cancelled_is_a_warning():
    forums = (ForumRec(1, "一", dt.date(Y, 3, 1), "已举办"), ForumRec(2, "二", dt.date(Y, 4, 1), "计划"),
              ForumRec(3, "三", dt.date(Y, 5, 1), "已取消"))
    assert run(forums=forums).warnings == []
    forums += (ForumRec(4, "四", dt.date(Y, 6, 1), "计划"),)
    w = run(forums=forums).warnings
    assert len(w) == 1 and "3场" in w[0].message and "“四”" in w[0].message and w[0].row is None


def test_benchmarking_enterprise_without_innovation_project():
    e = ent(1, benchmark=True)
    w = run([e]).warnings
    assert [(p.sheet, p.row, p.record_id) for p in w] == [("企业名录", 2, 1)]
    assert "质量创新" in w[0].message and "企业1" in w[0].message
    assert run([e], projects=(ProjectRec(1, 1, "质量创新", "创新", Y),)).warnings == []
    # not yet benchmarking in Y: no warning
    assert run([ent(1, benchmark=True, benchmark_since=Y + 1)]).warnings == []


def test_benchmarking_loss_rate_not_falling():
    e = ent(1, benchmark=True)
    inno = (ProjectRec(1, 1, "质量创新", "创新", Y),)
    same = (FiguresRec(1, Y, loss_rate_e4=10000), FiguresRec(1, Y - 1, loss_rate_e4=10000))
    w = run([e], projects=inno, figures=same).warnings
    assert len(w) == 1 and "未低于" in w[0].message
    lower = (FiguresRec(1, Y, loss_rate_e4=9999), FiguresRec(1, Y - 1, loss_rate_e4=10000))
    assert run([e], projects=inno, figures=lower).warnings == []
    only_this_year = (FiguresRec(1, Y, loss_rate_e4=10000),)
    assert run([e], projects=inno, figures=only_this_year).warnings == []


def test_cqo_without_phone():
    w = run([ent(1, cqo_name="王五")]).warnings
    assert len(w) == 1 and "王五" in w[0].message and w[0].row == 2
    assert run([ent(1, cqo_name="王五", cqo_phone="13800000000")]).warnings == []
    # appointed after Y: not a CQO in Y's return
    assert run([ent(1, cqo_name="王五", cqo_appointed=dt.date(Y + 1, 2, 1))]).warnings == []


def test_county_empty_or_different_from_cover():
    w = run([ent(1, county=None), ent(2, county="通州区")]).warnings
    assert [(p.row, p.record_id) for p in w] == [(2, 1), (3, 2)]
    assert "区县为空" in w[0].message and "通州区" in w[1].message


def test_warnings_sorted_by_sheet_then_row():
    w = run([ent(2, county="通州区"), ent(1, cqo_name="甲")], forums=()).warnings
    assert [(p.sheet, p.row) for p in w] == [("企业名录", 2), ("企业名录", 3), ("交流活动", None)]


def test_problem_json_shape():
    p = run(forums=()).warnings[0]
    assert p.as_json() == {"level": "警告", "sheet": "交流活动", "row": None, "message": p.message}
