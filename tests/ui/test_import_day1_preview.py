"""Issue 13, Import: what a clerk saw on the first day in the wizard's preview — row numbers of a CSV
with quoted line breaks, the column mapping, the enterprise name beside a code, messages without the
column name twice, the title glued onto 序号, 未变化 on a re-import, error rows keeping their rows."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from qoffice.cli.main import main
from qoffice.ui import list_export
from qoffice.ui.context import AppContext
from qoffice.ui.import_wizard import ImportWizard, row_notes

pytestmark = pytest.mark.gui


def drive_preview(qtbot, ctx, path, kind="enterprises") -> ImportWizard:
    wizard = ImportWizard(ctx, kind)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_edit.setText(str(path))
    job = wizard.preview()
    assert job is not None and job.wait(30_000)
    assert wizard.pages.currentIndex() == ImportWizard.PAGE_PREVIEW, wizard.choose_message.text()
    return wizard


def wps_csv(path: Path, builders) -> Path:
    """As WPS saves it: a two-line title and header cells with line breaks, quoted (records 1–3)."""
    text = ('"如东县企业名录\n（2024年）",,,\r\n'
            '"填报单位：如东县质监局\n填报日期：2024-3-1",,,\r\n'
            '"统一社会\n信用代码*","企业\n名称*","所属\n区县","联系\n方式"\r\n'
            f'{builders.code(7001)},南通甲有限公司,如东县,13800000001\r\n'  # record 4
            '91320600BADCODE000,南通乙有限公司,如东县,\r\n'  # record 5: error
            f'{builders.code(7002)},南通丙有限公司,如东县,\r\n')  # record 6
    path.write_bytes(text.encode("gb18030"))
    return path


def test_csv_rows_are_the_records_wps_shows_in_cli_and_wizard(qtbot, db, builders, answers, tmp_path, capsys):
    path = wps_csv(tmp_path / "名录.csv", builders)
    rc = main(["--db", str(tmp_path / "cli.db"), "import", "enterprises", str(path), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 1 and [e["row"] for e in data["errors"]] == [5], data
    wizard = drive_preview(qtbot, AppContext(db, 2024), path)
    assert [wizard.model.rows[i].row for i in range(wizard.model.rowCount())] == [4, 5, 6]
    assert wizard.model.index(1, 0).data() == "5"


def test_preview_shows_each_file_column_and_the_field_it_was_taken_as(qtbot, db, builders, answers, tmp_path):
    path = wps_csv(tmp_path / "名录.csv", builders)
    wizard = drive_preview(qtbot, AppContext(db, 2024), path)
    m = wizard.mapping_model
    shown = [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]
    assert ["A", "统一社会信用代码", "统一社会信用代码"] in shown, shown
    assert ["D", "联系方式", "联系电话"] in shown, shown
    assert wizard.mapping_table.isVisibleTo(wizard)


def titled_roster(path: Path, builders, *, extra: list | None = None) -> Path:
    """A merged two-line title over every column, then 序号 and the template's headers."""
    wb = Workbook()
    ws = wb.active
    ws.append(["如东县重点企业名录（2024年）"])
    ws.append(["序号", "统一社会信用代码", "企业名称", "区县"])
    ws.merge_cells("A1:D1")
    ws.append([1, builders.code(7101), "南通丁有限公司", "如东县"])
    ws.append([2, builders.code(7102), "南通戊有限公司", "如东县"])
    for row in extra or []:
        ws.append(row)
    wb.save(path)
    return path


def test_file_note_names_the_column_without_the_title(qtbot, db, builders, answers, tmp_path):
    path = titled_roster(tmp_path / "名录.xlsx", builders)
    wizard = drive_preview(qtbot, AppContext(db, 2024), path)
    note = wizard.file_notes.text()
    assert "序号" in note and "如东县重点企业名录" not in note, note


def test_messages_do_not_repeat_the_column_name(qtbot, db, builders, answers, tmp_path):
    good = builders.code(7003)
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")  # the check character is wrong
    path = titled_roster(tmp_path / "名录.xlsx", builders, extra=[[3, wrong, "南通壬有限公司", "如东县"]])
    wizard = drive_preview(qtbot, AppContext(db, 2024), path)
    bad = next(r for r in wizard.model.rows if r.errors)
    text = row_notes(bad)
    assert "统一社会信用代码" in text and "统一社会信用代码：统一社会信用代码" not in text, text


def test_preview_names_the_enterprise_beside_each_code(qtbot, db, builders, answers, tmp_path):
    with db.session() as s:
        ent = builders.make_enterprise(s, name="南通己有限公司", county="如东县")
        code = ent.uscc
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "年度", "抽查批次", "抽查合格批次"])
    ws.append([code, 2023, 5, 5])
    ws.append([builders.code(7201), 2023, 1, 1])  # no such enterprise
    wb.save(tmp_path / "数据.xlsx")
    wizard = drive_preview(qtbot, AppContext(db, 2024), tmp_path / "数据.xlsx", kind="figures")
    assert "南通己有限公司" in wizard.model.index(0, 2).data()


def test_reimport_of_identical_data_is_unchanged_not_updated(qtbot, db, builders, answers, tmp_path):
    path = titled_roster(tmp_path / "名录.xlsx", builders)
    ctx = AppContext(db, 2024)
    wizard = drive_preview(qtbot, ctx, path)
    assert wizard.confirm().wait(30_000)
    again = drive_preview(qtbot, ctx, path)
    assert "未变化" in again.preview_counts.text() and again.dry.unchanged == 2, again.preview_counts.text()
    assert "2" in again.preview_counts.text()


def test_exported_error_rows_keep_their_row_numbers(qtbot, db, builders, answers, tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()
    monkeypatch.setattr(list_export, "ask_save_path", lambda parent, title, name, *a: tmp_path / "out" / name)
    monkeypatch.setattr(list_export, "open_folder", lambda path: None)
    path = titled_roster(tmp_path / "名录.xlsx", builders, extra=[[3, "BAD", "南通庚有限公司", "如东县"],
                                                                [4, None, "南通辛有限公司", "如东县"]])
    wizard = drive_preview(qtbot, AppContext(db, 2024), path)
    assert wizard.confirm().wait(30_000)
    assert wizard.export_errors().wait(30_000)
    out = next((tmp_path / "out").iterdir())
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    head = list(rows[0])
    assert "原行号" in head, head
    at = head.index("原行号")
    assert [r[at] for r in rows[1:]] == [5, 6]
    # and the fixed file imports back without a note about that column
    wb = load_workbook(out)
    wb.active.cell(row=2, column=1, value=builders.code(7301))
    wb.active.cell(row=3, column=1, value=builders.code(7302))
    wb.save(out)
    from qoffice.services import imports
    again = imports.run_import(db, "enterprises", out, dry_run=True)
    assert (again.created, again.rejected) == (2, 0)
    assert not [w for w in again.warnings if w.column == "原行号"], again.warnings
