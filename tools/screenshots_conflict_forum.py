"""Screenshot of 该记录已被他人修改 over the forum form (交流活动), zh_CN: a non-enterprise record.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshots_conflict_forum.py [OUT_DIR]

Writes conflict_forum.png (the screen: the forums area, the forum form, the conflict dialog over it)
into docs/screenshots/ (or OUT_DIR): the form was opened, another window saved the forum's 地点 and
主讲人, then this form's 保存 (its own 地点 and 主题 typed) is refused on the worker and the dialog
is shown.
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
    home, app, _settle, _save = start_session("qoffice-shot-")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    from qoffice.db.database import open_database
    from qoffice.db.models import Forum
    from qoffice.services import forums as forum_service
    from qoffice.ui import conflict_dialog
    from qoffice.ui.context import AppContext
    from qoffice.ui.forums import ForumsArea

    today = dt.date(2025, 4, 1)
    db = open_database(home / "qoffice.db", "create")
    with db.session() as s:
        fid = forum_service.create_forum(s, {"title": "2025年首席质量官论坛", "date": dt.date(2025, 6, 18),
                                             "venue": "如皋市行政中心", "organiser": "如皋市市场监督管理局",
                                             "topic": "质量管理体系建设"}, today=today)[0].id
        forum_service.create_forum(s, {"title": "质量提升交流会", "date": dt.date(2025, 10, 15),
                                       "venue": "如皋经济技术开发区"}, today=today)
    area = ForumsArea(AppContext(db, 2025))
    area.today = lambda: today
    area.resize(1300, 700)
    area.move(0, 0)
    area.show()
    form = area.edit(fid)
    form.move(120, 90)
    with db.session() as s:  # another window (or clerk) saves the forum meanwhile
        forum_service.update_forum(s, s.get(Forum, fid), {"venue": "如皋市会议中心二楼", "speakers": "孙教授、周总工"},
                                   today=today)
    form.w["venue"].setText("如皋市行政中心三楼会议室")
    form.w["topic"].setText("质量管理体系与卓越绩效")

    def shoot(dialog) -> str:
        dialog.move(300, 200)
        dialog.show()
        dialog.raise_()
        for _ in range(30):
            app.processEvents()
        app.primaryScreen().grabWindow(0).save(str(out / "conflict_forum.png"))
        print("rows:", dialog.shown_rows())
        return conflict_dialog.CANCEL

    conflict_dialog.set_responder(shoot)
    form.accept()
    assert form.job is not None and form.job.wait()
    form.reject()
    db.close()
    print(out / "conflict_forum.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
