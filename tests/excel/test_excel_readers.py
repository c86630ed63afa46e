"""Readers: the real format comes from the content; every kind of messy file gives rows."""
import datetime as dt
import zipfile

import pytest

from qoffice.errors import FileUnreadable
from qoffice.excel.readers import open_book
from qoffice.excel.xlsx_scan import scan_sheet


def first(book):
    return book.sheet(book.sheet_names[0])


def test_openpyxl_runs_with_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_xlsx_values_dates_and_merges(files):
    p = files.xlsx(files.dir / "a.xlsx", [["标题"], [], ["名称", "日期"], ["甲", dt.date(2023, 4, 23)]],
                   merges=["A1:B1"])
    book = open_book(p)
    assert book.format == "xlsx"
    s = first(book)
    assert s.rows[3] == ["甲", dt.date(2023, 4, 23)]
    assert ((0, 0), (0, 1)) in s.merges
    assert s.formats_visible


def test_hidden_sheets_are_not_offered(files):
    p = files.xlsx(files.dir / "h.xlsx", [["x"]], extra_sheets=[("隐藏", [["y"]], "hidden")])
    assert open_book(p).sheet_names == ["Sheet1"]


def test_xls_written_by_xlwt_is_read_with_merges(files):
    p = files.xls(files.dir / "old.xls", [["", "", ""], ["名称", "区县", "年度"], ["甲", "崇川区", 2023]],
                  merges=[(0, 0, 0, 2, "2023年企业名单")])
    book = open_book(p)
    assert book.format == "xls"
    s = first(book)
    assert s.rows[0][0] == "2023年企业名单"
    assert s.rows[2] == ["甲", "崇川区", 2023.0]
    assert ((0, 0), (0, 2)) in s.merges
    assert not s.formats_visible


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(files, encoding):
    p = files.csv(files.dir / "c.csv", [["企业名称", "区县"], ["南通锻压机械有限公司", "海安市"]], encoding=encoding)
    s = first(open_book(p))
    assert s.rows[1] == ["南通锻压机械有限公司", "海安市"]
    assert s.rows[0][0] == "企业名称"  # no BOM left on the first header


def test_csv_row_numbers_are_the_records_excel_shows(files):
    """import-and-cli.md: for CSV the record's number (a quoted line break does not start a row)."""
    p = files.csv(files.dir / "m.csv", [["名称", "备注"], ["甲", "第一行\n第二行"], ["乙", "x"]])
    s = first(open_book(p))
    assert s.rows[1][1] == "第一行\n第二行"
    assert [s.row_number(i) for i in range(3)] == [1, 2, 3]


def test_html_table_saved_as_xls_is_read(files):
    p = files.dir / "gov.xls"
    p.write_text(files.html([["名称", "区县"], ["甲&amp;乙", "崇川区"]], title="企业名单"), encoding="gbk")
    book = open_book(p)
    assert book.format == "html"
    s = first(book)
    assert s.rows[0][0] == "企业名单"
    assert ((0, 0), (0, 1)) in s.merges
    assert s.rows[2] == ["甲&乙", "崇川区"]


def test_html_rowspan_becomes_a_merge(files):
    p = files.dir / "rs.xls"
    p.write_text("<table><tr><td>区县</td><td>名称</td></tr><tr><td rowspan=2>崇川区</td><td>甲</td></tr>"
                 "<tr><td>乙</td></tr></table>", encoding="utf-8")
    s = first(open_book(p))
    assert s.rows[2] == ["", "乙"]
    assert ((1, 0), (2, 0)) in s.merges


def test_utf16_tab_text_saved_as_xls_is_read(files):
    p = files.dir / "u16.xls"
    p.write_bytes("名称\t区县\r\n甲\t崇川区\r\n".encode("utf-16"))
    s = first(open_book(p))
    assert s.rows[:2] == [["名称", "区县"], ["甲", "崇川区"]]


def test_xlsx_that_is_really_csv(files):
    p = files.csv(files.dir / "fake.xlsx", [["名称", "区县"], ["甲", "崇川区"]], encoding="gbk")
    book = open_book(p)
    assert book.format == "csv"
    assert first(book).rows[1] == ["甲", "崇川区"]


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\x03binary\xff\xfe\x00garbage" * 10,
                                     b"PK\x03\x04not really a zip"])
def test_unreadable_files_raise_one_clear_line(files, content):
    p = files.dir / "bad.xlsx"
    p.write_bytes(content)
    with pytest.raises(FileUnreadable) as exc:
        open_book(p)
    assert "bad.xlsx" in exc.value.message and "\n" not in exc.value.message


def test_text_with_a_nul_byte_names_the_line_and_what_to_do(files):
    p = files.dir / "cut.csv"
    p.write_bytes("企业名称,区县\r\n甲,崇川区\r\n乙\x00,海门区\r\n".encode())
    with pytest.raises(FileUnreadable) as exc:
        open_book(p)
    assert "cut.csv" in exc.value.message and "第 3 行" in exc.value.message and "另存为 .xlsx" in exc.value.message
    p.write_bytes(b"\x00\x01\x02\x03binary\xff\xfe\x00garbage" * 10)  # binary: the general message
    with pytest.raises(FileUnreadable) as exc:
        open_book(p)
    assert "既不是Excel文件" in exc.value.message
    assert "第" not in exc.value.message


def test_zip_that_is_not_a_workbook(files):
    p = files.dir / "doc.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<x/>")
    with pytest.raises(FileUnreadable):
        open_book(p)


def test_missing_file(files):
    with pytest.raises(FileUnreadable):
        open_book(files.dir / "nope.xlsx")


def test_scan_finds_formula_without_cached_value_and_percent_cells(files):
    # openpyxl stores formulas without cached values, like a file never saved by Excel.
    p = files.xlsx(files.dir / "f.xlsx", [["代码", "率", "和"], ["x", 0.0125, "=1+2"], ["y", 1.5, 3]],
                   formats={"B2": "0.00%", "B3": "0.00"})
    scan = scan_sheet(p, "Sheet1")
    assert scan.formula_without_value == {(1, 2)}
    assert scan.percent == {(1, 1)}
    s = first(open_book(p))
    assert s.formula_without_value == {(1, 2)} and s.percent == {(1, 1)}


def test_custom_percent_format_found_and_quoted_percent_ignored(files):
    p = files.xlsx(files.dir / "g.xlsx", [["a", "b"], [0.5, 0.5]], formats={"A2": "0.000%", "B2": '0.0"%"'})
    assert scan_sheet(p, "Sheet1").percent == {(1, 0)}


def test_plain_sheet_is_not_parsed_only_byte_scanned(files):
    from qoffice.excel import xlsx_scan

    plain = files.xlsx(files.dir / "p.xlsx", [["a", "b"], [1, 2]])
    formula = files.xlsx(files.dir / "q.xlsx", [["a", "b"], [1, "=A2"]])
    with zipfile.ZipFile(plain) as zf:
        assert xlsx_scan._byte_scan(zf, "xl/worksheets/sheet1.xml", []) == (False, False)
    with zipfile.ZipFile(formula) as zf:
        assert xlsx_scan._byte_scan(zf, "xl/worksheets/sheet1.xml", []) == (True, False)


def test_sheet_used_down_to_the_last_row_reads_only_real_rows(files):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    for r in range(3):
        ws.append([f"r{r}", r])
    ws.cell(1048576, 26).font = Font(bold=True)  # dimension becomes A1:Z1048576
    p = files.dir / "big.xlsx"
    wb.save(p)
    with zipfile.ZipFile(p) as z:
        assert b'ref="A1:Z1048576"' in z.read("xl/worksheets/sheet1.xml")
    s = first(open_book(p))
    assert len(s.rows) == 3
