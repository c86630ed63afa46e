"""Find the header row of a clerk's sheet and map its columns to a kind's fields.

Header text is normalised (full-width → half-width, white space and line breaks out, `*`/`※`
marks out, 【】 → ()), then matched by the template name or a common other name; a unit in
brackets (投资额(元)) is kept aside to scale money. A merged heading over sub-headings combines with
them (首席质量官 over 姓名 | 电话 → 首席质量官, 首席质量官电话).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from qoffice.excel.kinds import Kind
from qoffice.excel.readers import SheetData
from qoffice.excel.values import number_text

HEADER_SCAN_ROWS = 10
_MARKS = re.compile(r"[*※★☆▲●◆\s]")
_TRAILING_BRACKET = re.compile(r"^(.*?)\(([^()]*)\)$")
UNITS = ("万元", "万", "元", "%")
_NAME_WORDS = ("姓名", "名称", "名字")


def normalize_header(value) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", number_text(value))
    text = text.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    return _MARKS.sub("", text)


def split_unit(text: str) -> tuple[str, str | None]:
    """"投资额(元)" → ("投资额", "元"); other bracketed remarks (必填, 选填) are dropped."""
    m = _TRAILING_BRACKET.match(text)
    if not m or not m.group(1):
        return text, None
    inner = m.group(2)
    return m.group(1), inner if inner in UNITS else None


def build_lookup(kind: Kind) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for col in kind.columns:
        for name in (col.header, *col.synonyms):
            norm = normalize_header(name)
            lookup.setdefault(norm, col.key)
            base, _unit = split_unit(norm)
            lookup.setdefault(base, col.key)
    return lookup


def match_header(text: str, lookup: dict[str, str]) -> tuple[str | None, str | None]:
    """(field key or None, unit or None) of one normalised header text."""
    if not text:
        return None, None
    base, unit = split_unit(text)
    for candidate in (text, base, re.sub(r"\([^()]*\)", "", text)):
        if candidate in lookup:
            return lookup[candidate], unit
    return None, unit


@dataclass
class HeaderCell:
    col: int
    text: str  # the file's own header text (for messages about unknown columns)
    key: str | None
    unit: str | None


@dataclass
class Layout:
    header_row: int  # 0-based index into sheet.rows
    cells: list[HeaderCell]
    columns: dict[str, list[int]] = field(default_factory=dict)  # key -> file columns
    units: dict[int, str | None] = field(default_factory=dict)
    unknown: list[HeaderCell] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return set(self.columns)


def _header_grid(sheet: SheetData, nrows: int) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """The first rows as normalised text, merged cells filled; and the cells under a horizontal
    merge (a heading spanning several columns)."""
    grid = [[normalize_header(v) for v in row] for row in sheet.rows[:nrows]]
    spanned: set[tuple[int, int]] = set()
    width = max(map(len, grid), default=0)  # a merge reaching past every header cell covers no heading
    for (r0, c0), (r1, c1) in sheet.merges:
        if r0 >= nrows or c0 >= width:
            continue
        c1 = min(c1, width - 1)
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, nrows - 1) + 1):
            row = grid[r]
            while len(row) <= c1:
                row.append("")
            for c in range(c0, c1 + 1):
                row[c] = value
                if c1 > c0 and r1 == r0:
                    spanned.add((r, c))
    return grid, spanned


def _is_title(above: list[str], row: list[str], spanned, r: int) -> bool:
    """The row above is one text merged over every filled header cell (the sheet's title)."""
    filled = [c for c, text in enumerate(row) if text]
    return bool(filled) and all((r, c) in spanned for c in filled) \
        and len({above[c] for c in filled if c < len(above)}) == 1


def _labels(grid, spanned, i: int, lookup) -> list[HeaderCell]:
    row = grid[i]
    above = grid[i - 1] if i > 0 else []
    two_level = i > 0 and any((i - 1, c) in spanned for c in range(len(above)))
    if two_level and _is_title(above, row, spanned, i - 1):
        two_level = False  # a title merged over every column is no heading: 序号 stays 序号 (issue 13)
    cells = []
    for c, text in enumerate(row):
        parent = above[c] if c < len(above) else ""
        if two_level and (i - 1, c) in spanned and parent and parent != text:
            tries = [parent + text] + ([parent] if text in _NAME_WORDS else []) + [text]
        elif not text and two_level and parent:
            tries = [parent]
        else:
            tries = [text]
        key = unit = None
        shown = tries[0]
        for t in tries:
            k, u = match_header(t, lookup)
            if k is not None:
                key, unit, shown = k, u, t
                break
        if not shown:
            continue
        if key is None:
            unit = split_unit(shown)[1]
        cells.append(HeaderCell(c, shown, key, unit))
    return cells


def detect_layout(sheet: SheetData, kind: Kind) -> Layout | None:
    """The header row among the first 10: the one naming the most known columns (ties: earliest)."""
    lookup = build_lookup(kind)
    nrows = min(HEADER_SCAN_ROWS, len(sheet.rows))
    if nrows == 0:
        return None
    grid, spanned = _header_grid(sheet, nrows + 1 if len(sheet.rows) > nrows else nrows)
    best: tuple[int, int, list[HeaderCell]] | None = None
    for i in range(nrows):
        cells = _labels(grid, spanned, i, lookup)
        score = len({c.key for c in cells if c.key})
        if score and (best is None or score > best[0]):
            best = (score, i, cells)
    if best is None:
        return None
    _score, i, cells = best
    layout = Layout(header_row=i, cells=cells)
    for cell in cells:
        layout.units[cell.col] = cell.unit
        if cell.key:
            layout.columns.setdefault(cell.key, []).append(cell.col)
        else:
            layout.unknown.append(cell)
    return layout


class MergesOverlap(ValueError):
    """The sheet's merged cells cover its data many times over (real merges never overlap)."""


def fill_data_merges(sheet: SheetData, first_data_row: int, columns=None) -> None:
    """Cells merged inside the data (one 区县 cell over several rows) fill every cell they cover.

    Only the sheet's real rows are filled, and only `columns` (the file columns the import reads;
    all of the merge when None): a merge over A2:XFD1048576 touches no more cells than the data has.
    Merges in a real sheet never overlap, so together they fill each cell at most once; when they
    would fill more than twice the data's cells, MergesOverlap is raised before the work is done.
    """
    rows = sheet.rows
    wanted = None if columns is None else sorted(set(columns))
    percent = sheet.percent
    last_row = len(rows) - 1
    budget = 2 * max(0, len(rows) - first_data_row) * (len(wanted) if wanted is not None else max(
        (c1 + 1 for (_r0, _c0), (_r1, c1) in sheet.merges), default=1)) + 10_000
    for (r0, c0), (r1, c1) in sheet.merges:
        if r0 < first_data_row or r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else None
        cols = range(c0, c1 + 1) if wanted is None else [c for c in wanted if c0 <= c <= c1]
        if not cols:
            continue
        budget -= (min(r1, last_row) - r0 + 1) * len(cols)
        if budget < 0:
            raise MergesOverlap()
        last_col = cols[-1]
        spread = (r0, c0) in percent
        for r in range(r0, min(r1, last_row) + 1):
            row = rows[r]
            if len(row) <= last_col:
                row.extend([""] * (last_col + 1 - len(row)))
            for c in cols:
                row[c] = value
                if spread:
                    percent.add((r, c))
