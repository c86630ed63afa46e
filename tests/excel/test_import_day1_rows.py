"""Issue 13, Import — CSV row numbers: a row number is the row Excel/WPS shows (for text files, the
record's number), also when the title and header cells hold quoted line breaks — in a CSV and in
the tab-separated Unicode text WPS and Excel save (the delimiter is found outside the quotes)."""
import json

import pytest

from qoffice.cli.main import main


def code(i: int) -> str:
    from qoffice.domain.uscc import make_valid

    return make_valid(f"9132068{i:010d}")


def records(sep: str) -> list[str]:
    return [f'"如东县企业名录\n（2024年）"{sep}{sep}',
            f'"统一社会\n信用代码*"{sep}"企业\n名称*"{sep}"所属\n区县"',
            f"{code(1)}{sep}南通甲有限公司{sep}如东县",  # record 3
            f"BAD{sep}南通乙有限公司{sep}如东县",  # record 4: error
            f"{code(2)}{sep}南通丙有限公司{sep}如东县"]  # record 5


@pytest.mark.parametrize("sep,encoding", [(",", "utf-8-sig"), (",", "gb18030"), ("\t", "utf-16"),
                                          ("\t", "utf-8"), (";", "utf-8")])
def test_rows_are_records_with_quoted_line_breaks_in_title_and_header(tmp_path, capsys, sep, encoding):
    p = tmp_path / "名录.txt"
    p.write_bytes("\r\n".join(records(sep)).encode(encoding) + "\r\n".encode(encoding))
    rc = main(["--db", str(tmp_path / "q.db"), "import", "enterprises", str(p), "--json"])
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert rc == 1 and data["created"] == 2 and [e["row"] for e in data["errors"]] == [4], (data, out.err)
