"""The printable 签到表 of the matchmaking meeting: A4 through Qt's printing support — printed
through the system's print dialog (which also saves as PDF), or written as a PDF (QPdfWriter) —
Chinese font embedded, one row per attendee with room for a signature, then numbered blank rows
for enterprises that turn up without signing up (the setting signin.blank_rows, 5 by default)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QFont, QFontDatabase, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from qoffice.errors import KnownError
from qoffice.i18n import N_, _
from qoffice.ui.activity_widgets import ORGANISER

CJK_FONTS = ("Microsoft YaHei", "SimSun", "SimHei", "PingFang SC", "WenQuanYi Micro Hei",
             "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC")
RESOLUTION = 300  # dots per inch of the PDF's coordinate system
MARGIN_MM = 15
ROW_MM = 11.0  # room for a handwritten signature
HEADER_ROW_MM = 9.0
# (title, share of the width); the enterprise gets the most room, the signature a generous box.
COLUMNS = ((N_("No."), 0.07), (N_("Enterprise"), 0.33), (N_("Attendee"), 0.13), (N_("Post"), 0.14),
           (N_("Phone"), 0.16), (N_("Signature"), 0.17))


@dataclass(frozen=True)
class SheetInfo:
    title: str
    date: dt.date | None
    venue: str | None
    organiser: str | None = None


def cjk_family() -> str | None:
    families = set(QFontDatabase.families())
    return next((f for f in CJK_FONTS if f in families), None)


def write_signin_pdf(path: str | Path, info: SheetInfo, rows: list[tuple[str, str, str, str]],
                     blank_rows: int = 0) -> int:
    """Write the sheet; returns the number of pages. `rows` are (enterprise, attendee, post, phone)
    as meeting_signups.signin_rows() gives them, followed by `blank_rows` numbered blank rows. An empty
    meeting still prints one page of blank rows."""
    from qoffice.excel.outputs import StagedFile

    path = Path(path)
    # The one output rule (excel.outputs): never over the database, a device or a pipe; written
    # beside the target, then moved over it, so a failure leaves the old file as it was.
    staged = StagedFile(path)
    try:
        writer = QPdfWriter(str(staged.tmp))
        writer.setResolution(RESOLUTION)
        writer.setPageSize(QPageSize(QPageSize.A4))
        writer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Millimeter)
        writer.setTitle(_("Sign-in sheet — {title}").format(title=info.title))
        writer.setCreator("qoffice")
        pages = paint_sheet(writer, info, rows, blank_rows,
                            _("Cannot write {path}; is it open in another program?").format(path=path))
        del writer  # finishes the file
        staged.ready()
    except BaseException:
        staged.discard()
        raise
    staged.place()
    staged.finish()
    return pages


def print_signin_sheet(info: SheetInfo, rows: list[tuple[str, str, str, str]], blank_rows: int,
                       parent=None) -> int | None:
    """打印签到表: the system's print dialog (a printer, or save as PDF), then the sheet on the
    chosen device. Returns the number of pages, or None when the clerk cancelled."""
    from qoffice.ui import printing

    title = _("Sign-in sheet — {title}").format(title=info.title)
    printer = printing.a4_printer(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), title)
    if not printing.ask_printer(printer, parent, _("Print the sign-in sheet")):
        return None
    return paint_sheet(printer, info, rows, blank_rows,
                       _("The printer could not be opened; check that it is switched on and try again."))


def paint_sheet(device, info: SheetInfo, rows, blank_rows: int, cannot_open: str) -> int:
    """Paint the sheet on a paged device (QPdfWriter or QPrinter); returns the number of pages."""
    painter = QPainter()
    if not painter.begin(device):
        raise KnownError(cannot_open)
    try:
        return _paint(painter, device, info, rows, blank_rows)
    finally:
        painter.end()


def _font(size: float, bold: bool = False) -> QFont:
    font = QFont()
    family = cjk_family()
    if family:
        font.setFamily(family)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _paint(painter: QPainter, writer, info: SheetInfo, rows, blank_rows: int = 0) -> int:
    resolution = writer.resolution()
    mm = resolution / 25.4
    page = writer.pageLayout().paintRectPixels(resolution)
    width, height = page.width(), page.height()
    row_h, head_h = ROW_MM * mm, HEADER_ROW_MM * mm
    top_block = 25 * mm  # title, date and venue, organiser
    footer_h = 8 * mm
    per_page = max(1, int((height - top_block - head_h - footer_h) // row_h))
    # Blank rows for walk-ins after the sign-ups; an empty meeting gets at least a page of them.
    blank = max(0, blank_rows) if rows else max(per_page, blank_rows)
    body = list(rows) + [("", "", "", "")] * blank
    pages = max(1, -(-len(body) // per_page))
    xs = [0.0]
    for _title, share in COLUMNS:
        xs.append(xs[-1] + share * width)
    thin = QPen(Qt.black)
    thin.setWidthF(0.25 * mm)
    numbered = bool(rows)
    for p in range(pages):
        if p:
            writer.newPage()
        painter.setPen(thin)
        painter.setFont(_font(16, bold=True))
        painter.drawText(QRectF(0, 0, width, 10 * mm), Qt.AlignCenter,
                         _("Sign-in sheet — {title}").format(title=info.title))
        painter.setFont(_font(10.5))
        first = [_("Date: {date}").format(date=info.date.isoformat() if info.date else "")]
        if info.venue:
            first.append(_("Venue: {venue}").format(venue=info.venue))
        lines = ["　　".join(first)]
        if info.organiser:  # on a line of its own: organisers are often long lists of offices
            lines.append(_("{label}: {value}").format(label=_(ORGANISER), value=info.organiser))
        metrics = painter.fontMetrics()
        for i, line in enumerate(lines):
            painter.drawText(QRectF(0, (11.5 + 5.5 * i) * mm, width, 5.5 * mm), Qt.AlignCenter,
                             metrics.elidedText(line, Qt.ElideRight, int(width)))
        y = top_block
        painter.setFont(_font(10.5, bold=True))
        for i, (title, _share) in enumerate(COLUMNS):
            rect = QRectF(xs[i], y, xs[i + 1] - xs[i], head_h)
            painter.drawRect(rect)
            painter.drawText(rect, Qt.AlignCenter, _(title))
        y += head_h
        painter.setFont(_font(10))
        chunk = body[p * per_page:(p + 1) * per_page]
        for n, row in enumerate(chunk, start=p * per_page + 1):
            cells = (str(n) if numbered else "",) + tuple(row) + ("",)
            for i, text in enumerate(cells):
                rect = QRectF(xs[i], y, xs[i + 1] - xs[i], row_h)
                painter.drawRect(rect)
                inner = rect.adjusted(1.2 * mm, 0.5 * mm, -1.2 * mm, -0.5 * mm)
                align = Qt.AlignCenter if i == 0 else Qt.AlignLeft | Qt.AlignVCenter
                painter.drawText(inner, align | Qt.TextWordWrap, text)
            y += row_h
        painter.setFont(_font(9))
        painter.drawText(QRectF(0, height - footer_h, width, footer_h), Qt.AlignCenter | Qt.AlignBottom,
                         _("Page {page} of {pages}").format(page=p + 1, pages=pages))
    return pages
