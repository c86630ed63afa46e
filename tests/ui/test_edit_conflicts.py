"""An edit silently undone (issue 13): one editor per record — a second open brings the first to the
front, from the list and from a 年度报表 check alike — and a save of a record changed since its form
loaded it shows the stored and the typed values side by side (keep mine / take theirs / cancel)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from qoffice.db.models import AuditEntry, Enterprise
from qoffice.errors import StaleRecord
from qoffice.services import enterprises as enterprise_service
from qoffice.ui import conflict_dialog, editor_registry
from qoffice.ui.conflict_dialog import CANCEL, KEEP_MINE, TAKE_THEIRS, ConflictDialog
from qoffice.ui.context import AppContext
from qoffice.ui.enterprise_editor import EnterpriseEditor, field_label
from qoffice.ui.enterprises import EnterprisesArea
from tests.conftest import code as builders_code
from tests.ui.helpers import saved

pytestmark = pytest.mark.gui


@pytest.fixture
def eid(db, builders):
    with db.session() as s:
        return builders.make_enterprise(s, name="南通示例机械有限公司").id


@pytest.fixture
def conflicts():
    """Answer conflict dialogs with .reply; records each dialog's shown rows."""

    class Conflicts(list):
        reply = CANCEL

    got = Conflicts()

    def answer(dialog: ConflictDialog) -> str:
        got.append((dialog.windowTitle(), dialog.shown_rows()))
        return got.reply

    conflict_dialog.set_responder(answer)
    yield got
    conflict_dialog.set_responder(None)


def editors() -> list[EnterpriseEditor]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, EnterpriseEditor) and w.isVisible()]


def test_a_second_open_of_one_enterprise_focuses_the_first(qtbot, db, eid, answers):
    area = EnterprisesArea(AppContext(db))
    qtbot.addWidget(area)
    area.show()
    first = area.open_editor(eid)
    second = area.open_editor(eid)  # a double click in the list
    assert second is first and editors() == [first]
    first.showMinimized()
    again = area.open_editor(eid)
    assert again is first and not first.isMinimized()
    # The 年度报表 check opens through the same registry: still the one editor.
    from qoffice.ui.returns_page import ReturnsPage

    page = ReturnsPage(AppContext(db))
    qtbot.addWidget(page)
    assert page.open_enterprise(eid) is first
    assert editor_registry.open_editors() == [("enterprise", eid)]
    # Another enterprise gets its own editor; a closed one is opened anew.
    with db.session() as s:
        other = enterprise_service.create(s, {"uscc": builders_code(), "name": "东台另一家有限公司"}).id
    assert area.open_editor(other) is not first
    first.close()
    third = area.open_editor(eid)
    assert third is not first and third.isVisible()
    # A new enterprise's editor is filed under its id once saved.
    new = area.open_editor(None)
    new.w["uscc"].setText(builders_code())
    new.w["name"].setText("海门新建纺织有限公司")
    assert saved(new), new.reason.text()
    assert area.open_editor(new.enterprise_id) is new


def two_windows(qtbot, db, eid):
    """The reported case, as it was reachable before: two editors of one enterprise."""
    a, b = EnterpriseEditor(db, eid), EnterpriseEditor(db, eid)
    for w in (a, b):
        qtbot.addWidget(w)
        w.show()
    a.w["contact"].setText("甲某")
    assert saved(a)
    b.w["phone"].setText("0513-85123456")
    return a, b


def stored(db, eid) -> Enterprise:
    with db.read_session() as s:
        ent = s.get(Enterprise, eid)
        s.expunge(ent)
        return ent


def test_stale_save_is_refused_with_the_side_by_side_and_cancel_keeps_the_typing(qtbot, db, eid, answers, conflicts):
    a, b = two_windows(qtbot, db, eid)
    conflicts.reply = CANCEL
    assert not saved(b)
    ((title, rows),) = conflicts
    assert title == "该记录已被他人修改"
    assert [field_label("contact"), "甲某", "（空）"] in rows
    assert [field_label("phone"), "（空）", "0513-85123456"] in rows
    ent = stored(db, eid)
    assert (ent.contact, ent.phone) == ("甲某", None)  # never silently undone
    assert b.w["phone"].text() == "0513-85123456" and b.is_dirty()
    with db.read_session() as s:  # the audit log shows no 甲某 → ''
        undone = s.scalar(select(AuditEntry).where(AuditEntry.field == "contact", AuditEntry.old == "甲某"))
        assert undone is None


def test_take_theirs_reloads_the_stored_values(qtbot, db, eid, answers, conflicts):
    a, b = two_windows(qtbot, db, eid)
    conflicts.reply = TAKE_THEIRS
    assert not saved(b)
    assert b.w["contact"].text() == "甲某" and b.w["phone"].text() == "" and not b.is_dirty()
    b.w["phone"].setText("0513-85000000")  # now a save goes through, keeping 甲某
    assert saved(b)
    ent = stored(db, eid)
    assert (ent.contact, ent.phone) == ("甲某", "0513-85000000")


def test_keep_mine_saves_the_typed_values_on_purpose(qtbot, db, eid, answers, conflicts):
    a, b = two_windows(qtbot, db, eid)
    before = stored(db, eid).version
    conflicts.reply = KEEP_MINE
    assert saved(b)
    ent = stored(db, eid)
    assert (ent.contact, ent.phone) == (None, "0513-85123456") and ent.version == before + 1
    # Window A is stale now in its turn.
    conflicts.reply = CANCEL
    a.w["note"].setPlainText("A 的备注")
    assert not saved(a) and len(conflicts) == 2


def test_an_import_while_the_editor_is_open_is_not_overwritten(qtbot, db, eid, answers, conflicts, tmp_path):
    from qoffice.services import imports

    editor = EnterpriseEditor(db, eid)
    qtbot.addWidget(editor)
    editor.show()
    code = stored(db, eid).uscc
    path = tmp_path / "企业.csv"
    path.write_text(f"统一社会信用代码,企业名称,联系人\n{code},南通示例机械有限公司,乙某\n", encoding="utf-8")
    assert imports.run_import(db, "enterprises", path).updated == 1
    editor.w["phone"].setText("0513-85123456")
    conflicts.reply = CANCEL
    assert not saved(editor)
    assert stored(db, eid).contact == "乙某"


def test_figures_of_a_year_saved_meanwhile_are_not_overwritten(qtbot, db, eid, answers, conflicts):
    a, b = EnterpriseEditor(db, eid, year=2024), EnterpriseEditor(db, eid, year=2024)
    for w in (a, b):
        qtbot.addWidget(w)
    a.figures.checked.setText("10")
    a.figures.passed.setText("9")
    assert saved(a.figures)
    b.figures.checked.setText("8")
    b.figures.passed.setText("8")
    conflicts.reply = CANCEL
    assert not saved(b.figures)
    assert conflicts[-1][1]  # the side-by-side was shown
    conflicts.reply = KEEP_MINE
    assert saved(b.figures)
    with db.read_session() as s:
        row = enterprise_service.figures_for(s, eid)[0]
        assert (row.checked, row.passed) == (8, 8)


def test_conflict_dialog_buttons(qtbot):
    exc = StaleRecord("该记录已被他人修改。", table="enterprise", record_id=1,
                      stored={"contact": "甲某", "phone": None, "name": "南通示例"}, version=3)
    typed = {"contact": None, "phone": "0513-1", "name": "南通示例"}
    for button, expected in (("keep_mine", KEEP_MINE), ("take_theirs", TAKE_THEIRS), ("cancel", CANCEL)):
        dialog = ConflictDialog(exc, typed, field_label)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.shown_rows() == [[field_label("contact"), "甲某", "（空）"],
                                       [field_label("phone"), "（空）", "0513-1"]]  # the fields that differ
        qtbot.mouseClick(getattr(dialog, button), Qt.LeftButton)
        assert dialog.choice == expected and not dialog.isVisible()
    dialog = ConflictDialog(exc, typed, field_label)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key_Escape)
    assert dialog.choice == CANCEL


def test_a_record_deleted_meanwhile_says_so(qtbot, db, answers):
    exc = StaleRecord("该记录已被他人删除。", table="partner", record_id=None, deleted=True)
    assert conflict_dialog.resolve(None, exc, {}, str) == CANCEL
    assert answers[-1][0] == "error" and "该记录已被他人删除" in answers[-1][1]


def test_an_enterprise_purged_meanwhile_is_said_not_saved(qtbot, db, eid, answers, conflicts):
    editor = EnterpriseEditor(db, eid)
    qtbot.addWidget(editor)
    editor.show()
    with db.session() as s:  # 彻底删除 from the recycle bin in another window
        ent = s.get(Enterprise, eid)
        enterprise_service.soft_delete(s, ent)
        enterprise_service.purge(s, ent)
    editor.w["phone"].setText("0513-85123456")
    assert not saved(editor)
    assert conflicts == []  # nothing to compare with: a message says so
    assert answers[-1][0] == "error" and "该记录已被他人删除" in answers[-1][1]
    with db.read_session() as s:
        assert s.get(Enterprise, eid) is None
    assert editor.w["phone"].text() == "0513-85123456"  # the typing is kept


def test_an_editor_that_outlived_its_area_refreshes_the_new_one(qtbot, db, eid, answers):
    """A language switch rebuilds the areas and keeps an open editor: opening the enterprise from the
    new list brings that editor up, and its save refreshes the new list."""
    old = EnterprisesArea(AppContext(db))
    editor = old.open_editor(eid)
    editor.setParent(None, editor.windowFlags())  # as the main window keeps it through the rebuild
    qtbot.addWidget(editor)
    editor.show()
    old.deleteLater()
    qtbot.wait(10)
    new_area = EnterprisesArea(AppContext(db))
    qtbot.addWidget(new_area)
    assert new_area.open_editor(eid) is editor
    refreshed = []
    new_area.list.reload = lambda *a, **k: refreshed.append(True)
    editor.w["contact"].setText("甲某")
    assert saved(editor)
    assert refreshed
