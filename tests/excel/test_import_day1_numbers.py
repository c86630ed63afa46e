"""Issue 13, Import: “2019.0”. A number with a zero fraction is that whole number in every reader
(csv, xlsx, xls, HTML saved as .xls), as many exports of float columns write years and counts."""
import json

import pytest

from qoffice.cli.main import main
from qoffice.excel.values import CellProblem, parse_int, parse_year

HEAD = ["统一社会信用代码", "年度", "抽查批次", "抽查合格批次"]


def code(i: int) -> str:
    from qoffice.domain.uscc import make_valid

    return make_valid(f"9132068{i:010d}")


def _enterprises(files, db, capsys):
    p = files.csv(files.dir / "e.csv", [["统一社会信用代码", "企业名称", "区县"],
                                        *[[code(i), f"南通年份企业{i}有限公司", "通州区"] for i in range(1, 4)]])
    assert main(["--db", str(db), "import", "enterprises", str(p), "--json"]) == 0
    capsys.readouterr()


def _rows(as_text: bool):
    if as_text:
        return [HEAD, [code(1), "2019.0", "10.0", "9.00"], [code(2), "2020.00", "3", "3.0"],
                [code(3), "2021.0年", "4.0", "4"]]
    return [HEAD, [code(1), 2019.0, 10.0, 9.0], [code(2), 2020.0, 3.0, 3.0], [code(3), 2021.0, 4.0, 4.0]]


def _write(files, reader: str, as_text: bool):
    rows = _rows(as_text)
    d = files.dir
    if reader == "csv":
        return files.csv(d / "f.csv", rows)
    if reader == "csv-gbk":
        return files.csv(d / "f.csv", rows, encoding="gb18030")
    if reader == "xlsx":
        return files.xlsx(d / "f.xlsx", rows)
    if reader == "xls":
        return files.xls(d / "f.xls", rows)
    if reader == "html":
        p = d / "f.xls"
        p.write_text(files.html(rows, title="年度数据"), encoding="utf-8")
        return p
    raise AssertionError(reader)


@pytest.mark.parametrize("reader,as_text", [("csv", True), ("csv-gbk", True), ("xlsx", True), ("xlsx", False),
                                            ("xls", True), ("xls", False), ("html", True)])
def test_zero_fraction_is_the_whole_number_in_every_reader(files, tmp_path, capsys, reader, as_text):
    db = tmp_path / "q.db"
    _enterprises(files, db, capsys)
    p = _write(files, reader, as_text)
    rc = main(["--db", str(db), "import", "figures", str(p), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["created"] == 3 and data["rejected"] == 0, data


def test_parsers_take_zero_fractions():
    assert parse_year("2019.0") == 2019
    assert parse_year("2019.000") == 2019
    assert parse_year("２０１９.０") == 2019
    assert parse_year("2019.0年") == 2019
    assert parse_int("10.0") == 10
    for bad in ("2019.5", "2019.", ".0", "2019.0.0"):
        with pytest.raises(CellProblem):
            parse_year(bad)
