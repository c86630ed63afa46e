"""Builders of county returns for the city tests: plain rows (header → value), RawReturns for the
domain, and .xlsx workbooks written in the test — by qoffice's own return writer, by openpyxl by
hand, by xlsxwriter, and re-saved by LibreOffice headless. Never committed blobs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from qoffice.domain import city
from qoffice.domain import indicators as ind
from qoffice.domain.returndata import COVER_LABELS, HEADERS, SHEETS
from qoffice.domain.uscc import make_valid

COUNTIES = ("崇川区", "通州区", "海门区", "海安市", "如皋市", "如东县", "启东市", "南通经济技术开发区")
YEAR = 2024


def code(n: int) -> str:
    return make_valid(f"9132060{n:010d}")


def ent(c: str, name: str, county: str, *, excellence=None, bench=False, cqo=None, loss=None, checked=None,
        passed=None, benefit=None) -> dict:
    return {"统一社会信用代码": c, "企业名称": name, "区县": county, "产业类别": "其他", "行业": None,
            "高耗能企业": "否", "法定代表人": None, "联系人": None, "联系电话": "0513-80000000",
            "首席质量官": cqo, "首席质量官电话": "13800000000" if cqo else None,
            "卓越绩效导入年份": excellence, "市重点质量比对企业": "是" if bench else "否", "质量研究中心": "否",
            "质量损失率(%)": None if loss is None else Decimal(str(loss)), "抽查批次": checked,
            "抽查合格批次": passed, "质量成果效益(万元)": None if benefit is None else Decimal(str(benefit))}


def proj(c: str, title: str, type_: str, *, year=YEAR, partner=None, partner_type=None, invest=None,
         stage="培育", subsidy=None, name="企业") -> dict:
    invest_d = None if invest is None else Decimal(str(invest))
    if subsidy is None:  # what the rule gives (what qoffice writes)
        from qoffice.domain.subsidy import decide
        y = None if invest_d is None else int(invest_d * 10000)
        subsidy = Decimal(decide(y, partner_type).amount_yuan) / 10000
    return {"统一社会信用代码": c, "企业名称": name, "项目类型": type_, "项目名称": title, "年度": year,
            "合作单位": partner, "合作单位类型": partner_type, "投资额(万元)": invest_d, "阶段": stage,
            "资助金额(万元)": Decimal(str(subsidy)), "成果效益(万元)": None}


def award(c: str, award_: str, *, year=YEAR, name="企业") -> dict:
    return {"统一社会信用代码": c, "企业名称": name, "奖项": award_, "年度": year}


def forum(title: str, *, date=None, status="已举办") -> dict:
    return {"名称": title, "日期": date or dt.date(YEAR, 6, 1), "地点": None, "主办单位": None, "主题": None,
            "状态": status, "参加企业数": 0, "参加人数": None}


def signup(c: str, status="已报名", *, name="企业") -> dict:
    return {"对接会": "对接会", "日期": dt.date(YEAR, 5, 20), "统一社会信用代码": c, "企业名称": name,
            "参会人": "张三", "职务": None, "联系电话": None, "合作需求": None, "意向合作单位": None, "状态": status}


def check_row(level, sheet, row, message) -> dict:
    return {"级别": level, "表": sheet, "行": row, "说明": message}


def cover(county: str, year=YEAR, *, filled=dt.date(2025, 1, 10), fmt=1, office=None,
          phone="0513-81234567") -> dict:
    return {"填报单位": office or f"{county}质量工作领导小组办公室", "区县": county, "年度": year, "填报人": "李四",
            "联系电话": phone, "填报日期": filled, "软件版本": "1.0", "格式版本": fmt}


def raw(county: str, year=YEAR, *, enterprises=(), projects=(), awards=(), forums=(), signups=(), checks=(),
        summary: dict | None = None, cover_over: dict | None = None, **cover_kw) -> city.RawReturn:
    """A RawReturn as the reader hands it over; `summary` None → the honest recomputed 汇总."""
    sheets = {}
    for name, rows in ((city.S_ENTERPRISES, enterprises), (city.S_PROJECTS, projects), (city.S_AWARDS, awards),
                       (city.S_FORUMS, forums), (city.S_SIGNUPS, signups), (city.S_CHECKS, checks)):
        sheets[name] = city.RawSheet(name, [city.Row(i, dict(r)) for i, r in enumerate(rows, start=2)])
    c = cover(county, year, **cover_kw)
    c.update(cover_over or {})
    r = city.RawReturn(cover=c, sheets=sheets)
    if summary is None:
        summary = honest_summary(r)
    sheets[city.S_SUMMARY] = city.RawSheet(city.S_SUMMARY, [
        city.Row(n + 1, {"序号": n, "本年数值": summary.get(n)}) for n in range(1, 18)])
    return r


def honest_summary(r: city.RawReturn, prev=None) -> dict:
    """What an honest county writes in 汇总: the values recomputed from its own details."""
    reading = city.read_return(city.RawReturn(r.cover, {k: v for k, v in r.sheets.items()}), COUNTIES,
                               today=dt.date(2100, 1, 1))
    if reading.ret is None:  # a refused return: its 汇总 does not matter
        return {}
    values = city.recompute(reading.ret, prev)
    return {n: ind.present(n, v) for n, v in values.items()}


def county_return(county: str, year=YEAR, **kw) -> city.CountyReturn:
    reading = city.read_return(raw(county, year, **kw), COUNTIES, today=dt.date(2100, 1, 1))
    assert reading.ret is not None, reading.errors
    return reading.ret


# --- workbooks -------------------------------------------------------------------------------------------
def _cell(v):
    if isinstance(v, Decimal):
        return float(v)
    return v


def sheet_rows(r: city.RawReturn) -> dict[str, list[list]]:
    """Every sheet of the return as rows of cells (headers first), in the contract's layout."""
    out: dict[str, list[list]] = {city.S_COVER: [[label, _cell(r.cover.get(label))] for label in COVER_LABELS]}
    names = {n: name for n, name, _u in ind.DEFINITIONS}
    units = {n: u for n, _name, u in ind.DEFINITIONS}
    summary = {row.get("序号"): row.get("本年数值") for row in r.sheets[city.S_SUMMARY].rows}
    out[city.S_SUMMARY] = [list(HEADERS[city.S_SUMMARY])] + [
        [n, names[n], units[n], _cell(summary.get(n)), None, None] for n in range(1, 18)]
    for name in SHEETS[2:]:
        headers = HEADERS[name]
        rows = [list(headers)]
        for i, row in enumerate(r.sheets.get(name, city.RawSheet(name)).rows, start=1):
            rows.append([i if h == "序号" else _cell(row.get(h)) for h in headers])
        out[name] = rows
    return out


def write_openpyxl(path: Path, r: city.RawReturn, *, headers: dict[str, list] | None = None,
                   formulas: dict[tuple[str, str], tuple[str, object]] | None = None,
                   extra_sheets=(), drop_sheets=(), extra_columns: dict[str, str] | None = None) -> Path:
    """By hand with openpyxl (shared strings). `headers` replaces a sheet's header row;
    `formulas` {(sheet, "D3"): (formula, saved value or None)} — openpyxl never saves a result, so
    a saved one is patched into the XML afterwards."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    rows_by_sheet = sheet_rows(r)
    for name in SHEETS:
        if name in drop_sheets:
            continue
        ws = wb.create_sheet(name)
        rows = rows_by_sheet[name]
        if headers and name in headers:
            rows = [headers[name]] + rows[1:]
        if extra_columns and name in extra_columns:
            rows = [rows[0] + [extra_columns[name]]] + [row + ["附加"] for row in rows[1:]]
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that begins with =, as a county's file holds it
    for name in extra_sheets:
        wb.create_sheet(name).append(["说明"])
    for (sheet, ref), (formula, _saved) in (formulas or {}).items():
        wb[sheet][ref] = formula
    wb.save(path)
    saved = {k: v[1] for k, v in (formulas or {}).items() if v[1] is not None}
    if saved:
        _patch_saved_results(path, saved)
    return path


def _patch_saved_results(path: Path, saved: dict[tuple[str, str], object]) -> None:
    """Add <v>…</v> after a formula's <f>…</f>, as Excel does when it saves."""
    import re
    import zipfile

    from qoffice.excel.xlsx_scan import sheet_paths

    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
        paths = sheet_paths(zf)
    for (sheet, ref), value in saved.items():
        xml = members[paths[sheet]].decode()
        xml = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{value}</v>", xml)
        members[paths[sheet]] = xml.encode()
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    tmp.replace(path)


def write_xlsxwriter(path: Path, r: city.RawReturn) -> Path:
    """Another writer (xlsxwriter: inline-free shared strings of its own, its own styles)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheet_rows(r).items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), date_fmt)
                elif isinstance(v, str):
                    ws.write_string(i, j, v)
                elif v is not None:
                    ws.write(i, j, v)
    wb.close()
    return path


def write_qoffice(path: Path, r: city.RawReturn) -> Path:
    """By qoffice's own return writer (return_writer.write), from the same records."""
    from qoffice.domain.checks import Problem
    from qoffice.domain.returndata import Cover
    from qoffice.excel import return_writer

    reading = city.read_return(r, COUNTIES, today=dt.date(2100, 1, 1))
    ret = reading.ret
    data = city.county_data(ret)
    c = r.cover
    data = type(data)(year=ret.year, cover=Cover(office=c["填报单位"], county=c["区县"], operator=c["填报人"],
                                                 phone=c["联系电话"], export_date=c["填报日期"], software_version="1.0"),
                      enterprises=data.enterprises, figures=data.figures, projects=data.projects,
                      awards=data.awards, forums=data.forums, meeting=data.meeting, signups=data.signups)
    rows = ind.compute(data)
    checks = [Problem(x.get("级别"), x.get("表"), x.get("行"), x.get("说明")) for x in
              (row.values for row in r.sheets[city.S_CHECKS].rows)]
    return_writer.write(path, data, rows, checks)
    return path


def libreoffice_resave(src: Path, out_dir: Path) -> Path | None:
    """`soffice --headless --convert-to xlsx` of `src` into out_dir; None when soffice is missing."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), str(src)],
                   check=True, timeout=180, capture_output=True)
    return out_dir / src.name
