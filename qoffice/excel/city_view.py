"""A copy of a received county workbook that opens at a finding's sheet and row (city.md "The screen":
a finding opens the received file at that cell where the OS can).

No program can be told portably "open this file at sheet S, row R", but Excel, WPS and LibreOffice all
open a workbook on its saved active sheet and active cell. So the copy is the received workbook with
that sheet made the active (and only selected) tab, the cell A{row} selected and the view scrolled to
show it. The stored file is never touched: the copy is written beside it in another folder.
"""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from openpyxl.worksheet.views import Selection

from qoffice.excel.outputs import StagedFile

# Rows above the finding's row left visible, so the clerk sees the header region's neighbourhood.
CONTEXT_ROWS = 3


def view_name(file_name: str, sheet: str | None, row: int | None) -> str:
    """报表.xlsx, 企业明细, 7 → 报表_企业明细_第7行.xlsx (a name per place: Excel will not open two
    workbooks of the same name at once)."""
    p = Path(file_name)
    parts = [p.stem]
    if sheet:
        parts.append(sheet)
    if row:
        parts.append(f"第{row}行")
    return "_".join(parts) + ".xlsx"


def set_view(wb, sheet: str | None, row: int | None) -> bool:
    """Make `sheet` the active tab with A{row} selected and in view; False when the sheet is not there."""
    if not sheet or sheet not in wb.sheetnames:
        return False
    ws = wb[sheet]
    if ws.sheet_state != "visible":
        ws.sheet_state = "visible"
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws
    wb.active = ws
    view = ws.sheet_view
    if row and row >= 1:
        cell = f"A{row}"
        pane = view.pane
        if pane is not None and pane.state in ("frozen", "frozenSplit"):
            # frozen header: the cell is selected in the scrolling pane; the pane's own top-left scrolls
            active_pane = pane.activePane or "bottomLeft"
            pane.topLeftCell = f"A{max(row - CONTEXT_ROWS, int(pane.ySplit or 0) + 1)}"
            view.selection = [Selection(pane=active_pane, activeCell=cell, sqref=cell)]
        else:
            view.topLeftCell = f"A{max(1, row - CONTEXT_ROWS)}"
            view.selection = [Selection(activeCell=cell, sqref=cell)]
    return True


def write_view(content: bytes, target: Path, sheet: str | None, row: int | None) -> Path | None:
    """Write the received workbook `content` to `target`, opening at `sheet`/`row` (atomic);
    None (nothing written) when the workbook has no such sheet."""
    wb = openpyxl.load_workbook(io.BytesIO(content), rich_text=True)
    try:
        if not set_view(wb, sheet, row):
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = StagedFile(target)
        try:
            wb.save(staged.tmp)
            staged.ready()
            staged.place()
        except BaseException:
            staged.discard()
            raise
        staged.finish()
    finally:
        wb.close()
    return target
