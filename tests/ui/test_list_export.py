"""导出 and 下载模板 from a list area: the filtered, sorted list as .xlsx (text codes), and a
template that imports back."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from qoffice.services import imports
from qoffice.ui import list_export
from qoffice.ui.context import AppContext

pytestmark = pytest.mark.gui


@pytest.fixture
def saved(monkeypatch, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    record = {"asked": [], "opened": []}

    def ask(parent, title, name, *a):
        record["asked"].append(name)
        return out / name

    monkeypatch.setattr(list_export, "ask_save_path", ask)
    monkeypatch.setattr(list_export, "open_folder", lambda path: record["opened"].append(Path(path)))
    record["dir"] = out
    return record


@pytest.fixture
def area(qtbot, db, builders):
    from qoffice.ui import enterprises

    with db.session() as s:
        builders.make_enterprise(s, uscc=builders.code(1), name="南通甲有限公司", county="崇川区", phone="0513-1")
        builders.make_enterprise(s, uscc=builders.code(2), name="南通乙有限公司", county="海门区")
        builders.make_enterprise(s, uscc=builders.code(3), name="南通丙有限公司", county="崇川区",
                                 phone="13800000000")
    a = enterprises.EnterprisesArea(AppContext(db, 2024))
    qtbot.addWidget(a)
    a.list.reload()
    return a


def test_export_writes_the_filtered_sorted_list_with_text_codes(qtbot, area, builders, answers, saved):
    area.list.set_filter("county", "崇川区")
    area.list.table.horizontalHeader().setSortIndicator(2, Qt.DescendingOrder)  # 企业名称, descending
    assert area.list.model.filtered_count == 2
    area.list.buttons["export"].click()
    path = saved["dir"] / saved["asked"][0]
    qtbot.waitUntil(lambda: path.exists() and bool(saved["opened"]), timeout=30_000)
    assert saved["asked"][0].startswith("企业档案_") and saved["asked"][0].endswith(".xlsx")
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "信用代码", "企业名称")  # the list's own headers
    assert [r[2] for r in rows[1:]] == ["南通甲有限公司", "南通丙有限公司"]  # 甲 > 丙 by code point, descending
    assert [r[0] for r in rows[1:]] == [1, 2]
    assert [r[1] for r in rows[1:]] == [builders.code(1), builders.code(3)]
    assert all(ws.cell(row=i, column=2).data_type == "s" for i in (2, 3))
    phone_col = rows[0].index("联系电话")
    assert rows[2][phone_col] == "13800000000" and ws.cell(row=3, column=phone_col + 1).data_type == "s"
    assert saved["opened"] == [path]


def test_template_download_writes_a_file_that_imports_back(qtbot, area, db, answers, saved):
    from qoffice.excel.kinds import KINDS
    from qoffice.excel.templates import example_row

    area.list.buttons["template"].click()
    path = saved["dir"] / "企业导入模板.xlsx"
    qtbot.waitUntil(lambda: path.exists() and bool(saved["opened"]), timeout=30_000)
    assert saved["asked"] == ["企业导入模板.xlsx"]
    wb = load_workbook(path)
    assert wb.sheetnames[1] == "填写说明"
    wb.active.append(example_row(KINDS["enterprises"]))
    wb.save(path)
    result = imports.run_import(db, "enterprises", path, dry_run=True)
    assert (result.created, result.rejected) == (1, 0)
