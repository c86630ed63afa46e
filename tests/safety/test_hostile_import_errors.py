"""Damaged and hostile workbooks that used to print a traceback (issue 12, item 9, the reader
parts): each is one Chinese line with exit 2 (the file), or a rejected row with exit 1 (a cell).
Files are written by hand in tmp_path; the CLI runs in a child process under the same guards as
test_hostile_import_memory."""
from __future__ import annotations

import json
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the hand-written xlsx builders of the memory cases
from test_hostile_import_memory import (  # noqa: E402
    STYLES,
    WORKBOOK,
    WORKBOOK_RELS,
    assert_refused,
    cell,
    code,
    roster_rows,
    run_cli,
    sheet_xml,
    write_xlsx,
)

DTD = b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x [<!ENTITY e "entity">]>'


def with_dtd(xml: bytes) -> bytes:
    return DTD + xml.split(b"?>", 1)[1]


@pytest.mark.parametrize("member", ["xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
def test_a_dtd_in_any_part_is_one_line(tmp_path, member):
    original = {"xl/styles.xml": STYLES, "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS}
    p = write_xlsx(tmp_path / "dtd.xlsx", sheet_xml(roster_rows()), **{member.replace("/", "__"): with_dtd(original[member])})
    assert_refused(run_cli(tmp_path, str(p)), "dtd.xlsx")
    assert not (tmp_path / "q.db").exists()


def test_broken_sheet_xml_is_one_line(tmp_path):
    rows = roster_rows()
    rows[1][1].append('<c r="C2"><f>A2</f></c>')  # a formula: the scan parses this sheet
    broken = sheet_xml(rows).replace(b"</sheetData>", b"<row r=\"9\"><c r=\"A9\"><v>1</v></row></sheetData>")
    p = write_xlsx(tmp_path / "broken.xlsx", broken)
    assert_refused(run_cli(tmp_path, str(p)), "broken.xlsx")


def test_a_bad_crc_is_one_line(tmp_path):
    p = tmp_path / "crc.xlsx"
    parts = {"[Content_Types].xml": None}
    src = write_xlsx(tmp_path / "src.xlsx", sheet_xml(roster_rows()))
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename), compress_type=zipfile.ZIP_STORED)
    data = bytearray(p.read_bytes())
    at = data.find("南通远角企业2".encode())
    assert at > 0 and parts
    data[at:at + 3] = "北".encode()  # same length, different bytes: the stored CRC no longer matches
    p.write_bytes(bytes(data))
    assert_refused(run_cli(tmp_path, str(p)), "crc.xlsx")


def test_a_non_numeric_number_format_id_is_no_format(tmp_path):
    styles = STYLES.replace(b'<xf numFmtId="10"', b'<xf numFmtId="abc"')
    rows = roster_rows()
    rows[1][1].append(cell("C2", 0.5, style=1))  # a cell using that style: the scan reads styles.xml for it
    p = write_xlsx(tmp_path / "fmt.xlsx", sheet_xml(rows), **{"xl__styles.xml": styles})
    out = run_cli(tmp_path, str(p), "--json")
    assert "Traceback" not in out.stderr and "意外错误" not in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]
    assert out.returncode == 0 and json.loads(out.stdout)["created"] == 3  # the odd format is no format


def test_absurd_amounts_reject_their_row_not_the_import(tmp_path):
    """15+ digit 万元 (past SQLite's integer), 25+ digits (past Decimal's precision), 1e300."""
    db = tmp_path / "q.db"
    make = [(1, [cell("A1", "统一社会信用代码"), cell("B1", "企业名称")])] + [
        (i + 1, [cell(f"A{i + 1}", code(i)), cell(f"B{i + 1}", f"南通金额企业{i}有限公司")]) for i in range(1, 7)]
    out = run_cli(tmp_path, str(write_xlsx(tmp_path / "e.xlsx", sheet_xml(make))))
    assert out.returncode == 0, out.stderr
    head = [cell("A1", "统一社会信用代码"), cell("B1", "年度"), cell("C1", "质量成果效益(万元)"), cell("D1", "抽查批次"),
            cell("E1", "质量损失率(%)")]
    values = [("C", "123456789012345"), ("C", "1234567890123456789012345"), ("C", 1e300), ("D", 1e300),
              ("E", 1e300), ("C", 12.5)]
    rows = [(1, head)]
    for i, (col, v) in enumerate(values, start=1):
        r = i + 1
        rows.append((r, [cell(f"A{r}", code(i)), cell(f"B{r}", 2023), cell(f"{col}{r}", v)]))
    p = write_xlsx(tmp_path / "amounts.xlsx", sheet_xml(rows))
    out = run_cli(tmp_path, str(p), "--json", kind="figures")
    assert "Traceback" not in out.stderr and "意外错误" not in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]
    assert out.returncode == 1, out.stdout[-2000:] + out.stderr[-2000:]
    data = json.loads(out.stdout)
    assert (data["created"], data["rejected"]) == (1, 5), data
    assert sorted(e["row"] for e in data["errors"]) == [2, 3, 4, 5, 6]
    for e in data["errors"]:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]), e
    benefit = sqlite3.connect(db).execute("SELECT benefit_yuan FROM year_figures").fetchall()
    assert benefit == [(125000,)]


def _scan_failures():
    import zlib
    from xml.etree.ElementTree import ParseError

    from defusedxml import EntitiesForbidden

    return {
        "BadZipFile (bad CRC: the file rewritten during the import)": zipfile.BadZipFile("Bad CRC-32 for file"),
        "ParseError": ParseError("not well-formed"),
        "EntitiesForbidden": EntitiesForbidden("e", None, None, None, None, None),
        "ValueError": ValueError("invalid literal for int()"),
        "zlib.error": zlib.error("invalid stored block lengths"),
        "EOFError": EOFError(),
    }


@pytest.mark.parametrize("name", list(_scan_failures()))
def test_every_failure_of_the_xlsx_scan_is_one_line(name, tmp_path, monkeypatch):
    """Whatever the scan meets after calamine opened the file (the file replaced meanwhile, say)."""
    from qoffice.errors import FileUnreadable
    from qoffice.excel import readers, xlsx_scan

    p = write_xlsx(tmp_path / "scan.xlsx", sheet_xml(roster_rows()))
    failure = _scan_failures()[name]

    def fail(*_a, **_k):
        raise failure

    monkeypatch.setattr(xlsx_scan, "scan_sheet", fail)
    book = readers.open_book(p)
    with pytest.raises(FileUnreadable) as info:
        book.sheet(book.sheet_names[0])
    message = str(info.value)
    assert "scan.xlsx" in message and "\n" not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message.replace("无法读取", "")), message
