"""Printing through the system's print dialog, shared by 打印封面 and 打印签到表.

QPrintDialog lists the printers and the system's save-as-PDF (Qt's "Print to File (PDF)" on Linux,
"Microsoft Print to PDF" on Windows, "Save as PDF" on macOS), so one button serves paper and file.
`ask_printer` is the seam tests replace (no native dialog ever blocks a test).
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter


def a4_printer(margins_mm: QMarginsF, document_name: str = "") -> QPrinter:
    printer = QPrinter(QPrinter.HighResolution)
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Portrait, margins_mm,
                                      QPageLayout.Millimeter))
    if document_name:
        printer.setDocName(document_name)
    return printer


def print_dialog(printer: QPrinter, parent=None, title: str = "") -> QPrintDialog:
    """The dialog, with printing to a file (PDF) offered beside the printers."""
    dialog = QPrintDialog(printer, parent)
    dialog.printer_ref = printer  # the dialog holds a C++ pointer only: keep the printer alive with it
    if title:
        dialog.setWindowTitle(title)
    dialog.setOption(QAbstractPrintDialog.PrintToFile, True)
    return dialog


def _ask_printer(printer: QPrinter, parent=None, title: str = "") -> bool:
    return print_dialog(printer, parent, title).exec() == QPrintDialog.Accepted


ask_printer: Callable[..., bool] = _ask_printer
