"""Take issue 6's screenshots (备份与恢复, second instance, read-only window, network banner, crash, 彻底删除).

Run under a real X server so fonts render as a clerk sees them:
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots_safety.py [OUT_DIR]
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screenshots import build_demo, start_session  # noqa: E402


def main() -> int:
    home, qapp, settle, save = start_session("qoffice-safety-shots-")

    from PySide6.QtWidgets import QMessageBox

    from qoffice.db import backup as bk
    from qoffice.db import sqlite as sq
    from qoffice.db.database import GUI_PROGRAM, open_database
    from qoffice.db.lock import DatabaseLock, lock_holder
    from qoffice.db.models import Enterprise
    from qoffice.i18n import _
    from qoffice.services import enterprises
    from qoffice.ui import crash, purge, second_instance
    from qoffice.ui.context import AppContext
    from qoffice.ui.mainwindow import MainWindow

    db_path = home / "qoffice.db"
    db = open_database(db_path, "create")
    build_demo(db)
    today = dt.datetime.now().replace(microsecond=0)
    for days in (30, 9, 8, 7, 6, 5, 4, 3, 2, 1):
        bk.make_backup(db_path, "daily", now=(today - dt.timedelta(days=days)).replace(hour=8, minute=31))
    bk.make_backup(db_path, "event", reason="import", now=(today - dt.timedelta(days=3)).replace(hour=10, minute=5))
    bk.make_backup(db_path, "event", reason="migrate", now=(today - dt.timedelta(days=2)).replace(hour=8, minute=30))
    bk.make_backup(db_path, "manual", now=(today - dt.timedelta(days=1)).replace(hour=16, minute=42))
    bk.make_backup(db_path, "daily", now=today.replace(hour=8, minute=32))

    window = MainWindow(AppContext(db, year=2024))
    # Wider than the 1400 screen: at its minimum width (set by the 对接会 area's toolbar) the
    # navigation column would be squeezed to its icons.
    window.resize(1520, 820)
    window.splitter.setSizes([150, 1370])
    window.show()
    settings = window.show_area("settings")
    settings.show_backups()
    settings.backups.reload()
    settings.backups.table.selectRow(2)
    save(window, "safety-backups.png")

    # 彻底删除: the confirmation as messages.ask shows it.
    with db.session() as s:
        ent = s.query(Enterprise).filter(Enterprise.deleted_at.is_not(None)).order_by(Enterprise.id).first()
        enterprises.set_figures(s, ent.id, 2023, checked=10, passed=9)
        enterprises.set_figures(s, ent.id, 2024, checked=12, passed=12)
        eid = ent.id
    items = enterprises.purge_preview(db, [eid])
    box = QMessageBox(window)
    box.setWindowTitle(_("qoffice"))
    box.setIcon(QMessageBox.Question)
    box.setText(purge.confirmation_text(items))
    box.addButton(_("Yes"), QMessageBox.YesRole)
    box.setDefaultButton(box.addButton(_("No"), QMessageBox.NoRole))
    box.show()
    save(box, "safety-purge-confirm.png")
    box.close()
    window.close()
    db.close()

    # The second instance: the lock held "by a colleague", the dialog, then the read-only window.
    other = DatabaseLock(db_path, program=GUI_PROGRAM)
    assert other.acquire()
    holder = lock_holder(db_path)
    holder.update(user="wangfang", host="ZHIJIANJU-PC01")
    dialog = second_instance.SecondInstanceDialog(db_path, holder)
    dialog.show()
    save(dialog, "safety-second-instance.png")
    dialog.close()

    viewer = open_database(db_path, "view")
    window = MainWindow(AppContext(viewer, year=2024))
    # Wider than the 1400 screen: at its minimum width (set by the 对接会 area's toolbar) the
    # navigation column would be squeezed to its icons.
    window.resize(1520, 820)
    window.splitter.setSizes([150, 1370])
    second_instance.make_read_only(window, holder)
    window.show()
    save(window, "safety-read-only.png")
    window.close()
    viewer.close()
    other.release()

    # A database on a network share: the banner (faked probe; the text is the real one).
    db = open_database(db_path, "create")
    sq.is_network_path = lambda p, **probe: True
    window = MainWindow(AppContext(db, year=2024))
    # Wider than the 1400 screen: at its minimum width (set by the 对接会 area's toolbar) the
    # navigation column would be squeezed to its icons.
    window.resize(1520, 820)
    window.splitter.setSizes([150, 1370])
    second_instance.network_notice(window, r"\\ZHIJIANJU-NAS\共享\qoffice\qoffice.db")
    window.show()
    save(window, "safety-network-warning.png")
    window.close()
    db.close()

    # The crash dialog with a fake error.
    try:
        {}["年度报表"]
    except KeyError as exc:
        details = crash.format_exception(type(exc), exc, exc.__traceback__)
    dialog = crash.CrashDialog(details)
    dialog.show()
    save(dialog, "safety-crash.png")
    dialog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
