"""What goes back to the counties: the 反馈单 (.xlsx and PDF), 下发目标 and their import at county
level, 全市汇总 and 考核排名 as a PDF for printing."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from qoffice.cli.main import main
from tests.city import builders as B
from tests.city.builders import code, ent, raw


def run(capsys, *argv):
    rc = main(list(argv))
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


@pytest.fixture
def city_home(qoffice_home, capsys, tmp_path):
    for k, v in (("level", "city"), ("office", "南通市质量办"), ("county.target.崇川区.1", "2"),
                 ("county.target.崇川区.8", "95.5"), ("county.target.通州区.3", "7")):
        assert main(["settings", "set", k, v]) == 0
    a = B.write_qoffice(tmp_path / "a.xlsx", raw("崇川区", enterprises=[ent(code(1), "甲", "崇川区", excellence=2024,
                                                                          checked=10, passed=9)]))
    b = B.write_openpyxl(tmp_path / "b.xlsx", raw("通州区", enterprises=[ent(code(2), "乙", "通州区")], summary={1: 3}))
    main(["city", "receive", str(a), str(b)])
    main(["city", "withdraw", "--year", "2024", "--county", "通州区", "--reason", "汇总表第1行与明细不符"])
    capsys.readouterr()
    return qoffice_home


def test_feedback_xlsx(city_home, capsys, tmp_path):
    rc, out, _err = run(capsys, "city", "feedback", "--year", "2024", "--county", "通州区", "-o", str(tmp_path),
                        "--json")
    assert rc == 0
    path = json.loads(out)["path"]
    ws = load_workbook(path)["反馈单"]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows()]
    assert rows[0][0] == "通州区2024年度质量强企报表审核反馈单"
    assert rows[1][:2] == ("报送状态", "已退回") and rows[4][:2] == ("退回原因", "汇总表第1行与明细不符")
    flat = [c for r in rows for c in r if c is not None]
    assert "汇总表第1行填报3，按明细计算为0" in flat
    header = rows.index(("序号", "指标", "单位", "数值", "目标值", "完成率(%)", "达标"))
    third = rows[header + 3]
    assert third[:5] == (3, "质量课题成果数", "项", 0, 7) and third[6] == "否"
    assert "南通市质量办" in flat


def test_feedback_pdf_and_summary_pdf(city_home, capsys, tmp_path):
    from pypdf import PdfReader

    pdf = tmp_path / "fb.pdf"
    rc, _out, err = run(capsys, "city", "feedback", "--year", "2024", "--county", "崇川区", "-o", str(pdf))
    assert rc == 0, err
    assert pdf.read_bytes()[:4] == b"%PDF" and len(PdfReader(pdf).pages) == 1
    summary = tmp_path / "sum.pdf"
    rc, _out, err = run(capsys, "city", "summary-pdf", "--year", "2024", "-o", str(summary))
    assert rc == 0, err
    assert len(PdfReader(summary).pages) == 2
    rc, _out, err = run(capsys, "city", "summary-pdf", "--year", "2020", "-o", str(tmp_path / "none.pdf"))
    assert rc == 1 and not (tmp_path / "none.pdf").exists()


def test_targets_out_and_county_import(city_home, capsys, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    rc, out, _err = run(capsys, "city", "targets-out", "--year", "2025", "-o", str(folder), "--json")
    assert rc == 0
    files = json.loads(out)["files"]
    assert len(files) == 8 and files[0].endswith("崇川区_2025年度质量强企目标.xlsx")
    # at county level, in another database
    county_db = str(tmp_path / "county.db")
    assert main(["--db", county_db, "settings", "set", "county", "崇川区"]) == 0
    capsys.readouterr()
    rc, out, _err = run(capsys, "--db", county_db, "import", "targets", files[0], "--json")
    assert rc == 0
    data = json.loads(out)
    assert (data["county"], data["year"], data["imported"]) == ("崇川区", 2025, True)
    rc, out, _err = run(capsys, "--db", county_db, "settings", "show", "--json")
    got = json.loads(out)["settings"]
    assert got["target.1"] == "2" and got["target.8"] == "95.5" and got["target.3"] is None
    # another county's file changes nothing
    rc, _out, err = run(capsys, "--db", county_db, "import", "targets", files[1])
    assert rc == 2 and "通州区" in err
    rc, out, _err = run(capsys, "--db", county_db, "settings", "show", "--json")
    assert json.loads(out)["settings"]["target.1"] == "2"
    # not a targets workbook
    bad = tmp_path / "x.xlsx"
    B.write_openpyxl(bad, raw("崇川区"))
    rc, _out, err = run(capsys, "--db", county_db, "import", "targets", str(bad))
    assert rc == 2 and "下发目标" in err
