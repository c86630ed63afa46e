"""Unexpected errors: a rotating log in logs/, faulthandler, and the crash dialog (复制详情).

A hard crash (a fault in C: Qt, a driver, SQLite) kills the process before any dialog can show;
faulthandler writes its traceback to logs/faulthandler.log. As qutebrowser does, the next start
reads that file before opening it again: a previous run's crash is moved to logs/crash-<time>.log
and shown once, over the main window (上次运行时 qoffice 意外退出 …, 复制详情). A run that ends
normally sets aside what faulthandler may have written without dying, so it is not shown.
Every crash dialog and report names qoffice's, the OS's, Python's, Qt's and PySide6's versions.

KnownErrors are not crashes: they go to messages.known_error. Everything else reaching
sys.excepthook or threading.excepthook is logged with its traceback and shown in a dialog that
says what happened, where the log is, and copies the details for the clerk's support contact
(qutebrowser's crashdialog is the model). Copes with sys.stdout/sys.stderr being None, as in a
windowed frozen build on Windows.
"""
from __future__ import annotations

import datetime as dt
import faulthandler
import logging
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
_previous_crash: str | None = None  # what the previous run's faulthandler wrote, until shown
_previous_crash_file: Path | None = None  # where it was set aside


def log_path() -> Path:
    from qoffice.paths import logs_dir

    return logs_dir() / LOG_NAME


LOG_MAX_BYTES, LOG_BACKUPS = 1_000_000, 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(rotating: bool = True) -> Path:
    """The log (rotated at 1 MB, 5 kept) and faulthandler in the data folder's logs/; returns the
    log file. `rotating=False` (the window's start): a plain handler on the same file until
    use_rotating_log(), once the window shows — logging.handlers (with socket, pickle and queue)
    is not imported before the first page."""
    global _fault_file
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if _log_handler(path) is None:
        handler = _rotating_handler(path) if rotating else logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter(_FORMAT))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    if sys.stderr is None:  # windowed build: stray prints must not crash
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
    take_previous_crash()
    if _fault_file is None:
        try:
            _fault_file = open(path.parent / FAULT_NAME, "a", encoding="utf-8")
            faulthandler.enable(file=_fault_file, all_threads=True)
        except OSError:
            pass
    return path


def _log_handler(path: Path) -> logging.FileHandler | None:
    return next((h for h in log.handlers if isinstance(h, logging.FileHandler)
                 and Path(h.baseFilename) == path.resolve()), None)


def _rotating_handler(path: Path) -> logging.FileHandler:
    import logging.handlers

    return logging.handlers.RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                                encoding="utf-8")


def use_rotating_log() -> None:
    """The start's plain handler of the log gives way to the rotating one (setup_logging)."""
    path = log_path()
    plain = _log_handler(path)
    if plain is None or type(plain) is not logging.FileHandler:
        return
    handler = _rotating_handler(path)
    handler.setFormatter(plain.formatter)
    log.addHandler(handler)  # added before the plain one goes: a record may be written twice, none lost
    log.removeHandler(plain)
    plain.close()


def environment_text() -> str:
    """The versions a support contact asks for first."""
    import platform

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from qoffice import __version__

    return "\n".join((
        f"qoffice {__version__}",
        f"OS: {platform.platform()}",
        f"Python: {platform.python_version()} ({platform.python_implementation()}, {platform.machine()})",
        f"Qt: {qVersion()}",
        f"PySide6: {pyside_version}",
        f"Frozen: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
    ))


def with_environment(details: str) -> str:
    return f"{details.rstrip()}\n\n{environment_text()}\n"


def _fault_path() -> Path:
    return log_path().parent / FAULT_NAME


def _set_aside(path: Path, suffix: str = "") -> Path | None:
    """Move a faulthandler log to crash-<time><suffix>.log; None when it cannot be moved."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"crash-{stamp}{suffix}.log")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"crash-{stamp}-{n}{suffix}.log")
    try:
        path.replace(target)
    except OSError:  # Windows: another qoffice holds it open; copy it and empty it instead
        try:
            target.write_bytes(path.read_bytes())
            with open(path, "w", encoding="utf-8"):
                pass
        except OSError as exc:
            log.warning("cannot set %s aside: %s", path, exc)
            return None
    return target


def take_previous_crash() -> str | None:
    """Read (and set aside) what a previous run's faulthandler wrote; kept until shown."""
    global _previous_crash, _previous_crash_file
    path = _fault_path()
    if _fault_file is not None and not _fault_file.closed and Path(_fault_file.name) == path:
        return _previous_crash  # our own run's file (setup_logging called again)
    try:
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    except OSError as exc:
        log.warning("cannot read %s: %s", path, exc)
        return _previous_crash
    if not text.strip():
        return _previous_crash
    archived = _set_aside(path)
    log.error("the previous run crashed (%s):\n%s", archived.name if archived else path.name, text)
    _previous_crash, _previous_crash_file = text, archived or path
    return text


def show_previous_crash(parent=None) -> bool:
    """Show the previous run's hard crash once; True when there was one. Unattended starts
    (smoke mode) only log it: it was logged when it was read."""
    global _previous_crash
    text, _previous_crash = _previous_crash, None
    if not text:
        return False
    details = with_environment(text)
    if smoke.exit_after_show():  # an unattended start: it was logged when it was read
        return True
    if messages._responder is not None:  # tests: no modal dialog
        messages._responder("previous_crash", _("qoffice"), details, None)
        return True
    CrashDialog(details, parent, previous=True, path=_previous_crash_file).exec()
    return True


def finish_cleanly() -> None:
    """A normal exit: whatever faulthandler wrote this run did not kill it (on Windows it may
    report exceptions that were handled), so it is set aside rather than shown next time."""
    global _fault_file
    if _fault_file is None or _fault_file.closed:
        return
    path = Path(_fault_file.name)
    try:
        _fault_file.flush()
        written = path.stat().st_size > 0
    except OSError:
        return
    if written:
        _set_aside(path, "-survived")


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
    details = with_environment(details)
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
    """The crash dialog; `previous=True` for the previous run's hard crash, read at start."""

    def __init__(self, details: str, parent=None, *, previous: bool = False, path: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("qoffice — unexpected error"))
        if environment_text() not in details:
            details = with_environment(details)
        self.details = details
        layout = QVBoxLayout(self)
        if previous:
            intro = _("qoffice closed unexpectedly the last time it ran. What was saved before that is safe; "
                      "the change being made at that moment may not have been saved.\n\nThe details were "
                      "kept in:\n{path}\n\nPress “Copy details” and send them to whoever supports qoffice.")
        else:
            intro = _("qoffice ran into an unexpected problem. Your saved data is safe; the change you were "
                      "making may not have been saved.\n\nThe details were written to:\n{path}\n\n"
                      "If it happens again, press “Copy details” and send them to whoever supports qoffice.")
        text = QLabel(intro.format(path=path or (log_path().parent if previous else log_path())))
        self.intro = text
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(text)
        box = QPlainTextEdit(details)
        box.setReadOnly(True)
        box.setMinimumSize(560, 240)
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
