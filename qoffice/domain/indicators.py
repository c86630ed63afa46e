"""The 17 indicators of the return's 汇总 sheet, one pure function each, and their completion rates.

Values are computed exactly (integers, Fractions) and rounded half-up once, at the end: rows 8–10
to two decimals, rows 11 and 16 exact 万元, the others integers (return-format.md).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from qoffice.domain import vocab
from qoffice.domain.returndata import ReturnData

# (number, 指标, 单位) in the order of 汇总.
DEFINITIONS: tuple[tuple[int, str, str], ...] = (
    (1, "卓越绩效管理模式导入企业数", "家"),
    (2, "质量攻关和改进计划数", "项"),
    (3, "质量课题成果数", "项"),
    (4, "开展质量比对提升企业数", "家"),
    (5, "质量产学研成果项目数", "项"),
    (6, "中国质量奖获奖数", "个"),
    (7, "江苏省质量奖获奖数", "个"),
    (8, "省级监督抽查合格率", "%"),
    (9, "质量损失率", "%"),
    (10, "质量损失率同比变化", "百分点"),
    (11, "质量成果效益", "万元"),
    (12, "质量交流会/论坛举办次数", "次"),
    (13, "产学研对接会报名企业数", "家"),
    (14, "产学研合作签约项目数", "项"),
    (15, "市财政资助项目数", "项"),
    (16, "市财政资助金额", "万元"),
    (17, "设立首席质量官企业数", "家"),
)
TWO_DECIMALS = (8, 9, 10)
MONEY_ROWS = (11, 16)
NO_COMPLETION = (9, 10)  # lower is better there
# What a target (目标值, from the settings) may be, per row: percentages 0–100, row 10 a change in
# percentage points (the policy's goal is a fall, e.g. −0.05), 万元 up to 1 亿万元, counts up to 1,000,000.
TARGET_PLACES = 4  # decimals a target may have
TARGET_RANGES: dict[int, tuple[Decimal, Decimal]] = {
    n: ((Decimal(-100), Decimal(100)) if n == 10 else (Decimal(0), Decimal(100)) if n in (8, 9)
        else (Decimal(0), Decimal(10) ** 8) if n in (11, 16) else (Decimal(0), Decimal(10) ** 6))
    for n in range(1, 18)
}


def target_problem(number: int, value: Decimal) -> str | None:
    """Why `value` cannot be the target of row `number` ("nan", "range", "places"), or None."""
    if not value.is_finite():
        return "nan"
    lo, hi = TARGET_RANGES[number]
    if not (lo <= value <= hi):
        return "range"
    if value != 0 and value.normalize().as_tuple().exponent < -TARGET_PLACES:
        return "places"
    return None


SIGNED_STAGES = (vocab.STAGE_SIGNED, vocab.STAGE_ADVANCING, vocab.STAGE_EFFECTIVE)
YUAN_PER_WAN = 10000


def round_half_up(value: Fraction | int, places: int) -> Decimal:
    """Exact half-up (ties away from zero) of an exact value, as a Decimal with `places` decimals."""
    value = Fraction(value)
    scaled = abs(value) * 10 ** places
    n = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)  # floor(x + 1/2)
    if value < 0:
        n = -n
    return Decimal(n).scaleb(-places)


def exact_decimal(value: Fraction) -> Decimal:
    """A Fraction whose denominator divides a power of ten (money in 万元) as an exact Decimal."""
    if value.denominator == 1:
        return Decimal(value.numerator)
    return Decimal(value.numerator) / Decimal(value.denominator)


# --- the indicators ---------------------------------------------------------------------------------
def excellence_adopters(data: ReturnData) -> int:
    """1: enterprises counting for Y whose performance-excellence adoption year is Y."""
    year = data.year
    return sum(1 for e in data.enterprise_rows() if e.excellence_year == year)


def tackling_and_improvement(data: ReturnData) -> int:
    """2: projects of Y of type 质量攻关 or 质量改进."""
    return sum(1 for p in data.projects_of_year() if p.type in (vocab.PT_TACKLING, vocab.PT_IMPROVEMENT))


def qc_results(data: ReturnData) -> int:
    """3: projects of Y of type QC课题成果."""
    return sum(1 for p in data.projects_of_year() if p.type == vocab.PT_QC)


def benchmarking_enterprises(data: ReturnData) -> int:
    """4: key benchmarking enterprises counting for Y whose start year is ≤ Y or not given."""
    return len(data.benchmarking_ids())


def cooperation_results(data: ReturnData) -> int:
    """5: 产学研合作 projects of Y at stage 见效."""
    return sum(1 for p in data.projects_of_year()
               if p.type == vocab.PT_COOPERATION and p.stage == vocab.STAGE_EFFECTIVE)


def china_awards(data: ReturnData) -> int:
    """6: awards of Y named 中国质量奖 (the nomination award is another name, not counted)."""
    return sum(1 for a in data.awards_of_year() if a.award == vocab.AWARD_CHINA)


def jiangsu_awards(data: ReturnData) -> int:
    """7: awards of Y named 江苏省质量奖."""
    return sum(1 for a in data.awards_of_year() if a.award == vocab.AWARD_JIANGSU)


def pass_rate(data: ReturnData, year: int | None = None) -> Fraction | None:
    """8: 100 × Σ passed / Σ checked over the year's figures; None when nothing was checked."""
    checked = passed = 0
    for f in data.figures_of(data.year if year is None else year):
        if f.checked is not None and f.passed is not None:
            checked += f.checked
            passed += f.passed
    if checked == 0:
        return None
    return Fraction(100 * passed, checked)


def loss_rate(data: ReturnData, year: int | None = None) -> Fraction | None:
    """9: mean of the year's loss rates of the enterprises that reported one; None if none did."""
    rates = [f.loss_rate_e4 for f in data.figures_of(data.year if year is None else year)
             if f.loss_rate_e4 is not None]
    if not rates:
        return None
    return Fraction(sum(rates), len(rates) * 10000)


def loss_rate_change(data: ReturnData) -> Fraction | None:
    """10: exact row 9 of Y minus exact row 9 of Y−1; None when either is empty."""
    this, last = loss_rate(data, data.year), loss_rate(data, data.year - 1)
    if this is None or last is None:
        return None
    return this - last


def benefit_wan(data: ReturnData) -> Fraction | None:
    """11: Σ quality-result benefit of Y's figures, in 万元; None when nobody reported one."""
    values = [f.benefit_yuan for f in data.figures_of(data.year) if f.benefit_yuan is not None]
    if not values:
        return None
    return Fraction(sum(values), YUAN_PER_WAN)


def forums_held(data: ReturnData) -> int:
    """12: forums dated in Y with status 已举办."""
    return sum(1 for f in data.forums_of_year() if f.status == vocab.FORUM_HELD)


def meeting_signups(data: ReturnData) -> int:
    """13: sign-ups to Y's meeting that are not withdrawn (候补 counts)."""
    return sum(1 for s in data.signups_of_year() if s.status != vocab.SU_WITHDRAWN)


def cooperation_signed(data: ReturnData) -> int:
    """14: 产学研合作 projects of Y at stage 签约, 推进 or 见效."""
    return sum(1 for p in data.projects_of_year() if p.type == vocab.PT_COOPERATION and p.stage in SIGNED_STAGES)


def subsidised_projects(data: ReturnData) -> int:
    """15: projects of Y that qualify for the city's subsidy."""
    return sum(1 for p in data.projects_of_year() if p.subsidy().qualifies)


def subsidy_wan(data: ReturnData) -> Fraction:
    """16: Σ of the subsidies (each already rounded to the yuan) of Y's projects, in 万元."""
    return Fraction(sum(p.subsidy().amount_yuan for p in data.projects_of_year()), YUAN_PER_WAN)


def cqo_enterprises(data: ReturnData) -> int:
    """17: enterprises counting for Y with a chief quality officer counted for Y."""
    return len(data.cqo_ids())


FORMULAS: dict[int, Callable[[ReturnData], Fraction | int | None]] = {
    1: excellence_adopters, 2: tackling_and_improvement, 3: qc_results, 4: benchmarking_enterprises,
    5: cooperation_results, 6: china_awards, 7: jiangsu_awards, 8: pass_rate, 9: loss_rate,
    10: loss_rate_change, 11: benefit_wan, 12: forums_held, 13: meeting_signups, 14: cooperation_signed,
    15: subsidised_projects, 16: subsidy_wan, 17: cqo_enterprises,
}


# --- the 汇总 rows ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndicatorRow:
    number: int
    name: str
    unit: str
    value: Decimal | int | None  # 本年数值 as written: integers, 2 decimals, or exact 万元
    exact: Fraction | int | None  # before rounding
    target: Decimal | None
    completion: Decimal | None  # 完成率(%) to one decimal

    def value_text(self) -> str | None:
        return None if self.value is None else str(self.value)


def present(number: int, exact: Fraction | int | None) -> Decimal | int | None:
    """The value as the return shows it: rounding happens here, once."""
    if exact is None:
        return None
    if number in TWO_DECIMALS:
        return round_half_up(exact, 2)
    if number in MONEY_ROWS:
        return exact_decimal(Fraction(exact))
    return int(exact)


def completion_rate(number: int, exact: Fraction | int | None, target: Decimal | None) -> Decimal | None:
    """本年数值 / 目标值 × 100 to one decimal, from the exact value; empty for rows 9 and 10, for an
    empty value and for an empty or zero target."""
    if number in NO_COMPLETION or exact is None or target is None or target == 0:
        return None
    return round_half_up(Fraction(exact) * 100 / Fraction(target), 1)


def compute(data: ReturnData) -> list[IndicatorRow]:
    rows = []
    for number, name, unit in DEFINITIONS:
        exact = FORMULAS[number](data)
        target = data.targets.get(number)
        rows.append(IndicatorRow(number, name, unit, present(number, exact), exact, target,
                                 completion_rate(number, exact, target)))
    return rows


def as_json(rows: list[IndicatorRow]) -> dict[str, str | None]:
    """The 17 numbers as the 报送记录 keeps them: number → value text (None when empty)."""
    return {str(r.number): r.value_text() for r in rows}
