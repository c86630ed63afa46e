"""`qoffice check`: read-only; 0 clean, 1 problems (older schema, damage, bad data), 2 cannot proceed."""
import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest

from qoffice.cli.main import main
from qoffice.db import database, schema
from qoffice.db.database import open_database


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def made(tmp_path, builders):
    """A small database with one enterprise and its figures."""
    path = tmp_path / "c.db"
    db = open_database(path, "create")
    with db.session() as s:
        ent = builders.make_enterprise(s, name="南通检查测试有限公司")
        from qoffice.services import enterprises

        enterprises.set_figures(s, ent.id, 2026, loss_rate="1.25", checked=3, passed=3)
    db.close()
    return path


def check_json(capsys, path):
    code = main(["--db", str(path), "check", "--json"])
    return code, json.loads(capsys.readouterr().out)


def cli(*argv):
    return subprocess.run([sys.executable, "-m", "qoffice", *argv], capture_output=True, text=True, encoding="utf-8")


def test_clean_database_exits_0_and_is_not_changed(made, capsys):
    before = digest(made)
    code, report = check_json(capsys, made)
    assert code == 0
    assert report["ok"] and report["integrity"] and report["foreign_keys"] and report["data_checked"]
    assert report["schema"] == "current" and report["problems"] == []
    assert digest(made) == before
    assert not (made.parent / "backups").exists()


def test_text_output_says_no_problems(made, capsys):
    assert main(["--db", str(made), "check"]) == 0
    out = capsys.readouterr().out
    assert "完整性检查：正常" in out and "未发现问题" in out


def test_missing_database_exits_2(tmp_path, capsys):
    code, report = check_json(capsys, tmp_path / "none.db")
    assert code == 2 and "不存在" in report["error"]
    assert not (tmp_path / "none.db").exists()


def test_older_schema_is_reported_never_upgraded(made, capsys, monkeypatch):
    # Pretend this program knows a newer revision, so the file's revision is an older one.
    current = schema.SCHEMA_HEAD
    newer = schema.KNOWN_REVISIONS + ("9000",)
    for module in (schema, database):
        monkeypatch.setattr(module, "KNOWN_REVISIONS", newer)
        monkeypatch.setattr(module, "SCHEMA_HEAD", "9000")
    before = digest(made)
    code, report = check_json(capsys, made)
    assert code == 1
    assert report["schema"] == "older" and report["revision"] == current and report["head"] == "9000"
    assert any(p["kind"] == "schema" for p in report["problems"])
    assert digest(made) == before
    assert not (made.parent / "backups").exists()


def test_newer_schema_exits_2_untouched(made, capsys):
    con = sqlite3.connect(made)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = digest(made)
    code, report = check_json(capsys, made)
    assert code == 2 and "新版本" in report["error"]
    assert digest(made) == before


def test_invalid_credit_code_is_a_problem_naming_the_check_character(made, capsys):
    con = sqlite3.connect(made)
    good = con.execute("SELECT uscc FROM enterprise").fetchone()[0]
    bad_last = "0" if good[-1] != "0" else "1"
    con.execute("UPDATE enterprise SET uscc = ?", (good[:17] + bad_last,))
    con.commit()
    con.close()
    code, report = check_json(capsys, made)
    assert code == 1
    [problem] = report["problems"]
    assert problem["kind"] == "credit_code" and problem["table"] == "enterprise"
    assert good[-1] in problem["message"] and "南通检查测试有限公司" in problem["message"]


def test_figures_breaking_the_rules_are_problems(made, capsys):
    con = sqlite3.connect(made)
    con.execute("UPDATE year_figures SET passed = 5, checked = 3")
    con.commit()
    con.close()
    code, report = check_json(capsys, made)
    assert code == 1
    assert [p["kind"] for p in report["problems"]] == ["figures"]


def test_unknown_vocabulary_value_is_a_problem(made, capsys):
    con = sqlite3.connect(made)
    con.execute("INSERT INTO partner (name, name_initials, type, created_at) VALUES ('某大学', 'mdx', '大学', "
                "'2026-01-01 00:00:00.000000')")
    con.commit()
    con.close()
    code, report = check_json(capsys, made)
    assert code == 1
    assert report["problems"][0]["kind"] == "vocabulary" and "大学" in report["problems"][0]["message"]


def test_waiting_list_with_free_places_is_a_problem(made, capsys):
    con = sqlite3.connect(made)
    con.execute("INSERT INTO meeting (id, year, title, date, capacity, created_at) VALUES "
                "(1, 2026, '2026年质量产学研合作对接会', '2026-06-18', 10, '2026-01-01 00:00:00.000000')")
    con.execute("INSERT INTO signup (meeting_id, enterprise_id, status, waitlist_seq, signed_up_at, created_at) "
                "VALUES (1, 1, '候补', 1, '2026-05-01 00:00:00.000000', '2026-05-01 00:00:00.000000')")
    con.commit()
    con.close()
    code, report = check_json(capsys, made)
    assert code == 1 and report["problems"][0]["kind"] == "waiting_list"


def test_foreign_key_violation_is_a_problem(made, capsys):
    con = sqlite3.connect(made)  # foreign keys are off by default in a bare sqlite3 connection
    con.execute("INSERT INTO award (enterprise_id, award, year, created_at) VALUES "
                "(999, '县级质量奖', 2026, '2026-01-01 00:00:00.000000')")
    con.commit()
    con.close()
    code, report = check_json(capsys, made)
    assert code == 1 and not report["foreign_keys"]
    assert report["problems"][0]["kind"] == "foreign_key"


def test_damaged_pages_give_one_clear_line_and_no_traceback(tmp_path, qoffice_home):
    path = tmp_path / "big.db"
    assert main(["--db", str(path), "demo-data", "--enterprises", "300", "--seed", "1"]) == 0
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8192] = b"\xff" * 8192
    path.write_bytes(bytes(data))
    proc = cli("--db", str(path), "check")
    assert proc.returncode in (1, 2)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "损坏" in proc.stdout or "无法" in proc.stderr
    as_json = cli("--db", str(path), "check", "--json")
    assert as_json.returncode == proc.returncode
    json.loads(as_json.stdout)


@pytest.mark.parametrize("damage", ["header", "truncate", "noise"])
def test_unreadable_files_exit_2_with_one_line(tmp_path, made, damage):
    data = made.read_bytes()
    if damage == "header":
        data = data[:100] + b"\x00" * 3000 + data[3100:]
    elif damage == "truncate":
        data = data[:5000]
    else:
        data = bytes(range(256)) * 20
    made.write_bytes(data)
    proc = cli("--db", str(made), "check")
    assert proc.returncode in (1, 2)
    assert "Traceback" not in proc.stderr
    lines = [line for line in (proc.stderr if proc.returncode == 2 else proc.stdout).splitlines() if line]
    assert lines and len(lines[0]) < 300
