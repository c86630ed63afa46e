"""Hostile and broken input files, generated at test time (never committed), through the real CLI.

Each file goes through `qoffice import enterprises FILE` in a subprocess under resource guards — a
timeout and RLIMIT_AS — which are guards, not performance assertions. A file that cannot be read
gives one Chinese line, exit 2, and nothing written (the database byte-identical, no backup made);
a file that is only odd imports its good rows.
"""
from __future__ import annotations

import hashlib
import io
import os
import random
import resource
import sqlite3
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from qoffice.domain.uscc import make_valid

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 3 * 1024**3  # address space for the importer process
TIMEOUT = 300
HEAD = ["统一社会信用代码", "企业名称", "区县"]

DBFILE_ENTERPRISES = 1  # the dbfile fixture's enterprises (tests/conftest.py)


def code(i: int) -> str:
    return make_valid(f"9132062{i:010d}")


def good_rows(n: int = 3, first: int = 1) -> list[list[str]]:
    return [[code(i), f"南通良好企业{i}有限公司", "通州区"] for i in range(first, first + n)]


# --- file makers ---------------------------------------------------------------------------------

def xlsx_bytes(rows: list[list], *, extra=None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "企业"
    for r in rows:
        ws.append(r)
    if extra:
        extra(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], encoding="utf-8") -> bytes:
    return "".join(",".join(r) + "\r\n" for r in rows).encode(encoding)


def replace_member(data: bytes, member: str, new: bytes | None = None, *, writer=None) -> bytes:
    """Copy a zip, replacing one member's content (or streaming it from `writer(fh)`)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info.filename))
            elif writer is not None:
                zinfo = zipfile.ZipInfo(member)
                zinfo.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(zinfo, "w", force_zip64=True) as fh:
                    writer(fh)
            else:
                dst.writestr(member, new)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet_xml(rows: list[list[str]], *, dimension: str | None = None, doctype: str = "",
              after_rows: str = "") -> bytes:
    cells = []
    for r, row in enumerate(rows, 1):
        cs = "".join(f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(row))
        cells.append(f'<row r="{r}">{cs}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
            f'<worksheet {NS}>{dim}<sheetData>{"".join(cells)}{after_rows}</sheetData></worksheet>').encode()


def make_truncated_xlsx(d: Path) -> Path:
    data = xlsx_bytes([HEAD, *good_rows(50)])
    p = d / "truncated.xlsx"
    p.write_bytes(data[: len(data) // 2])
    return p


def make_zip_bomb(d: Path) -> Path:
    """A sheet that inflates to ~2 GiB (of which a few hundred KB on disk)."""
    base = xlsx_bytes([HEAD, *good_rows(3)])
    head = sheet_xml([HEAD, *good_rows(3)]).split(b"</sheetData>")[0]
    chunk = b"<row/>" * ((1 << 20) // 6)  # 1 MiB of empty row elements

    def writer(fh):
        fh.write(head)
        for _ in range(2048):
            fh.write(chunk)
        fh.write(b"</sheetData></worksheet>")

    p = d / "bomb.xlsx"
    p.write_bytes(replace_member(base, SHEET, writer=writer))
    return p


def make_billion_laughs(d: Path) -> Path:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    doctype = f"<!DOCTYPE worksheet [{ents}]>"
    rows = [HEAD, *good_rows(3), [code(99), "&lol9;", "崇川区"]]
    base = xlsx_bytes([HEAD])
    p = d / "laughs.xlsx"
    p.write_bytes(replace_member(base, SHEET, sheet_xml(rows, doctype=doctype)))
    return p


def make_xlsx_named_csv(d: Path) -> Path:
    p = d / "really_xlsx.csv"
    p.write_bytes(xlsx_bytes([HEAD, *good_rows(3, 200)]))
    return p


def make_csv_named_xlsx(d: Path) -> Path:
    p = d / "really_csv.xlsx"
    p.write_bytes(csv_bytes([HEAD, *good_rows(3, 300)], "gb18030"))
    return p


def make_csv_named_xls(d: Path) -> Path:
    p = d / "really_csv.xls"
    p.write_bytes(csv_bytes([HEAD, *good_rows(3, 350)]))
    return p


def make_empty(d: Path, ext: str) -> Path:
    p = d / f"empty.{ext}"
    p.write_bytes(b"")
    return p


def make_random(d: Path, ext: str) -> Path:
    rng = random.Random(ext)
    p = d / f"random.{ext}"
    p.write_bytes(bytes(rng.getrandbits(8) for _ in range(64 * 1024)))
    return p


def make_huge_cell(d: Path) -> Path:
    rows = [HEAD, *good_rows(3, 400), [code(499), "巨" * (10 * 1024 * 1024 // 3), "崇川区"]]
    base = xlsx_bytes([HEAD])
    p = d / "huge_cell.xlsx"
    p.write_bytes(replace_member(base, SHEET, sheet_xml(rows)))
    return p


def make_formatted_to_last_row(d: Path) -> Path:
    """A few real rows, then every row down to 1,048,576 carrying a style (what 'format the whole
    column' in Excel leaves behind), and a dimension saying so."""
    rows = [HEAD, *good_rows(4, 500)]
    base = xlsx_bytes([HEAD])
    head = sheet_xml(rows, dimension="A1:V1048576").split(b"</sheetData>")[0]

    def writer(fh):
        fh.write(head)
        buf = []
        for r in range(len(rows) + 1, 1_048_577):
            buf.append(f'<row r="{r}" s="1" customFormat="1"><c r="A{r}" s="1"/></row>')
            if len(buf) == 10000:
                fh.write("".join(buf).encode())
                buf = []
        fh.write("".join(buf).encode())
        fh.write(b"</sheetData></worksheet>")

    p = d / "formatted_to_1048576.xlsx"
    p.write_bytes(replace_member(base, SHEET, writer=writer))
    return p


def make_encrypted(d: Path, ext: str) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE2 compound file holding
    EncryptionInfo + EncryptedPackage. A minimal CFB header with the right signature and sector
    fields; the directory is not a valid workbook (there is nothing to decrypt)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)  # minor, major v3, byte order, sector shifts
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", header, 76, 0)  # first DIFAT entry: FAT in sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)  # sector 0 = FAT, sector 1 = directory end
    directory = bytearray(512)
    name = "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"
    directory[0:len(name)] = name
    struct.pack_into("<HBB", directory, 64, len(name), 2, 1)
    p = d / f"encrypted.{ext}"
    p.write_bytes(bytes(header) + bytes(fat) + bytes(directory) + os.urandom(4096))
    return p


def make_nul_mixed_csv(d: Path) -> Path:
    """UTF-8 rows, a NUL byte inside a cell, and one row in GBK — a file glued from two exports."""
    utf8 = csv_bytes([HEAD, *good_rows(2, 600)])
    nul = f"{code(602)},南通空\x00字节有限公司,崇川区\r\n".encode()
    gbk = f"{code(603)},南通国标编码有限公司,海门区\r\n".encode("gbk")
    p = d / "nul_mixed.csv"
    p.write_bytes(utf8 + nul + gbk)
    return p


# --- running the importer under guards ------------------------------------------------------------

def _limits():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_import(db: Path, f: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qoffice", "--db", str(db), "import", "enterprises", str(f)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", errors="replace",
                          timeout=timeout, preexec_fn=_limits)


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def codes_in(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT uscc FROM enterprise")}
    finally:
        con.close()


def assert_unreadable(db: Path, f: Path) -> str:
    before = digest(db)
    out = run_import(db, f)
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2, (f.name, out.returncode, out.stdout[-500:], out.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("qoffice: "), lines
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0]), lines  # in Chinese
    assert "Traceback" not in out.stderr and out.stdout == ""
    assert digest(db) == before
    assert not (db.parent / "backups").exists()  # not even the pre-import backup
    return lines[0]


def assert_good_rows_imported(db: Path, f: Path, expected: set[str], exit_codes=(0,)) -> subprocess.CompletedProcess:
    out = run_import(db, f)
    assert out.returncode in exit_codes, (f.name, out.returncode, out.stdout[-2000:], out.stderr[-2000:])
    assert "Traceback" not in out.stderr
    assert expected <= codes_in(db), (f.name, out.stdout[-2000:])
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    return out


# --- the corpus -----------------------------------------------------------------------------------

UNREADABLE = {
    "truncated xlsx": make_truncated_xlsx,
    "empty .xlsx": lambda d: make_empty(d, "xlsx"),
    "empty .csv": lambda d: make_empty(d, "csv"),
    "empty .xls": lambda d: make_empty(d, "xls"),
    "random bytes .xlsx": lambda d: make_random(d, "xlsx"),
    "random bytes .xls": lambda d: make_random(d, "xls"),
    "random bytes .csv": lambda d: make_random(d, "csv"),
    "encrypted workbook .xlsx": lambda d: make_encrypted(d, "xlsx"),
    "encrypted workbook .xls": lambda d: make_encrypted(d, "xls"),
}


@pytest.mark.parametrize("name", UNREADABLE)
def test_unreadable_files_exit_2_with_one_chinese_line_and_write_nothing(name, dbfile, tmp_path):
    assert_unreadable(dbfile, UNREADABLE[name](tmp_path))


@pytest.mark.slow
def test_zip_bomb_is_refused_within_the_guards(dbfile, tmp_path):
    f = make_zip_bomb(tmp_path)
    assert f.stat().st_size < 20 * 1024 * 1024
    before = digest(dbfile)
    out = run_import(dbfile, f, timeout=60)  # refused from the zip directory, before inflating anything
    assert "Traceback" not in out.stderr and "MemoryError" not in out.stderr, out.stderr[-2000:]
    assert out.returncode == 2, out.stderr[-2000:]
    assert_unreadable(dbfile, f)
    assert digest(dbfile) == before


def test_billion_laughs_is_refused_and_never_expanded(dbfile, tmp_path):
    """A DTD in the sheet XML (no spreadsheet program writes one) makes the sheet unreadable: exit 2,
    one Chinese line naming the file, nothing written — and no entity is expanded on the way."""
    f = make_billion_laughs(tmp_path)
    line = assert_unreadable(dbfile, f)
    assert f.name in line and "MemoryError" not in line  # the database is byte-identical: nothing expanded went in


@pytest.mark.parametrize("maker, first", [(make_xlsx_named_csv, 200), (make_csv_named_xlsx, 300),
                                          (make_csv_named_xls, 350)])
def test_wrong_extension_is_read_by_content(maker, first, dbfile, tmp_path):
    assert_good_rows_imported(dbfile, maker(tmp_path), {r[0] for r in good_rows(3, first)})


def test_a_10_mb_cell_rejects_its_row_and_keeps_the_others(dbfile, tmp_path):
    out = assert_good_rows_imported(dbfile, make_huge_cell(tmp_path), {r[0] for r in good_rows(3, 400)},
                                    exit_codes=(1,))
    assert code(499) not in codes_in(dbfile)
    assert "32767" in out.stdout or "32,767" in out.stdout


@pytest.mark.slow
def test_a_sheet_formatted_to_row_1048576_imports_its_real_rows(dbfile, tmp_path):
    assert_good_rows_imported(dbfile, make_formatted_to_last_row(tmp_path), {r[0] for r in good_rows(4, 500)})


def make_nul_csv(d: Path) -> Path:
    p = d / "nul.csv"
    p.write_bytes(csv_bytes([HEAD, *good_rows(2, 700)]) + f"{code(702)},南通空\x00字节有限公司,崇川区\r\n".encode())
    return p


def make_mixed_encoding_csv(d: Path) -> Path:
    p = d / "mixed.csv"
    p.write_bytes(csv_bytes([HEAD, *good_rows(2, 800)]) + f"{code(802)},南通国标编码有限公司,海门区\r\n".encode("gbk"))
    return p


@pytest.mark.parametrize("maker, names_line", [(make_nul_mixed_csv, None), (make_nul_csv, "第 4 行"),
                                               (make_mixed_encoding_csv, None)])
def test_csv_with_nul_bytes_or_mixed_encodings_is_refused(maker, names_line, dbfile, tmp_path):
    """A CSV holding a NUL byte (a damaged or half-written export) or written in two encodings at
    once (two exports glued together) cannot be read as one text: exit 2, one Chinese line, nothing
    written — never a half import, mojibake or a NUL in the data. When dropping the NUL bytes leaves
    readable text, the line names the row that holds one and says to save the file as .xlsx."""
    f = maker(tmp_path)
    line = assert_unreadable(dbfile, f)
    assert f.name in line
    if names_line:
        assert names_line in line and "另存为 .xlsx" in line
