"""Unexpected errors: a rotating log in logs/, faulthandler, and the crash dialog (复制详情).

KnownErrors are not crashes: they go to messages.known_error. Everything else reaching
sys.excepthook or threading.excepthook is logged with its traceback and shown in a dialog that
says what happened, where the log is, and copies the details for the clerk's support contact
(qutebrowser's crashdialog is the model). Copes with sys.stdout/sys.stderr being None, as in a
windowed frozen build on Windows.
"""
from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import sys
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from qoffice.errors import KnownError
from qoffice.i18n import _
from qoffice.ui import messages, smoke

log = logging.getLogger("qoffice")
LOG_NAME = "qoffice.log"
FAULT_NAME = "faulthandler.log"
_fault_file = None
_bridge = None
crashes: list[str] = []  # tracebacks shown this session (tests read it)


def log_path() -> Path:
    from qoffice.paths import logs_dir

    return logs_dir() / LOG_NAME


def setup_logging() -> Path:
    """Rotating log (1 MB × 5) and faulthandler in the data folder's logs/; returns the log file."""
    global _fault_file
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path.resolve()
               for h in log.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    if sys.stderr is None:  # windowed build: stray prints must not crash
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
    if _fault_file is None:
        try:
            _fault_file = open(path.parent / FAULT_NAME, "a", encoding="utf-8")
            faulthandler.enable(file=_fault_file, all_threads=True)
        except OSError:
            pass
    return path


def format_exception(exc_type, exc, tb) -> str:
    return "".join(traceback.format_exception(exc_type, exc, tb))


class _Bridge(QObject):
    """Carries an error from any thread to the GUI thread."""

    crashed = Signal(str)

    def __init__(self):
        super().__init__()
        self.crashed.connect(self._show, Qt.QueuedConnection)

    def _show(self, details: str) -> None:
        show_crash(details)


def install_hooks():
    """Route unexpected errors here; returns a function putting the previous hooks back."""
    global _bridge
    previous = (sys.excepthook, threading.excepthook)

    def restore() -> None:
        sys.excepthook, threading.excepthook = previous

    sys.excepthook = _excepthook
    threading.excepthook = lambda args: _excepthook(args.exc_type, args.exc_value, args.exc_traceback)
    if _bridge is None and QApplication.instance() is not None:
        _bridge = _Bridge()
    return restore


def _on_gui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def _excepthook(exc_type, exc, tb) -> None:
    if exc_type is None or issubclass(exc_type, KeyboardInterrupt):
        return
    if isinstance(exc, KnownError):
        if _on_gui_thread():
            messages.known_error(None, exc)
        else:
            log.info("known error off the GUI thread: %s", exc.message)
        return
    report(format_exception(exc_type, exc, tb))


def report(details: str) -> None:
    """Log an unexpected error and show the crash dialog (on the GUI thread)."""
    log.error("unexpected error:\n%s", details)
    if _on_gui_thread():
        show_crash(details)
    elif _bridge is not None:
        _bridge.crashed.emit(details)


def report_exception(exc: BaseException) -> None:
    report(format_exception(type(exc), exc, exc.__traceback__))


def show_crash(details: str) -> None:
    crashes.append(details)
    if smoke.exit_after_show():
        log.error("crash during unattended start; exiting")
        app = QApplication.instance()
        if app is not None:
            app.exit(smoke.EXIT_PROMPT)
        return
    if messages._responder is not None:  # tests: no modal dialog
        messages._responder("crash", _("qoffice"), details, None)
        return
    CrashDialog(details).exec()


class CrashDialog(QDialog):
    def __init__(self, details: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("qoffice — unexpected error"))
        self.details = details
        layout = QVBoxLayout(self)
        text = QLabel(_("qoffice ran into an unexpected problem. Your saved data is safe; the change you were "
                        "making may not have been saved.\n\nThe details were written to:\n{path}\n\n"
                        "If it happens again, press “Copy details” and send them to whoever supports qoffice.")
                      .format(path=log_path()))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(text)
        box = QPlainTextEdit(details)
        box.setReadOnly(True)
        box.setMinimumSize(560, 200)
        layout.addWidget(box)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(_("Copy details"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ActionRole)
        close = buttons.addButton(_("Close"), QDialogButtonBox.RejectRole)
        close.clicked.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_details)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
