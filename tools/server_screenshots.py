"""Screenshots of the server mode (issue 16) at 1366×768: the viewer's read-only window and 设置 → 数据库.

    python tools/server_screenshots.py VIEWER_URL OUT_DIR
VIEWER_URL: a qoffice server database as a viewer (qoffice_viewer). 设置 → 数据库 is shown filled in as a
clerk would for an office server (not connected).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(viewer_url: str, out: str) -> int:
    from PySide6.QtWidgets import QApplication

    from qoffice.db.database import open_database
    from qoffice.i18n import set_language
    from qoffice.ui.context import AppContext
    from qoffice.ui.database_page import DatabasePage
    from qoffice.ui.mainwindow import MainWindow
    from qoffice.ui.server_db import mark_server_window, stop_server_window

    set_language("zh_CN")
    app = QApplication.instance() or QApplication([])
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(viewer_url, "create")
    window = MainWindow(AppContext(db))
    mark_server_window(window, db)
    window.show()
    window.showNormal()
    window.resize(1366, 768)
    area = window.areas["enterprises"]
    area.activated()
    for _ in range(20):
        app.processEvents()
    window.grab().save(str(out_dir / "server-viewer-read-only.png"))
    stop_server_window(window)
    window.close()
    db.close()
    page = DatabasePage()
    page.server_radio.setChecked(True)
    page.host.setText("192.168.1.20")
    page.port.setValue(5432)
    page.database.setText("qoffice")
    page.user.setText("zhang_clerk")
    page.sslmode.setCurrentIndex(page.sslmode.findData("verify-full"))
    page.ca_file.setText("C:/qoffice/office-ca.crt")
    page.resize(760, 520)
    page.show()
    for _ in range(10):
        app.processEvents()
    page.grab().save(str(out_dir / "settings-database.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
