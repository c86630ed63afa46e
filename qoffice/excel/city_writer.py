"""The city workbook (全市汇总, city.md "The city workbook"), streamed with openpyxl write-only and
saved atomically through excel.outputs (cells.stage_workbook), under the rules of return-format.md
for every sheet: no formulas, text cells for codes, exact 万元, half-up once, frozen header, 序号 1..n.

The layout lives here; every number comes from services.city.CityReport (qoffice.domain.city).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl.cell import WriteOnlyCell

from qoffice.domain import city
from qoffice.domain import indicators as ind
from qoffice.domain.returndata import (
    FORMAT_VERSION,
    HEADERS,
    S_AWARDS,
    S_ENTERPRISES,
    S_FORUMS,
    S_PROJECTS,
    S_SIGNUPS,
)
from qoffice.excel import cells
from qoffice.excel.cells import DATE, INT, NUM2, RATE, TEXT, CellWriter

S_COVER = "封面"
S_CITY = "全市汇总"
S_BY_COUNTY = "分县汇总"
S_COMPLETION = "分县完成率"
S_RANKING = "考核排名"
S_PLAN = "规划期累计"
S_STATUS = "报送情况"
S_CHECKS = "校验"
DETAIL = (S_ENTERPRISES, S_PROJECTS, S_AWARDS, S_FORUMS, S_SIGNUPS)
SHEETS = (S_COVER, S_CITY, S_BY_COUNTY, S_COMPLETION, S_RANKING, S_PLAN, S_STATUS) + DETAIL + (S_CHECKS,)
COVER_LABELS = ("汇总单位", "年度", "汇总日期", "应报区县数", "已报区县数", "软件版本", "格式版本")
NAMES = tuple(name for _n, name, _u in ind.DEFINITIONS)
HEADERS_CITY: dict[str, tuple[str, ...]] = {
    S_CITY: ("序号", "指标", "单位", "全市数值", "目标值", "完成率(%)"),
    S_BY_COUNTY: ("序号", "区县", "报送状态") + NAMES,
    S_COMPLETION: ("序号", "区县", "报送状态") + NAMES,
    S_RANKING: ("名次", "区县", "综合完成率(%)", "达标指标数", "未达标指标"),
    S_PLAN: ("序号", "指标", "单位", "累计数值", "规划目标", "完成率(%)"),
    S_STATUS: ("序号", "区县", "报送状态", "收到时间", "文件名", "填报人", "联系电话", "软件版本", "报送次数", "警告数"),
    S_CHECKS: ("序号", "级别", "区县", "表", "行", "说明"),
    **{s: ("序号", "来源区县") + HEADERS[s][1:] for s in DETAIL},
}
# The return's column kinds, for values as received: money and rates are exact Decimals (万元, %).
_DETAIL_KINDS = {
    S_ENTERPRISES: (TEXT,) * 11 + (INT, TEXT, TEXT, RATE, INT, INT, NUM2),
    S_PROJECTS: (TEXT, TEXT, TEXT, TEXT, INT, TEXT, TEXT, NUM2, TEXT, NUM2, NUM2),
    S_AWARDS: (TEXT, TEXT, TEXT, INT),
    S_FORUMS: (TEXT, DATE, TEXT, TEXT, TEXT, TEXT, INT, INT),
    S_SIGNUPS: (TEXT, DATE) + (TEXT,) * 9,
}
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def local_time(value: dt.datetime | None) -> dt.datetime | None:
    """A stored UTC time as the clerk's local time (naive, to the minute)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None, second=0, microsecond=0)


def _widths(headers) -> list[int]:
    return cells.header_widths(headers, extra={1: 12})


def _sheet(wb, title, kinds):
    headers = HEADERS_CITY[title]
    return cells.start_sheet(wb, title, headers, kinds, _widths(headers))


def _num(w: CellWriter, n: int, value):
    """A 17-indicator value as a number cell: rows 8–10 two decimals, 11 and 16 exact 万元 (0.00)."""
    shown = ind.present(n, value)
    if shown is None:
        return None
    if n in ind.TWO_DECIMALS or n in ind.MONEY_ROWS:
        return w.number(cells.plain(Decimal(shown)), cells.MONEY_FORMAT)
    return int(shown)


def _target(w: CellWriter, n: int, target: Decimal | None):
    if target is None:
        return None
    t = cells.plain(target)
    if t == t.to_integral_value() and n not in ind.TWO_DECIMALS and n not in ind.MONEY_ROWS:
        return int(t)
    return w.number(t, cells.MONEY_FORMAT)


def _pct1(w: CellWriter, value: Decimal | None):
    return w.number(value, cells.RATE_FORMAT_1)


def write(path: Path | str, rep, *, today: dt.date) -> Path:
    """Write the whole city workbook to `path` atomically (rep: services.city.CityReport)."""
    from qoffice import __version__

    def fill(wb):
        _cover(wb, rep, today, __version__)
        _city(wb, rep)
        _by_county(wb, rep)
        _completion(wb, rep)
        _ranking(wb, rep)
        _plan(wb, rep)
        _status(wb, rep)
        for s in DETAIL:
            _detail(wb, rep, s)
        _checks(wb, rep)
    return cells.write_workbook(path, fill)


def _cover(wb, rep, today, version):
    ws, w = cells.plain_sheet(wb, S_COVER, (14, 40))
    values = (w.text(rep.office), rep.year, w.date(today), len(rep.counties), rep.received, w.text(version),
              FORMAT_VERSION)
    for label, value in zip(COVER_LABELS, values):
        ws.append([label, value])


def _city(wb, rep):
    ws, w = _sheet(wb, S_CITY, (INT, TEXT, TEXT))
    for n, name, unit in ind.DEFINITIONS:
        exact, target = rep.totals.values[n], rep.city_targets.get(n)
        ws.append([n, name, unit, _num(w, n, exact), _target(w, n, target),
                   _pct1(w, city.completion(n, exact, target))])


def _by_county(wb, rep):
    ws, w = _sheet(wb, S_BY_COUNTY, (INT, TEXT, TEXT))
    for i, line in enumerate(rep.lines, start=1):
        vals = line.values or {}
        ws.append([i, w.text(line.county), line.status.status] + [
            _num(w, n, vals.get(n)) if line.values is not None else None for n in range(1, 18)])
    ws.append([None, "全市", None] + [_num(w, n, rep.totals.values[n]) for n in range(1, 18)])


def _completion(wb, rep):
    ws, w = _sheet(wb, S_COMPLETION, (INT, TEXT, TEXT))
    for i, line in enumerate(rep.lines, start=1):
        vals = line.values or {}
        ws.append([i, w.text(line.county), line.status.status] + [
            _pct1(w, city.completion(n, vals.get(n), line.targets.get(n))) for n in range(1, 18)])
    ws.append([None, "全市", None] + [_pct1(w, city.completion(n, rep.totals.values[n], rep.city_targets.get(n)))
                                     for n in range(1, 18)])


def _ranking(wb, rep):
    ws, w = _sheet(wb, S_RANKING, (INT, TEXT))
    for a in rep.ranking:
        ws.append([a.rank, w.text(a.county), _pct1(w, a.overall) if a.has_return else None,
                   a.met if a.has_return else None, w.text(a.unmet_names()) if a.has_return else None])


def _plan(wb, rep):
    ws, w = _sheet(wb, S_PLAN, (INT, TEXT, TEXT))
    names = {n: (name, unit) for n, name, unit in ind.DEFINITIONS}
    for i, n in enumerate(city.PLAN_ROWS, start=1):
        value, target = rep.plan_values.get(n), rep.plan_targets.get(n)
        ws.append([i, names[n][0], names[n][1], value, _target(w, n, target),
                   _pct1(w, city.completion(n, value, target))])


def _status(wb, rep):
    ws, w = _sheet(wb, S_STATUS, (INT, TEXT, TEXT))
    for i, line in enumerate(rep.lines, start=1):
        st = line.status
        ws.append([i, w.text(line.county), st.status, _dt_cell(ws, local_time(st.received_at)), w.text(st.file), w.text(st.operator),
                   w.text(st.phone), w.text(st.software_version), st.submissions,
                   st.warnings if st.return_id else None])


def _detail(wb, rep, sheet):
    ws, w = _sheet(wb, sheet, (INT, TEXT) + _DETAIL_KINDS[sheet])
    headers = HEADERS[sheet][1:]
    n = 0
    append, row = ws.append, w.row
    for line in rep.lines:
        if line.ret is None:
            continue
        county = line.county
        for r in line.ret.sheet(sheet):
            n += 1
            get = r.values.get
            append(row([n, county] + [get(h) for h in headers]))


def _checks(wb, rep):
    ws, w = _sheet(wb, S_CHECKS, (INT, TEXT, TEXT, TEXT, INT, TEXT))
    n = 0
    for f in rep.county_findings():
        n += 1
        ws.append(w.row([n, f.level, f.county, f.sheet, f.row, f.message]))
    for f in rep.cross_findings():
        n += 1
        ws.append(w.row([n, f.level, None, f.sheet, f.row, f.message]))


# --- what goes back to the counties -------------------------------------------------------------------
S_FEEDBACK = "反馈单"
FEEDBACK_HEADERS = ("序号", "指标", "单位", "数值", "目标值", "完成率(%)", "达标")
FINDING_HEADERS = ("序号", "级别", "表", "行", "说明")


def write_feedback(path: Path | str, fb, *, today: dt.date) -> Path:
    """反馈单 (services.city.Feedback) as one sheet: the status and 退回 reason, the 17 values beside
    the county's targets, the findings (表 and 行 of the county's own file), the city's signature line."""
    def fill(wb):
        ws, w = cells.plain_sheet(wb, S_FEEDBACK, (8, 34, 10, 14, 12, 12, 60))
        _print_setup_portrait(ws)
        st = fb.status
        ws.append([f"{fb.county}{fb.year}年度质量强企报表审核反馈单"])
        ws.append(["报送状态", st.status])
        ws.append(["收到时间", _dt_cell(ws, local_time(st.received_at))])
        ws.append(["文件名", w.text(st.file)])
        ws.append(["退回原因", w.text(st.withdraw_reason)])
        ws.append(["审核问题", len(fb.line.findings)])
        ws.append([])
        ws.append(list(FEEDBACK_HEADERS))
        for n, name, unit, value, target, completion, met in fb.rows():
            decimals = n in ind.TWO_DECIMALS or n in ind.MONEY_ROWS
            shown = (w.number(cells.plain(Decimal(value)), cells.MONEY_FORMAT) if decimals and value is not None
                     else value)
            ws.append([n, name, unit, shown, _target(w, n, target), _pct1(w, completion), met])
        ws.append([])
        ws.append(list(FINDING_HEADERS))
        for i, f in enumerate(fb.line.findings, start=1):
            ws.append(w.row([i, f.level, f.sheet, f.row, f.message]))
        ws.append([])
        ws.append(["反馈单位（盖章）", w.text(fb.city_office)])
        ws.append(["经办人", None, None, "日期", w.date(today)])
    return cells.write_workbook(path, fill)


S_TARGETS = "下发目标"
TARGET_HEADERS = ("序号", "指标", "单位", "目标值")


def write_targets(path: Path | str, county: str, year: int, office: str | None, targets) -> Path:
    """下发目标: the county's targets for `year`, which the county imports (qoffice import targets FILE)."""
    def fill(wb):
        ws, w = cells.plain_sheet(wb, S_TARGETS, (10, 34, 10, 14))
        ws.append(["区县", w.text(county)])
        ws.append(["年度", year])
        ws.append(["下发单位", w.text(office)])
        ws.append([])
        ws.append(list(TARGET_HEADERS))
        for n, name, unit in ind.DEFINITIONS:
            ws.append([n, name, unit, _target(w, n, targets.get(n))])
    return cells.write_workbook(path, fill)


def _dt_cell(ws, value):
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = DATETIME_FORMAT
    return cell


def _print_setup_portrait(ws) -> None:
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = 9  # A4
