"""Issue 12 item 10: settings that would break the export later are refused when set, and the export
copes with whatever an older version stored (the value goes straight into the setting table here)."""
from __future__ import annotations

import json
import sqlite3

import openpyxl
import pytest
from cli_run import one_line as _one_line
from cli_run import run as _run

from qoffice.db.database import open_database
from qoffice.services import enterprises, settings

Y = 2023


def _stored(dbp, key):
    con = sqlite3.connect(dbp)
    try:
        row = con.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    finally:
        con.close()
    return None if row is None else row[0]


@pytest.fixture
def dbp(tmp_path, builders):
    path = tmp_path / "q.db"
    db = open_database(path, "create")
    try:
        with db.session() as s:
            settings.set_value(s, "county", "崇川区")
            settings.set_value(s, "office", "崇川区市场监督管理局")
            settings.set_value(s, "operator", "张三")
            settings.set_value(s, "target.3", "12")
            e = builders.make_enterprise(s, name="南通好企业有限公司", cqo_name="王", cqo_phone="13800000000")
            enterprises.set_figures(s, e.id, Y, checked=2, passed=1)
    finally:
        db.close()
    return path


@pytest.mark.parametrize("key, value", [
    ("target.1", "NaN"), ("target.1", "nan"), ("target.1", "sNaN"), ("target.2", "Infinity"),
    ("target.2", "-Infinity"), ("target.3", "1e400"), ("target.3", "1e-400"), ("target.8", "101"),
    ("target.9", "-1"), ("target.10", "-101"), ("target.4", "-1"), ("target.5", "12.345678"),
    ("target.1", "12 项"),
    ("office", "南通\x0b质量办"), ("office", "\x01"), ("county", "崇川\n区"), ("operator", "张\x7f三"),
    ("phone", "0513\u2028123"), ("office", "办" * 201),
])
def test_a_value_that_would_break_the_export_is_refused_on_set(dbp, capsys, key, value):
    before = _stored(dbp, key)
    code, out, err = _run(capsys, "--db", dbp, "settings", "set", key, value)
    assert code == 2
    _one_line(err)
    assert _stored(dbp, key) == before


@pytest.mark.parametrize("key, value, stored", [
    ("target.10", "-0.05", "-0.05"), ("target.10", "0.5", "0.5"), ("target.9", "1.25", "1.25"),
    ("target.1", "0", "0"), ("target.3", "12.50", "12.5"), ("target.11", "1200.5", "1200.5"),
    ("target.8", "100", "100"), ("target.1", "1E+2", "100"), ("office", "南通市崇川区质量强市工作领导小组办公室",
                                                          "南通市崇川区质量强市工作领导小组办公室"),
])
def test_good_values_are_taken(dbp, capsys, key, value, stored):
    code, out, err = _run(capsys, "--db", dbp, "settings", "set", key, value)
    assert code == 0, err
    assert _stored(dbp, key) == stored


def test_indicator_10s_negative_target_reaches_the_return(dbp, tmp_path, capsys):
    code, _, err = _run(capsys, "--db", dbp, "settings", "set", "target.10", "-0.05")
    assert code == 0, err
    target = tmp_path / "r.xlsx"
    code, _, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target)
    assert code == 0, err
    ws = openpyxl.load_workbook(target)["汇总"]
    assert ws["A11"].value == 10 and float(ws["E11"].value) == -0.05


def _store_raw(dbp, key, value):
    """What an older version (or a hand edit) may have left in the setting table."""
    con = sqlite3.connect(dbp)
    try:
        con.execute("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", (key, value))
        con.commit()
    finally:
        con.close()
    from qoffice.services import personal  # an older version kept the operator only in the database

    mine = personal.path()
    if mine.exists():
        data = json.loads(mine.read_text(encoding="utf-8"))
        data.pop(key, None)
        mine.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400", "1e-400", "abc", "-5"])
def test_the_export_survives_a_bad_stored_target(dbp, tmp_path, capsys, raw):
    """The target is left empty (and its completion), a 校验 warning says so; the other targets stand."""
    _store_raw(dbp, "target.1", raw)
    target = tmp_path / "r.xlsx"
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target, "--json")
    assert code == 0, (out, err)
    data = json.loads(out)
    notes = [w for w in data["warnings"] if w["sheet"] == "汇总"]
    assert len(notes) == 1 and notes[0]["row"] == 2 and "指标1的目标值" in notes[0]["message"]
    wb = openpyxl.load_workbook(target)
    summary = wb["汇总"]
    assert summary["E2"].value is None and summary["F2"].value is None
    assert summary["E4"].value == 12  # target.3, stored properly, still there
    checks = [row for row in wb["校验"].iter_rows(min_row=2, values_only=True)]
    assert any("指标1的目标值" in (r[4] or "") for r in checks)


@pytest.mark.parametrize("key, raw, cell, expected", [
    ("office", "南通\x0b质量办", "B1", "南通质量办"),
    ("county", "崇川\x01区", "B2", "崇川区"),
    ("operator", "张\x1f三\x00", "B4", "张三"),
    ("phone", "0513-\x0c1234", "B5", "0513-1234"),
])
def test_the_export_survives_control_characters_in_a_stored_cover_text(dbp, tmp_path, capsys, key, raw, cell,
                                                                       expected):
    _store_raw(dbp, key, raw)
    target = tmp_path / "r.xlsx"
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target, "--json")
    assert code == 0, (out, err)
    notes = [w for w in json.loads(out)["warnings"] if w["sheet"] == "封面"]
    assert len(notes) == 1 and "控制字符" in notes[0]["message"] and "\\x" in notes[0]["message"]
    wb = openpyxl.load_workbook(target)
    assert wb["封面"][cell].value == expected
    checks = [row for row in wb["校验"].iter_rows(min_row=2, values_only=True)]
    assert any("控制字符" in (r[4] or "") for r in checks)


def test_a_stored_office_of_only_control_characters_is_an_empty_office(dbp, tmp_path, capsys):
    _store_raw(dbp, "office", "\x0b\x01")
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", tmp_path / "r.xlsx", "--json")
    assert code == 1
    assert [e["sheet"] for e in json.loads(out)["errors"]] == ["封面"]
    assert not (tmp_path / "r.xlsx").exists()


def test_the_preview_survives_bad_stored_settings_too(dbp):
    _store_raw(dbp, "target.2", "Infinity")
    _store_raw(dbp, "operator", "\x01")
    from qoffice.services import returns

    db = open_database(dbp, "existing")
    try:
        with db.read_session() as s:
            preview = returns.preview(s, Y)
    finally:
        db.close()
    assert preview.indicators[1].target is None and preview.indicators[1].completion is None
    assert {w.record_id for w in preview.warnings if w.table == "setting"} == {"target.2", "operator"}


def test_the_settings_window_takes_indicator_10s_negative_target(qtbot, db):
    """The GUI's box for row 10 lets a minus sign in (the others do not), and saves it."""
    from PySide6.QtGui import QValidator

    from qoffice.ui.targets import TargetsEditor

    editor = TargetsEditor(db)
    qtbot.addWidget(editor)
    box10, box1 = editor.boxes[10], editor.boxes[1]
    assert box10.validator().validate("-0.05", 5)[0] == QValidator.Acceptable
    assert box1.validator().validate("-0.05", 5)[0] == QValidator.Invalid
    qtbot.keyClicks(box10, "-0.05")
    assert box10.text() == "-0.05" and editor.problems() == []
    with db.session() as s:
        editor.save(s)
    with db.read_session() as s:
        assert settings.get(s, "target.10") == "-0.05"


# --- records an older version (or a hand edit) left with control characters ------------------------
def test_the_export_survives_control_characters_in_stored_records(dbp, tmp_path, capsys):
    con = sqlite3.connect(dbp)
    try:
        con.execute("UPDATE enterprise SET name = ?, contact = ?", ("南通\x0b好企业\x01有限公司", "=李\x1f四"))
        con.commit()
    finally:
        con.close()
    target = tmp_path / "r.xlsx"
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target)
    assert code == 0, err
    ws = openpyxl.load_workbook(target)["企业名录"]
    assert ws["C2"].value == "南通好企业有限公司"
    assert ws["I2"].value == "=李四" and ws["I2"].data_type == "s"


def test_a_list_export_survives_control_characters(tmp_path):
    from qoffice.excel.list_export import ExportColumn, write_list

    path = tmp_path / "l.xlsx"
    write_list(path, "企业", [ExportColumn("名称", lambda r: r[0])], [("甲\x0b乙",), ("\x01",), ("丙",)])
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws["B"]] == ["名称", "甲乙", None, "丙"]


def test_a_stored_cover_text_that_is_too_long_is_written_and_warned_about(dbp, tmp_path, capsys):
    _store_raw(dbp, "office", "办" * 300)
    target = tmp_path / "r.xlsx"
    code, out, err = _run(capsys, "--db", dbp, "export-return", "--year", Y, "-o", target, "--json")
    assert code == 0, err
    notes = [w for w in json.loads(out)["warnings"] if w["sheet"] == "封面"]
    assert len(notes) == 1 and "过长（300个字）" in notes[0]["message"] and notes[0]["row"] == 1
    assert openpyxl.load_workbook(target)["封面"]["B1"].value == "办" * 300


@pytest.mark.parametrize("value, stored", [
    ('["崇川区", "通州区"]', ["崇川区", "通州区"]), ("崇川区，通州区、海门区", ["崇川区", "通州区", "海门区"]),
    ("null", ["null"]), ('{"a": 1}', ['{"a": 1}']),
])
def test_the_county_list_takes_json_or_plain_text(dbp, capsys, value, stored):
    code, out, err = _run(capsys, "--db", dbp, "settings", "set", "counties", value)
    assert code == 0, err
    assert json.loads(_stored(dbp, "counties")) == stored


def test_the_county_list_refuses_control_characters(dbp, capsys):
    code, out, err = _run(capsys, "--db", dbp, "settings", "set", "counties", '["崇川\\u0001区"]')
    assert code == 2
    _one_line(err)
