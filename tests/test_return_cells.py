"""Cell rules shared by the return and list exports (qoffice.excel.cells), and atomic saving."""
from __future__ import annotations

import datetime as dt
import errno
import os
from decimal import Decimal

import openpyxl
import pytest
from openpyxl import Workbook

from qoffice.errors import OutputNotWritable
from qoffice.excel import cells


def _write(tmp_path, rows, kinds, name="t.xlsx"):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir(exist_ok=True)
    wb = Workbook(write_only=True)
    ws, w = cells.start_sheet(wb, "表", ["a", "b", "c", "d"], kinds)
    for r in rows:
        ws.append(w.row(r))
    path = tmp_path / name
    cells.atomic_save(wb, path)
    return path


TRICKY = ["=1+1", "+86 138", "-5", "@sum(A1)", "=", "#N/A", "=HYPERLINK(\"http://x\")"]


def test_formula_like_text_round_trips_as_quoted_string_cells(tmp_path):
    rows = [[t, None, None, None] for t in TRICKY]
    path = _write(tmp_path, rows, [cells.TEXT] * 4)
    wb = openpyxl.load_workbook(path)
    ws = wb["表"]
    for i, text in enumerate(TRICKY, start=2):
        c = ws.cell(i, 1)
        assert c.data_type == "s", text
        assert c.value == text
        assert c.quotePrefix is True
    # no formula anywhere in the raw XML either
    import zipfile

    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
    from python_calamine import CalamineWorkbook

    data = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("表").to_python()
    assert [r[0] for r in data[1:]] == TRICKY


def test_plain_text_has_no_quote_prefix_and_codes_stay_text(tmp_path):
    path = _write(tmp_path, [["913206000000000012", "13800000000", "0123", None]], [cells.TEXT] * 4)
    ws = openpyxl.load_workbook(path)["表"]
    for col in (1, 2, 3):
        assert ws.cell(2, col).data_type == "s"
        assert not ws.cell(2, col).quotePrefix
    assert ws.cell(2, 3).value == "0123"


def test_dates_money_percent_and_yes_no(tmp_path):
    kinds = [cells.DATE, cells.WAN, cells.PCT, cells.YESNO]
    rows = [[dt.date(2023, 4, 23), 500001, Decimal("1.005"), True],
            [dt.datetime(2023, 5, 1, 13, 30), 0, Decimal("2.004999"), False],
            [None, None, None, None]]
    path = _write(tmp_path, rows, kinds)
    ws = openpyxl.load_workbook(path)["表"]
    assert ws.cell(2, 1).value == dt.datetime(2023, 4, 23)
    assert ws.cell(2, 1).number_format == "yyyy-mm-dd"
    assert ws.cell(3, 1).value == dt.datetime(2023, 5, 1)  # the date only
    assert ws.cell(2, 2).value == pytest.approx(50.0001)
    assert Decimal(str(ws.cell(2, 2).value)) == Decimal("50.0001")
    assert ws.cell(2, 2).number_format == "0.00"
    assert ws.cell(3, 2).value == 0 and ws.cell(3, 2).data_type == "n"
    assert Decimal(str(ws.cell(2, 3).value)) == Decimal("1.01")  # half-up, not banker's
    assert Decimal(str(ws.cell(3, 3).value)) == Decimal("2.00")
    assert ws.cell(2, 3).number_format == "0.00"
    assert ws.cell(2, 4).value == "是" and ws.cell(3, 4).value == "否"
    for col in range(1, 5):
        assert ws.cell(4, col).value is None


def test_several_money_columns_in_one_row_keep_their_own_values(tmp_path):
    path = _write(tmp_path, [[10000, 25000, 123456, 1]], [cells.WAN] * 4)
    ws = openpyxl.load_workbook(path)["表"]
    assert [Decimal(str(ws.cell(2, c).value)) for c in range(1, 5)] == [
        Decimal("1"), Decimal("2.5"), Decimal("12.3456"), Decimal("0.0001")]


def test_header_frozen_and_widths(tmp_path):
    path = _write(tmp_path, [["x", None, None, None]], [cells.TEXT] * 4)
    ws = openpyxl.load_workbook(path)["表"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= 8
    # printed landscape, one page wide, the header on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"


def test_wan_is_exact_and_plain():
    assert cells.wan(100_000_000) == Decimal("10000")
    assert "E" not in str(cells.wan(100_000_000))
    assert cells.wan(1) == Decimal("0.0001")
    assert cells.wan(None) is None


def test_atomic_save_replaces_and_leaves_no_temp_file(tmp_path):
    path = _write(tmp_path, [["old", None, None, None]], [cells.TEXT] * 4)
    path2 = _write(tmp_path, [["new", None, None, None]], [cells.TEXT] * 4)
    assert path == path2
    assert openpyxl.load_workbook(path)["表"].cell(2, 1).value == "new"
    assert [p.name for p in path.parent.iterdir()] == ["t.xlsx"]


@pytest.mark.parametrize("exc", [
    PermissionError(errno.EACCES, "Permission denied"),
    OSError(errno.EACCES, "Permission denied"),
])
def test_locked_target_keeps_old_file(tmp_path, monkeypatch, exc):
    path = _write(tmp_path, [["old", None, None, None]], [cells.TEXT] * 4)
    before = path.read_bytes()

    def locked(src, dst):
        raise exc

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputNotWritable) as info:
        _write(tmp_path, [["new", None, None, None]], [cells.TEXT] * 4)
    assert info.value.message == "请先关闭Excel中打开的该文件"
    assert info.value.exit_code == 2
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["t.xlsx"]


def test_windows_sharing_violation_is_a_lock(tmp_path, monkeypatch):
    err = OSError(0, "sharing violation")
    err.winerror = 32
    assert cells.is_locked_error(err)
    assert not cells.is_locked_error(OSError(errno.ENOSPC, "disk full"))


def test_missing_folder_is_not_writable(tmp_path):
    wb = Workbook(write_only=True)
    wb.create_sheet("x")
    with pytest.raises(OutputNotWritable):
        cells.atomic_save(wb, tmp_path / "nope" / "x.xlsx")
