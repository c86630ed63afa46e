"""The import wizard driven through its widgets on a messy file: preview statuses, the error
filter, confirm, summary, 导出错误行 (re-importable), 撤销本次导入, and an unreadable file."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from qoffice.db.models import Enterprise
from qoffice.services import imports
from qoffice.ui import list_export
from qoffice.ui.context import AppContext
from qoffice.ui.import_wizard import ImportWizard

pytestmark = pytest.mark.gui


@pytest.fixture
def no_dialogs(monkeypatch, tmp_path):
    """Save dialogs answer with a path in tmp_path; opening a folder is recorded, not done."""
    opened = []
    monkeypatch.setattr(list_export, "ask_save_path", lambda parent, title, name, *a: tmp_path / "out" / name)
    monkeypatch.setattr(list_export, "open_folder", lambda path: opened.append(Path(path)))
    (tmp_path / "out").mkdir()
    return opened


def messy_file(path: Path, builders, existing_code: str) -> Path:
    """Title row, synonym headers with marks and spaces, an unknown column, a bad code, a repeated
    code (later row wins), an amount-free enterprise list, a footer."""
    wb = Workbook()
    ws = wb.active
    ws.append(["2024年企业质量档案（崇川区）"])
    ws.append(["社会信用代码*", "单位 名称", "所属区县", "法人代表", "电话", "随便一列"])
    ws.append([builders.code(9001), "南通新增一号有限公司", "崇川区", "张三", "13800000001", "x"])  # row 3 new
    ws.append(["91320600BADCODE000", "南通错误代码有限公司", "崇川区", "李四", None, None])  # row 4 error
    ws.append([existing_code, "南通已有企业有限公司（改名）", "通州区", None, None, None])  # row 5 update
    ws.append([builders.code(9002), "南通重复先行有限公司", "崇川区", None, None, None])  # row 6 replaced
    ws.append([builders.code(9002), "南通重复后行有限公司", "崇川区", None, None, None])  # row 7 new (wins)
    ws.append([None, "南通缺代码有限公司", "海门区", None, None, None])  # row 8 error: code required
    ws.append(["合计", None, None, None, None, None])
    wb.save(path)
    return path


def drive_preview(qtbot, ctx, path, kind="enterprises") -> ImportWizard:
    wizard = ImportWizard(ctx, kind)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_edit.setText(str(path))
    job = wizard.preview()
    assert job is not None and job.wait(30_000)
    return wizard


def test_wizard_previews_imports_exports_error_rows_and_undoes(qtbot, db, builders, answers, no_dialogs, tmp_path):
    with db.session() as s:
        old = builders.make_enterprise(s, name="南通已有企业有限公司", county="崇川区")
        old_code, old_id = old.uscc, old.id
    ctx = AppContext(db, 2024)
    changed = []
    ctx.dataChanged.connect(changed.append)
    path = messy_file(tmp_path / "名录.xlsx", builders, old_code)

    wizard = drive_preview(qtbot, ctx, path)
    assert wizard.kind() == "enterprises"
    assert wizard.pages.currentIndex() == ImportWizard.PAGE_PREVIEW
    model = wizard.model
    by_row = {model.rows[i].row: i for i in range(model.rowCount())}
    status = {r: model.index(i, 1).data() for r, i in by_row.items()}
    notes = {r: model.index(i, 3).data() for r, i in by_row.items()}
    assert status[3].startswith("新增")
    assert status[4].startswith("错误") and "统一社会信用代码" in notes[4]
    assert status[5].startswith("更新")
    assert status[6].startswith("跳过") and status[7].startswith("新增")
    assert "第6行" in notes[7] or "6" in notes[7]  # the repeated row is named
    assert status[8].startswith("错误") and "必填" in notes[8]
    assert 9 not in by_row  # the 合计 footer is skipped
    assert "随便一列" in wizard.file_notes.text() and wizard.file_notes.isVisibleTo(wizard)
    assert "2" in wizard.preview_counts.text()
    # Nothing written by the preview.
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 1

    wizard.errors_only.setChecked(True)
    assert sorted(model.rows[i].row for i in range(model.rowCount())) == [4, 8]
    wizard.errors_only.setChecked(False)
    assert model.rowCount() == 6

    assert wizard.confirm_button.isEnabled()
    job = wizard.confirm()
    assert job.wait(30_000)
    assert wizard.pages.currentIndex() == ImportWizard.PAGE_SUMMARY
    assert wizard.result.created == 2 and wizard.result.updated == 1 and wizard.result.rejected == 2
    assert "2" in wizard.summary.text()
    assert "enterprise" in changed
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 3
        assert s.get(Enterprise, old_id).county == "通州区"

    # 导出错误行: template layout + 错误原因, and it imports back (after the clerk's fix).
    assert wizard.export_errors_button.isEnabled()
    job = wizard.export_errors()
    assert job.wait(30_000)
    out = tmp_path / "out" / next(p.name for p in (tmp_path / "out").iterdir())
    assert out.name.startswith("企业导入错误行_")
    assert no_dialogs == [out]  # 打开所在文件夹 was offered and taken
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "统一社会信用代码*" and rows[0][1] == "企业名称*" and rows[0][-1] == "错误原因"
    assert [r[1] for r in rows[1:]] == ["南通错误代码有限公司", "南通缺代码有限公司"]
    assert all(r[-1] for r in rows[1:])
    assert ws.cell(row=2, column=1).data_type == "s"
    wb = load_workbook(out)
    wb.active.cell(row=2, column=1, value=builders.code(9003))
    wb.active.cell(row=3, column=1, value=builders.code(9004))
    wb.save(out)
    again = imports.run_import(db, "enterprises", out, dry_run=True)
    assert (again.created, again.rejected) == (2, 0)

    # 撤销本次导入: created rows gone, the updated one restored.
    assert wizard.undo_button.isEnabled()
    assert wizard.undo().wait(30_000)  # on the worker
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 1
        assert s.get(Enterprise, old_id).county == "崇川区"
        assert s.get(Enterprise, old_id).name == "南通已有企业有限公司"
    assert not wizard.undo_button.isEnabled()


def test_undo_is_refused_once_a_record_changed(qtbot, db, builders, answers, tmp_path):
    from qoffice.services import enterprises as enterprise_service

    ctx = AppContext(db, 2024)
    path = tmp_path / "one.xlsx"
    wb = Workbook()
    wb.active.append(["统一社会信用代码", "企业名称"])
    wb.active.append([builders.code(9101), "南通一号有限公司"])
    wb.save(path)
    wizard = drive_preview(qtbot, ctx, path)
    assert wizard.confirm().wait(30_000)
    with db.session() as s:
        ent = s.scalar(select(Enterprise))
        enterprise_service.update_enterprise(s, ent, {"county": "海门区"})
    assert not wizard.undo()
    assert any(kind == "warning" and "修改" in text for kind, text in answers)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 1


def test_unreadable_file_gives_one_chinese_line_and_writes_nothing(qtbot, db, answers, tmp_path):
    ctx = AppContext(db, 2024)
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook \x00\x01\x02")
    wizard = drive_preview(qtbot, ctx, bad)
    assert wizard.pages.currentIndex() == ImportWizard.PAGE_CHOOSE
    text = wizard.choose_message.text()
    assert text and "\n" not in text and any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert answers and answers[-1][0] == "error" and answers[-1][1] == text
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_list_area_import_button_opens_the_wizard_with_its_kind(qtbot, db, answers):
    from qoffice.ui import enterprises

    area = enterprises.EnterprisesArea(AppContext(db, 2024))
    qtbot.addWidget(area)
    assert {"import", "template", "export"} <= set(area.list.buttons)
    area.list.buttons["import"].click()
    wizard = area._import_wizard
    qtbot.addWidget(wizard)
    assert wizard.kind() == "enterprises" and wizard.isVisible()


def test_cancel_during_the_import_writes_nothing(qtbot, db, builders, answers, tmp_path, monkeypatch):
    import qoffice.db.backup as backup

    ctx = AppContext(db, 2024)
    path = tmp_path / "two.xlsx"
    wb = Workbook()
    wb.active.append(["统一社会信用代码", "企业名称"])
    wb.active.append([builders.code(9201), "南通一号有限公司"])
    wb.active.append([builders.code(9202), "南通二号有限公司"])
    wb.save(path)
    wizard = drive_preview(qtbot, ctx, path)
    real_backup = backup.make_backup

    def backup_then_cancel(*args, **kwargs):
        made = real_backup(*args, **kwargs)
        wizard.job.cancelled.set()  # the clerk pressed 取消 while the import ran
        return made

    monkeypatch.setattr(backup, "make_backup", backup_then_cancel)
    job = wizard.confirm()
    assert job.wait(30_000)
    assert wizard.result is None and wizard.pages.currentIndex() == ImportWizard.PAGE_CHOOSE
    assert ("info", "已取消导入，没有写入任何数据。") in answers
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 0
