"""Read a county's return (.xlsx, return-format.md) for the city office (city.md "Receiving a return").

Cells come through python-calamine (qoffice.excel.readers.open_book: the zip checks, password and
damage handling), formulas through a scan of the sheet XML (qoffice.excel.xlsx_scan): a formula
with no saved result refuses the file, one with a saved result is read with a warning naming the
cell. Headers are matched after folding spaces, line breaks and full-width brackets (a warning
says so); a missing sheet or required header refuses the file; extra sheets and columns are
ignored with a warning. What the cells mean is judged by qoffice.domain.city.read_return.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as DET

from qoffice.domain import city
from qoffice.domain.returndata import COVER_LABELS, HEADERS, S_COVER, SHEETS
from qoffice.excel.headers import normalize_header
from qoffice.excel.xlsx_scan import column_letters, formula_cells, sheet_paths

ERROR, WARNING = city.ERROR, city.WARNING


@dataclass
class FileReading:
    raw: city.RawReturn | None
    errors: list[city.Finding] = field(default_factory=list)
    warnings: list[city.Finding] = field(default_factory=list)


def cell_name(row0: int, col0: int) -> str:
    return f"{column_letters(col0)}{row0 + 1}"


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBER_BYTES = 1 << 30  # as qoffice.excel.readers: a zip bomb is refused before anything inflates
SUSPICIOUS_MEMBER_BYTES, MAX_RATIO = 64 << 20, 100


def _bomb(info) -> bool:
    if info.file_size > MAX_MEMBER_BYTES:
        return True
    return info.file_size > SUSPICIOUS_MEMBER_BYTES and info.file_size > MAX_RATIO * max(1, info.compress_size)


def _refuse(out: FileReading, message: str) -> FileReading:
    out.errors.append(city.Finding(ERROR, None, None, message))
    return out


def read(path: Path | str) -> FileReading:
    """Read one file into a RawReturn, with the reader's refusals and warnings.

    python-calamine reads the cells (each sheet once); the zip directory is checked first (not an
    .xlsx, damaged, a zip bomb), and one pass over each sheet's XML finds its formulas."""
    import python_calamine as pc

    path = Path(path)
    out = FileReading(None)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        return _refuse(out, f"无法读取文件：{exc.strerror or exc}")
    if head != ZIP_MAGIC:
        return _refuse(out, "不是.xlsx工作簿（年度报表须为.xlsx格式）")
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.namelist()
            if "xl/workbook.xml" not in members:
                return _refuse(out, "不是.xlsx工作簿（压缩包中没有Excel工作簿）")
            if any(_bomb(info) for info in zf.infolist()):
                return _refuse(out, "文件解压后大小异常（损坏或恶意文件），未收取")
            xml_paths = sheet_paths(zf)
            formulas = {s: formula_cells(zf, xml_paths[s]) for s in SHEETS if xml_paths.get(s) in members}
    except (zipfile.BadZipFile, KeyError, DET.ParseError, OSError, ValueError) as exc:
        return _refuse(out, f"文件已损坏（{type(exc).__name__}）")
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        names = [m.name for m in wb.sheets_metadata
                 if m.visible == pc.SheetVisibleEnum.Visible and m.typ == pc.SheetTypeEnum.WorkSheet]
    except pc.PasswordError:
        return _refuse(out, "工作簿设有密码，无法读取")
    except Exception as exc:  # calamine raises several error types for damaged files
        return _refuse(out, f"文件已损坏或不是电子表格（{type(exc).__name__}）")
    missing = [s for s in SHEETS if s not in names]
    for s in missing:
        out.errors.append(city.Finding(ERROR, s, None, f"缺少工作表“{s}”"))
    for s in names:
        if s not in SHEETS:
            out.warnings.append(city.Finding(WARNING, None, None, f"多余的工作表“{s}”已忽略"))
    if missing:
        return out
    for s in SHEETS:
        for (r, c), saved in sorted(formulas.get(s, {}).items()):
            if saved:
                out.warnings.append(city.Finding(WARNING, s, r + 1, f"{s}!{cell_name(r, c)}是公式，已读取其保存的结果"))
            else:
                out.errors.append(city.Finding(ERROR, s, r + 1, f"{s}!{cell_name(r, c)}是没有保存结果的公式："
                                                                "请在Excel中打开并保存后重新报送"))

    def rows_of(name: str) -> list[list] | None:
        try:
            return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            out.errors.append(city.Finding(ERROR, name, None, f"工作表“{name}”无法读取（{type(exc).__name__}）"))
            return None

    cover: dict[str, object] = {}
    for row in rows_of(S_COVER) or []:
        if not row:
            continue
        label = normalize_header(row[0])
        if label in COVER_LABELS and label not in cover:
            cover[label] = row[1] if len(row) > 1 else None
    sheets: dict[str, city.RawSheet] = {}
    for s in SHEETS[1:]:
        rows = rows_of(s)
        if rows is None:
            continue
        sheet = _read_sheet(s, rows, out)
        if sheet is not None:
            sheets[s] = sheet
    if out.errors:
        return out
    out.raw = city.RawReturn(cover=cover, sheets=sheets)
    return out


def _read_sheet(name: str, rows: list[list], out: FileReading) -> city.RawSheet | None:
    wanted = HEADERS[name]
    header_row = rows[0] if rows else []
    columns: dict[str, int] = {}
    for col, cell in enumerate(header_row):
        if _blank(cell):
            continue
        given = str(cell)
        norm = normalize_header(cell)
        if norm in wanted and norm not in columns:
            columns[norm] = col
            if given != norm:
                out.warnings.append(city.Finding(WARNING, name, 1, f"表头“{given.strip()}”与格式规定的“{norm}”"
                                                                   "不完全相同（空格、换行或全角括号），已按“{norm}”读取"
                                                                   .replace("{norm}", norm)))
        else:
            out.warnings.append(city.Finding(WARNING, name, 1, f"多余的列“{given.strip()}”（{cell_name(0, col)}）已忽略"))
    missing = [h for h in wanted if h not in columns]
    if missing:
        for h in missing:
            out.errors.append(city.Finding(ERROR, name, 1, f"工作表“{name}”缺少表头“{h}”"))
        return None
    width = max(columns.values()) + 1
    cols = list(columns.values())
    data: list[tuple[int, list]] = []
    for i in range(1, len(rows)):
        row = rows[i]
        if len(row) < width:
            row = list(row) + [None] * (width - len(row))
        if all(_blank(row[c]) for c in cols):
            continue
        data.append((i + 1, row))
    return city.RawSheet(name, columns=columns, table=data)
