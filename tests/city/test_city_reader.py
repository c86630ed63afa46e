"""Reading a county's .xlsx return (qoffice/excel/city_reader.py): every writer the city meets, and
each reader rule of city.md (refusals and warnings) on workbooks built here."""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest

from qoffice.domain import city
from qoffice.excel import city_reader
from tests.city import builders as B
from tests.city.builders import COUNTIES, award, code, ent, forum, proj, raw, signup

TODAY = dt.date(2025, 3, 1)


def sample(**kw):
    return raw("崇川区", enterprises=[ent(code(1), "甲公司", "崇川区", excellence=B.YEAR, bench=True, cqo="王五",
                                        loss="1.25", checked=10, passed=9, benefit="12.3456"),
                                    ent(code(2), "=乙公司", "崇川区", loss=2, benefit=1)],
               projects=[proj(code(1), "攻关", "质量攻关"),
                         proj(code(2), "合作", "产学研合作", partner_type="高等院校", invest="60", stage="见效")],
               awards=[award(code(1), "中国质量奖")], forums=[forum("论坛")],
               signups=[signup(code(1)), signup(code(2), "已退出")], **kw)


def judge(path):
    fr = city_reader.read(path)
    if fr.raw is None:
        return fr, None
    reading = city.read_return(fr.raw, COUNTIES, today=TODAY)
    return fr, reading


EXPECTED = {1: 1, 2: 1, 3: 0, 4: 1, 5: 1, 6: 1, 7: 0, 8: Decimal("90.00"), 9: Decimal("1.63"), 10: None,
            11: Decimal("13.3456"), 12: 1, 13: 1, 14: 1, 15: 1, 16: Decimal("18"), 17: 1}


def _values(reading):
    return {n: city.ind.present(n, v) for n, v in city.recompute(reading.ret).items()}


@pytest.mark.parametrize("writer", ["qoffice", "openpyxl", "xlsxwriter"])
def test_each_writer_reads_to_the_same_records(tmp_path, writer):
    path = tmp_path / "r.xlsx"
    if writer == "qoffice":
        B.write_qoffice(path, sample())
    elif writer == "openpyxl":
        B.write_openpyxl(path, sample())
    else:
        pytest.importorskip("xlsxwriter")
        B.write_xlsxwriter(path, sample())
    fr, reading = judge(path)
    assert fr.errors == [] and fr.warnings == []
    assert reading.errors == [] and reading.warnings == []
    assert _values(reading) == EXPECTED
    assert city.summary_findings(reading.ret) == []
    ents = reading.ret.sheet(city.S_ENTERPRISES)
    assert [e.get("企业名称") for e in ents] == ["甲公司", "=乙公司"]  # a text that begins with = stays text
    assert reading.ret.filled_date == dt.date(2025, 1, 10) and reading.ret.year == 2024


@pytest.mark.slow
def test_a_file_resaved_by_libreoffice_reads_the_same(tmp_path):
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: tools/bootstrap.sh installs libreoffice-calc")
    src = B.write_qoffice(tmp_path / "崇川区.xlsx", sample())
    out = B.libreoffice_resave(src, tmp_path / "lo")
    assert out.read_bytes() != src.read_bytes()
    fr, reading = judge(out)
    assert fr.errors == [] and fr.warnings == []
    assert reading.errors == [] and reading.warnings == []
    assert _values(reading) == EXPECTED
    assert city.summary_findings(reading.ret) == []


@pytest.mark.parametrize("content", [b"a,b\n1,2\n", b"", b"PK\x03\x04garbage", b"<table><tr><td>x</td></tr></table>"])
def test_not_an_xlsx_workbook_is_refused(tmp_path, content):
    path = tmp_path / "r.xlsx"
    path.write_bytes(content)
    fr = city_reader.read(path)
    assert fr.raw is None and len(fr.errors) == 1 and fr.errors[0].sheet is None


def test_xls_is_refused(tmp_path):
    path = tmp_path / "r.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert city_reader.read(path).raw is None


def test_missing_file_is_refused(tmp_path):
    fr = city_reader.read(tmp_path / "none.xlsx")
    assert fr.raw is None and fr.errors


@pytest.mark.parametrize("sheet", ["汇总", "对接会报名", "校验", "封面"])
def test_missing_sheet_is_refused(tmp_path, sheet):
    path = B.write_openpyxl(tmp_path / "r.xlsx", sample(), drop_sheets=(sheet,))
    fr = city_reader.read(path)
    assert fr.raw is None
    assert [(e.sheet, e.message) for e in fr.errors] == [(sheet, f"缺少工作表“{sheet}”")]


def test_extra_sheet_is_a_warning(tmp_path):
    path = B.write_openpyxl(tmp_path / "r.xlsx", sample(), extra_sheets=("填表说明",))
    fr, reading = judge(path)
    assert fr.errors == [] and [w.message for w in fr.warnings] == ["多余的工作表“填表说明”已忽略"]
    assert _values(reading) == EXPECTED


def test_required_header_missing_is_refused(tmp_path):
    headers = list(B.HEADERS[city.S_PROJECTS])
    headers[headers.index("投资额(万元)")] = "投资"
    path = B.write_openpyxl(tmp_path / "r.xlsx", sample(), headers={city.S_PROJECTS: headers})
    fr = city_reader.read(path)
    assert fr.raw is None
    assert [(e.sheet, e.row, e.message) for e in fr.errors] == [("质量项目", 1, "工作表“质量项目”缺少表头“投资额(万元)”")]


def test_headers_with_spaces_line_breaks_and_full_width_brackets_are_read_with_a_warning(tmp_path):
    headers = list(B.HEADERS[city.S_ENTERPRISES])
    headers[headers.index("质量损失率(%)")] = "质量损失率（%）"
    headers[headers.index("企业名称")] = "企业\n名称"
    headers[headers.index("联系电话")] = " 联系 电话 "
    path = B.write_openpyxl(tmp_path / "r.xlsx", sample(), headers={city.S_ENTERPRISES: headers})
    fr, reading = judge(path)
    assert fr.errors == []
    assert len(fr.warnings) == 3 and all(w.sheet == "企业名录" and w.row == 1 for w in fr.warnings)
    assert "质量损失率(%)" in fr.warnings[2].message
    assert _values(reading) == EXPECTED


def test_extra_column_is_a_warning(tmp_path):
    path = B.write_openpyxl(tmp_path / "r.xlsx", sample(), extra_columns={city.S_PROJECTS: "备注"})
    fr, reading = judge(path)
    assert fr.errors == [] and [w.message for w in fr.warnings] == ["多余的列“备注”（M1）已忽略"]
    assert _values(reading) == EXPECTED


def test_formula_with_saved_result_is_read_with_a_warning_naming_the_cell(tmp_path):
    # 抽查合格批次 of the first enterprise (R2) as a formula whose saved result is 9
    path = B.write_openpyxl(tmp_path / "r.xlsx", sample(), formulas={("企业名录", "R2"): ("=4+5", 9)})
    fr, reading = judge(path)
    assert fr.errors == []
    assert [(w.sheet, w.row, w.message) for w in fr.warnings] == [("企业名录", 2, "企业名录!R2是公式，已读取其保存的结果")]
    assert _values(reading) == EXPECTED


def test_formula_without_saved_result_is_refused(tmp_path):
    path = B.write_openpyxl(tmp_path / "r.xlsx", sample(), formulas={("汇总", "D3"): ("=1+1", None)})
    fr = city_reader.read(path)
    assert fr.raw is None
    assert [(e.sheet, e.row) for e in fr.errors] == [("汇总", 3)]
    assert "请在Excel中打开并保存后重新报送" in fr.errors[0].message and "汇总!D3" in fr.errors[0].message


def test_hand_edited_summary_in_a_file(tmp_path):
    r = sample()
    summary = {n: city.ind.present(n, v) for n, v in EXPECTED.items()}
    summary[1] = 5
    r = sample(summary=summary)
    path = B.write_openpyxl(tmp_path / "r.xlsx", r)
    _fr, reading = judge(path)
    found = city.summary_findings(reading.ret)
    assert [(f.level, f.row, f.message) for f in found] == [("警告", 2, "汇总表第1行填报5，按明细计算为1")]


def test_blank_rows_inside_a_sheet_are_skipped(tmp_path):
    from openpyxl import load_workbook

    path = B.write_openpyxl(tmp_path / "r.xlsx", sample())
    wb = load_workbook(path)
    wb["企业名录"].insert_rows(3)
    wb.save(path)
    _fr, reading = judge(path)
    assert [e.number for e in reading.ret.sheet(city.S_ENTERPRISES)] == [2, 4]
    assert _values(reading) == EXPECTED
