"""The import's fast paths (column-wise reading, values parsed once per distinct cell, bulk
insert, a roomy page cache) must keep every rule: each bad cell of a big file is still reported
on its own row and column, clean-up still happens, audit and undo still work."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from qoffice.db.models import AuditEntry, Enterprise
from qoffice.services.imports import PROGRESS_EVERY, parse_file, run_import, undo_batch

HEAD = ["统一社会信用代码", "企业名称", "高耗能企业", "经营状态", "状态变更年份", "联系电话", "产业类别",
        "首席质量官", "首席质量官任命日期"]
ROWS = 3 * PROGRESS_EVERY + 37  # several chunks, the last one short


def _code(n: int) -> str:
    from tests.conftest import code

    return code(700000 + n)


def _roster(files, bad: dict[int, dict]) -> tuple:
    """ROWS good rows; `bad` maps a data row index to cells that replace the good ones."""
    rows = [HEAD]
    for n in range(ROWS):
        cells = {"统一社会信用代码": _code(n), "企业名称": f"南通快速{n}有限公司", "高耗能企业": "否",
                 "经营状态": "在营", "状态变更年份": None, "联系电话": "0513-8500000", "产业类别": "特色产业",
                 "首席质量官": "王五", "首席质量官任命日期": dt.datetime(2023, 4, 23)}
        cells.update(bad.get(n, {}))
        rows.append([cells[h] for h in HEAD])
    return files.xlsx(files.dir / "big.xlsx", rows)


def _row(n: int) -> int:
    return n + 2  # file row of data row n (row 1 is the header)


def test_every_bad_cell_of_a_big_roster_is_reported_on_its_row_and_column(db, files):
    bad = {
        3: {"高耗能企业": "也许"},
        PROGRESS_EVERY + 3: {"高耗能企业": "也许"},  # the same bad word again, in a later chunk
        2 * PROGRESS_EVERY + 1: {"状态变更年份": "去年"},
        2 * PROGRESS_EVERY + 2: {"经营状态": "注销"},  # a rule of the record, not of the cell
        2 * PROGRESS_EVERY + 3: {"统一社会信用代码": _code(99999)[:-1] + "I"},
        3 * PROGRESS_EVERY + 5: {"企业名称": None},
        3 * PROGRESS_EVERY + 6: {"产业类别": "新奇产业"},
        3 * PROGRESS_EVERY + 7: {"首席质量官任命日期": "上个月"},
        3 * PROGRESS_EVERY + 8: {"联系电话": "打这个"},
    }
    r = run_import(db, "enterprises", _roster(files, bad))
    expected = {
        (_row(3), "高耗能企业"), (_row(PROGRESS_EVERY + 3), "高耗能企业"),
        (_row(2 * PROGRESS_EVERY + 1), "状态变更年份"), (_row(2 * PROGRESS_EVERY + 2), "状态变更年份"),
        (_row(2 * PROGRESS_EVERY + 3), "统一社会信用代码"), (_row(3 * PROGRESS_EVERY + 5), "企业名称"),
        (_row(3 * PROGRESS_EVERY + 6), "产业类别"), (_row(3 * PROGRESS_EVERY + 7), "首席质量官任命日期"),
        (_row(3 * PROGRESS_EVERY + 8), "联系电话"),
    }
    assert {(e.row, e.column) for e in r.errors} == expected
    assert (r.created, r.rejected) == (ROWS - len(bad), len(bad))
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == ROWS - len(bad)
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.batch_id == r.batch_id)) \
            == ROWS - len(bad)
        assert s.scalar(select(func.count()).select_from(Enterprise).where(
            Enterprise.uscc.in_([_code(n) for n in bad]))) == 0


def test_cells_that_need_clean_up_are_still_cleaned_and_typed(db, files):
    n_space, n_lower, n_wide, n_yes = 5, PROGRESS_EVERY + 5, PROGRESS_EVERY + 6, 2 * PROGRESS_EVERY + 9
    wide = _code(n_wide).translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    r = run_import(db, "enterprises", _roster(files, {
        n_space: {"企业名称": "  南通  空格\u200b公司 ", "联系电话": "０５１３-1"},
        n_lower: {"统一社会信用代码": _code(n_lower).lower()},
        n_wide: {"统一社会信用代码": wide},
        n_yes: {"高耗能企业": "是", "经营状态": "停产", "状态变更年份": 2022},
    }))
    assert r.rejected == 0 and r.created == ROWS
    from types import SimpleNamespace

    with db.read_session() as s:
        got = {m["uscc"]: SimpleNamespace(**m) for m in s.execute(select(Enterprise.__table__)).mappings()}
    assert got[_code(n_space)].name == "南通 空格公司" and got[_code(n_space)].phone == "0513-1"
    assert got[_code(n_space)].name_initials == "ntkggs"
    assert _code(n_lower) in got and _code(n_wide) in got
    yes = got[_code(n_yes)]
    assert (yes.high_energy, yes.status, yes.status_year) == (True, "停产", 2022)
    other = got[_code(0)]
    assert (other.high_energy, other.cqo_appointed, other.industry_group) == (False, dt.date(2023, 4, 23), "特色产业")


def test_equal_cells_of_different_types_are_read_apart(files):
    # 1, 1.0 and True are equal (and hash alike) in Python; a year column must still tell them apart.
    p = files.xlsx(files.dir / "t.xlsx", [["统一社会信用代码", "企业名称", "状态变更年份", "高耗能企业"],
                                          [_code(1), "甲", True, 1],
                                          [_code(2), "乙", 1, True],
                                          [_code(3), "丙", 2021, 0],
                                          [_code(4), "丁", 2021, 1],
                                          [_code(5), "戊", 2021, True]])
    rows = parse_file(p, "enterprises").rows
    first, second, third, *rest = ([e.message for e in row.errors] for row in rows)
    assert len(first) == 1 and "是" in first[0]
    assert len(second) == 1 and "“1”" in second[0]
    assert third == [] and rest == [[], []] and rows[2].values["status_year"] == 2021
    assert rows[3].values["high_energy"] is True and rows[4].values["high_energy"] is True
    assert rows[2].values["high_energy"] is False
    assert rows[0].values == {} and rows[1].values == {}  # a rejected row keeps its cells, not typed values


def test_a_big_import_can_be_undone(db, files):
    r = run_import(db, "enterprises", _roster(files, {}))
    assert r.created == ROWS
    if getattr(db, "is_server", False):  # on a server the batch and its undo are the safety net
        assert r.backup is None
    else:
        assert r.backup is not None and r.backup.exists()
    with db.session() as s:
        undo_batch(s, r.batch_id)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 0


@pytest.mark.sqlite_only
def test_the_connection_keeps_its_page_cache_size_after_an_import(db, files):
    with db.session() as s:
        before = s.connection().exec_driver_sql("PRAGMA cache_size").scalar()
    run_import(db, "enterprises", files.csv(files.dir / "one.csv", [HEAD[:2], [_code(1), "甲公司"]]))
    with db.session() as s:
        assert s.connection().exec_driver_sql("PRAGMA cache_size").scalar() == before


def test_bulk_insert_processes_equal_values_of_different_types_apart():
    from decimal import Decimal

    from qoffice.db.bulk import processed as _processed

    def proc(v):
        return repr(v)

    assert _processed([True, None, False, True], proc) == ["True", None, "False", "True"]
    assert _processed([True, 1, 1.0, None], proc) == ["True", "1", "1.0", None]
    assert _processed([Decimal("1.0"), Decimal("1")], proc) == ["Decimal('1.0')", "Decimal('1')"]
    day = dt.date(2023, 4, 23)
    assert _processed([day, dt.datetime(2023, 4, 23)], proc) == [repr(day), repr(dt.datetime(2023, 4, 23))]


def test_the_formula_byte_scan_finds_formula_elements_only():
    from qoffice.excel.xlsx_scan import _has_formula

    for xml in (b"<c><f>A1</f></c>", b'<c><f t="shared" si="0"/></c>', b"<c><f/></c>", b"<c><f>"):
        assert _has_formula(xml), xml
    for xml in (b"<formula1>1</formula1>", b"<filterColumn/>", b"<c><v>1</v></c>", b"", b"&lt;f&gt;"):
        assert not _has_formula(xml), xml


def test_a_wrong_check_character_is_rejected_while_reading_with_the_write_time_issues(db, files):
    """A credit code with a wrong check character fails the row's own rules: rejected by
    parse_file (no database), with the same issues as the enterprise check at write time, its
    cells kept for the error report (a cell holding the packing separator too)."""
    from qoffice.domain.uscc import CHARSET

    good = _code(1)
    wrong = good[:-1] + CHARSET[(CHARSET.index(good[-1]) + 1) % len(CHARSET)]
    path = files.csv(files.dir / "bad.csv", [["统一社会信用代码", "企业名称", "联系电话"],
                                              [wrong, "甲\x1f公司", "12"], [good, "乙公司", None],
                                              [wrong, "丙公司", None]])
    parsed = parse_file(path, "enterprises")
    bad, ok, again = parsed.rows
    assert [e.column for e in bad.errors] == ["统一社会信用代码", "联系电话"] and not ok.errors
    assert [e.column for e in again.errors] == ["统一社会信用代码"]
    assert bad.source == {"统一社会信用代码": wrong, "企业名称": "甲\x1f公司", "联系电话": "12"}
    assert again.source == {"统一社会信用代码": wrong, "企业名称": "丙公司"}  # packed into one string
    result = run_import(db, "enterprises", path, parsed=parsed)
    assert (result.created, result.rejected) == (1, 2)
    assert [(e.row, e.column) for e in result.errors] == [(2, "统一社会信用代码"), (2, "联系电话"),
                                                          (4, "统一社会信用代码")]


def test_sheet_parsing_loads_no_database_or_service_code():
    """excel.parse reads and checks a sheet without the database (issue 14): importing it in a fresh
    interpreter loads neither SQLAlchemy nor qoffice.db nor qoffice.services."""
    import subprocess
    import sys

    code = ("import sys, qoffice.excel.parse; print(sorted(m for m in sys.modules "
            "if m.startswith(('sqlalchemy', 'qoffice.db', 'qoffice.services'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_every_import_kind_has_exactly_one_importer_with_its_own_key():
    from qoffice.excel.kinds import KINDS
    from qoffice.services.imports import IMPORTERS

    assert set(IMPORTERS) == set(KINDS)
    for name, importer in IMPORTERS.items():
        assert importer.kind == name
        assert importer.key is not IMPORTERS["enterprises"].key or name == "enterprises"
