"""Screenshot of 对接会 inside the main window on a 1366×768 screen (the navigation takes ~170 px).

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshots_meeting_1366.py [OUT_DIR]

A fresh data folder, demo data, the 对接会 area shown, the whole screen grabbed: writes
meeting-1366x768.png into docs/screenshots/ (or OUT_DIR) and prints the sign-up list's status
filter: its width beside the width its longest entry needs.
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
    home, qapp, settle, _save = start_session("qoffice-meeting-1366-")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"

    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest

    from qoffice.db.database import open_database
    from qoffice.services import demo
    from qoffice.ui.context import AppContext
    from qoffice.ui.mainwindow import MainWindow

    screen = QGuiApplication.primaryScreen()
    db = open_database(home / "qoffice.db", "create")
    with db.session() as s:
        demo.generate(s, enterprises=300, seed=5, today=dt.date(2025, 12, 1))
    window = MainWindow(AppContext(db, year=2025))
    window.show()
    settle()
    area = window.show_area("meeting")
    for _ in range(3):
        settle()
        QTest.qWait(150)
    box = area.signups.filter_boxes["status"]
    fm = box.fontMetrics()
    print("window", window.geometry(), "area", area.width())
    print("status filter width", box.width(), "text", [box.itemText(i) for i in range(box.count())],
          "longest text", max(fm.horizontalAdvance(box.itemText(i)) for i in range(box.count())),
          "all text", fm.horizontalAdvance(box.itemText(0)))
    path = out / "meeting-1366x768.png"
    screen.grabWindow(0).save(str(path))
    print("wrote", path)
    window.close()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
