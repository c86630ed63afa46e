"""打印封面 / 导出PDF: the return's cover and its 17-indicator summary on A4, for the stamped paper
or scanned copy offices send alongside the file.

One QTextDocument is laid out once and printed either to a PDF (QPdfWriter, the CJK font embedded
by Qt as a subset) or to a printer chosen in QPrintDialog. Like the return itself, the pages are in
Chinese whatever the UI language, so their words are data here, not translated UI text.
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QFont, QFontDatabase, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from qoffice.domain import indicators as ind
from qoffice.i18n import _
from qoffice.ui import style

CJK_FONTS = ("Microsoft YaHei", "Microsoft YaHei UI", "SimSun", "PingFang SC", "WenQuanYi Micro Hei",
             "Noto Sans CJK SC", "Source Han Sans SC")
MARGINS_MM = QMarginsF(20, 20, 20, 20)
RESOLUTION = 300


@dataclass
class CoverData:
    year: int
    county: str
    office: str
    operator: str
    phone: str
    indicators: list[ind.IndicatorRow] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    date: dt.date = field(default_factory=dt.date.today)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return html.escape(str(value))


def cover_html(data: CoverData) -> str:
    """Page 1 the cover, page 2 the summary (汇总) — as HTML for QTextDocument."""
    e = html.escape
    blank = "_" * 18

    def line(label: str, value: str) -> str:
        shown = e(value) if value else blank
        return (f"<tr><td width='38%' style='padding: 10px 6px; font-size: 15pt;' align='right'>{e(label)}：</td>"
                f"<td style='padding: 10px 6px; font-size: 15pt; border-bottom: 1px solid #000;'>{shown}</td></tr>")

    d = data.date
    rows = "".join((
        line("填报单位（盖章）", data.office),
        line("区县", data.county),
        line("填报人", data.operator),
        line("联系电话", data.phone),
        line("审核人", ""),
        line("填报日期", f"{d.year}年{d.month}月{d.day}日"),
    ))
    cover = (
        "<div align='center'>"
        "<p style='margin-top: 120px; font-size: 26pt; font-weight: bold;'>"
        f"{e(data.county)}{data.year}年度质量强企工作报表</p>"
        "<p style='font-size: 14pt; margin-top: 12px;'>（报市质量工作主管部门）</p>"
        "</div>"
        "<p style='margin-top: 140px;'></p>"
        f"<table width='82%' align='center' cellspacing='0' cellpadding='0'>{rows}</table>"
    )
    cells = []
    for r in data.indicators:
        cells.append(
            "<tr>"
            f"<td align='center'>{r.number}</td><td>{e(r.name)}</td><td align='center'>{e(r.unit)}</td>"
            f"<td align='right'>{_text(r.value)}</td><td align='right'>{_text(r.target)}</td>"
            f"<td align='right'>{_text(r.completion)}</td></tr>")
    head = "".join(f"<th style='background: {style.TABLE_HEADING};'>{e(h)}</th>"
                   for h in ("序号", "指标", "单位", "本年数值", "目标值", "完成率(%)"))
    gap = "&nbsp;" * 10  # HTML would collapse plain spaces between the fields
    note = f"校验：{data.warnings}条警告" + (f"，{data.errors}个错误（须改正后方可报送）" if data.errors else "")
    summary = (
        "<div style='page-break-before: always;'></div>"
        f"<p align='center' style='font-size: 18pt; font-weight: bold;'>{e(data.county)}{data.year}年度质量强企"
        "工作汇总表</p>"
        f"<p style='font-size: 11pt;'>填报单位（盖章）：{e(data.office) or blank}"
        f"{gap}填报日期：{d.year}年{d.month}月{d.day}日</p>"
        "<table width='100%' border='1' cellspacing='0' cellpadding='5' style='border-collapse: collapse; "
        f"font-size: 11pt;'><tr>{head}</tr>{''.join(cells)}</table>"
        f"<p style='font-size: 10.5pt;'>{e(note)}</p>"
        "<p style='margin-top: 36px; font-size: 12pt;'>"
        f"填报人：{e(data.operator) or blank}{gap}审核人：{blank}{gap}"
        f"日期：{'_' * 4}年{'_' * 2}月{'_' * 2}日</p>"
    )
    return f"<html><body>{cover}{summary}</body></html>"


def cjk_font(point_size: float = 11) -> QFont:
    families = set(QFontDatabase.families())
    family = next((f for f in CJK_FONTS if f in families), None)
    font = QFont(family) if family else QFont()
    font.setPointSizeF(point_size)
    return font


def build_document(data: CoverData, device=None) -> QTextDocument:
    """The pages as a QTextDocument laid out for `device` (its resolution decides the point size)."""
    doc = QTextDocument()
    if device is not None:
        doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(cjk_font())
    doc.setDocumentMargin(0)
    doc.setHtml(cover_html(data))
    return doc


def _page_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Portrait, MARGINS_MM, QPageLayout.Millimeter)


def write_pdf(data: CoverData, path: Path | str) -> Path:
    """The cover and summary as an A4 PDF at `path` (written next to it first, then moved into place;
    excel.outputs decides where an output may go and gives it the user's usual file mode)."""
    from qoffice.excel.outputs import StagedFile

    staged = StagedFile(path)
    try:
        writer = QPdfWriter(str(staged.tmp))
        writer.setResolution(RESOLUTION)
        writer.setPageLayout(_page_layout())
        writer.setTitle(f"{data.county}{data.year}年度质量强企工作报表")
        writer.setCreator("qoffice")
        doc = build_document(data, writer)
        _print(doc, writer)
        del writer  # finishes the file
        staged.ready()
    except BaseException:
        staged.discard()
        raise
    staged.place()
    staged.finish()
    return Path(path)


def _print(doc: QTextDocument, device) -> None:
    """Lay the document out on the device's page (no page numbers added) and print it."""
    rect = device.pageLayout().paintRectPixels(device.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(device)


def print_with_dialog(data: CoverData, parent=None) -> bool:
    """打印封面: QPrintDialog (printers and the system's save-as-PDF), then the same pages on the
    chosen printer. True when printed."""
    from qoffice.ui import printing

    printer = printing.a4_printer(MARGINS_MM, f"{data.county}{data.year}年度质量强企工作报表")
    if not printing.ask_printer(printer, parent, _("Print cover")):
        return False
    _print(build_document(data, printer), printer)
    return True
