"""`qoffice export-return`: JSON shape, exit codes, default file name, missing database, lock."""
from __future__ import annotations

import errno
import json
import os

import openpyxl
import pytest

from qoffice.cli.main import main
from qoffice.db.database import open_database
from qoffice.services import enterprises, settings

Y = 2023


def _make_db(path, builders, *, office="崇川区市场监督管理局", bad=False):
    db = open_database(path, "create")
    try:
        with db.session() as s:
            settings.set_value(s, "county", "崇川区")
            settings.set_value(s, "office", office)
            e = builders.make_enterprise(s, name="=公式公司", cqo_name="王")
            enterprises.set_figures(s, e.id, Y, checked=2, passed=1)
            if bad:
                from qoffice.db.models import YearFigures

                s.query(YearFigures).filter_by(enterprise_id=e.id).one().passed = 5
    finally:
        db.close()


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_success(tmp_path, builders, capsys):
    dbp = tmp_path / "q.db"
    _make_db(dbp, builders)
    target = tmp_path / "r.xlsx"
    code, out, _ = _run(capsys, "--db", str(dbp), "export-return", "--year", str(Y), "-o", str(target), "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"path", "errors", "warnings", "recorded"}
    assert data["path"] == str(target) and data["errors"] == [] and data["recorded"] is True
    assert data["warnings"] and all(w["level"] == "警告" for w in data["warnings"])
    assert set(data["warnings"][0]) == {"level", "sheet", "row", "message"}
    ws = openpyxl.load_workbook(target)["企业名录"]
    assert ws["C2"].value == "=公式公司" and ws["C2"].data_type == "s"


def test_json_levels_are_chinese_in_english_ui(tmp_path, builders, capsys, monkeypatch):
    dbp = tmp_path / "q.db"
    _make_db(dbp, builders)
    monkeypatch.setenv("QOFFICE_LANG", "en")
    code, out, _ = _run(capsys, "--db", str(dbp), "export-return", "--year", str(Y), "-o", str(tmp_path), "--json")
    assert code == 0
    data = json.loads(out)
    assert all(w["level"] == "警告" for w in data["warnings"])


def test_default_file_name_for_a_folder(tmp_path, builders, capsys):
    dbp = tmp_path / "q.db"
    _make_db(dbp, builders)
    folder = tmp_path / "out"
    folder.mkdir()
    code, out, _ = _run(capsys, "--db", str(dbp), "export-return", "--year", str(Y), "-o", str(folder))
    assert code == 0
    assert (folder / "崇川区_2023年度质量强企报表.xlsx").exists()
    assert "崇川区_2023年度质量强企报表.xlsx" in out


def test_errors_refuse_with_exit_1_and_null_path(tmp_path, builders, capsys):
    dbp = tmp_path / "q.db"
    _make_db(dbp, builders, office="", bad=True)
    target = tmp_path / "r.xlsx"
    code, out, _ = _run(capsys, "--db", str(dbp), "export-return", "--year", str(Y), "-o", str(target), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["path"] is None
    assert [(e["level"], e["sheet"], e["row"]) for e in data["errors"]] == [("错误", "封面", 1), ("错误", "企业名录", 2)]
    assert not target.exists()


def test_errors_in_text_mode_go_to_stderr(tmp_path, builders, capsys):
    dbp = tmp_path / "q.db"
    _make_db(dbp, builders, bad=True)
    code, out, err = _run(capsys, "--db", str(dbp), "export-return", "--year", str(Y), "-o", str(tmp_path / "r.xlsx"))
    assert code == 1 and "错误" in err and "企业名录!2" in err


def test_missing_database_is_exit_2(tmp_path, capsys):
    code, out, _ = _run(capsys, "--db", str(tmp_path / "none.db"), "export-return", "--year", str(Y), "-o",
                        str(tmp_path / "r.xlsx"), "--json")
    assert code == 2 and "error" in json.loads(out)
    assert not (tmp_path / "none.db").exists()


def test_locked_output_is_exit_2_and_old_file_intact(tmp_path, builders, capsys, monkeypatch):
    dbp = tmp_path / "q.db"
    _make_db(dbp, builders)
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")

    def locked(src, dst):
        err = OSError(errno.EACCES, "sharing violation")
        err.winerror = 32
        raise err

    monkeypatch.setattr(os, "replace", locked)
    code, out, _ = _run(capsys, "--db", str(dbp), "export-return", "--year", str(Y), "-o", str(target), "--json")
    assert code == 2
    assert json.loads(out) == {"error": "请先关闭Excel中打开的该文件"}
    assert target.read_bytes() == b"old"
    monkeypatch.undo()
    db = open_database(dbp, "existing")
    try:
        from qoffice.services import returns

        with db.read_session() as s:
            assert returns.list_submissions(s) == []
    finally:
        db.close()


@pytest.mark.parametrize("argv", [["export-return", "-o", "x.xlsx"], ["export-return", "--year", "2023"]])
def test_usage_errors_exit_2(tmp_path, capsys, argv):
    code, _, _ = _run(capsys, "--db", str(tmp_path / "q.db"), *argv)
    assert code == 2
