"""Every data row of a file is accounted for (issue 12, item 3).

created + updated + unchanged + skipped + rejected add up to the file's data rows on every reader;
a CSV quote that never closes, or a cell longer than the csv module's field limit, is reported
naming the row where it starts instead of silently swallowing the rest of the file; a re-import of
identical data reports its rows as unchanged.
"""
import json

import pytest

from qoffice.cli.main import main
from qoffice.errors import FileUnreadable
from qoffice.services.imports import parse_file, run_import

HEAD = ["统一社会信用代码", "企业名称", "区县", "备注"]


def code(i: int) -> str:
    from qoffice.domain.uscc import make_valid

    return make_valid(f"9132068{i:010d}")


def roster(n: int, first: int = 1) -> list[list]:
    return [[code(i), f"南通计数企业{i}有限公司", "通州区", ""] for i in range(first, first + n)]


def run_json(capsys, db, path, *extra) -> tuple[int, dict]:
    rc = main(["--db", str(db), "import", "enterprises", str(path), "--json", *extra])
    return rc, json.loads(capsys.readouterr().out)


def total(data: dict) -> int:
    return data["created"] + data["updated"] + data["unchanged"] + data["skipped"] + data["rejected"]


# --- CSV: quotes that never close, cells over the field limit ----------------------------------------

def lone_quote_csv(path, n: int, closed_later: bool = False):
    lines = [",".join(HEAD)]
    for i, row in enumerate(roster(n), start=2):
        if i == 11:
            row[3] = '"6寸屏 客户反馈'  # a lone leading quote: the cell never ends
        elif closed_later and i == n - 5:
            row[3] = '"屏幕, 外壳"'  # a properly quoted cell much later: its quote closes the lone one
        lines.append(",".join(row))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


@pytest.mark.parametrize("n, closed_later", [(5000, False), (500, False), (500, True)])
def test_a_lone_quote_is_refused_naming_the_row_where_it_starts(tmp_path, capsys, n, closed_later):
    p = lone_quote_csv(tmp_path / "quote.csv", n, closed_later)
    db = tmp_path / "q.db"
    rc, data = run_json(capsys, db, p)
    assert rc == 2, data
    assert "11" in data["error"] and "引号" in data["error"], data
    assert not db.exists()  # nothing written, not even a database
    with pytest.raises(FileUnreadable):
        parse_file(p, "enterprises")


def test_a_quoted_stray_word_on_one_line_is_still_read(tmp_path, capsys):
    """`"6寸屏" 客户反馈` (text after a closing quote, on its own line) is read as Excel reads it."""
    rows = roster(3)
    lines = [",".join(HEAD)] + [",".join(r) for r in rows]
    lines[2] = lines[2].rstrip(",") + ',"6寸屏" 客户反馈'
    p = tmp_path / "stray.csv"
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    rc, data = run_json(capsys, tmp_path / "q.db", p)
    assert (rc, data["created"], data["rejected"]) == (0, 3, 0), data


def test_a_200000_character_cell_rejects_its_row_and_keeps_every_other(tmp_path, capsys, files):
    rows = roster(8)
    rows[2][3] = "长" * 200_000
    p = files.csv(tmp_path / "long.csv", [HEAD, *rows])
    rc, data = run_json(capsys, tmp_path / "q.db", p)
    assert rc == 1
    assert (data["created"], data["rejected"]) == (7, 1), data
    assert data["errors"][0]["row"] == 4 and data["errors"][0]["column"] == "备注"
    assert "32767" in data["errors"][0]["message"]
    assert total(data) == 8


def test_csv_rows_are_numbered_as_excel_shows_them(tmp_path, capsys, files):
    """A quoted line break inside a cell does not start a new row (import-and-cli.md)."""
    rows = roster(3)
    rows[0][3] = "第一行\n第二行\n第三行"
    rows[2][0] = "坏代码"
    p = files.csv(tmp_path / "multi.csv", [HEAD, *rows])
    rc, data = run_json(capsys, tmp_path / "q.db", p)
    assert rc == 1 and data["errors"][0]["row"] == 4, data


# --- the identity on every reader ---------------------------------------------------------------

def messy_rows() -> list[list]:
    """10 data rows under a title and a header: 6 good, 1 empty, 1 earlier duplicate, 1 bad, 1 footer."""
    good = roster(6, first=100)
    dup = list(good[0])
    dup[1] = "南通计数企业100旧名有限公司"
    return [["2024年企业名单", "", "", ""], HEAD,
            dup,  # earlier duplicate of good[0]: skipped
            *good[:3],
            ["", "", "", ""],  # empty: skipped
            ["坏代码", "南通坏企业", "通州区", ""],  # rejected
            *good[3:],
            ["合计", "6家", "", ""]]  # footer: skipped


def write_as(fmt: str, files, rows):
    d = files.dir
    if fmt == "xlsx":
        return files.xlsx(d / "m.xlsx", rows)
    if fmt == "xls":
        return files.xls(d / "m.xls", rows)
    if fmt == "html":
        p = d / "m_html.xls"
        body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in rows)
        p.write_text(f"<html><body><table>{body}</table></body></html>", encoding="utf-8")
        return p
    if fmt == "csv-utf8":
        return files.csv(d / "m.csv", rows)
    return files.csv(d / "m_gb.csv", rows, encoding="gb18030")


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "html", "csv-utf8", "csv-gb18030"])
def test_counts_add_up_to_the_data_rows_on_every_reader(fmt, tmp_path, capsys, files):
    p = write_as(fmt, files, messy_rows())
    db = tmp_path / "q.db"
    rc, data = run_json(capsys, db, p)
    assert rc == 1, data
    assert (data["created"], data["updated"], data["unchanged"], data["skipped"], data["rejected"]) == \
        (6, 0, 0, 3, 1), data
    assert total(data) == 10 and data["errors_omitted"] == 0
    assert data["errors"][0]["row"] == 8
    # The same file again: nothing changes, and the counts say so.
    rc, again = run_json(capsys, db, p)
    assert (again["created"], again["updated"], again["unchanged"], again["skipped"], again["rejected"]) == \
        (0, 0, 6, 3, 1), again
    assert total(again) == 10


def test_a_real_change_is_updated_and_the_rest_unchanged(db, files):
    rows = roster(4, first=200)
    p = files.csv(files.dir / "a.csv", [HEAD, *rows])
    r = run_import(db, "enterprises", p)
    assert (r.created, r.updated, r.unchanged) == (4, 0, 0)
    rows[1][2] = "海门区"
    r = run_import(db, "enterprises", files.csv(files.dir / "b.csv", [HEAD, *rows]))
    assert (r.created, r.updated, r.unchanged, r.skipped) == (0, 1, 3, 0)
    assert [x.status for x in r.rows] == ["unchanged", "update", "unchanged", "unchanged"]


def test_reimport_of_other_kinds_is_unchanged(db, files, builders):
    with db.session() as s:
        builders.make_enterprise(s, uscc=code(300))
    c = code(300)
    cases = {
        "figures": [["统一社会信用代码", "年度", "抽查批次", "抽查合格批次"], [c, 2023, 10, 9]],
        "projects": [["统一社会信用代码", "项目名称", "项目类型", "年度", "投资额(万元)"], [c, "数控改造", "质量改进", 2023, 5]],
        "awards": [["统一社会信用代码", "奖项", "年度"], [c, "南通市市长质量奖", 2023]],
        "partners": [["名称", "类型", "联系人"], ["南通大学", "高等院校", "张三"]],
        "forums": [["名称", "日期", "地点", "参加企业"], ["质量论坛", "2023-5-6", "南通", c]],
        "signups": [["对接会日期", "统一社会信用代码", "参会人", "职务"], ["2023-6-1", c, "李四", "经理"]],
    }
    for kind, rows in cases.items():
        p = files.csv(files.dir / f"{kind}.csv", rows)
        first = run_import(db, kind, p)
        assert (first.created, first.rejected) == (1, 0), (kind, [e.message for e in first.errors])
        again = run_import(db, kind, p)
        assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 1, 0), \
            (kind, [e.message for e in again.errors])


def test_errors_beyond_the_first_thousand_are_counted_not_listed(tmp_path, capsys, files):
    rows = [[f"坏代码{i}", f"南通坏企业{i}", "", ""] for i in range(1205)]
    p = files.csv(tmp_path / "bad.csv", [HEAD, *rows])
    rc, data = run_json(capsys, tmp_path / "q.db", p)
    assert rc == 1
    assert data["rejected"] == 1205 and len(data["errors"]) == 1000 and data["errors_omitted"] == 205
    assert data["errors"][-1]["row"] == 1001
