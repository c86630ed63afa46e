"""A light scan of .xlsx sheet XML for what python-calamine cannot show: formula cells without a
cached value (a file never saved by Excel) and percent number formats.

The sheet XML is streamed from the zip; a cheap byte scan first decides whether a parse is needed
at all (no `<f` and no percent style → nothing to find), so a plain 100,000-row roster costs one
pass over the compressed bytes. When a parse is needed it goes through defusedxml's iterparse,
clearing elements as it goes, so memory stays bounded whatever the sheet's size.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from defusedxml import ElementTree as DET

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
BUILTIN_PERCENT_FORMATS = {9, 10}
_CHUNK = 1 << 20
_QUOTED = re.compile(r'"[^"]*"|\\.')


@dataclass
class SheetScan:
    formula_without_value: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, col)
    percent: set[tuple[int, int]] = field(default_factory=set)


def _is_percent_code(code: str) -> bool:
    return "%" in _QUOTED.sub("", code)


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
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif tag == NS + "cellXfs":
                in_xfs = False
            elif tag == NS + "xf" and in_xfs:
                fmt = int(el.get("numFmtId", "0"))
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


def _needs_parse(zf: zipfile.ZipFile, path: str, style_markers: list[bytes]) -> bool:
    """Byte scan: any formula element, or any cell using a percent style?"""
    tail = b""
    with zf.open(path) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                return False
            buf = tail + chunk
            if _has_formula(buf):
                return True
            if any(m in buf for m in style_markers):
                return True
            tail = buf[-64:]


def scan_sheet(path_or_file, sheet_name: str) -> SheetScan:
    result = SheetScan()
    with zipfile.ZipFile(path_or_file) as zf:
        paths = sheet_paths(zf)
        xml_path = paths.get(sheet_name)
        if xml_path is None or xml_path not in zf.namelist():
            return result
        pct = percent_styles(zf)
        markers = [f's="{i}"'.encode() for i in pct]
        if not _needs_parse(zf, xml_path, markers):
            return result
        pct_text = {str(i) for i in pct}
        with zf.open(xml_path) as fh:
            has_f = has_v = False
            sheet_data = None
            for event, el in DET.iterparse(fh, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == NS + "c":
                        has_f = has_v = False
                    elif tag == NS + "sheetData":
                        sheet_data = el
                    continue
                if tag == NS + "f":
                    has_f = True
                elif tag == NS + "v":
                    has_v = bool(el.text)
                elif tag == NS + "is":
                    has_v = True
                elif tag == NS + "c":
                    ref = el.get("r")
                    if ref:
                        rc = _ref_to_rc(ref)
                        if has_f and not has_v:
                            result.formula_without_value.add(rc)
                        if el.get("s") in pct_text:
                            result.percent.add(rc)
                    el.clear()
                elif tag == NS + "row" and sheet_data is not None:
                    sheet_data.clear()  # drop finished rows: memory stays bounded
    return result
