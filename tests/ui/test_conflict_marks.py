"""该记录已被他人修改 says who changed what: each field shown is marked as changed by someone else
(the stored value moved since the form loaded it), by the clerk (the typed one did), or by both to
different values (a clash, listed first); a field nobody changed, or both changed alike, is not shown."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QLabel

from qoffice.db.models import Forum
from qoffice.errors import StaleRecord
from qoffice.services import forums as forum_service
from qoffice.ui import conflict_dialog
from qoffice.ui.conflict_dialog import CANCEL, CLASH, MINE, THEIRS, ConflictDialog
from qoffice.ui.context import AppContext
from qoffice.ui.enterprise_editor import EnterpriseEditor, field_label
from tests.ui.helpers import accept, saved

pytestmark = pytest.mark.gui

TODAY = dt.date(2025, 4, 1)


@pytest.fixture
def dialogs():
    """Answer conflict dialogs with CANCEL; keeps (shown marks, shown rows, explanation) of each."""
    got = []

    def answer(dialog: ConflictDialog) -> str:
        text = dialog.findChild(QLabel, "conflict_explanation").text()
        got.append((dialog.shown_marks(), dialog.shown_rows(), text))
        return CANCEL

    previous = conflict_dialog.set_responder(answer)
    yield got
    conflict_dialog.set_responder(previous)


def test_the_marks_follow_who_moved_away_from_the_loaded_value():
    mark = conflict_dialog.mark
    assert mark("甲", "乙", "乙") == THEIRS
    assert mark("乙", "甲", "乙") == MINE
    assert mark("甲", "丙", "乙") == CLASH
    assert mark("甲", "甲", "乙") is None  # both made the same change: nothing to choose
    assert mark("乙", " 乙 ", "乙") is None  # nobody changed it
    assert mark(None, "", None) is None
    assert mark("甲", "乙") == conflict_dialog.DIFFERS  # no base: only "differs" can be said


def test_enterprise_editor_marks_theirs_mine_and_the_clash(qtbot, db, builders, answers, dialogs):
    with db.session() as s:
        eid = builders.make_enterprise(s, name="南通示例机械有限公司", industry_group="其他").id
    a, b = EnterpriseEditor(db, eid), EnterpriseEditor(db, eid)
    for w in (a, b):
        qtbot.addWidget(w)
        w.show()
    a.w["contact"].setText("甲某")  # only the other window
    a.w["address"].setText("崇川区工农路1号")  # both, differently
    a.w["legal_rep"].setText("王建国")  # both, alike
    assert saved(a)
    b.w["phone"].setText("0513-85123456")  # only me
    b.w["address"].setText("崇川区人民路8号")
    b.w["legal_rep"].setText("王建国")
    assert not saved(b)
    ((marks, rows, text),) = dialogs
    assert marks == {field_label("address"): CLASH, field_label("contact"): THEIRS,
                     field_label("phone"): MINE}, marks
    assert rows[0] == [field_label("address"), "崇川区工农路1号", "崇川区人民路8号"]  # the clash first
    assert "1" in text and "保留我的修改" in text  # keep mine would put 联系人 back: said


def test_enterprise_figures_mark_the_clash_and_mine(qtbot, db, builders, answers, dialogs):
    with db.session() as s:
        eid = builders.make_enterprise(s, name="南通示例机械有限公司").id
    a, b = EnterpriseEditor(db, eid, year=2024), EnterpriseEditor(db, eid, year=2024)
    for w in (a, b):
        qtbot.addWidget(w)
    a.figures.checked.setText("10")
    a.figures.passed.setText("9")
    assert saved(a.figures)
    b.figures.checked.setText("8")
    b.figures.passed.setText("8")
    b.figures.benefit.setText("3")
    assert not saved(b.figures)
    ((marks, _rows, _text),) = dialogs
    labels = {key: field_label(key) for key in ("checked", "passed", "benefit_yuan")}
    assert marks[labels["checked"]] == CLASH and marks[labels["passed"]] == CLASH, marks
    assert marks[labels["benefit_yuan"]] == MINE, marks


def test_forum_form_marks_theirs_mine_and_the_clash(qtbot, db, answers, dialogs):
    from qoffice.ui.forums import ForumsArea

    with db.session() as s:
        fid = forum_service.create_forum(s, {"title": "首席质量官论坛", "date": dt.date(2025, 6, 18),
                                             "topic": "质量强县"}, today=TODAY)[0].id
    area = ForumsArea(AppContext(db, 2025))
    area.today = lambda: TODAY
    qtbot.addWidget(area)
    area.show()
    dlg = area.edit(fid)
    with db.session() as s:  # another window saves the venue and the topic meanwhile
        forum_service.update_forum(s, s.get(Forum, fid), {"venue": "政务中心三楼", "topic": "品牌建设"}, today=TODAY)
    dlg.w["speakers"].setText("张教授")  # only me
    dlg.w["topic"].setText("标准化")  # both, differently
    accept(dlg)
    ((marks, rows, _text),) = dialogs
    assert marks == {"主题": CLASH, "地点": THEIRS, "主讲人": MINE}, (marks, rows)
    assert ["主题", "品牌建设", "标准化"] == rows[0]
    assert dlg.isVisible()


def test_the_forums_cancel_form_marks_status_as_a_clash_and_the_reason_as_mine(qtbot, db, answers, dialogs):
    from qoffice.ui.forums import ForumsArea

    with db.session() as s:
        fid = forum_service.create_forum(s, {"title": "质量提升交流会", "date": dt.date(2025, 2, 20)},
                                         today=TODAY)[0].id
    area = ForumsArea(AppContext(db, 2025))
    area.today = lambda: TODAY
    qtbot.addWidget(area)
    area.show()
    dlg = area.cancel_selected([fid])
    with db.session() as s:  # another window recorded it as held meanwhile
        forum_service.mark_held(s, s.get(Forum, fid), dt.date(2025, 2, 20), 30, today=TODAY)
    dlg.reason_edit.setPlainText("场地冲突")
    accept(dlg)
    ((marks, _rows, _text),) = dialogs
    assert marks == {"状态": CLASH, "原因": MINE}, marks


def test_the_dialog_without_a_base_still_shows_what_differs(qtbot):
    exc = StaleRecord("该记录已被他人修改。", table="enterprise", record_id=1,
                      stored={"contact": "甲某", "phone": None}, version=3)
    dialog = ConflictDialog(exc, {"contact": None, "phone": "0513-1"}, field_label)
    qtbot.addWidget(dialog)
    assert set(dialog.shown_marks().values()) == {conflict_dialog.DIFFERS}
    based = ConflictDialog(exc, {"contact": None, "phone": "0513-1"}, field_label,
                           base={"contact": None, "phone": None})
    qtbot.addWidget(based)
    assert based.shown_marks() == {field_label("contact"): THEIRS, field_label("phone"): MINE}
    assert based.table.item(0, conflict_dialog.MARK).text() == "他人修改"
