"""Screenshots of the 对接会 and 交流活动 screens touched by issue 13 (helper H), for review.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots_activities.py OUT_DIR
Writes meeting-no-meeting.png, meeting-signups.png, signup-dialog-waiting.png,
signup-dialog-duplicate.png, forums-cancelled.png, forum-form.png, print-dialog.png and
signin-sheet.png (the sheet's first page, rendered from the PDF the print path writes).
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import start_session  # noqa: E402


def main() -> int:
    home, qapp, settle, save = start_session("qoffice-shots-act-")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")

    from openpyxl import Workbook
    from PySide6.QtCore import QTimer

    from qoffice.db.database import open_database
    from qoffice.domain.uscc import make_valid
    from qoffice.services import enterprises, meeting_signups, meetings
    from qoffice.services import settings as settings_service
    from qoffice.services.imports import run_import
    from qoffice.ui import printing
    from qoffice.ui.context import AppContext
    from qoffice.ui.forums import ForumsArea
    from qoffice.ui.meeting import MeetingArea

    db = open_database(home / "qoffice.db", "create")
    names = ["南通海星电子股份有限公司", "江苏南通二建集团有限公司", "如皋市双马化工有限公司", "南通醋酸纤维有限公司",
             "江苏林洋能源股份有限公司", "如东县洋口港物流有限公司"]
    with db.session() as s:
        settings_service.set_value(s, "county", "如东县")
        settings_service.set_value(s, "office", "如东县市场监督管理局")
        ids = [enterprises.create(s, {"uscc": make_valid(f"91320623{i:09d}"), "name": n, "county": "如东县"}).id
               for i, n in enumerate(names)]
    ctx = AppContext(db, year=2025)
    area = MeetingArea(ctx)
    area.resize(1366, 700)
    area.show()
    save(area, "meeting-no-meeting.png")

    # the import creates the meeting; 报名日期 taken from the file, one row without it
    from qoffice.db.models import Enterprise
    with db.read_session() as s:
        codes = [s.get(Enterprise, i).uscc for i in ids]
    wb = Workbook()
    for r in (["对接会日期", "统一社会信用代码", "参会人", "职务", "报名日期"],
              ["2025-05-20", codes[0], "张伟、李娜", "质量部经理、主管", "2025-04-10"],
              ["2025-05-20", codes[1], "王强", "总经理", "2025-04-12"],
              ["2025-05-20", codes[2], "赵敏", "质量主管", None]):
        wb.active.append(r)
    wb.save(home / "报名.xlsx")
    run_import(db, "signups", home / "报名.xlsx")
    with db.session() as s:
        m = meetings.meeting_for_year(s, 2025)
        meetings.update_meeting(s, m, {"capacity": 3, "venue": "如东县行政中心三楼会议室",
                                       "organiser": "如东县质量工作领导小组办公室"})
        meeting_signups.sign_up(s, m, ids[3], [meeting_signups.AttendeeIn("孙七", "副总", "13800000004")], today=dt.date(2025, 4, 20))
    area.refresh()
    area.signups.select_id(area.signups.model.row_id(3))
    save(area, "meeting-signups.png")

    dlg = area.new_signup()
    dlg.set_enterprise(ids[4])
    dlg.set_attendees([("周八", "经理", "13800000005")])
    save(dlg, "signup-dialog-waiting.png")
    dlg.set_enterprise(ids[0])
    save(dlg, "signup-dialog-duplicate.png")
    dlg.reject()

    # 打印签到表: the print dialog (shown, then cancelled), then printing to PDF as save-as-PDF does
    from PySide6.QtCore import QMarginsF
    from PySide6.QtPrintSupport import QPrinter

    dialog = printing.print_dialog(printing.a4_printer(QMarginsF(15, 15, 15, 15)), area, "打印签到表")
    dialog.show()
    save(dialog, "print-dialog.png")
    dialog.reject()
    pdf = out / "signin-sheet.pdf"

    def choose(printer, parent=None, title=""):
        printer.setOutputFormat(QPrinter.PdfFormat)
        printer.setOutputFileName(str(pdf))
        return True

    printing.ask_printer = choose
    area.print_signin_sheet()

    forums_area = ForumsArea(ctx)
    wb = Workbook()
    for r in (["名称", "日期", "主办单位", "状态", "取消原因"],
              ["质量提升交流会", "2025-05-20", "如东县质量工作领导小组办公室", "已举办", None],
              ["首席质量官论坛", "2025-09-15", "如东县市场监督管理局", "已取消", "场地改造暂停使用"],
              ["标准化沙龙", "2025-11-05", "如东县市场监督管理局", "已取消", None]):
        wb.active.append(r)
    wb.save(home / "交流会.xlsx")
    run_import(db, "forums", home / "交流会.xlsx")
    forums_area.today = lambda: dt.date(2025, 12, 1)
    forums_area.resize(1366, 500)
    forums_area.show()
    forums_area.refresh()
    save(forums_area, "forums-cancelled.png")
    form = forums_area.new()
    save(form, "forum-form.png")
    form.reject()
    QTimer.singleShot(0, qapp.quit)
    db.close()
    print("pdf", pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
