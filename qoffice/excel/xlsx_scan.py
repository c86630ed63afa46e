"""A light scan of .xlsx sheet XML for what python-calamine cannot show: formula cells without a
cached value (a file never saved by Excel) and percent number formats.

The sheet XML is streamed from the zip; a cheap byte scan first decides whether a parse is needed
at all (no `<f` and no percent style → nothing to find), so a plain 100,000-row roster costs one
pass over the compressed bytes. When a parse is needed it goes through defusedxml's iterparse,
clearing elements as it goes, so memory stays bounded whatever the sheet's size.

The same pass bounds the sheet before python-calamine sees it: calamine allocates the whole
rectangle from the first to the last cell holding a value, so a 5 KB file with values in A1 and
XFD1048576 asks for 512 GiB and aborts the process. Cell and row references that could make the
rectangle larger than MAX_CELLS (a column past AZ, a row past 99,999) send the sheet through an
exact scan of its value cells, which raises SheetTooLarge naming the farthest one.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from defusedxml import ElementTree as DET

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
BUILTIN_PERCENT_FORMATS = {9, 10}
_CHUNK = 1 << 20
_QUOTED = re.compile(r'"[^"]*"|\\.')
MAX_CELLS = 10_000_000  # cells in the rectangle calamine would allocate (~32 bytes each)
# A reference that could reach past MAX_CELLS: a column from BA on (three letters included) or a row
# number of six digits, in a cell's or a row's r attribute; below both, a sheet spans at most
# 52 columns × 99,999 rows. (Written so that the usual reference fails at its second character:
# the search visits every cell of a 100,000-row roster.)
_FAR = re.compile(rb'r="(?:[B-Z][A-Z]|A[A-Z][A-Z]|[A-Z]{0,2}\d{6})')
_ELEMENT = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>')
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*["\']([A-Za-z]*)(\d*)["\']')


class SheetTooLarge(ValueError):
    """The sheet's cells span more than MAX_CELLS; `cell` is the farthest one (like "XFD1048576")."""

    def __init__(self, cell: str, rows: int, columns: int):
        super().__init__(cell)
        self.cell, self.rows, self.columns = cell, rows, columns


@dataclass
class SheetScan:
    formula_without_value: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, col)
    percent: set[tuple[int, int]] = field(default_factory=set)


def _is_percent_code(code: str) -> bool:
    return "%" in _QUOTED.sub("", code)


def _format_id(el) -> int:
    """numFmtId as a number; one that is not (numFmtId="abc", which Excel never writes) is no format."""
    text = el.get("numFmtId", "0")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1


def percent_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indexes into cellXfs whose number format shows a percent."""
    try:
        data = zf.open("xl/styles.xml")
    except KeyError:
        return set()
    custom: dict[int, str] = {}
    out: set[int] = set()
    in_xfs = False
    index = 0
    with data:
        for event, el in DET.iterparse(data, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == NS + "cellXfs":
                    in_xfs = True
                continue
            if tag == NS + "numFmt":
                custom[_format_id(el)] = el.get("formatCode", "")
            elif tag == NS + "cellXfs":
                in_xfs = False
            elif tag == NS + "xf" and in_xfs:
                fmt = _format_id(el)
                if fmt in BUILTIN_PERCENT_FORMATS or (fmt in custom and _is_percent_code(custom[fmt])):
                    out.add(index)
                index += 1
                el.clear()
    return out


def sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML inside the zip."""
    rels: dict[str, str] = {}
    with zf.open("xl/_rels/workbook.xml.rels") as fh:
        for _event, el in DET.iterparse(fh):
            if el.tag == PKG_REL_NS + "Relationship":
                target = el.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join("xl", target))
                rels[el.get("Id", "")] = path
    out: dict[str, str] = {}
    with zf.open("xl/workbook.xml") as fh:
        for _event, el in DET.iterparse(fh):
            if el.tag == NS + "sheet":
                rid = el.get(REL_NS + "id")
                if rid in rels:
                    out[el.get("name", "")] = rels[rid]
    return out


def column_letters(col: int) -> str:
    """0-based column → letters (0 → A, 16383 → XFD)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _letters_to_col(letters: bytes) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col - 1


def _check_extent(zf: zipfile.ZipFile, path: str) -> None:
    """Exact scan of the cells that hold something: raise SheetTooLarge when the rectangle from the
    first to the last of them has more than MAX_CELLS cells. Cells without a reference follow the
    one before them, rows without one the row before, as calamine places them."""
    min_r = min_c = 1 << 62
    max_r = max_c = -1
    far_row = far_col = (0, 0)
    row = -1
    col = -1
    tail = b""
    with zf.open(path) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buf = tail + chunk
            if chunk:
                cut = buf.rfind(b"<")
                buf, tail = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
            for m in _ELEMENT.finditer(buf):
                attrs = m.group(2)
                ref = _R_ATTR.search(attrs)
                if m.group(1) == b"row":
                    row = int(ref.group(2)) - 1 if ref and ref.group(2) else row + 1
                    col = -1
                    continue
                if ref and ref.group(2):
                    r = int(ref.group(2)) - 1
                    c = _letters_to_col(ref.group(1)) if ref.group(1) else col + 1
                else:
                    r, c = row, col + 1
                row, col = r, c
                if attrs.endswith(b"/"):
                    continue  # <c r="A9" s="1"/>: formatted, nothing in it
                if r > max_r:
                    max_r, far_row = r, (r, c)
                if c > max_c:
                    max_c, far_col = c, (r, c)
                min_r, min_c = min(min_r, r), min(min_c, c)
            if not chunk:
                break
    if max_r < 0:
        return
    rows, columns = max_r - min_r + 1, max_c - min_c + 1
    if rows * columns > MAX_CELLS:
        r, c = far_col if columns > 52 else far_row
        raise SheetTooLarge(f"{column_letters(c)}{r + 1}", rows, columns)


def _ref_to_rc(ref: str) -> tuple[int, int]:
    col = 0
    i = 0
    while i < len(ref) and ref[i].isalpha():
        col = col * 26 + (ord(ref[i].upper()) - 64)
        i += 1
    return int(ref[i:]) - 1, col - 1


def _has_formula(buf: bytes) -> bool:
    """Whether `buf` holds a <f>, <f …> or <f/> element: one search for "<f" (which is also how
    <formula1>, <filterColumn>… start) and a look at what follows each hit."""
    i = buf.find(b"<f")
    while i != -1:
        after = buf[i + 2:i + 4]
        if after[:1] in (b">", b" ") or after == b"/>":
            return True
        i = buf.find(b"<f", i + 2)
    return False


def _byte_scan(zf: zipfile.ZipFile, path: str, style_markers: list[bytes]) -> tuple[bool, bool]:
    """One pass over the sheet's bytes: (any formula element or cell using a percent style?, any
    reference that could make the sheet's rectangle too large?)."""
    tail = b""
    needs_parse = far = False
    far_search = _FAR.search
    with zf.open(path) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                return needs_parse, far
            buf = tail + chunk
            if not needs_parse:
                needs_parse = _has_formula(buf) or any(m in buf for m in style_markers)
            if not far:
                far = far_search(buf) is not None
            if needs_parse and far:
                return True, True
            tail = buf[-64:]


def iter_cells(fh) -> Iterator[tuple[str | None, str | None, bool, bool]]:
    """Every cell of a sheet's XML (an open binary stream) as (reference, style index, has a formula,
    has a saved value: a <v> with text or an inline string), streamed through defusedxml's iterparse;
    finished rows are cleared as it goes, so memory stays bounded whatever the sheet's size."""
    has_f = has_v = False
    sheet_data = None
    for event, el in DET.iterparse(fh, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == _C:
                has_f = has_v = False
            elif tag == _SHEET_DATA:
                sheet_data = el
            continue
        if tag == _F:
            has_f = True
        elif tag == _V:
            has_v = bool(el.text)
        elif tag == _IS:
            has_v = True
        elif tag == _C:
            yield el.get("r"), el.get("s"), has_f, has_v
            el.clear()
        elif tag == _ROW and sheet_data is not None:
            sheet_data.clear()  # drop finished rows


_C, _F, _V, _IS, _ROW, _SHEET_DATA = (NS + t for t in ("c", "f", "v", "is", "row", "sheetData"))


def _contains_formula(zf: zipfile.ZipFile, path: str) -> bool:
    """One pass over the sheet's bytes: does it hold a formula element at all?"""
    tail = b""
    with zf.open(path) as fh:
        while chunk := fh.read(_CHUNK):
            if _has_formula(tail + chunk):
                return True
            tail = chunk[-8:]
    return False


def formula_cells(zf: zipfile.ZipFile, path: str) -> dict[tuple[int, int], bool]:
    """0-based (row, col) of every formula cell of the sheet at `path` → whether a result was saved
    with it (a sheet without any formula costs one pass over its bytes)."""
    if not _contains_formula(zf, path):
        return {}
    with zf.open(path) as fh:
        return {_ref_to_rc(ref): has_v for ref, _style, has_f, has_v in iter_cells(fh) if has_f and ref}


def scan_sheet(path_or_file, sheet_name: str) -> SheetScan:
    result = SheetScan()
    with zipfile.ZipFile(path_or_file) as zf:
        paths = sheet_paths(zf)
        xml_path = paths.get(sheet_name)
        if xml_path is None or xml_path not in zf.namelist():
            return result
        pct = percent_styles(zf)
        markers = [f's="{i}"'.encode() for i in pct]
        needs_parse, far = _byte_scan(zf, xml_path, markers)
        if far:
            _check_extent(zf, xml_path)
        if not needs_parse:
            return result
        pct_text = {str(i) for i in pct}
        with zf.open(xml_path) as fh:
            for ref, style, has_f, has_v in iter_cells(fh):
                if ref:
                    rc = _ref_to_rc(ref)
                    if has_f and not has_v:
                        result.formula_without_value.add(rc)
                    if style in pct_text:
                        result.percent.add(rc)
    return result
