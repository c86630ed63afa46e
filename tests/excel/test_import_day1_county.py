"""Issue 13, Import: a 区县 outside the county list is imported as written (the list may lag a
renaming) but warned about per row, naming the closest listed county — as the editor does."""
import json

from qoffice.cli.main import main

HEAD = ["统一社会信用代码", "企业名称", "区县"]


def code(i: int) -> str:
    from qoffice.domain.uscc import make_valid

    return make_valid(f"9132068{i:010d}")


def test_a_county_outside_the_list_is_warned_per_row_with_the_closest(files, tmp_path, capsys):
    p = files.csv(tmp_path / "e.csv", [HEAD, [code(1), "南通甲有限公司", "如东"],
                                       [code(2), "南通乙有限公司", "如东县"],
                                       [code(3), "南通丙有限公司", "火星区"],
                                       [code(4), "南通丁有限公司", "如东"]])
    rc = main(["--db", str(tmp_path / "q.db"), "import", "enterprises", str(p), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["created"] == 4, data
    county = [w for w in data["warnings"] if w["column"] == "区县"]
    assert [w["row"] for w in county] == [2, 4, 5], county
    assert "如东县" in county[0]["message"] and "如东" in county[0]["message"]
    assert "火星区" in county[1]["message"]


def test_a_listed_county_gives_no_note(files, tmp_path, capsys):
    db = tmp_path / "q.db"
    assert main(["--db", str(db), "settings", "set", "county", "如东县"]) == 0
    capsys.readouterr()
    p = files.csv(tmp_path / "e.csv", [HEAD, [code(5), "南通戊有限公司", "崇川区"]])
    rc = main(["--db", str(db), "import", "enterprises", str(p), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and not [w for w in data["warnings"] if w["column"] == "区县"], data
