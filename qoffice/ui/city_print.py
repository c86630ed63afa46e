"""The city's pages on A4 (city.md "What goes back to the counties"): the 反馈单 of a county, and
全市汇总 with 考核排名 — as PDF (QPdfWriter, the CJK font embedded) or on a printer. Their words are
return contents (Chinese whatever the UI language), so they are data here, not translated text."""
from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from qoffice.domain import city as dcity
from qoffice.domain import indicators as ind
from qoffice.ui import style

MARGINS_MM = QMarginsF(18, 18, 18, 18)
RESOLUTION = 300
TABLE = ("<table width='100%' border='1' cellspacing='0' cellpadding='4' style='border-collapse: collapse; "
         "font-size: 10pt;'>")


def _t(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return html.escape(str(value))


def _head(*names) -> str:
    return "<tr>" + "".join(f"<th style='background: {style.TABLE_HEADING};'>{html.escape(n)}</th>" for n in names) + "</tr>"


def _signature(office: str | None, today: dt.date) -> str:
    blank = "_" * 16
    return (f"<p style='margin-top: 28px; font-size: 11pt;'>单位（盖章）：{html.escape(office or '') or blank}"
            f"{'&nbsp;' * 8}负责人（签字）：{blank}{'&nbsp;' * 8}"
            f"日期：{today.year}年{today.month}月{today.day}日</p>")


def feedback_html(fb, today: dt.date) -> str:
    """One page: status, 退回 reason, the 17 values beside the county's targets, the findings."""
    e = html.escape
    st = fb.status
    rows = "".join(
        f"<tr><td align='center'>{n}</td><td>{e(name)}</td><td align='center'>{e(unit)}</td>"
        f"<td align='right'>{_t(v)}</td><td align='right'>{_t(t)}</td><td align='right'>{_t(c)}</td>"
        f"<td align='center'>{_t(m)}</td></tr>" for n, name, unit, v, t, c, m in fb.rows())
    found = "".join(
        f"<tr><td align='center'>{i}</td><td>{e(f.level)}</td><td>{e(f.sheet or '')}</td>"
        f"<td align='center'>{_t(f.row)}</td><td>{e(f.message)}</td></tr>"
        for i, f in enumerate(fb.line.findings, start=1)) or "<tr><td colspan='5'>无</td></tr>"
    reason = (f"<p style='font-size: 11pt; color: #b00;'>退回原因：{e(st.withdraw_reason)}</p>"
              if st.withdraw_reason else "")
    return (
        "<html><body>"
        f"<p align='center' style='font-size: 16pt; font-weight: bold;'>{e(fb.county)}{fb.year}年度质量强企报表"
        "审核反馈单</p>"
        f"<p style='font-size: 11pt;'>报送状态：{e(st.status)}{'&nbsp;' * 6}文件：{e(st.file or '')}</p>{reason}"
        f"{TABLE}{_head('序号', '指标', '单位', '数值', '目标值', '完成率(%)', '达标')}{rows}</table>"
        "<p style='font-size: 11pt; font-weight: bold;'>审核问题</p>"
        f"{TABLE}{_head('序号', '级别', '表', '行', '说明')}{found}</table>"
        f"{_signature(fb.city_office, today)}</body></html>")


def summary_html(rep, today: dt.date) -> str:
    """全市汇总 (the city's 17 values against the city targets) and 考核排名, each on its own page."""
    e = html.escape
    rows = []
    for n, name, unit in ind.DEFINITIONS:
        exact, target = rep.totals.values[n], rep.city_targets.get(n)
        rows.append(f"<tr><td align='center'>{n}</td><td>{e(name)}</td><td align='center'>{e(unit)}</td>"
                    f"<td align='right'>{_t(ind.present(n, exact))}</td><td align='right'>{_t(target)}</td>"
                    f"<td align='right'>{_t(dcity.completion(n, exact, target))}</td></tr>")
    ranking = "".join(
        f"<tr><td align='center'>{_t(a.rank)}</td><td>{e(a.county)}</td>"
        f"<td align='right'>{_t(a.overall) if a.has_return else ''}</td>"
        f"<td align='center'>{a.met if a.has_return else ''}</td>"
        f"<td>{e(a.unmet_names()) if a.has_return else '未报送'}</td></tr>" for a in rep.ranking)
    title = f"{rep.year}年度全市质量强企工作"
    return (
        "<html><body>"
        f"<p align='center' style='font-size: 16pt; font-weight: bold;'>{title}汇总表</p>"
        f"<p style='font-size: 11pt;'>应报区县 {len(rep.counties)} 个，已报 {rep.received} 个</p>"
        f"{TABLE}{_head('序号', '指标', '单位', '全市数值', '目标值', '完成率(%)')}{''.join(rows)}</table>"
        f"{_signature(rep.office, today)}"
        "<div style='page-break-before: always;'></div>"
        f"<p align='center' style='font-size: 16pt; font-weight: bold;'>{title}考核排名</p>"
        f"{TABLE}{_head('名次', '区县', '综合完成率(%)', '达标指标数', '未达标指标')}{ranking}</table>"
        f"{_signature(rep.office, today)}</body></html>")


def _document(text: str, device) -> QTextDocument:
    from qoffice.ui.return_print import cjk_font

    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(cjk_font(10.5))
    doc.setDocumentMargin(0)
    doc.setHtml(text)
    rect = device.pageLayout().paintRectPixels(device.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    return doc


def write_pdf(text: str, path: Path | str, title: str) -> Path:
    """`text` (HTML) as an A4 PDF at `path`, written beside it first, then moved into place."""
    staged = stage_pdf(text, path, title)
    staged.place()
    staged.finish()
    return Path(path)


def stage_pdf(text: str, path: Path | str, title: str):
    """`text` (HTML) as an A4 PDF written beside `path`, not yet in place: an excel.outputs.StagedFile
    the caller places (with the files that go with it) or discards. Qt: on the GUI thread."""
    from qoffice.excel.outputs import StagedFile

    staged = StagedFile(path)
    try:
        writer = QPdfWriter(str(staged.tmp))
        writer.setResolution(RESOLUTION)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Portrait, MARGINS_MM,
                                         QPageLayout.Millimeter))
        writer.setTitle(title)
        writer.setCreator("qoffice")
        _document(text, writer).print_(writer)
        del writer  # finishes the file
        staged.ready()
    except BaseException:
        staged.discard()
        raise
    return staged


def print_with_dialog(text: str, parent=None) -> bool:
    """The same pages on a printer chosen in QPrintDialog. True when printed."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.HighResolution)
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Portrait, MARGINS_MM,
                                      QPageLayout.Millimeter))
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.Accepted:
        return False
    _document(text, printer).print_(printer)
    return True


def ensure_app():
    """A QGuiApplication for QPdfWriter when the CLI writes a PDF (offscreen when no display)."""
    import os

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and os.name != "nt":
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        # a QApplication (not only a QGuiApplication): a process that later shows widgets needs one
        app = QApplication(["qoffice"])
    return app
