"""The city office (市级汇总, city.md): the recomputation of a county's 17 indicators, the city totals,
completion, 达标, 综合完成率 and the ranking. A received return — its records, the typing of its cells
and the judging of its contents (read_return) — is qoffice.domain.city_return; its names are
re-exported here, so callers use this module for both.

Nothing here trusts a county's 汇总: each indicator is recomputed from the return's detail sheets by
building a ReturnData from them and running the very functions that build the county return
(qoffice.domain.indicators.FORMULAS) — one implementation of each formula, used at both levels.
The city totals run the same functions on one ReturnData merged from the counties' details, with
enterprises distinct by credit code and projects and awards distinct across counties (the listing
of the county that comes first in `counties` is used).

Findings are return contents (they go into the city's 校验 sheet), so they are Chinese, like
qoffice.domain.checks. Plain Python: no Qt, no SQL.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from qoffice.domain import indicators as ind
from qoffice.domain.city_return import (
    CODE,
    CODE_SHEETS,
    COLUMNS,
    DATE_COLUMNS,
    DETAIL_SHEETS,
    ERROR,
    INT_COLUMNS,
    NOTE,
    NOTE_ROWS,
    RATE_COLUMNS,
    ST_MISSING,
    ST_RECEIVED,
    ST_UPDATED,
    ST_WITHDRAWN,
    WAN_COLUMNS,
    WARNING,
    YESNO_COLUMNS,
    BadValue,
    CountyReturn,
    Finding,
    RawReturn,
    RawSheet,
    Reading,
    Row,
    _enterprise,
    _figures,
    _project,
    _who,
    carried_checks,
    converter,
    date,
    decimal,
    integer,
    rate_e4,
    read_return,
    shown,
    sort_findings,
    subsidy_findings,
    text,
    typed,
    yes,
    yuan,
)
from qoffice.domain.returndata import (
    FORMAT_VERSION,
    HEADERS,
    S_AWARDS,
    S_CHECKS,
    S_COVER,
    S_ENTERPRISES,
    S_FORUMS,
    S_PROJECTS,
    S_SIGNUPS,
    S_SUMMARY,
    SHEETS,
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

# What callers read through this module from city_return and returndata (one import for the city office).
__all__ = [
    "CODE", "CODE_SHEETS", "COLUMNS", "DATE_COLUMNS", "DETAIL_SHEETS", "ERROR", "INT_COLUMNS", "NOTE",
    "NOTE_ROWS", "RATE_COLUMNS", "ST_MISSING", "ST_RECEIVED", "ST_UPDATED", "ST_WITHDRAWN", "WAN_COLUMNS",
    "WARNING", "YESNO_COLUMNS", "BadValue", "CountyReturn", "Finding", "RawReturn", "RawSheet", "Reading",
    "Row", "carried_checks", "converter", "date", "decimal", "integer", "rate_e4", "read_return", "shown",
    "sort_findings", "subsidy_findings", "text", "typed", "yes", "yuan",
    "FORMAT_VERSION", "HEADERS", "S_AWARDS", "S_CHECKS", "S_COVER", "S_ENTERPRISES", "S_FORUMS",
    "S_PROJECTS", "S_SIGNUPS", "S_SUMMARY", "SHEETS",
    # this module's own
    "CityTotals", "Assessment", "Values", "county_data", "recompute", "summary_findings", "ordered",
    "city_totals", "completion", "exact_completion", "meets", "assess", "rank", "PLAN_ROWS", "plan_totals",
]


# --- recomputing from a return's rows ------------------------------------------------------------------
class _CityData(ReturnData):
    """ReturnData that works out each selection once (the formulas ask for a year's figures four
    times, for Y's projects six times); frozen after building, so the answers cannot change. Each
    call gets its own list."""

    def _memo(self, key, compute):
        cache = self.__dict__.setdefault("_memo_cache", {})
        found = cache.get(key)
        if found is None:
            found = cache[key] = compute()
        return list(found)

    def figures_of(self, year: int) -> list[FiguresRec]:
        return self._memo(("figures_of", year), lambda: ReturnData.figures_of(self, year))

    def projects_of_year(self) -> list[ProjectRec]:
        return self._memo("projects_of_year", lambda: ReturnData.projects_of_year(self))

    def awards_of_year(self) -> list[AwardRec]:
        return self._memo("awards_of_year", lambda: ReturnData.awards_of_year(self))

    def signups_of_year(self) -> list[SignUpRec]:
        return self._memo("signups_of_year", lambda: ReturnData.signups_of_year(self))


class _Builder:
    """Accumulates one ReturnData from one or more counties' rows. With `distinct`, enterprises,
    projects and awards already listed by an earlier county are skipped (cross-county findings)."""

    def __init__(self, year: int, distinct: bool):
        self.year = year
        self.distinct = distinct
        self.enterprises: dict[int, EnterpriseRec] = {}
        self.by_code: dict[str, int] = {}
        self.listed_by: dict[str, tuple[str, str | None]] = {}  # code → (county, name) of 企业名录's listing
        self.figures: list[FiguresRec] = []
        self.prev_figures: list[FiguresRec] = []
        self.projects: list[ProjectRec] = []
        self.project_keys: dict[tuple, str] = {}
        self.awards: list[AwardRec] = []
        self.award_keys: dict[tuple, str] = {}
        self.forums: list[ForumRec] = []
        self.signups: list[SignUpRec] = []
        self.cross: list[Finding] = []
        self._ids = 0

    def _id(self) -> int:
        self._ids += 1
        return self._ids

    def _ref(self, code: str, name: str | None) -> int:
        """The id of the enterprise with `code`; one not in any 企业名录 (closed during Y: its records
        are in, it does not count) gets a placeholder that is live but does not count for Y."""
        eid = self.by_code.get(code)
        if eid is None:
            eid = self.by_code[code] = self._id()
            self.enterprises[eid] = EnterpriseRec(id=eid, uscc=code, name=name, status="注销",
                                                  status_year=self.year)
        return eid

    def add(self, ret: CountyReturn) -> None:
        for r in ret.sheet(S_ENTERPRISES):
            code = r.get(CODE)
            first = self.listed_by.get(code)
            if first is not None:
                if first[0] != ret.county:
                    self.cross.append(Finding(
                        WARNING, S_ENTERPRISES, None,
                        f"{_who(r)}同时列于{first[0]}和{ret.county}的企业名录，按{first[0]}计入全市"))
                continue
            eid = self.by_code.get(code)
            if eid is None:
                eid = self.by_code[code] = self._id()
            self.enterprises[eid] = _enterprise(r, eid)
            self.listed_by[code] = (ret.county, r.get("企业名称"))
            f = _figures(r, eid, self.year)
            if f is not None:
                self.figures.append(f)
        for r in ret.sheet(S_PROJECTS):
            key = (r.get(CODE), r.get("项目名称"), r.get("年度"))
            first = self.project_keys.get(key)
            if self.distinct and first is not None and first != ret.county:
                self.cross.append(Finding(
                    WARNING, S_PROJECTS, None,
                    f"项目“{r.get('项目名称')}”（{r.get(CODE)}，{r.get('年度')}年）同时列于{first}和{ret.county}，"
                    f"按{first}计入全市（注意重复资助）"))
                continue
            self.project_keys.setdefault(key, ret.county)
            self.projects.append(_project(r, self._id(), self._ref(r.get(CODE), r.get("企业名称"))))
        for r in ret.sheet(S_AWARDS):
            key = (r.get(CODE), r.get("奖项"), r.get("年度"))
            first = self.award_keys.get(key)
            if self.distinct and first is not None and first != ret.county:
                self.cross.append(Finding(
                    WARNING, S_AWARDS, None,
                    f"{r.get('企业名称') or ''}（{r.get(CODE)}）的{r.get('奖项')}（{r.get('年度')}年）同时列于{first}和"
                    f"{ret.county}，按{first}计入全市"))
                continue
            self.award_keys.setdefault(key, ret.county)
            self.awards.append(AwardRec(id=self._id(), enterprise_id=self._ref(r.get(CODE), r.get("企业名称")),
                                        award=r.get("奖项"), year=r.get("年度") or 0))
        for r in ret.sheet(S_FORUMS):
            self.forums.append(ForumRec(id=self._id(), title=r.get("名称"), date=r.get("日期"), status=r.get("状态"),
                                        venue=r.get("地点"), organiser=r.get("主办单位"), topic=r.get("主题"),
                                        people_count=r.get("参加人数")))
        for r in ret.sheet(S_SIGNUPS):
            self.signups.append(SignUpRec(id=self._id(), enterprise_id=self._ref(r.get(CODE), r.get("企业名称")),
                                          status=r.get("状态"), need=r.get("合作需求"), partner_name=r.get("意向合作单位")))

    def add_previous(self, prev: Iterable[CountyReturn]) -> None:
        """Y−1 figures from the counties' Y−1 returns' 企业名录, distinct by credit code there too."""
        seen: set[str] = set()
        for ret in prev:
            for r in ret.sheet(S_ENTERPRISES):
                code = r.get(CODE)
                if code in seen:
                    continue
                seen.add(code)
                f = _figures(r, self._ref(code, r.get("企业名称")), self.year - 1)
                if f is not None:
                    self.prev_figures.append(f)

    def data(self, county: str | None = None) -> ReturnData:
        meeting = MeetingRec(id=0, year=self.year, title=None, date=None) if self.signups else None
        return _CityData(year=self.year, cover=Cover(office=None, county=county), enterprises=self.enterprises,
                          figures=tuple(self.figures + self.prev_figures), projects=tuple(self.projects),
                          awards=tuple(self.awards), forums=tuple(self.forums), meeting=meeting,
                          signups=tuple(self.signups))


def county_data(ret: CountyReturn, prev: CountyReturn | None = None) -> ReturnData:
    b = _Builder(ret.year, distinct=False)
    b.add(ret)
    if prev is not None:
        b.add_previous([prev])
    return b.data(ret.county)


Values = dict[int, "Fraction | int | None"]


def recompute(ret: CountyReturn, prev: CountyReturn | None = None) -> Values:
    """The 17 exact values from the return's details (row 10 only with the county's Y−1 return)."""
    data = county_data(ret, prev)
    return {n: f(data) for n, f in ind.FORMULAS.items()}


def summary_findings(ret: CountyReturn, prev: CountyReturn | None = None,
                     values: Values | None = None) -> list[Finding]:
    """汇总 本年数值 that differs from the recomputed value: "汇总表第N行填报X，按明细计算为Y" (行 N + 1).
    Rows 8, 9 and 11 are 提示 (the county counts enterprises closed during Y that 企业名录 leaves out);
    row 10 is compared only when the county's Y−1 return is current."""
    values = recompute(ret, prev) if values is None else values
    out = []
    for n, _name, _unit in ind.DEFINITIONS:
        if n == 10 and prev is None:
            continue
        computed = ind.present(n, values[n])
        reported = ret.summary.get(n)
        if _same(reported, computed):
            continue
        level = NOTE if n in NOTE_ROWS else WARNING
        computed_text = "空" if computed is None else str(computed)  # as the return would show it (−2.00)
        out.append(Finding(level, S_SUMMARY, n + 1, f"汇总表第{n}行填报{shown(reported)}，按明细计算为{computed_text}",
                           ret.county))
    return out


def _same(reported, computed) -> bool:
    if reported is None or computed is None:
        return reported is None and computed is None
    if not isinstance(reported, Decimal):
        return False
    return reported == Decimal(computed)


# --- the city totals -----------------------------------------------------------------------------------
@dataclass
class CityTotals:
    year: int
    values: Values  # exact
    data: ReturnData
    cross: list[Finding]
    notes: list[Finding]  # year-level 校验 notes (row 10 not computed)

    def shown(self, n: int):
        return ind.present(n, self.values[n])


def ordered(returns: Mapping[str, CountyReturn], counties: Sequence[str]) -> list[CountyReturn]:
    return [returns[c] for c in counties if c in returns]


def city_totals(year: int, current: Mapping[str, CountyReturn], previous: Mapping[str, CountyReturn],
                counties: Sequence[str]) -> CityTotals:
    """The 17 city values for `year` from the current returns (`current`: county → return for Y;
    `previous`: county → return for Y−1), distinct across counties in `counties` order."""
    b = _Builder(year, distinct=True)
    rets = ordered(current, counties)
    for ret in rets:
        b.add(ret)
    notes = []
    have_prev = bool(rets) and all(r.county in previous for r in rets)
    if have_prev:
        b.add_previous(ordered({c: previous[c] for c in (r.county for r in rets)}, counties))
    elif rets:
        missing = "、".join(r.county for r in rets if r.county not in previous)
        notes.append(Finding(NOTE, None, None, f"全市质量损失率同比变化未计算：{missing}没有{year - 1}年度的有效报表"))
    data = b.data()
    values = {n: f(data) for n, f in ind.FORMULAS.items()}
    if not have_prev:
        values[10] = None
    return CityTotals(year, values, data, b.cross, notes)


# --- completion and ranking (绩效考核) ------------------------------------------------------------------
def completion(n: int, exact, target: Decimal | None) -> Decimal | None:
    """完成率(%) to one decimal; empty for rows 9 and 10, an empty value or an empty or zero target."""
    return ind.completion_rate(n, exact, target)


def exact_completion(n: int, exact, target: Decimal | None) -> Fraction | None:
    if n in ind.NO_COMPLETION or exact is None or target is None or target == 0:
        return None
    return Fraction(exact) * 100 / Fraction(target)


def meets(n: int, exact, target: Decimal | None) -> bool | None:
    """达标: rows 9 and 10 value ≤ target, the others value ≥ target; None unless both exist.
    Compared exactly (the rounded value is only how it is shown)."""
    if exact is None or target is None:
        return None
    if n in ind.NO_COMPLETION:
        return Fraction(exact) <= Fraction(target)
    return Fraction(exact) >= Fraction(target)


@dataclass(frozen=True)
class Assessment:
    county: str
    has_return: bool
    overall_exact: Fraction | None  # 综合完成率 before rounding; None when no target > 0
    met: int  # 达标指标数
    unmet: tuple[int, ...]  # 未达标指标 (序号)
    rank: int | None = None

    @property
    def overall(self) -> Decimal | None:
        return None if self.overall_exact is None else ind.round_half_up(self.overall_exact, 1)

    def unmet_names(self) -> str:
        names = {n: name for n, name, _u in ind.DEFINITIONS}
        return "、".join(names[n] for n in self.unmet)


def assess(county: str, values: Values | None, targets: Mapping[int, Decimal | None]) -> Assessment:
    """综合完成率: mean over the indicators with a target > 0 other than 9 and 10 of
    min(exact 完成率, 100), an empty value counting 0; 达标 and 未达标 over the indicators with a target."""
    if values is None:
        return Assessment(county, False, None, 0, ())
    parts = []
    met = 0
    unmet = []
    for n in range(1, 18):
        target = targets.get(n)
        if target is None:
            continue
        ok = meets(n, values.get(n), target)
        if ok:
            met += 1
        else:
            unmet.append(n)
        if n not in ind.NO_COMPLETION and target > 0:
            c = exact_completion(n, values.get(n), target)
            parts.append(min(c, Fraction(100)) if c is not None else Fraction(0))
    overall = sum(parts, Fraction(0)) / len(parts) if parts else None
    return Assessment(county, True, overall, met, tuple(unmet))


def rank(assessments: Sequence[Assessment]) -> list[Assessment]:
    """The 考核排名 order (given `assessments` in `counties` order): exact 综合完成率 descending, then
    达标指标数 descending, then the order of `counties`; a county with no target > 0 after those with
    one; counties without a current return last, unranked."""
    order = {a.county: i for i, a in enumerate(assessments)}
    with_target = [a for a in assessments if a.has_return and a.overall_exact is not None]
    without_target = [a for a in assessments if a.has_return and a.overall_exact is None]
    with_target.sort(key=lambda a: (-a.overall_exact, -a.met, order[a.county]))
    without_target.sort(key=lambda a: (-a.met, order[a.county]))
    ranked = [_with_rank(a, i) for i, a in enumerate(with_target + without_target, start=1)]
    return ranked + [a for a in assessments if not a.has_return]


def _with_rank(a: Assessment, n: int) -> Assessment:
    return Assessment(a.county, a.has_return, a.overall_exact, a.met, a.unmet, n)


# --- plan period (规划期累计) -------------------------------------------------------------------------
PLAN_ROWS = (5, 6, 7)


def plan_totals(by_year: Mapping[int, Mapping[str, CountyReturn]], counties: Sequence[str], year: int,
                start: int, end: int) -> dict[int, Fraction | int | None]:
    """Rows 5, 6, 7 summed over the years start … min(year, end) as far as received (distinct
    across counties within each year); empty when `year` is before `start`."""
    if year < start:
        return {n: None for n in PLAN_ROWS}
    out: dict[int, int] = {n: 0 for n in PLAN_ROWS}
    for y in range(start, min(year, end) + 1):
        current = by_year.get(y) or {}
        if not current:
            continue
        b = _Builder(y, distinct=True)
        for ret in ordered(current, counties):
            b.add(ret)
        data = b.data()
        for n in PLAN_ROWS:
            out[n] += ind.FORMULAS[n](data)
    return out
