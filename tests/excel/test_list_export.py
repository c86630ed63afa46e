"""excel/list_export.py: list rows as .xlsx with the return's cell rules, and an import's error rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from qoffice.errors import OutputNotWritable
from qoffice.excel import cells
from qoffice.excel.kinds import KINDS
from qoffice.excel.list_export import AUTO, ExportColumn, write_error_rows, write_list
from qoffice.services.imports import Issue, ParsedRow


def col(header, i, kind=AUTO):
    return ExportColumn(header, lambda row, i=i: row[i], kind)


def test_cells_follow_the_return_rules(tmp_path):
    path = tmp_path / "list.xlsx"
    rows = [
        ("91320600MA1XYZ0001", "=SUM(A1)", dt.date(2024, 4, 23), True, 7, 500001, None),
        ("0513-85000000", "-负号开头", dt.datetime(2024, 5, 1, 9, 30), False, 0, 0, ""),
    ]
    columns = [col("代码", 0), col("名称", 1), col("日期", 2), col("是否", 3), col("数量", 4),
               col("金额(万元)", 5, cells.WAN), col("备注", 6)]
    seen = []
    n = write_list(path, "企业档案", columns, iter(rows), total=2, progress=lambda d, t, m: seen.append((d, t)))
    assert n == 2 and seen[-1] == (2, 2)
    ws = load_workbook(path).active
    assert ws.title == "企业档案" and ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["序号", "代码", "名称", "日期", "是否", "数量", "金额(万元)", "备注"]
    r2 = ws[2]
    assert r2[0].value == 1 and ws[3][0].value == 2
    assert r2[1].data_type == "s" and r2[1].value == "91320600MA1XYZ0001"
    assert r2[2].data_type == "s" and r2[2].value == "=SUM(A1)" and r2[2].quotePrefix  # never a formula
    assert ws[3][1].data_type == "s" and ws[3][1].value == "0513-85000000"
    assert ws[3][2].value == "-负号开头" and ws[3][2].data_type == "s"
    assert r2[3].is_date and r2[3].number_format == "yyyy-mm-dd" and r2[3].value.date() == dt.date(2024, 4, 23)
    assert ws[3][3].is_date and ws[3][3].value.date() == dt.date(2024, 5, 1)
    assert r2[4].value == "是" and ws[3][4].value == "否"
    assert r2[5].value == 7 and ws[3][5].value == 0
    assert Decimal(str(r2[6].value)) == Decimal("50.0001") and r2[6].number_format == "0.00"
    assert r2[7].value is None and ws[3][7].value is None  # empty, never "None"


def test_no_row_number_and_bad_sheet_title(tmp_path):
    path = tmp_path / "l.xlsx"
    write_list(path, "a/b:c", [col("x", 0)], [("v",)], row_number=False)
    ws = load_workbook(path).active
    assert ws.title == "a_b_c" and [c.value for c in ws[1]] == ["x"] and ws["A2"].value == "v"


def test_locked_target_keeps_the_old_file(tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "l.xlsx"
    path.write_bytes(b"old")

    def locked(src, dst):
        raise PermissionError(13, "denied")

    monkeypatch.setattr("qoffice.excel.cells.os.replace", locked)
    with pytest.raises(OutputNotWritable) as exc:
        write_list(path, "t", [col("x", 0)], [("v",)])
    assert exc.value.message == "请先关闭Excel中打开的该文件"
    assert path.read_bytes() == b"old" and [p.name for p in path.parent.iterdir()] == ["l.xlsx"]


def test_error_rows_keep_the_template_layout_and_the_written_values(tmp_path):
    kind = KINDS["projects"]
    bad = ParsedRow(5, {}, {"统一社会信用代码": "91320600mA1XYZ0001", "项目名称": "攻关", "年度": 2024.0,
                            "投资额(万元)": "50万"}, errors=[Issue(5, "项目类型", "必填"), Issue(5, None, "整行问题")])
    good = ParsedRow(6, {}, {"项目名称": "好行"}, status="create")
    path = tmp_path / "err.xlsx"
    assert write_error_rows(path, kind, [bad, good]) == 1
    ws = load_workbook(path).active
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["统一社会信用代码*", "项目名称*", "项目类型*", "年度*"] and headers[-1] == "错误原因"
    assert len(headers) == len(kind.columns) + 2 and headers[-2] == "原行号"  # the row the clerk saw (issue 13)
    values = [c.value for c in ws[2]]
    assert values[0] == "91320600mA1XYZ0001" and ws[2][0].data_type == "s"
    assert values[3] == "2024" and values[headers.index("投资额(万元)")] == "50万"
    assert values[-1] == "项目类型：必填；整行问题" and values[-2] == 5
    assert ws.max_row == 2
