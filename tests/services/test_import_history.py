"""Issue 13, Import — undo later: every import is kept in 导入记录 (when, file, kind, counts with
unchanged and skipped, operator, the backup made before it), and any batch whose records were not
changed since can be undone from there; the backups' 导入前 entries name the file and the kind."""
from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from qoffice.db.models import Enterprise
from qoffice.services import enterprises as enterprise_service
from qoffice.services import import_history, imports
from qoffice.services import settings as settings_service


def roster(path, builders, codes, *, title=True):
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "区县"])
    for i in codes:
        ws.append([builders.code(i), f"南通历史企业{i}有限公司", "如东县"])
    ws.append([None, None, None])
    ws.append(["合计", None, None])
    wb.save(path)
    return path


def test_history_lists_every_import_with_counts_operator_and_backup(db, builders, tmp_path):
    with db.session() as s:
        settings_service.set_value(s, "operator", "周七")
    first = imports.run_import(db, "enterprises", roster(tmp_path / "第一批.xlsx", builders, [1, 2]))
    again = imports.run_import(db, "enterprises", roster(tmp_path / "第二批.xlsx", builders, [1, 2, 3]))
    assert (again.created, again.unchanged) == (1, 2)
    with db.read_session() as s:
        rows = import_history.history(s)
    assert [r.batch_id for r in rows] == [again.batch_id, first.batch_id]  # newest first
    top = rows[0]
    assert top.file_name == "第二批.xlsx" and top.kind == "enterprises" and top.kind_label == "企业"
    assert (top.created, top.updated, top.unchanged, top.skipped, top.rejected) == (1, 0, 2, 2, 0)  # empty + 合计
    assert top.operator == "周七"
    if again.backup is not None:  # SQLite: a backup before each import
        assert top.backup == again.backup.name


def test_an_older_batch_can_be_undone_while_its_records_are_untouched(db, builders, tmp_path):
    first = imports.run_import(db, "enterprises", roster(tmp_path / "a.xlsx", builders, [11, 12]))
    second = imports.run_import(db, "enterprises", roster(tmp_path / "b.xlsx", builders, [21]))
    with db.read_session() as s:
        assert import_history.undo_problem(s, first.batch_id) is None
    import_history.undo(db, first.batch_id)  # not the last one: an earlier batch, from the history
    with db.read_session() as s:
        names = set(s.scalars(select(Enterprise.name)))
        rows = {r.batch_id: r for r in import_history.history(s)}
    assert names == {"南通历史企业21有限公司"}
    assert rows[first.batch_id].undone_at is not None and rows[second.batch_id].undone_at is None
    with pytest.raises(imports.UndoRefused):
        import_history.undo(db, first.batch_id)  # twice: refused


def test_a_batch_whose_record_changed_since_is_refused(db, builders, tmp_path):
    first = imports.run_import(db, "enterprises", roster(tmp_path / "a.xlsx", builders, [31, 32]))
    with db.session() as s:
        ent = enterprise_service.find_by_code(s, builders.code(31))
        enterprise_service.update_enterprise(s, ent, {"contact": "甲某"})
    with db.read_session() as s:
        assert "已" in (import_history.undo_problem(s, first.batch_id) or "")
    with pytest.raises(imports.UndoRefused):
        import_history.undo(db, first.batch_id)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 2


@pytest.mark.sqlite_only  # a server database makes no file backup before an import (shared-db.md)
def test_backup_labels_name_the_file_and_the_kind(db, builders, tmp_path):
    result = imports.run_import(db, "enterprises", roster(tmp_path / "名录.xlsx", builders, [41]))
    assert result.backup is not None
    with db.read_session() as s:
        labels = import_history.backup_labels(s)
    assert labels[result.backup.name] == "导入前：企业，名录.xlsx"
