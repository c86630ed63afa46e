"""`qoffice city receive|status|export|withdraw`: JSON shapes and exit codes of city.md."""
from __future__ import annotations

import datetime as dt
import json

from qoffice.cli.main import main
from tests.city import builders as B
from tests.city.builders import YEAR, code, ent, raw


def run(capsys, *argv):
    code_ = main(list(argv))
    cap = capsys.readouterr()
    return code_, cap.out, cap.err


def run_json(capsys, *argv):
    code_, out, err = run(capsys, *argv)
    return code_, json.loads(out), err


def city_db(capsys):
    assert main(["settings", "set", "level", "city"]) == 0
    assert main(["settings", "set", "office", "南通市质量办"]) == 0
    capsys.readouterr()


def files(tmp_path):
    a = B.write_qoffice(tmp_path / "a.xlsx", raw("崇川区", enterprises=[ent(code(1), "甲", "崇川区", loss=1)]))
    b = B.write_openpyxl(tmp_path / "b.xlsx", raw("通州区", enterprises=[ent(code(1), "甲", "通州区", loss=2)],
                                                  summary={1: 3}))
    bad = tmp_path / "c.xlsx"
    bad.write_text("x")
    return a, b, bad


def test_county_level_database_exits_2(qoffice_home, capsys, tmp_path):
    main(["settings", "set", "county", "崇川区"])
    capsys.readouterr()
    a, _b, _bad = files(tmp_path)
    for argv in (["city", "receive", str(a)], ["city", "status", "--year", "2024"],
                 ["city", "export", "--year", "2024", "-o", str(tmp_path / "x.xlsx")],
                 ["city", "withdraw", "--year", "2024", "--county", "崇川区", "--reason", "r"]):
        code_, out, err = run(capsys, *argv)
        assert code_ == 2, argv
        assert "level" in err and "Traceback" not in err


def test_receive_json_and_exit_codes(qoffice_home, capsys, tmp_path):
    city_db(capsys)
    a, b, bad = files(tmp_path)
    code_, data, _ = run_json(capsys, "city", "receive", str(a), str(b), "--json")
    assert code_ == 0
    assert [(f["file"], f["county"], f["year"], f["status"]) for f in data["files"]] == [
        ("a.xlsx", "崇川区", YEAR, "accepted"), ("b.xlsx", "通州区", YEAR, "accepted")]
    w = data["files"][1]["warnings"]
    assert {"level": "警告", "sheet": "汇总", "row": 2, "message": "汇总表第1行填报3，按明细计算为0"} in w
    assert set(w[0]) == {"level", "sheet", "row", "message"}
    code_, data, _ = run_json(capsys, "city", "receive", str(a), str(bad), "--json")
    assert code_ == 1
    assert [f["status"] for f in data["files"]] == ["unchanged", "refused"]
    assert data["files"][1]["errors"][0]["level"] == "错误"
    code_, out, _ = run(capsys, "city", "receive", str(bad))
    assert code_ == 1 and "c.xlsx\t未收取" in out


def test_status_withdraw_export(qoffice_home, capsys, tmp_path):
    city_db(capsys)
    a, b, _bad = files(tmp_path)
    run(capsys, "city", "receive", str(a), str(b))
    code_, out, _ = run(capsys, "city", "withdraw", "--year", "2024", "--county", "通州区", "--reason", "请核对汇总表")
    assert code_ == 0
    code_, data, _ = run_json(capsys, "city", "status", "--year", "2024", "--json")
    assert code_ == 0 and data["year"] == 2024
    assert [c["county"] for c in data["counties"]] == list(B.COUNTIES)
    first, second = data["counties"][:2]
    assert first["status"] == "已报送" and first["file"] == "a.xlsx" and first["warnings"] == 0
    assert dt.datetime.fromisoformat(first["received_at"])
    assert second["status"] == "已退回" and isinstance(second["warnings"], int)
    assert data["counties"][2] == {"county": "海门区", "status": "未报送", "received_at": None, "file": None,
                                   "warnings": 0}
    code_, data, _ = run_json(capsys, "city", "export", "--year", "2024", "-o", str(tmp_path), "--json")
    assert code_ == 0
    assert data == {"path": str(tmp_path / "全市2024年度质量强企汇总表.xlsx"), "counties_received": 1, "warnings": 0}
    code_, _out, err = run(capsys, "city", "export", "--year", "2023", "-o", str(tmp_path / "y.xlsx"))
    assert code_ == 1 and "2023" in err and not (tmp_path / "y.xlsx").exists()
    code_, _out, err = run(capsys, "city", "withdraw", "--year", "2024", "--county", "通州区", "--reason", "x")
    assert code_ == 2
