"""`qoffice import` / `qoffice template`: JSON shape, exit codes, the per-command database table."""
import json

import pytest
from openpyxl import load_workbook

from qoffice.cli.main import main
from qoffice.excel.kinds import KINDS

C1 = "91350100M000100Y43"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_json_shape_and_exit_1_for_rejected_rows(tmp_path, capsys, files):
    db = tmp_path / "q.db"
    p = files.csv(files.dir / "a.csv", [["统一社会信用代码", "企业名称", "员工"], [C1, "甲", "5"], ["坏", "乙", ""]])
    code, out, _ = run(capsys, "--db", str(db), "import", "enterprises", str(p), "--json")
    data = json.loads(out)
    assert code == 1 and db.exists()  # a missing database is created by import
    assert set(data) == {"created", "updated", "unchanged", "skipped", "rejected", "errors", "errors_omitted",
                         "warnings"}
    assert (data["created"], data["updated"], data["rejected"]) == (1, 0, 1)
    assert data["errors"][0]["row"] == 3 and data["errors"][0]["column"] == "统一社会信用代码"
    assert set(data["errors"][0]) == {"row", "column", "message"}
    assert data["warnings"] == [{"row": 1, "column": "员工", "message": "无法识别的列，已忽略。"}]


def test_import_exit_0_when_all_rows_good(tmp_path, capsys, files):
    p = files.csv(files.dir / "a.csv", [["统一社会信用代码", "企业名称"], [C1, "甲"]])
    code, out, _ = run(capsys, "--db", str(tmp_path / "q.db"), "import", "enterprises", str(p))
    assert code == 0 and "1" in out


def test_unreadable_file_exit_2_one_line_and_no_database_created(tmp_path, capsys, files):
    p = files.dir / "bad.xls"
    p.write_bytes(b"\x00\xff" * 100)
    code, out, err = run(capsys, "--db", str(tmp_path / "q.db"), "import", "enterprises", str(p))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "bad.xls" in err
    assert not (tmp_path / "q.db").exists()
    code, out, _ = run(capsys, "--db", str(tmp_path / "q.db"), "import", "enterprises", str(p), "--json")
    assert code == 2 and "error" in json.loads(out)


def test_missing_required_columns_exit_2(tmp_path, capsys, files):
    p = files.csv(files.dir / "a.csv", [["企业名称"], ["甲"]])
    code, out, _ = run(capsys, "--db", str(tmp_path / "q.db"), "import", "enterprises", str(p), "--json")
    assert code == 2 and "统一社会信用代码" in json.loads(out)["error"]


def test_dry_run_on_missing_database_exits_2(tmp_path, capsys, files):
    p = files.csv(files.dir / "a.csv", [["统一社会信用代码", "企业名称"], [C1, "甲"]])
    code, _, _ = run(capsys, "--db", str(tmp_path / "none.db"), "import", "enterprises", str(p), "--dry-run")
    assert code == 2 and not (tmp_path / "none.db").exists()


def test_dry_run_on_older_schema_exits_2(tmp_path, capsys, files, monkeypatch):
    from qoffice.db import database

    db = tmp_path / "q.db"
    database.open_database(db, "create").close()
    import sqlite3

    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num='0000_old'")
    con.commit()
    con.close()
    monkeypatch.setattr(database, "KNOWN_REVISIONS", (*database.KNOWN_REVISIONS, "0000_old"))
    p = files.csv(files.dir / "a.csv", [["统一社会信用代码", "企业名称"], [C1, "甲"]])
    before = db.read_bytes()
    code, _, _ = run(capsys, "--db", str(db), "import", "enterprises", str(p), "--dry-run")
    assert code == 2 and db.read_bytes() == before


def test_dry_run_writes_nothing_and_reports(tmp_path, capsys, files):
    db = tmp_path / "q.db"
    p = files.csv(files.dir / "a.csv", [["统一社会信用代码", "企业名称"], [C1, "甲"], ["坏", "乙"]])
    run(capsys, "--db", str(db), "import", "enterprises", str(files.csv(files.dir / "e.csv", [["统一社会信用代码", "企业名称"]])))
    before = db.read_bytes()
    code, out, _ = run(capsys, "--db", str(db), "import", "enterprises", str(p), "--dry-run", "--json")
    data = json.loads(out)
    assert code == 1 and (data["created"], data["rejected"]) == (1, 1)
    assert db.read_bytes() == before


def test_unknown_kind_is_a_usage_error(tmp_path, capsys):
    code, _, _ = run(capsys, "--db", str(tmp_path / "q.db"), "import", "cats", "x.csv")
    assert code == 2


# templates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
def test_template_has_marked_headers_dropdowns_text_columns_and_help(tmp_path, capsys, kind):
    out = tmp_path / f"{kind}.xlsx"
    code, _, _ = run(capsys, "template", kind, "-o", str(out))
    assert code == 0
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    spec = KINDS[kind]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header + ("*" if c.required else "") for c in spec.columns]
    assert ws.freeze_panes == "A2"
    validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    for i, col in enumerate(spec.columns):
        letter = ws.cell(row=1, column=i + 1).column_letter
        if col.vocabulary and col.strict:
            dv = validations[f"{letter}2"]
            assert dv.formula1.strip('"').split(",") == list(col.vocabulary)
        if col.type in ("code", "phone"):
            assert ws.cell(row=2, column=i + 1).number_format == "@"
        assert ws.column_dimensions[letter].width >= 10
    help_ws = wb["填写说明"]
    assert [c.value for c in help_ws[1]][:2] == ["列名", "是否必填"]
    assert {help_ws.cell(row=r, column=1).value for r in range(2, len(spec.columns) + 2)} == {
        c.header for c in spec.columns}


def test_every_closed_vocabulary_has_a_dropdown_somewhere(tmp_path):
    from qoffice.domain import vocab

    covered = {c.vocabulary for k in KINDS.values() for c in k.columns if c.vocabulary}
    for name, words in vocab.CLOSED_VOCABULARIES.items():
        assert words in covered, name


def test_template_example_row_imports_back_cleanly(tmp_path, capsys):
    from openpyxl import load_workbook

    db = tmp_path / "q.db"
    for kind in ("enterprises", "partners", "figures", "projects", "awards", "signups", "forums"):
        out = tmp_path / f"{kind}.xlsx"
        run(capsys, "template", kind, "-o", str(out))
        wb = load_workbook(out)
        help_ws = wb["填写说明"]
        example = [c.value for c in help_ws[help_ws.max_row - 2]]
        ws = wb.worksheets[0]
        for i, value in enumerate(example, start=1):
            ws.cell(row=2, column=i, value=value)
        wb.save(out)
        code, data, _ = run(capsys, "--db", str(db), "import", kind, str(out), "--json")
        data = json.loads(data)
        assert (code, data["created"], data["rejected"]) == (0, 1, 0), (kind, data)


def test_template_to_unwritable_place_exits_2(tmp_path, capsys):
    code, _, err = run(capsys, "template", "enterprises", "-o", str(tmp_path / "no" / "such" / "t.xlsx"))
    assert code == 2 and err.strip()
