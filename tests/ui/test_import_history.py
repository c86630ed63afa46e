"""Issue 13, Import — undo later, in the GUI: 导入记录 (设置 and the import wizard) lists every import
with its counts and operator, undoes an earlier batch whose records are untouched and refuses one
that changed since; the backup list's 导入前 entries name the file and the kind."""
from __future__ import annotations

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from qoffice.db.models import Enterprise
from qoffice.services import enterprises as enterprise_service
from qoffice.services import imports
from qoffice.services import settings as settings_service
from qoffice.ui.backups_page import BackupsPage
from qoffice.ui.context import AppContext
from qoffice.ui.import_history import ImportHistoryPage
from qoffice.ui.import_wizard import ImportWizard

pytestmark = pytest.mark.gui


def roster(path, builders, codes):
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "区县"])
    for i in codes:
        ws.append([builders.code(i), f"南通记录企业{i}有限公司", "如东县"])
    wb.save(path)
    return path


def cells(page, row):
    m = page.model
    return [m.index(row, c).data() for c in range(m.columnCount())]


def test_history_lists_imports_and_undoes_an_earlier_one(qtbot, db, builders, answers, tmp_path):
    with db.session() as s:
        settings_service.set_value(s, "operator", "周七")
    first = imports.run_import(db, "enterprises", roster(tmp_path / "第一批.xlsx", builders, [1, 2]))
    imports.run_import(db, "enterprises", roster(tmp_path / "第二批.xlsx", builders, [1, 2, 3]))
    ctx = AppContext(db, 2024)
    page = ImportHistoryPage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 2
    top = cells(page, 0)
    assert "第二批.xlsx" in top and "企业" in top and "周七" in top, top
    heads = [page.model.headerData(c, Qt.Horizontal) for c in range(page.model.columnCount())]
    assert "未变化" in heads and "跳过" in heads and "操作人" in heads, heads
    assert top[heads.index("新增")] == "1" and top[heads.index("未变化")] == "2", top

    page.select_batch(first.batch_id)  # the earlier one, not the last
    assert page.undo_button.isEnabled(), page.reason.text()
    answers.reply = True
    assert page.undo_selected()
    with db.read_session() as s:
        assert set(s.scalars(select(Enterprise.name))) == {"南通记录企业3有限公司"}
    row = page.model.row_of_id(first.batch_id)
    assert "已撤销" in cells(page, row)[-1]
    page.select_batch(first.batch_id)
    assert not page.undo_button.isEnabled()


def test_a_batch_changed_since_cannot_be_undone_and_says_why(qtbot, db, builders, answers, tmp_path):
    first = imports.run_import(db, "enterprises", roster(tmp_path / "a.xlsx", builders, [11]))
    with db.session() as s:
        ent = enterprise_service.find_by_code(s, builders.code(11))
        enterprise_service.update_enterprise(s, ent, {"contact": "甲某"})
    page = ImportHistoryPage(AppContext(db, 2024))
    qtbot.addWidget(page)
    page.show()
    page.select_batch(first.batch_id)
    assert not page.undo_button.isEnabled()
    assert "已" in page.reason.text() and "撤销" in page.reason.text(), page.reason.text()
    assert not page.undo_selected()
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 1


def test_the_wizard_opens_the_history_on_its_import(qtbot, db, builders, answers, tmp_path):
    ctx = AppContext(db, 2024)
    wizard = ImportWizard(ctx, "enterprises")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_edit.setText(str(roster(tmp_path / "名录.xlsx", builders, [21, 22])))
    assert wizard.preview().wait(30_000)
    assert wizard.confirm().wait(30_000)
    dialog = wizard.show_history()
    page = dialog.page
    assert page.selected_batch() == wizard.result.batch_id
    assert page.undo_button.isEnabled()
    dialog.close()


@pytest.mark.sqlite_only
def test_backup_list_names_the_import_file_and_kind(qtbot, db, builders, answers, tmp_path):
    result = imports.run_import(db, "enterprises", roster(tmp_path / "名录.xlsx", builders, [31]))
    page = BackupsPage(AppContext(db))
    qtbot.addWidget(page)
    kinds = [page.table.item(i, 1).text() for i in range(page.table.rowCount())
             if page.table.item(i, 3).text() == result.backup.name]
    assert kinds == ["事件（导入前：企业，名录.xlsx）"], kinds


def test_settings_has_the_import_history_tab(qtbot, db, answers):
    from qoffice.ui.settingsarea import SettingsArea

    area = SettingsArea(AppContext(db, 2024))
    qtbot.addWidget(area)
    tabs = [area.tabs.tabText(i) for i in range(area.tabs.count())]
    assert "导入记录" in tabs, tabs
