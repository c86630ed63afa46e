"""Issue 13, "Forums and the matchmaking meeting": what a clerk hit on a first real day, driven
through the real widgets (each test failed before its fix)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from qoffice.db.models import SignUp
from qoffice.services import meeting_signups, meetings
from qoffice.ui.context import AppContext
from qoffice.ui.meeting import MeetingArea

pytestmark = pytest.mark.gui

TODAY = dt.date(2025, 4, 1)


@pytest.fixture
def ctx(db):
    return AppContext(db, 2025)


@pytest.fixture
def area(qtbot, ctx):
    w = MeetingArea(ctx)
    w.today = lambda: TODAY
    qtbot.addWidget(w)
    w.resize(1400, 800)
    w.show()
    return w


@pytest.fixture
def firms(db, builders):
    names = ["南通海星电子股份有限公司", "江苏南通二建集团有限公司", "如皋市双马化工有限公司",
             "南通醋酸纤维有限公司", "江苏林洋能源股份有限公司"]
    with db.session() as s:
        return [builders.make_enterprise(s, name=n).id for n in names]


def make_meeting(area, capacity=None):
    area.m_venue.setText("如皋市行政中心三楼会议室")
    area.m_capacity.setText("" if capacity is None else str(capacity))
    assert area.save_meeting().wait()  # an operation on the worker


def sign_up(area, enterprise_id, people=(("张伟", "质量部经理", "13812345678"),)):
    dlg = area.new_signup()
    dlg.set_enterprise(enterprise_id)
    dlg.set_attendees(people)
    assert dlg.save_button.isEnabled(), dlg.reason.text()
    return accept(dlg)


def accept(dlg):
    """保存, and wait for a save that runs on the worker (the sign-up form's)."""
    dlg.accept()
    if getattr(dlg, "job", None) is not None:
        assert dlg.job.wait()
    return dlg


def status_column(area):
    model = area.signups.model
    col = model.column_keys().index("status")
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def select_rows(area, *rows):
    area.signups.table.clearSelection()
    for r in rows:
        area.signups.select_id(area.signups.model.row_id(r), clear=False)


def buttons_by_text(list_area):
    return {b.text(): b for b in list_area.buttons.values()}


def menu_actions_by_text(list_area):
    return {a.text(): a for a in list_area._menu_actions}


# ---- 导入 / 下载模板 / 导出 before the year has a meeting ------------------------------------------

def test_import_template_and_export_work_before_the_year_has_a_meeting(area, answers, monkeypatch):
    """The importer creates the meeting from the file's 对接会日期, so the buttons must not wait for one."""
    assert area.meeting_id is None
    for key in ("import", "template", "export"):
        button = area.signups.buttons[key]
        assert button.isEnabled(), key
        assert button.isVisibleTo(area), key
    opened = []
    monkeypatch.setattr("qoffice.ui.record_area.open_import", lambda a, kind: opened.append(kind))
    area.signups.buttons["import"].click()
    assert opened == ["signups"]
    # 新增 and 打印签到表 still need the meeting: they say so instead of failing later.
    assert not area.signups.buttons["new"].isEnabled()
    assert "对接会" in area.signups.buttons["new"].toolTip()
    assert not area.print_button.isEnabled() and "对接会" in area.print_button.toolTip()
    make_meeting(area)
    assert area.signups.buttons["new"].isEnabled() and area.print_button.isEnabled()


# ---- actions that cannot apply are disabled ----------------------------------------------------

def test_check_in_and_confirm_are_disabled_on_a_waiting_row(area, answers, firms):
    make_meeting(area, capacity=2)
    for eid in firms[:3]:
        sign_up(area, eid)
    assert status_column(area) == ["已报名", "已报名", "候补（第1位）"]
    buttons, actions = buttons_by_text(area.signups), menu_actions_by_text(area.signups)
    select_rows(area, 2)  # the 候补 row
    for text in ("签到", "缺席", "确认"):
        assert not buttons[text].isEnabled(), text
        assert not actions[text].isEnabled(), text
        assert buttons[text].toolTip(), text  # says why
    assert buttons["退出报名…"].isEnabled()
    select_rows(area, 0)  # a 已报名 row: everything applies
    for text in ("签到", "缺席", "确认", "退出报名…"):
        assert buttons[text].isEnabled(), text
        assert actions[text].isEnabled(), text
    select_rows(area, 0, 2)  # mixed: only what applies to every selected row
    assert not buttons["签到"].isEnabled() and buttons["退出报名…"].isEnabled()


def test_a_checked_in_row_cannot_be_confirmed_and_a_withdrawn_row_has_no_status_action(area, answers, firms):
    make_meeting(area)
    for eid in firms[:2]:
        sign_up(area, eid)
    select_rows(area, 0)
    assert area.set_status(area.signups.selected_ids(), "已签到").wait()
    select_rows(area, 1)
    assert area.set_status(area.signups.selected_ids(), "已退出").wait()
    buttons = buttons_by_text(area.signups)
    select_rows(area, 0)
    assert not buttons["确认"].isEnabled() and not buttons["签到"].isEnabled()
    assert buttons["缺席"].isEnabled()
    select_rows(area, 1)
    for text in ("确认", "签到", "缺席", "退出报名…"):
        assert not buttons[text].isEnabled(), text


def test_withdraw_is_labelled_as_leaving_the_meeting_not_quitting(area):
    texts = [b.text() for b in area.signups.buttons.values()]
    assert "退出报名…" in texts
    assert "退出…" not in texts


# ---- the sign-up dialog tells the outcome before saving --------------------------------------------

def test_the_sign_up_dialog_says_waiting_list_position_before_saving(area, answers, firms, db):
    make_meeting(area, capacity=2)
    sign_up(area, firms[0])
    dlg = area.new_signup()
    assert "已报名" in dlg.outcome.text() and dlg.outcome.isVisible()
    dlg.reject()
    sign_up(area, firms[1])
    sign_up(area, firms[2])  # 候补 第1位
    dlg = area.new_signup()
    dlg.set_enterprise(firms[3])
    assert "候补" in dlg.outcome.text() and "第 2 位" in dlg.outcome.text()
    dlg.set_attendees([("李娜", "", "")])
    accept(dlg)
    assert status_column(area)[-1] == "候补（第2位）"
    # an enterprise that already holds a sign-up: said before saving, and 保存 waits for another choice
    dlg = area.new_signup()
    dlg.set_enterprise(firms[0])
    assert "已报名" in dlg.reason.text() and "南通海星电子股份有限公司" in dlg.reason.text()
    assert not dlg.save_button.isEnabled()
    dlg.set_attendees([("王五", "", "")])
    dlg.set_enterprise(firms[4])
    assert dlg.save_button.isEnabled() and "第 3 位" in dlg.outcome.text()


def test_placement_preview_is_a_dry_run(db, builders):
    with db.session() as s:
        m = meetings.create_meeting(s, {"year": 2025, "date": dt.date(2025, 5, 20), "capacity": 1})
        a, b, c = (builders.make_enterprise(s).id for _i in range(3))
        assert meeting_signups.preview_sign_up(s, m).status == "已报名"
        meeting_signups.sign_up(s, m, a, [meeting_signups.AttendeeIn("甲")], today=TODAY)
        p = meeting_signups.preview_sign_up(s, m, b)
        assert (p.status, p.position) == ("候补", 1)
        meeting_signups.sign_up(s, m, b, [meeting_signups.AttendeeIn("乙")], today=TODAY)
        p = meeting_signups.preview_sign_up(s, m, c)
        assert (p.status, p.position) == ("候补", 2)
        assert s.scalar(select(SignUp).where(SignUp.enterprise_id == c)) is None  # nothing written
        meeting_signups.set_status(s, s.scalar(select(SignUp).where(SignUp.enterprise_id == a)), "已退出")
        p = meeting_signups.preview_sign_up(s, m, a)  # a withdrawn one comes back at the end of the list
        assert (p.status, p.position) == ("候补", 1)


# ---- chips: each counts one thing, labelled so --------------------------------------------------

def test_each_chip_counts_exactly_the_rows_it_names(area, answers, firms):
    make_meeting(area, capacity=3)
    for eid in firms:
        sign_up(area, eid)
    select_rows(area, 0)
    assert area.set_status(area.signups.selected_ids(), "已确认").wait()
    select_rows(area, 1)
    assert area.set_status(area.signups.selected_ids(), "已签到").wait()
    rows = status_column(area)
    shown = {chip.text() for chip in area.chips.values() if chip.isVisible()}
    for word in ("已报名", "已确认", "已签到", "候补"):
        n = sum(1 for r in rows if r.startswith(word))
        assert f"{word} {n}" in shown, (word, shown)
    # no chip mixes two statuses under one word
    assert not any(t.startswith("报名 ") for t in shown)
    assert "剩余名额 0 / 3" in shown


# ---- 主办单位: one field, one word ---------------------------------------------------------------

def _label_text(form, widget) -> str:
    import re as _re

    label = form.labelForField(widget)
    return _re.sub(r"<[^>]+>|\*", "", label.text()).strip()


def test_forum_organiser_is_called_as_the_return_calls_it(qtbot, ctx):
    from qoffice.domain.returndata import HEADERS, S_FORUMS
    from qoffice.excel.kinds import FORUMS
    from qoffice.ui.forums import ForumsArea

    word = HEADERS[S_FORUMS][4]
    assert word == "主办单位" == FORUMS.column("organiser").header
    w = ForumsArea(ctx)
    qtbot.addWidget(w)
    dlg = w.new()
    assert _label_text(dlg.form, dlg.w["organiser"]) == word
    model = w.list.model
    col = model.column_keys().index("organiser")
    from PySide6.QtCore import Qt

    assert model.headerData(col, Qt.Horizontal, Qt.DisplayRole) == word


def test_meeting_form_and_sign_in_sheet_name_the_organiser_alike(area, answers, firms, tmp_path):
    import pypdf

    area.m_organiser.setText("如东县质量工作领导小组办公室")
    make_meeting(area)
    form_word = _label_text(_form_of(area, area.m_organiser), area.m_organiser)
    sign_up(area, firms[0])
    path = area.save_signin_pdf(tmp_path / "sheet.pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)
    line = next(ln for ln in text.splitlines() if "如东县质量工作领导小组办公室" in ln)
    assert line.replace(" ", "").startswith(form_word + "：")
    assert form_word == "主办单位"


def _form_of(area, widget):
    from PySide6.QtWidgets import QFormLayout

    for form in area.findChildren(QFormLayout):
        if form.labelForField(widget) is not None:
            return form
    raise AssertionError("no form holds the widget")


# ---- 打印签到表 prints (dialog with save-as-PDF), blank rows for walk-ins ------------------------

@pytest.fixture
def printed(monkeypatch, tmp_path):
    """Replace the print dialog: 'choose' printing to a PDF file, as the system's save-as-PDF does."""
    from PySide6.QtPrintSupport import QPrinter

    from qoffice.ui import printing

    out = []

    def choose(printer, parent=None, title=""):
        path = tmp_path / f"printed{len(out)}.pdf"
        printer.setOutputFormat(QPrinter.PdfFormat)
        printer.setOutputFileName(str(path))
        out.append((path, title))
        return True

    monkeypatch.setattr(printing, "ask_printer", choose)
    return out


def test_print_dialog_offers_printing_to_a_file(qtbot):
    from PySide6.QtCore import QMarginsF
    from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog

    from qoffice.ui import printing

    dialog = printing.print_dialog(printing.a4_printer(QMarginsF(15, 15, 15, 15)), None, "x")
    qtbot.addWidget(dialog)
    assert isinstance(dialog, QPrintDialog)
    assert dialog.testOption(QAbstractPrintDialog.PrintToFile)


def _numbers(text: str) -> set[int]:
    return {int(t) for t in text.split() if t.isdigit() and len(t) < 4}


def test_print_sign_in_sheet_goes_through_the_print_dialog_with_blank_rows(area, answers, firms, printed):
    import pypdf

    make_meeting(area)
    sign_up(area, firms[0], (("张伟", "", ""),))
    sign_up(area, firms[1], (("李娜", "", ""),))
    action = next(b for b in area.signups.buttons.values() if b.text() == "打印签到表…")
    assert action.isEnabled()
    action.click()
    assert len(printed) == 1
    path, title = printed[0]
    assert title == "打印签到表"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)
    assert "张伟" in text and "李娜" in text and "签名" in text
    # two sign-ups, then the default 5 numbered blank rows for walk-ins
    assert {1, 2, 3, 4, 5, 6, 7} <= _numbers(text) and 8 not in _numbers(text)


def test_blank_rows_are_a_setting(area, answers, firms, printed, db):
    import pypdf

    from qoffice.services import settings

    make_meeting(area)
    sign_up(area, firms[0], (("张伟", "", ""),))
    assert area.m_blank_rows.value() == 5
    area.m_blank_rows.setValue(2)
    assert area.blank_rows_job.wait()  # kept by an operation on the worker
    with db.read_session() as s:
        assert settings.signin_blank_rows(s) == 2
    area.print_signin_sheet()
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(printed[-1][0])).pages)
    assert {1, 2, 3} <= _numbers(text) and 4 not in _numbers(text)


def test_print_cover_uses_the_same_dialog(qtbot, printed):
    from qoffice.ui.return_print import CoverData, print_with_dialog

    assert print_with_dialog(CoverData(2025, "如东县", "如东县市场监督管理局", "张三", "0513-1"))
    assert printed and printed[0][0].exists() and printed[0][1] == "打印封面"


def test_blank_rows_setting_is_validated(db):
    from qoffice.errors import UsageError
    from qoffice.services import settings

    assert settings.validate(settings.SIGNIN_BLANK_ROWS, " 08 ") == "8"
    for bad in ("-1", "2.5", "五", "²", "101"):
        with pytest.raises(UsageError):
            settings.validate(settings.SIGNIN_BLANK_ROWS, bad)
    with db.session() as s:
        assert settings.signin_blank_rows(s) == 5
        settings.set_value(s, settings.SIGNIN_BLANK_ROWS, "0")
        assert settings.signin_blank_rows(s) == 0


# ---- imports: 报名日期 and 取消原因 ----------------------------------------------------------------

def _xlsx(path, rows):
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def _headers(path) -> list[str]:
    from openpyxl import load_workbook

    ws = load_workbook(path).worksheets[0]
    return [str(c.value).lstrip("*").strip() for c in next(ws.iter_rows(max_row=1)) if c.value]


def _template_headers(kind, tmp_path) -> list[str]:
    from openpyxl import load_workbook

    from qoffice.excel.templates import write_template

    path = write_template(kind, tmp_path / f"{kind}.xlsx") or tmp_path / f"{kind}.xlsx"
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows(max_row=6, values_only=True):
            cells = [str(v).replace("*", "").strip() for v in row if v]
            if "统一社会信用代码" in cells or "名称" in cells:
                return cells
    raise AssertionError("no header row")


def day_column(area):
    model = area.signups.model
    col = model.column_keys().index("signed_up_at")
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_imported_sign_ups_keep_the_files_sign_up_date(area, answers, db, builders, tmp_path):
    from qoffice.services.imports import run_import

    assert "报名日期" in _template_headers("signups", tmp_path)
    codes = [builders.code(8100 + i) for i in range(3)]
    with db.session() as s:
        for i, c in enumerate(codes):
            builders.make_enterprise(s, uscc=c, name=f"南通报名日期{i}有限公司")
    path = _xlsx(tmp_path / "报名.xlsx", [
        ["对接会日期", "统一社会信用代码", "参会人", "报名日期"],
        ["2025-05-20", codes[0], "周八", "2025-04-10"],
        ["2025-05-20", codes[1], "吴九", None],          # no date: the day of import, after the meeting
        ["2025-05-20", codes[2], "郑十", "2025-06-01"],  # a date after the meeting: taken, warned
    ])
    result = run_import(db, "signups", path)
    assert (result.created, result.rejected) == (3, 0), result.errors
    area.refresh()
    days = dict(zip([r for r in range(3)], day_column(area)))
    shown = sorted(day_column(area))
    assert "2025-04-10" in shown  # the file's date, not the import day
    late = [d for d in shown if d != "2025-04-10"]
    assert len(late) == 2 and all("⚠" in d and "晚于对接会" in d for d in late), days
    warned_rows = {w.row for w in result.warnings if w.column == "报名日期"}
    assert warned_rows == {3, 4}, [(w.row, w.column, w.message) for w in result.warnings]


def test_cancelled_forums_import_with_their_reason(qtbot, ctx, db, tmp_path, answers):
    from qoffice.db.models import Forum
    from qoffice.services.imports import run_import
    from qoffice.ui.forums import ForumsArea

    assert "取消原因" in _template_headers("forums", tmp_path)
    path = _xlsx(tmp_path / "交流会.xlsx", [
        ["名称", "日期", "状态", "取消原因"],
        ["质量提升交流会", "2025-05-20", "已取消", "场地改造暂停使用"],
        ["首席质量官论坛", "2025-10-15", "已取消", None],
        ["标准化沙龙", "2025-11-05", "计划", None],
    ])
    result = run_import(db, "forums", path)
    assert (result.created, result.rejected) == (3, 0), [(e.row, e.column, e.message) for e in result.errors]
    assert [(w.row, w.column) for w in result.warnings if "原因" in w.message] == [(3, "取消原因")]
    w = ForumsArea(ctx)
    qtbot.addWidget(w)
    w.today = lambda: dt.date(2025, 3, 1)
    w.refresh()
    model = w.list.model
    col = model.column_keys().index("status")
    statuses = [model.data(model.index(r, col)) for r in range(model.rowCount())]
    assert statuses == ["✕ 已取消：场地改造暂停使用", "✕ 已取消", "○ 计划"]
    # the reasonless cancelled forum can still be edited in the form
    with db.read_session() as s:
        fid = s.scalar(select(Forum.id).where(Forum.title == "首席质量官论坛"))
    dlg = w.edit(fid)
    dlg.w["venue"].setText("如东县行政中心")
    accept(dlg)
    assert not dlg.isVisible(), answers
    with db.read_session() as s:
        assert s.get(Forum, fid).venue == "如东县行政中心"


def test_cancel_is_disabled_on_a_cancelled_forum(qtbot, ctx, db, answers):
    from qoffice.services import forums as forum_service
    from qoffice.ui.forums import ForumsArea

    with db.session() as s:
        a, _w = forum_service.create_forum(s, {"title": "甲", "date": dt.date(2025, 5, 1)}, today=TODAY)
        b, _w = forum_service.create_forum(s, {"title": "乙", "date": dt.date(2025, 6, 1)}, today=TODAY)
        forum_service.cancel(s, b, "改期")
        ids = a.id, b.id
    w = ForumsArea(ctx)
    qtbot.addWidget(w)
    w.refresh()
    cancel = buttons_by_text(w.list)["取消活动…"]
    w.list.select_id(ids[0])
    assert cancel.isEnabled()
    w.list.select_id(ids[1])
    assert not cancel.isEnabled() and cancel.toolTip() == "该活动已取消。"
