"""The city office (市级汇总, city.md): one received county return — the plain records the excel
reader hands over (RawReturn), the typing of its cells, the judging of its contents (read_return: the
refusal rules and the warnings) and the ReturnData records its rows stand for.

What the 17 indicators come to — one county's recomputation, the city totals, completion, 达标,
综合完成率 and the ranking — is qoffice.domain.city, which builds on this module and re-exports its
names (callers use qoffice.domain.city).

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
    EnterpriseRec,
    FiguresRec,
    ProjectRec,
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


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """By the order of the return's sheets it points at, then row (file-level first)."""
    def key(f: Finding):
        idx = SHEETS.index(f.sheet) if f.sheet in SHEETS else len(SHEETS)
        return idx, f.row or 0
    return sorted(findings, key=key)

