"""The city office (市级汇总, city.md): a received county return as plain records, the recomputation
of its 17 indicators, the city totals, completion, 达标, 综合完成率 and the ranking.

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

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from fractions import Fraction

from qoffice.domain import indicators as ind
from qoffice.domain import uscc
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

ERROR = "错误"
WARNING = "警告"
NOTE = "提示"

DETAIL_SHEETS = (S_ENTERPRISES, S_PROJECTS, S_AWARDS, S_FORUMS, S_SIGNUPS)
# The stored columns of each sheet (its headers without 序号), in the contract's order.
COLUMNS = {name: tuple(h for h in HEADERS[name] if h != "序号") for name in DETAIL_SHEETS + (S_CHECKS,)}
CODE_SHEETS = (S_ENTERPRISES, S_PROJECTS, S_AWARDS, S_SIGNUPS)  # sheets whose rows name an enterprise
CODE = "统一社会信用代码"
NOTE_ROWS = (8, 9, 11)  # recomputed from 企业名录 only: a difference is 提示 (city.md)

# Column kinds of the return's sheets (return-format.md), by header.
INT_COLUMNS = {"卓越绩效导入年份", "抽查批次", "抽查合格批次", "年度", "参加企业数", "参加人数", "行", "序号"}
WAN_COLUMNS = {"质量成果效益(万元)", "投资额(万元)", "资助金额(万元)", "成果效益(万元)"}
RATE_COLUMNS = {"质量损失率(%)"}
DATE_COLUMNS = {"日期"}
YESNO_COLUMNS = {"高耗能企业", "市重点质量比对企业", "质量研究中心"}

# 报送状态 words (city.md)
ST_RECEIVED = "已报送"
ST_UPDATED = "已更新"
ST_WITHDRAWN = "已退回"
ST_MISSING = "未报送"


@dataclass(frozen=True)
class Finding:
    level: str  # 错误 / 警告 / 提示
    sheet: str | None  # the sheet of the county's file the finding is about
    row: int | None  # the Excel row in that sheet (None for a file- or year-level finding)
    message: str
    county: str | None = None  # set on the city's lists; None for a cross-county finding

    def as_json(self) -> dict:
        return {"level": self.level, "sheet": self.sheet, "row": self.row, "message": self.message}


class Row:
    """One data row of a received sheet: its Excel row and its values by the contract's header."""

    __slots__ = ("number", "values", "get", "scaled")

    def __init__(self, number: int, values: Mapping[str, object]):
        self.number = number
        self.values = values
        self.get = values.get  # r.get(header): the dict's own method, no Python frame per cell
        self.scaled = None  # the row's money and rates as integers, worked out once (_figures, _project)

    def __eq__(self, other) -> bool:
        return isinstance(other, Row) and (self.number, dict(self.values)) == (other.number, dict(other.values))

    def __repr__(self) -> str:
        return f"Row({self.number}, {dict(self.values)!r})"


@dataclass
class RawSheet:
    """A sheet as the reader found it: either `rows` (values by the contract's header), or — what
    the excel reader hands over, cheaper for 100,000 rows — `columns` (header → column index) and
    `table` (Excel row number, the row's cells)."""

    name: str
    rows: list[Row] = field(default_factory=list)
    columns: dict[str, int] | None = None
    table: list[tuple[int, list]] | None = None

    def all_rows(self) -> list[Row]:
        if self.table is None:
            return self.rows
        items = list(self.columns.items())
        return [Row(n, {h: (None if cells[c] == "" else cells[c]) for h, c in items}) for n, cells in self.table]


@dataclass
class RawReturn:
    """What the excel layer hands over: the cover's label → value, and the sheets (by contract name)."""

    cover: dict[str, object]
    sheets: dict[str, RawSheet]


@dataclass
class CountyReturn:
    """A received return as plain, storable records (values typed, credit codes normalised)."""

    county: str
    year: int
    office: str | None = None
    operator: str | None = None
    phone: str | None = None
    filled_date: dt.date | None = None
    software_version: str | None = None
    format_version: int = FORMAT_VERSION
    summary: dict[int, object] = field(default_factory=dict)  # 序号 → 本年数值 as written (None = empty)
    rows: dict[str, list[Row]] = field(default_factory=dict)  # detail sheets and 校验

    def sheet(self, name: str) -> list[Row]:
        return self.rows.get(name, [])


@dataclass
class Reading:
    """The outcome of judging one file: the return (None when refused), errors and warnings."""

    ret: CountyReturn | None
    errors: list[Finding]
    warnings: list[Finding]

    @property
    def refused(self) -> bool:
        return self.ret is None


# --- values ------------------------------------------------------------------------------------------
class BadValue(ValueError):
    pass


def text(value) -> str | None:
    if value.__class__ is str:  # the common case, first: a plain text cell
        value = value.strip()
        return value or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) or value.time() == dt.time() \
            else value.isoformat(sep=" ")
    s = str(value).strip()
    return s or None


def decimal(value) -> Decimal | None:
    if value.__class__ is float:
        d = Decimal(repr(value))  # the shortest text that round-trips: 0.1 → 0.1
        if not d.is_finite():
            raise BadValue(value)
        return d
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadValue(value)
    try:
        if isinstance(value, float):
            d = Decimal(repr(value))
        else:
            d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise BadValue(value) from None
    if not d.is_finite():
        raise BadValue(value)
    return d


def integer(value) -> int | None:
    cls = value.__class__
    if cls is int:
        return value
    if cls is float and value.is_integer():  # what a reader gives for a number cell
        return int(value)
    d = decimal(value)
    if d is None:
        return None
    if d != d.to_integral_value():
        raise BadValue(value)
    return int(d)


def date(value) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        raise BadValue(value) from None


def yes(value) -> bool:
    return text(value) in ("是", "1", "True", "TRUE", "true", "Y", "y")


def _code(value):
    if value.__class__ is str and len(value) == 18 and value.isascii() and value.isalnum():
        return value.upper()  # the common case: a code as written, nothing to normalise
    return uscc.normalize(text(value)) or None


def _yesno(value):
    if value == "是" or value == "否":
        return value
    return None if text(value) is None else ("是" if yes(value) else "否")


def converter(header: str):
    """The function that types a cell of column `header` (chosen once per column)."""
    if header == CODE:
        return _code
    if header in INT_COLUMNS:
        return integer
    if header in WAN_COLUMNS or header in RATE_COLUMNS:
        return decimal
    if header in DATE_COLUMNS:
        return date
    if header in YESNO_COLUMNS:
        return _yesno
    return text


def typed(header: str, value):
    """A cell's value as the contract's type for its column (BadValue when it cannot be)."""
    return converter(header)(value)


_HALF_UP_UNIT = Decimal(1)
_WIDE = Context(prec=60)


def _scaled(value: Decimal | None, scale: int) -> int | None:
    """value × scale as an integer, half-up (exact Decimal arithmetic: the same result as rounding
    the exact Fraction, without its cost on 100,000 cells)."""
    if value is None:
        return None
    exact = value.scaleb(4, _WIDE) if scale == 10000 else _WIDE.multiply(value, scale)  # scaleb: exponent only
    whole = int(exact)
    if whole == exact:
        return whole
    return int(exact.quantize(_HALF_UP_UNIT, rounding=ROUND_HALF_UP, context=_WIDE))


def yuan(wan: Decimal | None) -> int | None:
    """万元 (exact up to 4 decimals) → integer yuan, half-up for anything finer."""
    return _scaled(wan, ind.YUAN_PER_WAN)


def rate_e4(rate: Decimal | None) -> int | None:
    return _scaled(rate, 10000)


def shown(value) -> str:
    """A value as a message quotes it."""
    if value is None:
        return "空"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


# --- reading a return ----------------------------------------------------------------------------------
def read_return(raw: RawReturn, counties: Sequence[str], *, today: dt.date | None = None) -> Reading:
    """Judge one return already read into sheets (city.md "Receiving a return"): the refusal rules
    give errors (then `ret` is None), the others warnings. Header and formula findings are the
    reader's; this covers the contents."""
    today = today or dt.date.today()
    errors: list[Finding] = []
    warnings: list[Finding] = []
    cover = raw.cover

    fmt = cover.get("格式版本")
    try:
        fmt_n = integer(fmt)
    except BadValue:
        fmt_n = None
    if fmt_n != FORMAT_VERSION:
        errors.append(Finding(ERROR, S_COVER, 8, f"格式版本为{shown(text(fmt))}：由更新版本的软件生成，或不是本软件的报表，"
                                                 "请升级软件或请区县按格式版本1重新报送"))
    county = text(cover.get("区县"))
    if county is None:
        errors.append(Finding(ERROR, S_COVER, 2, "封面未填区县"))
    elif county not in counties:
        errors.append(Finding(ERROR, S_COVER, 2, f"封面区县“{county}”不在本市区县列表中"))
    try:
        year = integer(cover.get("年度"))
    except BadValue:
        year = None
    if year is None or not (1949 <= year <= 2100):
        errors.append(Finding(ERROR, S_COVER, 3, f"封面年度“{shown(text(cover.get('年度')))}”不是年份"))
        year = None
    try:
        filled = date(cover.get("填报日期"))
    except BadValue:
        filled = None
        warnings.append(Finding(WARNING, S_COVER, 6, f"封面填报日期“{text(cover.get('填报日期'))}”不是日期"))
    if filled is not None and filled > today:
        warnings.append(Finding(WARNING, S_COVER, 6, f"填报日期{filled.isoformat()}晚于今天"))

    rows: dict[str, list[Row]] = {}
    for name in DETAIL_SHEETS + (S_CHECKS,):
        sheet = raw.sheets.get(name)
        out = []
        if sheet is not None and sheet.table is not None:
            # From the reader: cells by column index; an empty string is an empty cell.
            # Column by column (one converter over a whole column), then the rows zipped together:
            # the cheap way through 100,000 rows. Every converter takes "" (an empty cell) for empty.
            convs_i = [(h, converter(h), sheet.columns[h]) for h in COLUMNS[name]]
            table = sheet.table
            try:
                columns = [[conv(cells[c]) for _n, cells in table] for _h, conv, c in convs_i]
            except BadValue:
                columns = None
            if columns is not None:
                headers = COLUMNS[name]
                out = [Row(number, dict(zip(headers, values)))
                       for (number, _cells), values in zip(table, zip(*columns))] if table else []
            else:  # a bad value somewhere: row by row, naming each bad cell
                for number, cells in table:
                    try:
                        values = {h: conv(cells[c]) for h, conv, c in convs_i}
                    except BadValue:
                        values = _typed_slowly(name, number, {h: (None if cells[c] == "" else cells[c])
                                                              for h, _conv, c in convs_i}, warnings)
                    out.append(Row(number, values))
        else:
            convs = [(h, converter(h)) for h in COLUMNS[name]]
            for r in (sheet.rows if sheet else []):
                get = r.values.get
                try:
                    values = {header: conv(get(header)) for header, conv in convs}
                except BadValue:
                    values = _typed_slowly(name, r.number, r.values, warnings)
                out.append(Row(r.number, values))
        rows[name] = out

    # Credit codes: present and valid in every detail row; unique in 企业名录.
    seen: dict[str, int] = {}
    for name in CODE_SHEETS:
        for r in rows[name]:
            code = r.get(CODE)
            if not code:
                errors.append(Finding(ERROR, name, r.number, "统一社会信用代码为空"))
            elif uscc.problem(code) is not None:
                errors.append(Finding(ERROR, name, r.number, f"统一社会信用代码{code}校验位错误或格式不对"))
            elif name == S_ENTERPRISES:
                if code in seen:
                    errors.append(Finding(ERROR, name, r.number,
                                          f"统一社会信用代码{code}在企业名录中重复（第{seen[code]}行）"))
                else:
                    seen[code] = r.number
    if county is not None:
        for r in rows[S_ENTERPRISES]:
            c = r.get("区县")
            if c is not None and c != county:
                warnings.append(Finding(WARNING, S_ENTERPRISES, r.number,
                                        f"{_who(r)}的区县“{c}”与封面的“{county}”不同"))

    summary: dict[int, object] = {}
    sheet = raw.sheets.get(S_SUMMARY)
    for r in (sheet.all_rows() if sheet else []):
        try:
            n = integer(r.get("序号"))
        except BadValue:
            n = None
        if n is None or not (1 <= n <= 17):
            continue
        try:
            summary[n] = decimal(r.get("本年数值"))
        except BadValue:
            summary[n] = text(r.get("本年数值"))

    if errors:
        return Reading(None, errors, warnings)
    ret = CountyReturn(
        county=county, year=year, office=text(cover.get("填报单位")), operator=text(cover.get("填报人")),
        phone=text(cover.get("联系电话")), filled_date=filled, software_version=text(cover.get("软件版本")),
        format_version=fmt_n, summary=summary, rows=rows)
    warnings.extend(subsidy_findings(ret))
    warnings.extend(carried_checks(ret))
    return Reading(ret, errors, warnings)


def _typed_slowly(name: str, number: int, raw_values, warnings: list[Finding]) -> dict:
    """Type a row cell by cell, a bad value left empty with a warning naming it."""
    values = {}
    for header in COLUMNS[name]:
        v = raw_values.get(header)
        try:
            values[header] = converter(header)(v)
        except BadValue:
            values[header] = None
            warnings.append(Finding(WARNING, name, number, f"“{header}”列的“{text(v)}”不是有效的值，按空值处理"))
    return values


def _who(r: Row) -> str:
    name = r.get("企业名称") or "（未填名称）"
    return f"“{name}”（{r.get(CODE)}）"


def carried_checks(ret: CountyReturn) -> list[Finding]:
    """The county's own 校验 rows, carried into the city's 校验 with their own 表 and 行."""
    out = []
    for r in ret.sheet(S_CHECKS):
        level = r.get("级别") if r.get("级别") in (WARNING, NOTE) else WARNING
        out.append(Finding(level, r.get("表"), r.get("行"), r.get("说明") or "", ret.county))
    return out


def subsidy_findings(ret: CountyReturn) -> list[Finding]:
    """A 资助金额 that differs from the subsidy rule: 警告 (the rule's amount is what counts)."""
    out = []
    for r in ret.sheet(S_PROJECTS):
        rule = _project(r, 0, 0).subsidy().amount_yuan
        given = yuan(r.get("资助金额(万元)"))
        if (given or 0) != rule:
            out.append(Finding(WARNING, S_PROJECTS, r.number,
                               f"项目“{r.get('项目名称')}”资助金额填报{shown(r.get('资助金额(万元)'))}万元，按资助规则应为"
                               f"{shown(ind.exact_decimal(Fraction(rule, ind.YUAN_PER_WAN)))}万元", ret.county))
    return out


# --- records from rows -----------------------------------------------------------------------------------
def _project(r: Row, pid: int, eid: int) -> ProjectRec:
    scaled = r.scaled
    if scaled is None:
        scaled = r.scaled = (yuan(r.get("投资额(万元)")), yuan(r.get("成果效益(万元)")))
    return ProjectRec(id=pid, enterprise_id=eid, type=r.get("项目类型"), title=r.get("项目名称"),
                      year=r.get("年度") or 0, partner_name=r.get("合作单位"), partner_type=r.get("合作单位类型"),
                      investment_yuan=scaled[0], stage=r.get("阶段"), benefit_yuan=scaled[1])


def _enterprise(r: Row, eid: int) -> EnterpriseRec:
    """An enterprise of 企业名录: it counts for Y (it is listed); 市重点质量比对企业 是 and a filled
    首席质量官 mean counted in rows 4 and 17 (return-format.md), so no start year or date is needed."""
    get = r.get  # only what the formulas read (the rest of the row stays in the stored rows)
    return EnterpriseRec(eid, get(CODE), get("企业名称"), get("区县"), cqo_name=get("首席质量官"),
                         excellence_year=get("卓越绩效导入年份"), benchmark=get("市重点质量比对企业") == "是")


def _figures(r: Row, eid: int, year: int) -> FiguresRec | None:
    scaled = r.scaled
    if scaled is None:  # a county's figures and the city's totals read the same rows: scale them once
        scaled = r.scaled = (rate_e4(r.get("质量损失率(%)")), yuan(r.get("质量成果效益(万元)")))
    loss, benefit = scaled
    checked, passed = r.get("抽查批次"), r.get("抽查合格批次")
    if loss is None and checked is None and passed is None and benefit is None:
        return None
    return FiguresRec(enterprise_id=eid, year=year, loss_rate_e4=loss, checked=checked, passed=passed,
                      benefit_yuan=benefit)


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


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """By the order of the return's sheets it points at, then row (file-level first)."""
    def key(f: Finding):
        idx = SHEETS.index(f.sheet) if f.sheet in SHEETS else len(SHEETS)
        return idx, f.row or 0
    return sorted(findings, key=key)

