"""The enterprise area driven through real widgets: form, validation, search, recycle bin, audit."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from qoffice.db.models import Enterprise, YearFigures
from qoffice.domain import uscc
from qoffice.services import enterprises as enterprise_service
from qoffice.services import settings as settings_service
from qoffice.ui.context import AppContext
from qoffice.ui.enterprise_editor import EnterpriseEditor
from qoffice.ui.enterprises import EnterprisesArea, RecycleBinArea
from tests.ui.helpers import saved

pytestmark = pytest.mark.gui


def type_into(qtbot, widget, text):
    """Type like a clerk; Chinese arrives whole, as an input method commits it (QTest sends ASCII only)."""
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        widget.insert(text)
    widget.editingFinished.emit()


def test_add_enterprise_through_the_form(qtbot, db, builders, answers):
    editor = EnterpriseEditor(db)
    qtbot.addWidget(editor)
    with qtbot.waitActive(editor):  # shortcuts need the active window
        editor.show()
        editor.activateWindow()
    assert not editor.save_button.isEnabled()
    assert "企业名称" in editor.reason.text() and "统一社会信用代码" in editor.reason.text()
    code = builders.code(4242)
    type_into(qtbot, editor.w["uscc"], code.lower())  # typed in lower case: normalised
    type_into(qtbot, editor.w["name"], "南通中远海运船务工程有限公司")
    editor.w["county"].setEditText("崇川区")
    editor.w["trade"].setEditText("海工船舶及配套")
    assert editor.w["industry_group"].currentText() == "特色产业"  # the trade fills its group
    assert editor.save_button.isEnabled(), editor.reason.text()
    qtbot.keyClick(editor.w["name"], Qt.Key_S, Qt.ControlModifier)  # Ctrl+S saves
    assert editor.job.wait()  # on the worker
    with db.read_session() as s:
        ent = s.scalar(select(Enterprise))
        assert (ent.uscc, ent.name, ent.county, ent.industry_group) == (
            code, "南通中远海运船务工程有限公司", "崇川区", "特色产业")
        assert ent.name_initials.startswith("ntzyhy")
        eid = ent.id
    assert editor.enterprise_id == eid
    assert not editor.is_dirty()
    assert ["新建", "企业名称", "", "南通中远海运船务工程有限公司"] in [r[1:5] for r in editor.audit.row_texts()]


def test_bad_code_is_rejected_naming_the_check_character(qtbot, db, builders, answers):
    editor = EnterpriseEditor(db)
    qtbot.addWidget(editor)
    good = builders.code(77)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    type_into(qtbot, editor.w["uscc"], bad)
    type_into(qtbot, editor.w["name"], "南通某某有限公司")
    message = editor.field_message("uscc")
    assert good[17] in message and "校验" in message
    assert message == "⚠ " + uscc.problem(bad)
    assert not editor.save_button.isEnabled()
    assert saved(editor) is False
    with db.read_session() as s:
        assert s.scalar(select(Enterprise)) is None


def test_status_other_than_active_needs_its_year(qtbot, db, builders, answers):
    editor = EnterpriseEditor(db)
    qtbot.addWidget(editor)
    type_into(qtbot, editor.w["uscc"], builders.code(5))
    type_into(qtbot, editor.w["name"], "启东停产企业")
    editor.w["status"].setCurrentText("停产")
    assert not editor.save_button.isEnabled()
    assert "年" in editor.reason.text()
    type_into(qtbot, editor.w["status_year"], "2023")
    assert editor.save_button.isEnabled()


def test_unknown_trade_warns_but_saves(qtbot, db, builders, answers):
    editor = EnterpriseEditor(db)
    qtbot.addWidget(editor)
    type_into(qtbot, editor.w["uscc"], builders.code(6))
    type_into(qtbot, editor.w["name"], "海安食品有限公司")
    editor.w["trade"].setEditText("食品加工")
    assert "提示" in editor.field_message("trade")
    assert saved(editor) is True


def test_unsaved_changes_ask_before_closing(qtbot, db, builders, answers):
    editor = EnterpriseEditor(db)
    qtbot.addWidget(editor)
    editor.show()
    type_into(qtbot, editor.w["name"], "未保存的企业")
    answers.reply = False
    editor.reject()  # Esc
    assert editor.isVisible()
    assert answers and answers[-1][0] == "question"
    answers.reply = True
    editor.reject()
    assert not editor.isVisible()


def test_duplicate_code_of_a_deleted_enterprise_offers_restore(qtbot, db, builders, answers):
    code = builders.code(900)
    with db.session() as s:
        ent = enterprise_service.create(s, {"uscc": code, "name": "如皋老企业"})
        enterprise_service.soft_delete(s, ent)
        old_id = ent.id
    editor = EnterpriseEditor(db)
    qtbot.addWidget(editor)
    type_into(qtbot, editor.w["uscc"], code)
    type_into(qtbot, editor.w["name"], "如皋新企业")
    assert saved(editor) is True
    assert answers[-1][0] == "question" and "回收站" in answers[-1][1]
    with db.read_session() as s:
        assert s.get(Enterprise, old_id).deleted_at is None
        assert s.query(Enterprise).count() == 1
    assert editor.enterprise_id == old_id
    assert editor.w["name"].text() == "如皋老企业"


def test_duplicate_code_of_a_live_enterprise_is_refused(qtbot, db, builders, answers):
    code = builders.code(901)
    with db.session() as s:
        enterprise_service.create(s, {"uscc": code, "name": "海门企业"})
    editor = EnterpriseEditor(db)
    qtbot.addWidget(editor)
    type_into(qtbot, editor.w["uscc"], code)
    type_into(qtbot, editor.w["name"], "另一家")
    assert saved(editor) is False
    assert answers[-1][0] == "error" and "海门企业" in answers[-1][1]
    assert "海门企业" in editor.field_message("uscc")


def make_ctx(db):
    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量办")
    return AppContext(db, year=2024)


def test_pinyin_initials_search_finds_the_enterprise(qtbot, db, builders, answers):
    with db.session() as s:
        builders.make_enterprise(s, name="南通中远海运船务工程有限公司")
        for i in range(30):
            builders.make_enterprise(s, name=f"如皋纺织{i}厂")
    area = EnterprisesArea(make_ctx(db))
    qtbot.addWidget(area)
    area.activated()
    assert area.list.model.total_count == 31
    area.list.search_box.setText("ntzy")
    area.list.apply_search_now()
    model = area.list.model
    assert model.filtered_count == 1
    assert model.data(model.index(0, 2)) == "南通中远海运船务工程有限公司"
    assert area.list.counts_label.text() == "共 31 条（筛选后 1 条）"


def test_search_is_debounced_then_applied(qtbot, db, builders, answers):
    with db.session() as s:
        builders.make_enterprise(s, name="启东海工有限公司")
        builders.make_enterprise(s, name="通州纺织有限公司")
    area = EnterprisesArea(make_ctx(db))
    qtbot.addWidget(area)
    area.activated()
    area.list.search_box.insert("纺织")
    assert area.list.model.filtered_count == 2  # not yet: the debounce is still waiting
    qtbot.waitUntil(lambda: area.list.model.filtered_count == 1, timeout=3000)


def test_soft_delete_and_restore_through_the_recycle_bin(qtbot, db, builders, answers):
    with db.session() as s:
        builders.make_enterprise(s, name="海安待删企业")
        builders.make_enterprise(s, name="海安保留企业")
    ctx = make_ctx(db)
    area = EnterprisesArea(ctx)
    bin_area = RecycleBinArea(ctx)
    qtbot.addWidget(area)
    qtbot.addWidget(bin_area)
    with qtbot.waitActive(area):
        area.show()
        area.activateWindow()
    area.activated()
    bin_area.activated()
    assert "回收站是空的" in bin_area.list.empty_label.text()
    model = area.list.model
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 2)) == "海安待删企业")
    area.list.table.setFocus()
    area.list.table.selectRow(row)
    answers.reply = True
    qtbot.keyClick(area.list.table, Qt.Key_Delete)
    assert answers[-1][0] == "question" and "回收站" in answers[-1][1]
    qtbot.waitUntil(lambda: model.total_count == 1)  # written on the worker
    assert bin_area.list.model.total_count == 1
    bmodel = bin_area.list.model
    assert bmodel.data(bmodel.index(0, 2)) == "海安待删企业"
    bin_area.list.table.selectRow(0)
    bin_area.list.buttons["action0"].click()  # 恢复
    qtbot.waitUntil(lambda: bin_area.list.model.total_count == 0)
    assert model.total_count == 2
    with db.read_session() as s:
        assert all(e.deleted_at is None for e in s.scalars(select(Enterprise)))


def test_deleting_many_enterprises_is_one_operation_on_the_worker(qtbot, db, builders, answers, monkeypatch):
    """The N enterprises go to the recycle bin in one service call (one transaction) off the GUI
    thread, and every area refreshes from the changes it returns — none writes on its own."""
    import threading

    with db.session() as s:
        ids = [builders.make_enterprise(s, name=f"海门批量企业{i}").id for i in range(5)]
        builders.make_enterprise(s, name="海门保留企业")
    calls = []
    real = enterprise_service.move_to_recycle_bin

    def spy(database, chosen):
        calls.append((sorted(chosen), threading.current_thread() is threading.main_thread()))
        return real(database, chosen)

    monkeypatch.setattr(enterprise_service, "move_to_recycle_bin", spy)
    ctx = make_ctx(db)
    area, bin_area = EnterprisesArea(ctx), RecycleBinArea(ctx)
    qtbot.addWidget(area)
    qtbot.addWidget(bin_area)
    area.activated()
    bin_area.activated()
    heard = []
    ctx.changed.connect(heard.append)
    area.delete(ids)
    qtbot.waitUntil(lambda: area.list.model.total_count == 1)
    assert calls == [(sorted(ids), False)]
    assert [sorted(c.tables) for c in heard] == [["enterprise"]] and sorted(heard[0].ids) == sorted(ids)
    assert bin_area.list.model.total_count == 5
    bin_area.restore(ids[:2])
    qtbot.waitUntil(lambda: bin_area.list.model.total_count == 3)
    assert area.list.model.total_count == 3


def test_change_log_shows_the_audit_entry(qtbot, db, builders, answers):
    with db.session() as s:
        ent = builders.make_enterprise(s, name="通州审计企业", phone="0513-1111111")
        eid = ent.id
    editor = EnterpriseEditor(db, eid)
    qtbot.addWidget(editor)
    editor.w["phone"].clear()
    type_into(qtbot, editor.w["phone"], "0513-2222222")
    assert saved(editor) is True
    rows = [r[1:5] for r in editor.audit.row_texts()]
    assert ["修改", "联系电话", "0513-1111111", "0513-2222222"] in rows


def test_change_log_shows_a_sign_ups_attendees_with_posts_and_phones(qtbot, db, builders, answers):
    from qoffice.db.models import MatchmakingMeeting
    from qoffice.services import meeting_signups

    with db.session() as s:
        eid = builders.make_enterprise(s, name="海安对接企业").id
        meeting = MatchmakingMeeting(year=2025, title="对接会", date=dt.date(2025, 9, 20), capacity=10)
        s.add(meeting)
        s.flush()
        meeting_signups.sign_up(s, meeting, eid, [meeting_signups.AttendeeIn("周八", "经理", "13800000001")])
    with db.session() as s:
        su = meeting_signups.find_signup(s, s.get(MatchmakingMeeting, meeting.id), eid)
        meeting_signups.update_signup(s, su, attendees=[meeting_signups.AttendeeIn("周八", "经理", "13900000009"),
                                                 meeting_signups.AttendeeIn("吴九")])
    editor = EnterpriseEditor(db, eid)
    qtbot.addWidget(editor)
    rows = [r[1:5] for r in editor.audit.row_texts()]
    assert ["修改", "参会人员", "周八（经理，13800000001）", "周八（经理，13900000009）、吴九"] in rows


def test_yearly_figures_rules_and_exact_money(qtbot, db, builders, answers):
    with db.session() as s:
        eid = builders.make_enterprise(s, name="如东年度数据企业").id
    editor = EnterpriseEditor(db, eid, year=2024)
    qtbot.addWidget(editor)
    panel = editor.figures
    panel.checked.setText("10")
    assert not panel.save_button.isEnabled()  # both or neither
    panel.passed.setText("11")
    assert "11" in panel.problem.text() and not panel.save_button.isEnabled()
    panel.passed.setText("9")
    panel.rate.setText("1.2345")
    panel.benefit.setText("50.0001")
    assert panel.save_button.isEnabled()
    assert saved(panel) is True
    with db.read_session() as s:
        row = s.scalar(select(YearFigures))
        assert (row.year, row.checked, row.passed, row.loss_rate_e4, row.benefit_yuan) == (2024, 10, 9, 12345, 500001)
    assert panel.table.item(0, 4).text() == "50.0001"  # never rounded away by showing it
    assert panel.benefit.text() == "50.0001"


def test_new_enterprise_has_no_figures_until_saved(qtbot, db, answers):
    editor = EnterpriseEditor(db)
    qtbot.addWidget(editor)
    assert not editor.figures.box.isEnabled()
    assert not editor.figures.hint.isHidden()


def test_the_editors_saves_are_operations_on_the_worker_published_to_every_screen(qtbot, db, builders, answers,
                                                                                 monkeypatch):
    """Issue 14: no write session on the GUI thread — 保存 (the enterprise, a year's figures, their
    删除) runs a service on the worker and the one hook publishes what it changed."""
    import threading

    from qoffice.services.changes import Changes

    ran_on = []
    for name in ("save_enterprise", "save_figures", "delete_figures_by_id"):
        real = getattr(enterprise_service, name)
        monkeypatch.setattr(enterprise_service, name,
                            lambda *a, _real=real, **k: ran_on.append(threading.current_thread()) or _real(*a, **k))
    ctx = AppContext(db, 2024)
    heard = []
    ctx.changed.connect(heard.append)
    editor = EnterpriseEditor(db, year=2024, ctx=ctx)
    qtbot.addWidget(editor)
    editor.w["uscc"].setText(builders.code(77))
    editor.w["name"].setText("南通工作线程企业有限公司")
    job = editor.save()
    assert editor.save() is None  # pressed again while it runs: not a second save (it would meet the first)
    assert job.wait() and job.error is None
    eid = editor.enterprise_id
    assert eid is not None and heard == [Changes.of("enterprise", ids=[eid])]
    editor.figures.checked.setText("3")
    editor.figures.passed.setText("3")
    assert saved(editor.figures)
    assert heard[-1].tables == {"year_figures"}
    job = editor.figures.delete()
    assert job.wait() and heard[-1].tables == {"year_figures"} and editor.figures.rows == {}
    assert len(ran_on) == 3 and threading.main_thread() not in ran_on


def test_both_enterprise_areas_on_the_record_area_base_keep_their_buttons(qtbot, db):
    """企业档案 and 回收站 are RecordAreas: the same buttons as before, counts in the status bar, a
    reload when an operation touches the enterprise table, none when the shared year moves."""
    from qoffice.services.changes import Changes
    from qoffice.ui.record_area import RecordArea

    ctx = AppContext(db, 2024)
    area, bin_area = EnterprisesArea(ctx), RecycleBinArea(ctx)
    for w in (area, bin_area):
        qtbot.addWidget(w)
        assert isinstance(w, RecordArea)
    assert sorted(area.list.buttons) == ["delete", "edit", "export", "import", "new", "template"]
    assert sorted(bin_area.list.buttons) == ["action0", "action1"]  # 恢复, 彻底删除: no 导出
    assert [bin_area.list.buttons[k].text() for k in ("action0", "action1")] == ["恢复", "彻底删除"]
    reloads = []
    for w in (area, bin_area):
        w.list.reload = lambda *a, _w=w, **k: reloads.append(_w)
    ctx.set_year(2025)
    assert reloads == []  # every enterprise, whatever the year
    ctx.publish(Changes.of("enterprise"))
    assert reloads == [area, bin_area]
    ctx.publish(Changes.of("award"))
    assert len(reloads) == 2


def test_figures_with_nothing_typed_are_not_saved_even_when_save_is_called(qtbot, db, builders, answers):
    """保存本年度数据 is disabled while every box is empty; save() called anyway (a script, a shortcut)
    saves nothing either, rather than an empty year's row."""
    with db.session() as s:
        eid = builders.make_enterprise(s, name="如东空数据企业").id
    editor = EnterpriseEditor(db, eid, year=2024)
    qtbot.addWidget(editor)
    assert not editor.figures.save_button.isEnabled()
    assert editor.figures.save() is None
    with db.read_session() as s:
        assert s.scalar(select(YearFigures)) is None


def test_the_change_log_gives_the_old_and_new_values_the_room(qtbot, db, builders):
    """变更记录 compares a value before and after: those two columns share the width left over, side by
    side and equal, rather than the last column (操作人) taking it."""
    with db.session() as s:
        ent = builders.make_enterprise(s, contact="甲某")
        from qoffice.services import enterprises

        enterprises.update_enterprise(s, ent, {"contact": "乙某乙某乙某"})
        eid = ent.id
    editor = EnterpriseEditor(db, eid, year=2024)
    qtbot.addWidget(editor)
    editor.resize(980, 660)
    editor.show()
    editor.tabs.setCurrentIndex(2)
    qtbot.waitExposed(editor)
    header = editor.audit.table.horizontalHeader()
    old, new, who = header.sectionSize(3), header.sectionSize(4), header.sectionSize(5)
    assert abs(old - new) <= 1 and old > 2 * who, (old, new, who)
