"""Issue 13: 区县 outside the county list is warned about with the closest county offered; 新增
defaults 区县 to the office's own county.

Before the fix, "如东" saved with no word and a new enterprise's 区县 was empty.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from qoffice.db.models import Enterprise
from qoffice.services import settings as settings_service
from qoffice.ui.enterprise_editor import EnterpriseEditor
from tests.ui.helpers import saved

pytestmark = pytest.mark.gui


@pytest.fixture
def office(db):
    with db.session() as s:
        settings_service.set_value(s, "county", "如东县")
        settings_service.set_value(s, "office", "如东县质量强县工作领导小组办公室")
    return db


def fill(editor, builders, county):
    editor.w["uscc"].setText(builders.code(777))
    editor.w["name"].setText("如东测试企业有限公司")
    editor.w["county"].setEditText(county)


def saved_county(db):
    with db.read_session() as s:
        return s.scalar(select(Enterprise.county))


def test_new_enterprise_defaults_to_the_office_county(qtbot, office, answers):
    editor = EnterpriseEditor(office)
    qtbot.addWidget(editor)
    assert editor.w["county"].currentText() == "如东县"
    assert not editor.is_dirty()  # closing it untouched asks nothing


def test_county_outside_the_list_warns_and_offers_the_closest(qtbot, office, builders, answers):
    editor = EnterpriseEditor(office)
    qtbot.addWidget(editor)
    fill(editor, builders, "如东")
    shown = editor.field_message("county")
    assert "如东" in shown and "“如东县”" in shown, shown
    assert editor.save_button.isEnabled()  # a warning, not a problem
    editor.use_suggested_county()  # the link under the field
    assert editor.w["county"].currentText() == "如东县" and editor.field_message("county") == ""


def test_saving_an_unlisted_county_asks_to_take_the_closest(qtbot, office, builders, answers):
    editor = EnterpriseEditor(office)
    qtbot.addWidget(editor)
    fill(editor, builders, "如东")
    answers.reply = True
    assert saved(editor)
    assert any(kind == "question" and "如东县" in text for kind, text in answers), answers
    assert saved_county(office) == "如东县"


def test_the_clerk_may_keep_the_county_as_typed(qtbot, office, builders, answers):
    editor = EnterpriseEditor(office)
    qtbot.addWidget(editor)
    fill(editor, builders, "如东")
    answers.reply = False
    assert saved(editor)
    assert saved_county(office) == "如东"


def test_a_county_nothing_like_the_list_is_kept_with_a_note(qtbot, office, builders, answers):
    editor = EnterpriseEditor(office)
    qtbot.addWidget(editor)
    fill(editor, builders, "苏州工业园区")
    assert "苏州工业园区" in editor.field_message("county")
    assert saved(editor)
    assert not [a for a in answers if a[0] == "question"]
    assert saved_county(office) == "苏州工业园区"
