"""Screenshots of the first window on an old office PC's 1366×768 screen (issue 13).

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshots_1366.py [OUT_DIR]

A fresh data folder (no saved window geometry: the first start), demo data, then the whole screen
is grabbed — not the window — so a status bar or toolbar row off the screen shows as missing.
Writes first-start-1366x768.png (企业档案), returns-1366x768.png (年度报表),
date-picker-zh.png (the 首席质量官任命日期 calendar), editor-county-warning.png (区县 “如东”) and
crash-previous-run.png (the previous run's hard crash, shown at the next start).
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screenshots import start_session  # noqa: E402


def main() -> int:
    home, qapp, settle, _save = start_session("qoffice-1366-")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"

    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest

    from qoffice.db.database import open_database
    from qoffice.services import demo
    from qoffice.ui.context import AppContext
    from qoffice.ui.enterprise_editor import EnterpriseEditor
    from qoffice.ui.mainwindow import MainWindow

    screen = QGuiApplication.primaryScreen()
    print("screen", screen.geometry(), "available", screen.availableGeometry())

    def grab_screen(name: str) -> None:
        for _ in range(3):
            settle()
            QTest.qWait(150)
        path = out / name
        screen.grabWindow(0).save(str(path))
        print("wrote", path)

    db = open_database(home / "qoffice.db", "create")
    with db.session() as s:
        demo.generate(s, enterprises=300, seed=5, today=dt.date(2025, 12, 1))
        from qoffice.services import settings as settings_service

        for number, target in enumerate(("5", "20", "10", "8", "6", "1", "2", "98", "2", "0", "10000", "2", "40",
                                         "8", "10", "600", "30"), start=1):
            settings_service.set_value(s, f"target.{number}", target)  # the county's targets
    window = MainWindow(AppContext(db, year=2025))
    window.show()
    settle()
    print("window", window.geometry(), "frame", window.frameGeometry(), "maximized", window.isMaximized())
    lst = window.current_area().list
    rows = {lst.buttons[k].geometry().y() for k in lst.buttons}
    print("toolbar rows", sorted(rows), {k: (b.geometry().x(), b.geometry().y()) for k, b in lst.buttons.items()})
    grab_screen("first-start-1366x768.png")

    page = window.show_area("returns")
    settle()
    if getattr(page, "job", None) is not None:
        page.job.wait()
    grab_screen("returns-1366x768.png")

    window.show_area("enterprises")
    editor = EnterpriseEditor(db, None, year=2025, parent=window)
    editor.show()
    settle()
    date = editor.w["cqo_appointed"].date
    QTest.mouseClick(date, Qt.LeftButton, Qt.NoModifier, QPoint(date.width() - 8, date.height() // 2))
    grab_screen("date-picker-zh.png")
    date.calendarWidget().window().hide()
    from qoffice.domain.uscc import make_valid

    editor.w["uscc"].setText(make_valid("91320623MA1MXXXX5"))
    editor.w["name"].setText("如东县洋口港新材料有限公司")
    editor.w["county"].setEditText("如东")  # not in the county list: the closest one is offered
    grab_screen("editor-county-warning.png")
    editor._saved_values = None
    editor.hide()

    from qoffice.ui import crash

    dialog = crash.CrashDialog("Fatal Python error: Segmentation fault\n\nCurrent thread 0x00007f3a (most recent "
                               "call first):\n  File \"qoffice/ui/app.py\", line 231 in _run\n", window, previous=True,
                               path=home / "logs" / "crash-20251201-163012.log")
    dialog.show()
    grab_screen("crash-previous-run.png")
    dialog.hide()
    window.close()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
