"""A finding opens the received file at its sheet and row (city.md "The screen"): a copy of the
received workbook whose active sheet and cell are the finding's, written to temp/received-view/ in
the data folder — never over the stored file — and handed to the OS (the opener monkeypatched)."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from qoffice.domain import city as dcity
from qoffice.excel import city_view
from qoffice.paths import data_home
from qoffice.services import city as svc
from qoffice.services import settings as st
from tests.city import builders as B
from tests.city.builders import code, ent, raw


@pytest.fixture
def received(db, tmp_path):
    with db.session() as s:
        st.set_value(s, "level", "city")
    path = B.write_openpyxl(tmp_path / "tz.xlsx", raw("通州区", enterprises=[ent(code(n), f"企业{n}", "通州区", loss=2)
                                                                            for n in range(1, 60)],
                                                      summary={1: 4}))
    [out] = svc.receive(db, [path], today=dt.date(2025, 3, 1))
    assert out.return_id
    return out.return_id


def _place(path):
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    sel = ws.sheet_view.selection[0]
    selected = [w.title for w in wb.worksheets if w.sheet_view.tabSelected]
    return ws.title, sel.activeCell, sel.sqref, ws.sheet_view.topLeftCell, selected


def test_view_copy_opens_at_the_findings_sheet_and_row(db, received):
    with db.read_session() as s:
        stored = svc.file_of(s, received)
        before = stored.read_bytes()
        copy = svc.view_of(s, received, dcity.S_ENTERPRISES, 40)
    assert copy != stored and copy.is_relative_to(data_home() / "temp" / "received-view")
    assert copy.name == f"tz_{dcity.S_ENTERPRISES}_第40行.xlsx"
    assert _place(copy) == (dcity.S_ENTERPRISES, "A40", "A40", "A37", [dcity.S_ENTERPRISES])
    assert stored.read_bytes() == before  # the stored file untouched
    # the copy holds the same cells
    a, b = openpyxl.load_workbook(stored), openpyxl.load_workbook(copy)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert list(a[name].values) == list(b[name].values)


def test_view_copy_of_a_sheet_not_in_the_file_is_the_file_itself(db, received):
    with db.read_session() as s:
        assert svc.view_of(s, received, "没有这张表", 3) == svc.file_of(s, received)
        assert svc.view_of(s, received, None, None) == svc.file_of(s, received)


def test_frozen_header_row_selects_in_the_scrolling_pane(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    ws = wb.create_sheet("企业明细")
    for i in range(100):
        ws.append([i])
    ws.freeze_panes = "A2"
    wb.active = 0
    wb.save(tmp_path / "f.xlsx")
    out = city_view.write_view((tmp_path / "f.xlsx").read_bytes(), tmp_path / "v" / "f.xlsx", "企业明细", 50)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws.title == "企业明细"
    assert (ws.sheet_view.pane.state, ws.sheet_view.pane.ySplit) == ("frozen", 1)  # still frozen under row 1
    assert ws.sheet_view.pane.topLeftCell == "A47"
    assert [(s.pane, s.activeCell) for s in ws.sheet_view.selection] == [("bottomLeft", "A50")]
    assert not wb["封面"].sheet_view.tabSelected
