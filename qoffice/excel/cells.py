"""Cell rules shared by every workbook qoffice writes (the yearly return, list exports).

Built for openpyxl's write-only (streaming) mode:
- text is always a string cell; text that begins with = + - @ is forced to a string cell with the
  quote-prefix style, so neither openpyxl nor Excel ever turns it into a formula;
- dates are real date cells shown yyyy-mm-dd; money is 万元 = yuan / 10000 exactly, shown 0.00;
  percent numbers are rounded half-up once and shown 0.00 (or 0.0); yes/no is 是/否;
- empty is an empty cell, never 0, "None" or "nan".
`atomic_save` writes next to the target and replaces it, so a failed or refused save leaves the old
file as it was.
"""
from __future__ import annotations

import datetime as dt
import errno
import os  # noqa: F401 - tests reach os.replace through this module (the save itself is in excel.outputs)
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from qoffice.domain.money import YUAN_PER_WAN, round_half_up, yuan_to_wan
from qoffice.domain.vocab import NO, YES
from qoffice.errors import OutputNotWritable
from qoffice.i18n import _

FORMULA_LEADS = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "0.00"
PERCENT_FORMAT = "0.00"
RATE_FORMAT_1 = "0.0"
TEXT_FORMAT = "@"

# Column kinds understood by CellWriter.row(); each maps a plain value to what a row holds.
TEXT = "text"  # str (codes and phones too: they stay text)
INT = "int"  # counts, years
DATE = "date"  # datetime.date / datetime.datetime → date cell yyyy-mm-dd
WAN = "wan"  # integer yuan → 万元 number, format 0.00
PCT = "pct"  # Decimal percent → rounded half-up to 2 places, format 0.00
PCT1 = "pct1"  # Decimal percent → rounded half-up to 1 place, format 0.0
RATE = "rate"  # Decimal percent kept exact (a stored rate, up to 4 decimals), format 0.00
NUM2 = "num2"  # a number kept exact, format 0.00
YESNO = "yesno"  # bool → 是/否
KINDS = (TEXT, INT, DATE, WAN, PCT, PCT1, RATE, NUM2, YESNO)



_ERROR_VALUES = frozenset(ERROR_CODES)
_YUAN_PER_WAN = int(YUAN_PER_WAN)
_LEAD_CHARS = "".join(FORMULA_LEADS)


def strip_illegal(text: str) -> str:
    """`text` without the control characters a worksheet cannot hold (\\x00-\\x08, \\x0b, \\x0c,
    \\x0e-\\x1f): an older version, or a hand edit, may have stored them."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def needs_quote(text: str) -> bool:
    """Text Excel (or openpyxl) would take for a formula or an error value."""
    return text.startswith(FORMULA_LEADS) or text in _ERROR_VALUES


def clean_text(value: Any) -> str | None:
    """A value as the text to write; None (an empty cell) for None, NaN and ""."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    text = value if isinstance(value, str) else str(value)
    return text or None


def wan(yuan: int | None) -> Decimal | None:
    """Integer yuan → exact 万元 as a plain (non-exponent) Decimal."""
    value = yuan_to_wan(yuan)
    if value is None:
        return None
    return plain(value)


def percent(value: Decimal | None, places: int = 2) -> Decimal | None:
    """Round half-up once, from the exact value."""
    if value is None:
        return None
    return round_half_up(Decimal(value), places)


def plain(value: Decimal) -> Decimal:
    """A Decimal in fixed-point form (no exponent), so the cell holds an ordinary number."""
    # Decimal('1E+4') would be written "1E+4"; quantize to keep an ordinary fixed-point number.
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value


class CellWriter:
    """Turns plain values into cells of one write-only worksheet.

    The single-value methods return either a plain value (the fast path openpyxl writes without a
    style) or a styled WriteOnlyCell. `row(values)` converts a whole row by the column kinds given
    at construction, reusing one styled cell per column: openpyxl writes a row as soon as it is
    appended, so the cell objects are free again for the next row — this keeps 100,000-row sheets
    from allocating a cell object per value.
    """

    def __init__(self, ws, kinds: Sequence[str] = (), *, clean: bool = False):
        """`clean`: every text goes through text() (control characters taken out), not only those
        that could pass for a formula — the slower pass, for data that turned out to hold them."""
        self.ws = ws
        self.clean = clean
        for kind in kinds:
            if kind not in KINDS:
                raise ValueError(f"unknown column kind {kind!r}")
        self.kinds = tuple(kinds)
        self._convs = [self._converter(i, k) for i, k in enumerate(self.kinds)]
        self._text_columns = tuple(i for i, k in enumerate(self.kinds) if k == TEXT)
        self._int_columns = tuple(i for i, k in enumerate(self.kinds) if k == INT)
        self._other_columns = tuple((i, self._convs[i]) for i, k in enumerate(self.kinds) if k not in (TEXT, INT))

    # --- single values -------------------------------------------------------------------------
    def text(self, value: Any) -> Any:
        text = clean_text(value)
        if text is None:
            return None
        if not text.isprintable() and ILLEGAL_CHARACTERS_RE.search(text):  # isprintable: the cheap test
            text = strip_illegal(text)
            if not text:
                return None
        if needs_quote(text):
            return self._quoted(text)
        return text

    def count(self, value: int | None) -> int | None:
        return None if value is None else int(value)

    def date(self, value: dt.date | dt.datetime | None) -> Any:
        if value is None:
            return None
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    def wan(self, yuan: int | None) -> Any:
        return self.number(wan(yuan), MONEY_FORMAT)

    def percent(self, value: Decimal | None, places: int = 2) -> Any:
        fmt = RATE_FORMAT_1 if places == 1 else PERCENT_FORMAT
        return self.number(percent(value, places), fmt)

    def number(self, value: Decimal | int | None, number_format: str | None = None) -> Any:
        if value is None:
            return None
        if number_format is None:
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = number_format
        return cell

    def yes_no(self, value: bool | None) -> str | None:
        if value is None:
            return None
        return YES if value else NO

    # --- whole rows by column kind --------------------------------------------------------------
    def row(self, values: Iterable[Any]) -> list[Any]:
        """One row's values converted by the column kinds (columns beyond them are text)."""
        out = list(values)
        if len(out) != len(self._convs):
            convs = self._convs + [self.text] * (len(out) - len(self._convs))
            return [None if value is None else conv(value) for conv, value in zip(convs, out)]
        # This runs for every row of 100,000-row sheets: the values that are right as they are (most
        # texts, integers) are only looked at, and only the others are converted.
        if self.clean:
            text = self.text
            for i in self._text_columns:
                if out[i] is not None:
                    out[i] = text(out[i])
        else:
            text, leads, errors = self.text, _LEAD_CHARS, _ERROR_VALUES
            for i in self._text_columns:
                value = out[i]
                if value is not None and (value.__class__ is not str or not value or value[0] in leads
                                          or value in errors):
                    out[i] = text(value)
        for i in self._int_columns:
            value = out[i]
            if value is not None and value.__class__ is not int:
                out[i] = int(value)
        for i, conv in self._other_columns:
            if out[i] is not None:
                out[i] = conv(out[i])
        return out

    def _converter(self, i: int, kind: str):
        """A function for column i: one closure per column, chosen once, keeps rows cheap."""
        if kind == TEXT:
            text, leads, errors = self.text, _LEAD_CHARS, _ERROR_VALUES
            if self.clean:
                return text

            def conv(value):
                # The common case (a non-empty str that cannot pass for a formula) stays a plain value.
                if value.__class__ is str and value and value[0] not in leads and value not in errors:
                    return value
                return text(value)
            return conv
        if kind == INT:
            return int
        if kind == YESNO:
            return lambda value: YES if value else NO
        cell = self._styled_cell(kind)

        if kind == DATE:
            def to_value(value):
                if isinstance(value, dt.datetime):
                    return value.date()
                if not isinstance(value, dt.date):
                    raise TypeError(f"not a date: {value!r}")
                return value
        elif kind == WAN:
            def to_value(yuan):
                # openpyxl writes a number as "%.16g" of its float, so the float nearest yuan / 10000
                # (what int / int gives) is written exactly as the Decimal wan(yuan) would be, for a
                # fraction of the cost (tests/test_return_speed_guards.py holds the two together).
                return int(yuan) / _YUAN_PER_WAN
        elif kind == PCT:
            def to_value(value):
                return percent(value, 2)
        elif kind == PCT1:
            def to_value(value):
                return percent(value, 1)
        else:  # RATE, NUM2: kept exact (written as "%.16g" of the float, as for WAN)
            def to_value(value):
                return value if isinstance(value, int) else float(value)

        def conv(value):
            cell.value = to_value(value)
            return cell
        return conv

    def _styled_cell(self, kind: str) -> WriteOnlyCell | None:
        fmt = {DATE: DATE_FORMAT, WAN: MONEY_FORMAT, PCT: PERCENT_FORMAT, PCT1: RATE_FORMAT_1, RATE: PERCENT_FORMAT,
               NUM2: MONEY_FORMAT}.get(kind)
        if fmt is None:
            return None
        cell = WriteOnlyCell(self.ws)
        cell.number_format = fmt
        return cell

    def _quoted(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=text)
        cell.data_type = "s"  # openpyxl would take "=…" for a formula
        cell.quotePrefix = True
        return cell


def text_cell(ws, value: Any) -> Any:
    """One text value for a sheet without a CellWriter (forced string when it looks like a formula)."""
    return CellWriter(ws).text(value)


# --- sheet layout ---------------------------------------------------------------------------------
def display_width(text: str) -> int:
    """Columns a text needs: CJK and full-width characters take two."""
    width = 0
    for ch in text:
        width += 2 if ord(ch) > 0x2E80 else 1
    return width


def set_widths(ws, widths: Sequence[float]) -> None:
    """Column widths must be set before the first row is written in write-only mode."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def header_widths(headers: Sequence[str], minimum: int = 8, extra: dict[int, int] | None = None) -> list[int]:
    """Wide enough to read the header, or the typical content given in `extra` (index → width)."""
    out = []
    for i, header in enumerate(headers):
        width = max(minimum, display_width(header) + 2)
        if extra and i in extra:
            width = max(width, extra[i])
        out.append(width)
    return out


def start_sheet(wb, title: str, headers: Sequence[str], kinds: Sequence[str],
                widths: Sequence[float] | None = None, *, clean: bool = False) -> tuple[Any, CellWriter]:
    """A write-only data sheet: widths, panes frozen below the header, the header row written."""
    ws = wb.create_sheet(title)
    set_widths(ws, widths or header_widths(headers))
    ws.freeze_panes = "A2"
    _print_setup(ws)
    writer = CellWriter(ws, kinds, clean=clean)
    ws.append([writer.text(h) for h in headers])
    return ws, writer


def plain_sheet(wb, title: str, widths: Sequence[float]) -> tuple[Any, CellWriter]:
    """A write-only sheet of label and value rows (a cover, a form): its widths set, no header row."""
    ws = wb.create_sheet(title)
    set_widths(ws, widths)
    return ws, CellWriter(ws)


def write_workbook(path: Path | str, fill) -> Path:
    """A new write-only workbook, filled by `fill(workbook)`, saved atomically to `path` (checked
    before the work by excel.outputs.check_output); on any failure nothing is written."""
    from openpyxl import Workbook

    from qoffice.excel.outputs import check_output

    check_output(path)
    wb = Workbook(write_only=True)
    try:
        fill(wb)
    except BaseException:
        discard(wb)
        raise
    return atomic_save(wb, path)


def _print_setup(ws) -> None:
    """Printed (or PDF'd) on landscape pages one sheet wide, the header repeated on every page."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4 (Worksheet.PAPERSIZE_A4; the write-only sheet lacks the name)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"


def discard(workbook) -> None:
    """Drop a write-only workbook that will not be saved (cancelled, failed): openpyxl streams each
    sheet to a temp file that it removes only on save or at exit, too late for a long GUI session."""
    for ws in getattr(workbook, "_sheets", ()):
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        try:
            rows = getattr(ws, "_rows", None)
            if rows is not None:
                rows.close()  # ends the row generator while its stream is still open
            writer.close()
        except Exception:  # a half-written stream may complain on close; the file goes anyway
            pass
        try:
            writer.cleanup()
        except (OSError, ValueError):
            pass


# --- saving ---------------------------------------------------------------------------------------
LOCKED_WINERRORS = (5, 32, 33)  # access denied, sharing violation, lock violation
LOCKED_ERRNOS = (errno.EACCES, errno.EPERM, errno.EBUSY, errno.ETXTBSY)


def is_locked_error(exc: OSError) -> bool:
    if isinstance(exc, PermissionError):
        return True
    if getattr(exc, "winerror", None) in LOCKED_WINERRORS:
        return True
    return exc.errno in LOCKED_ERRNOS


def locked_message() -> str:
    return _("Please close the file in Excel first")


def atomic_save(workbook, path: Path | str) -> Path:
    """Save to a temp file in the target's folder, then os.replace it over the target.

    The target must pass excel.outputs.check_output (never the database, a device or a folder). A
    locked target (open in Excel/WPS) → OutputNotWritable("请先关闭Excel中打开的该文件"); any
    failure leaves the old file intact and no temp file behind. The file gets the user's usual mode.
    """
    staged = stage_workbook(workbook, path)
    staged.place()
    staged.finish()
    return Path(path)


def stage_workbook(workbook, path: Path | str):
    """Save `workbook` into an excel.outputs.StagedFile for `path` (not yet in place); on any
    failure the workbook's streams are closed and nothing is left behind."""
    from qoffice.excel.outputs import StagedFile

    try:
        staged = StagedFile(path)
    except BaseException:
        discard(workbook)
        raise
    try:
        try:
            workbook.save(staged.tmp)
        except OSError as exc:
            from qoffice.excel.outputs import reason

            raise OutputNotWritable(_("Cannot write {path}: {reason}").format(
                path=path, reason=reason(exc))) from exc
        staged.ready()
    except BaseException:
        discard(workbook)
        staged.discard()
        raise
    return staged
