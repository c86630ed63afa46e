"""Builders for the messy files clerks really have: written in the test, never binary blobs."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest


def write_xlsx(path: Path, rows: list[list], *, merges=(), formats: dict | None = None, title: str = "Sheet1",
               extra_sheets=()) -> Path:
    """rows are written from A1; merges like "A1:D1"; formats maps "D5" -> number format."""
    from openpyxl import Workbook

    wb = Workbook()
    for name, sheet_rows, state in extra_sheets:
        ws = wb.create_sheet(name, 0)
        ws.sheet_state = state
        for r in sheet_rows:
            ws.append(r)
    ws = wb[wb.sheetnames[-1]] if extra_sheets else wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xls(path: Path, rows: list[list], merges=()) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    merged_cells = set()
    for r0, r1, c0, c1, text in merges:
        ws.write_merge(r0, r1, c0, c1, text)
        merged_cells.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) not in merged_cells and value not in (None, ""):
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def html_table(rows: list[list], title: str | None = None) -> str:
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows)
    head = f"<tr><td colspan='{len(rows[0])}'>{title}</td></tr>" if title else ""
    return (f"<html><head><meta charset='utf-8'></head><body><table border=1>{head}{body}</table>"
            "</body></html>")


@pytest.fixture
def files(tmp_path):
    class F:
        xlsx = staticmethod(write_xlsx)
        csv = staticmethod(write_csv)
        xls = staticmethod(write_xls)
        html = staticmethod(html_table)
        dir = tmp_path

    return F
