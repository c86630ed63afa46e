"""Issue 13: a hard crash (faulthandler.log) is shown at the next start, once, with the versions.

Before the fix faulthandler.log was written but never read: the clerk never heard of the crash
and the support contact never saw it.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QTimer, qVersion
from PySide6.QtWidgets import QApplication

from qoffice import __version__
from qoffice.db.database import open_database
from qoffice.services import settings as settings_service
from qoffice.ui import crash, messages
from qoffice.ui.app import run_gui

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shown():
    got = []
    messages.set_responder(lambda kind, title, text, details: got.append((kind, text)) or False)
    yield got
    messages.set_responder(None)


def settled(path: Path) -> Path:
    database = open_database(path, "create")
    try:
        with database.session() as s:
            settings_service.set_value(s, "county", "如东县")
            settings_service.set_value(s, "office", "如东县质量强县工作领导小组办公室")
    finally:
        database.close()
    return path


def crash_hard(home: Path) -> None:
    """A qoffice run that dies in C: the logging set up as at start, then a segmentation fault."""
    code = "from qoffice.ui import crash; crash.setup_logging(); import faulthandler; faulthandler._sigsegv()"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, QOFFICE_HOME=str(home)),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0


def start_and_quit(path: Path) -> int:
    QTimer.singleShot(400, QApplication.instance().quit)
    return run_gui(str(path), [])


def versions_in(text: str) -> bool:
    return all(part in text for part in (__version__, platform.python_version(), qVersion(), pyside_version,
                                         platform.system()))


def test_a_hard_crash_is_shown_once_at_the_next_start(qtbot, qoffice_home, shown):
    path = settled(qoffice_home / "q.db")
    crash_hard(qoffice_home)
    fault_log = qoffice_home / "logs" / crash.FAULT_NAME
    assert "Segmentation fault" in fault_log.read_text(encoding="utf-8")

    assert start_and_quit(path) == 0
    previous = [text for kind, text in shown if kind == "previous_crash"]
    assert len(previous) == 1, shown
    assert "Segmentation fault" in previous[0] and versions_in(previous[0])
    assert not fault_log.exists() or not fault_log.read_text(encoding="utf-8").strip()
    archived = list((qoffice_home / "logs").glob("crash-*.log"))
    assert len(archived) == 1 and "Segmentation fault" in archived[0].read_text(encoding="utf-8")

    shown.clear()
    assert start_and_quit(path) == 0
    assert not [kind for kind, _t in shown if kind == "previous_crash"]  # once


def test_the_previous_crash_dialog_copies_its_details(qtbot, qoffice_home):
    dialog = crash.CrashDialog("Fatal Python error: Segmentation fault", previous=True)
    qtbot.addWidget(dialog)
    assert "上次" in dialog.intro.text()
    assert dialog.copy_button.text() == "复制详情"
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "Segmentation fault" in copied and versions_in(copied)


def test_an_unexpected_error_report_names_the_versions(qtbot, qoffice_home, shown):
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        crash.report_exception(exc)
    assert shown[-1][0] == "crash" and "boom" in shown[-1][1] and versions_in(shown[-1][1])


def test_what_a_run_that_ended_normally_wrote_is_not_shown(qtbot, qoffice_home, shown):
    path = settled(qoffice_home / "q.db")
    code = ("from qoffice.ui import crash; import faulthandler; crash.setup_logging(); "
            "faulthandler.dump_traceback(crash._fault_file); crash.finish_cleanly()")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, QOFFICE_HOME=str(qoffice_home)),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert list((qoffice_home / "logs").glob("crash-*-survived.log"))
    assert start_and_quit(path) == 0
    assert not [kind for kind, _t in shown if kind == "previous_crash"]
