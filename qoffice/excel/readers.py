"""Read a spreadsheet file into sheets of cell rows, whatever its extension says.

The format is taken from the content: a zip with xl/workbook.xml is .xlsx, an OLE2 compound file
is .xls (both read by python-calamine, which is ~12× faster than openpyxl's read-only mode), and
anything else is text — HTML tables (what many government systems save as ".xls"), UTF-16 tab
text, or CSV in UTF-8 (with or without BOM) or GB18030/GBK.
"""
from __future__ import annotations

import csv
import os
import re
import stat
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from qoffice.errors import FileUnreadable
from qoffice.i18n import _

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

Merge = tuple[tuple[int, int], tuple[int, int]]  # ((row0, col0), (row1, col1)), 0-based, inclusive


@dataclass
class SheetData:
    """One sheet: rows[i] is the file's row i+1 (0-based index, columns from A)."""

    name: str
    rows: list[list]
    merges: list[Merge] = field(default_factory=list)
    formats_visible: bool = False  # whether percent formats could be seen (only .xlsx)
    percent: set[tuple[int, int]] = field(default_factory=set)
    formula_without_value: set[tuple[int, int]] = field(default_factory=set)

    def row_number(self, index: int) -> int:
        """The row the clerk sees in Excel or WPS (for CSV: the record's number)."""
        return index + 1


class Book:
    """An opened file: its format, its visible sheets in order, and a loader per sheet."""

    def __init__(self, path: Path, fmt: str, sheet_names: list[str], loader):
        self.path = path
        self.format = fmt
        self.sheet_names = sheet_names
        self._loader = loader
        self._cache: dict[str, SheetData] = {}

    def sheet(self, name: str) -> SheetData:
        if name not in self._cache:
            self._cache[name] = self._loader(name)
        return self._cache[name]

    def sheets(self):
        for name in self.sheet_names:
            yield self.sheet(name)


def _unreadable(path: Path, reason: str) -> FileUnreadable:
    return FileUnreadable(_("Cannot read {file}: {reason}").format(file=path.name, reason=reason))


# Bounds on what a file may make the reader build, whatever its size on disk: cells in a sheet's
# range (a workbook with a value in XFD1048576 would make calamine allocate 16384 × 1048576 cells),
# and columns of an HTML table (Excel's own limit).
MAX_CELLS = 10_000_000
MAX_COLUMNS = 16384


def _check_regular(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise _unreadable(path, _("it is a folder, not a file."))
    if not stat.S_ISREG(mode):
        raise _unreadable(path, _("it is not an ordinary file (a device or a pipe); save the data as a file "
                                  "and import that."))


def _open_regular(path: Path) -> bytes:
    """The first bytes of `path`, after making sure it is a regular file: a device node would be
    read forever and a FIFO would block until some other program writes to it. Opened without
    blocking, then checked on the open descriptor."""
    try:
        _check_regular(path, os.stat(path).st_mode)  # before opening: opening some devices does something
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise _unreadable(path, _("the file does not exist.")) from None
    except IsADirectoryError:
        raise _unreadable(path, _("it is a folder, not a file.")) from None
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from exc
    try:
        _check_regular(path, os.fstat(fd).st_mode)  # and on what was opened (it may have been replaced)
        return os.read(fd, 8)
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from exc
    finally:
        os.close(fd)


def open_book(path: Path | str) -> Book:
    path = Path(path)
    head = _open_regular(path)
    if not head:
        raise _unreadable(path, _("the file is empty."))
    if head.startswith(ZIP_MAGIC):
        return _open_calamine(path, "xlsx")
    if head.startswith(OLE2_MAGIC):
        return _open_calamine(path, "xls")
    return _open_text(path)


# --- .xlsx / .xls through python-calamine -------------------------------------------------------

# A zip bomb is refused from the zip directory before anything is inflated: a member larger than
# any real sheet, or one that compresses far better than spreadsheet XML ever does (~10:1).
MAX_MEMBER_BYTES = 1 << 30
SUSPICIOUS_MEMBER_BYTES = 64 << 20
MAX_RATIO = 100


def _inflates_absurdly(info) -> bool:
    if info.file_size > MAX_MEMBER_BYTES:
        return True
    return info.file_size > SUSPICIOUS_MEMBER_BYTES and info.file_size > MAX_RATIO * max(1, info.compress_size)


def _open_calamine(path: Path, fmt: str) -> Book:
    import python_calamine as pc

    if fmt == "xlsx":
        import zipfile

        try:
            with zipfile.ZipFile(path) as zf:
                if "xl/workbook.xml" not in zf.namelist():
                    raise _unreadable(path, _("it is a zip file but not an Excel workbook."))
                if any(_inflates_absurdly(info) for info in zf.infolist()):
                    raise _unreadable(path, _("its contents unpack to an implausible size (a damaged or "
                                              "malicious file)."))
        except zipfile.BadZipFile:
            raise _unreadable(path, _("the file is damaged.")) from None
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        names = [m.name for m in wb.sheets_metadata
                 if m.visible == pc.SheetVisibleEnum.Visible and m.typ == pc.SheetTypeEnum.WorkSheet]
    except pc.PasswordError:
        raise _unreadable(path, _("the workbook is protected by a password.")) from None
    except Exception as exc:  # calamine raises several error types for damaged files
        raise _unreadable(path, _("the file is damaged or not a spreadsheet ({detail}).").format(
            detail=type(exc).__name__)) from exc

    def load(name: str) -> SheetData:
        # .xlsx: the XML scan runs first, as it also bounds the sheet before calamine allocates it.
        scan = _scan_xlsx(path, name) if fmt == "xlsx" else None
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merges = list(sheet.merged_cell_ranges or [])
        except Exception as exc:
            raise _unreadable(path, _("sheet {sheet} cannot be read ({detail}).").format(
                sheet=name, detail=type(exc).__name__)) from exc
        data = SheetData(name, rows, merges=merges)
        if scan is not None:
            data.formats_visible = True
            data.percent = scan.percent
            data.formula_without_value = scan.formula_without_value
        return data

    return Book(path, fmt, names, load)


def _scan_xlsx(path: Path, name: str):
    """xlsx_scan.scan_sheet, with every way a hostile or damaged file can fail it as one line."""
    import zipfile
    import zlib
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    from qoffice.excel.xlsx_scan import SheetTooLarge, scan_sheet

    try:
        return scan_sheet(path, name)
    except SheetTooLarge as exc:
        raise _unreadable(path, _("cell {cell} of sheet {sheet} lies far outside the data (the sheet would span "
                                  "{rows:,} rows × {columns:,} columns). Clear that cell or copy the data to a new "
                                  "sheet, save, and import again.").format(
            cell=exc.cell, sheet=name, rows=exc.rows, columns=exc.columns)) from None
    except DefusedXmlException:
        raise _unreadable(path, _("it contains XML entity declarations (DTD), which Excel never writes; it was "
                                  "refused for safety. Open it in Excel or WPS, save it as a new .xlsx and import "
                                  "that.")) from None
    except ParseError:
        raise _unreadable(path, _("the XML inside the workbook is damaged. Open it in Excel or WPS, save it again "
                                  "and import that.")) from None
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise _unreadable(path, _("the file is damaged, or it changed while it was being read. Close the program "
                                  "that writes it and import again.")) from None
    except (ValueError, KeyError, OverflowError, RuntimeError, NotImplementedError) as exc:
        raise _unreadable(path, _("the file is damaged or not a spreadsheet ({detail}).").format(
            detail=type(exc).__name__)) from None
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from exc


# --- text formats ---------------------------------------------------------------------------------

def decode_text(raw: bytes) -> str | None:
    """UTF-16 (BOM or NUL pattern), UTF-8 (BOM optional), else GB18030 (a superset of GBK)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    sample = raw[:4000]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        try:
            return raw.decode("utf-16-le")
        except UnicodeDecodeError:
            return None
    if b"\x00" in sample:
        return None  # binary: not a text file
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _open_text(path: Path) -> Book:
    raw = path.read_bytes()
    text = decode_text(raw)
    if text is not None:
        del raw  # a big CSV: its bytes need not stay beside its text while the rows are built
    else:
        nul = raw.find(b"\x00")
        if (nul >= 0 and raw.count(b"\x00") <= len(raw) // 100 + 1
                and decode_text(raw.replace(b"\x00", b"")) is not None):
            # Text with NUL bytes in it: a damaged or half-written export, not a binary file.
            raise _unreadable(path, _("line {line} holds a NUL character (byte 0), so the file is damaged or was "
                                      "not saved completely. Open it in Excel or WPS, save it as .xlsx and import "
                                      "that.").format(line=raw.count(b"\n", 0, nul) + 1))
        raise _unreadable(path, _("it is neither an Excel file nor readable text."))
    probe = text[:4096].lstrip().lower()
    if probe.startswith("<") and ("<table" in text[:200000].lower()):
        try:
            rows, merges = parse_html_tables(text)
        except TableTooLarge:
            raise _unreadable(path, _("its table is larger than a worksheet can be ({cells:,} cells or {columns:,} "
                                      "columns at most).").format(cells=MAX_CELLS, columns=MAX_COLUMNS)) from None
        fmt = "html"
        sheet = SheetData(path.stem, rows, merges=merges)
    else:
        try:
            rows = parse_delimited(text)
        except UnclosedQuote as exc:
            raise _unreadable(path, _("the quote (\") that starts a cell in row {row} is never closed, so the rows "
                                      "after it cannot be told apart. Close or remove that quote and import "
                                      "again.").format(row=exc.row)) from None
        fmt = "csv"
        sheet = SheetData(path.stem, rows)
    if not any(any(c not in (None, "") for c in r) for r in sheet.rows):
        raise _unreadable(path, _("no table was found in it."))
    return Book(path, fmt, [sheet.name], lambda name: sheet)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)").finditer
_QUOTED = re.compile(r'"(?:[^"]|"")*"').sub  # a quoted cell, line breaks and delimiters inside it
SHARED_CELLS = 50_000
SHARED_LENGTH = 8


class UnclosedQuote(ValueError):
    """A CSV cell opens a quote that never closes (or closes only lines later, swallowing rows)."""

    def __init__(self, row: int):
        super().__init__(row)
        self.row = row


def parse_delimited(text: str) -> list[list]:
    """CSV/tab text → records. Record i is the row Excel shows as row i + 1 (a quoted line break
    inside a cell does not start a new row).

    The reader is strict, so a quote that is never closed, or that runs over line ends into a
    stray character (a lone `"6寸屏 客户反馈` paired with the next cell's quote), raises
    UnclosedQuote naming the record where it starts, instead of silently taking the rest of the
    file as one cell. Text after a closing quote on the same line (`"6寸屏" 客户反馈`) is read as
    Excel reads it. Cells may be as long as the file: over-long text is a row error later.
    """
    # The delimiter is counted on the first record outside its quotes: a title or header cell with a
    # quoted line break ("如东县企业名录\n（2024年）") would otherwise hide it in the first line (issue 13).
    unquoted = _QUOTED(" ", text[:65536])
    first = next((ln for ln in unquoted.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in ("\t", ",", ";")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    if counts[delimiter] == 0:
        delimiter = ","
    pending: list[str] = []  # the lines of the record being read

    def lines():
        # Lines end at \r\n, \r or \n, as with newline="" (not at \x0b or \u2028 like
        # str.splitlines); sliced from the text itself rather than through io.StringIO, which
        # would hold a second, four-bytes-a-character copy of a big file.
        for m in _LINE(text):
            line = m.group()
            if not line:
                return
            pending.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    rows: list[list] = []
    # Short cells repeat (区县, 是/否, years): one string object for each distinct one, so a big
    # file does not hold a million copies of "通州区". Bounded, and long cells are left alone.
    shared: dict[str, str] = {}
    share, lookup = shared.setdefault, shared.get  # once full, cells still find the strings kept so far
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        while True:
            pending.clear()
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if len(pending) > 1 or "unexpected end" in str(exc):
                    raise UnclosedQuote(len(rows) + 1) from None
                record = next(csv.reader(pending, delimiter=delimiter), [])  # one line: as Excel reads it
            record = [share(v, v) if len(v) <= SHARED_LENGTH else v for v in record] if len(shared) < SHARED_CELLS \
                else [lookup(v, v) if len(v) <= SHARED_LENGTH else v for v in record]
            rows.append(record[:])  # sized to its cells (a comprehension leaves room for more)
    finally:
        csv.field_size_limit(limit)
    return rows


_BR = "\x00"


class TableTooLarge(ValueError):
    pass


class _TableParser(HTMLParser):
    """Collects <tr>/<td>/<th> of every table into one grid, honouring colspan and rowspan.

    Spans are clamped as browsers clamp them (colspan ≤ 1000, rowspan ≤ 65534) and a rowspan
    only marks its columns as taken until its last row (one entry per column, not per cell), so
    `<td rowspan=10000 colspan=10000>` costs a thousand entries, not a hundred million. The grid
    may not grow past MAX_COLUMNS columns or MAX_CELLS cells (TableTooLarge)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list] = []
        self.merges: list[Merge] = []
        self._busy: dict[int, int] = {}  # column -> last row a rowspan above still covers
        self._cells = 0
        self._row: int | None = None
        self._col = 0
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "tr":
            self._end_cell()
            self._row = len(self.rows)
            self.rows.append([])
            self._col = 0
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self.handle_starttag("tr", [])
            a = dict(attrs)
            self._span = (_int(a.get("rowspan"), 65534), _int(a.get("colspan"), 1000))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(_BR)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_cell()
            if tag == "table":
                self._row = None

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)

    def _end_cell(self):
        if self._cell is None or self._row is None:
            return
        # HTML collapses source white space; only <br> is a real line break inside a cell.
        text = "\n".join(" ".join(seg.split()) for seg in "".join(self._cell).split(_BR)).strip()
        self._cell = None
        r = self._row
        busy = self._busy
        c = self._col
        while busy.get(c, -1) >= r:
            c += 1
        rs, cs = self._span
        if c + cs > MAX_COLUMNS:
            raise TableTooLarge()
        if rs > 1:
            last = r + rs - 1
            for dc in range(cs):
                busy[c + dc] = last
        if rs > 1 or cs > 1:
            self.merges.append(((r, c), (r + rs - 1, c + cs - 1)))
        row = self.rows[r]
        if len(row) <= c:
            self._cells += c + 1 - len(row)
            if self._cells > MAX_CELLS:
                raise TableTooLarge()
            row.extend([""] * (c + 1 - len(row)))
        row[c] = text
        self._col = c + cs


def _int(value, most: int) -> int:
    try:
        return max(1, min(int(value), most))
    except (TypeError, ValueError, OverflowError):
        return 1


def parse_html_tables(text: str) -> tuple[list[list], list[Merge]]:
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    parser._end_cell()
    return parser.rows, parser.merges
