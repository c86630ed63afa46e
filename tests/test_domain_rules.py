import datetime as dt
from decimal import Decimal

import pytest

from qoffice.domain import enterprise as rules
from qoffice.domain import money, subsidy, vocab


def test_subsidy_needs_more_than_500000():
    assert not subsidy.decide(500_000, "高等院校").qualifies
    assert subsidy.decide(500_001, "高等院校").amount_yuan == 150_000  # 150000.3 → 150000


def test_subsidy_is_30_percent_half_up():
    assert subsidy.decide(500_005, "质量研究咨询机构").amount_yuan == 150_002  # 150001.5 → 150002
    assert subsidy.decide(1_000_000, "高等院校").amount_yuan == 300_000


@pytest.mark.parametrize("ptype", ["科研院所", "行业协会", "企业", "其他", None])
def test_subsidy_only_for_universities_and_quality_institutes(ptype):
    d = subsidy.decide(2_000_000, ptype)
    assert d.amount_yuan == 0 and d.reason


def test_subsidy_reason_for_small_investment():
    assert "50" in subsidy.decide(500_000, "高等院校").reason


def test_money_half_up_not_bankers():
    assert money.wan_to_yuan("0.00005") == (1, True)  # 0.5 yuan → 1
    assert money.wan_to_yuan("50.0001") == (500_001, False)
    assert money.round_half_up(Decimal("2.5")) == 3
    assert money.round_half_up(Decimal("0.125"), 2) == Decimal("0.13")


def test_float_money_is_read_exactly():
    assert money.wan_to_yuan(0.1) == (1000, False)


def test_rate_scaled_to_four_decimals_half_up():
    assert money.rate_to_scaled("1.23455") == (12346, True)
    assert money.scaled_to_rate(12346) == Decimal("1.2346")


def test_trade_implies_group():
    assert rules.resolve_industry(None, "精细化工").group == "特色产业"


def test_unknown_trade_kept_under_given_group_or_other_with_warning():
    r = rules.resolve_industry(None, "机器人")
    assert (r.group, r.trade) == ("其他", "机器人") and r.warning and not r.error
    r = rules.resolve_industry("新兴产业", "机器人")
    assert r.group == "新兴产业" and r.warning


def test_trade_contradicting_group_is_error():
    assert rules.resolve_industry("传统产业", "新能源").error


def test_non_active_status_needs_year():
    assert rules.status_problem("注销", None)
    assert rules.status_problem("注销", 2023) is None
    assert rules.status_problem("在营", None) is None


def test_counts_for_year():
    assert rules.counts_for_year(deleted=False, status="在营", status_year=None, year=2024)
    assert rules.counts_for_year(deleted=False, status="注销", status_year=2025, year=2024)
    assert not rules.counts_for_year(deleted=False, status="注销", status_year=2024, year=2024)
    assert not rules.counts_for_year(deleted=True, status="在营", status_year=None, year=2024)


def test_benchmarking_counts_from_start_year_or_always():
    assert rules.benchmarking_counts(benchmark=True, since=None, year=2024)
    assert rules.benchmarking_counts(benchmark=True, since=2024, year=2024)
    assert not rules.benchmarking_counts(benchmark=True, since=2025, year=2024)
    assert not rules.benchmarking_counts(benchmark=False, since=None, year=2024)


def test_cqo_counts_when_appointed_by_end_of_year():
    assert rules.cqo_counts(cqo_name="张三", appointed=dt.date(2024, 12, 31), year=2024)
    assert not rules.cqo_counts(cqo_name="张三", appointed=dt.date(2025, 1, 1), year=2024)
    assert rules.cqo_counts(cqo_name="张三", appointed=None, year=2024)
    assert not rules.cqo_counts(cqo_name="", appointed=None, year=2024)


def test_figures_rules():
    assert rules.figures_problem(10, None)
    assert rules.figures_problem(10, 11)
    assert rules.figures_problem(10, 10) is None
    assert rules.figures_problem(None, None, "100.5")
    assert rules.figures_problem(None, None, "0") is None


def test_vocabularies_are_defined_once_in_order():
    assert vocab.PROJECT_TYPES == ("质量攻关", "质量改进", "QC课题成果", "质量创新", "产学研合作")
    assert vocab.SIGNUP_COUNTS_AGAINST_CAPACITY == ("已报名", "已确认", "已签到", "缺席")
