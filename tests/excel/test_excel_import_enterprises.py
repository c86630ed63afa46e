"""Importing the enterprise roster: keys, duplicates, no-erase, messy files, one transaction, undo."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from qoffice.db.models import AuditEntry, Enterprise, ImportBatch
from qoffice.errors import Cancelled, FileUnreadable
from qoffice.services import enterprises
from qoffice.services.imports import ImportRefused, parse_file, run_import, undo_batch, undo_problem

C1 = "91350100M000100Y43"
HEAD = ["统一社会信用代码", "企业名称", "区县", "行业", "联系电话"]


def ents(db):
    from types import SimpleNamespace

    with db.read_session() as s:
        return {m["uscc"]: SimpleNamespace(**m) for m in s.execute(select(Enterprise.__table__)).mappings()}


def test_creates_and_reports_bad_rows_with_file_row_numbers(db, files, builders):
    c2, c3 = builders.code(9001), builders.code(9002)
    p = files.xlsx(files.dir / "a.xlsx", [["2023年企业名单"], HEAD,
                                          [C1, "南通甲公司", "崇川区", "锻压机械", "0513-1"],
                                          [c2[:-1] + "0" if c2[-1] != "0" else c2[:-1] + "1", "坏代码公司"],
                                          [c3, ""]])
    r = run_import(db, "enterprises", p)
    assert (r.created, r.updated, r.rejected) == (1, 0, 2)
    assert {(e.row, e.column) for e in r.errors} == {(4, "统一社会信用代码"), (5, "企业名称")}
    e = ents(db)[C1]
    assert e.industry_group == "特色产业" and e.name_initials


def test_existing_code_updates_and_empty_cells_never_erase(db, files, builders):
    with db.session() as s:
        builders.make_enterprise(s, uscc=C1, name="旧名", county="崇川区", phone="0513-9", high_energy=True)
    p = files.xlsx(files.dir / "u.xlsx", [HEAD + ["高耗能企业"], [C1.lower(), "新名", None, None, "", None]])
    r = run_import(db, "enterprises", p)
    assert (r.created, r.updated) == (0, 1)
    e = ents(db)[C1]
    assert (e.name, e.county, e.phone, e.high_energy) == ("新名", "崇川区", "0513-9", True)


def test_soft_deleted_enterprise_is_restored_and_counted_as_updated(db, files, builders):
    with db.session() as s:
        ent = builders.make_enterprise(s, uscc=C1, name="回收站公司")
        enterprises.soft_delete(s, ent)
    r = run_import(db, "enterprises", files.csv(files.dir / "d.csv", [HEAD, [C1, "回收站公司", "如东县"]]))
    assert (r.created, r.updated) == (0, 1)
    e = ents(db)[C1]
    assert e.deleted_at is None and e.county == "如东县"


def test_same_key_twice_later_row_wins_with_warning_naming_both(db, files):
    p = files.csv(files.dir / "dup.csv", [HEAD, [C1, "先写的", "崇川区"], [C1, "后写的", None]])
    r = run_import(db, "enterprises", p)
    assert (r.created, r.updated, r.rejected) == (1, 0, 0)
    assert ents(db)[C1].name == "后写的"
    assert any("2" in w.message and "3" in w.message and w.row == 3 for w in r.warnings)


def test_unknown_columns_are_ignored_with_a_warning(db, files):
    r = run_import(db, "enterprises", files.csv(files.dir / "x.csv", [HEAD + ["员工人数"], [C1, "甲", "", "", "", "50"]]))
    assert r.created == 1
    assert [(w.row, w.column) for w in r.warnings] == [(1, "员工人数")]


def test_two_columns_for_one_field_that_disagree_refuse_the_file(db, files):
    p = files.csv(files.dir / "tw.csv", [HEAD + ["手机"], [C1, "甲", "", "", "1", "1"], [C1, "甲", "", "", "2", "3"]])
    with pytest.raises(ImportRefused) as exc:
        run_import(db, "enterprises", p)
    assert exc.value.exit_code == 2
    assert "联系电话" in exc.value.message and "手机" in exc.value.message and "3" in exc.value.message
    assert ents(db) == {}


def test_two_columns_that_agree_or_leave_one_empty_use_one(db, files):
    p = files.csv(files.dir / "ok.csv", [HEAD + ["手机"], [C1, "甲", "", "", "", "138"]])
    assert run_import(db, "enterprises", p).created == 1
    assert ents(db)[C1].phone == "138"


def test_missing_required_columns_name_them(db, files):
    with pytest.raises(ImportRefused) as exc:
        run_import(db, "enterprises", files.csv(files.dir / "m.csv", [["企业名称", "区县"], ["甲", "乙"]]))
    assert "统一社会信用代码" in exc.value.message


def test_first_visible_sheet_with_required_columns_is_used(db, files):
    p = files.xlsx(files.dir / "s.xlsx", [["统一社会信用代码", "企业名称"], [C1, "第二张表的"]],
                   extra_sheets=[("隐藏", [["统一社会信用代码", "企业名称"], [C1, "隐藏表"]], "hidden"),
                                 ("封面", [["说明"]], "visible")])
    run_import(db, "enterprises", p)
    assert ents(db)[C1].name == "第二张表的"


def test_footer_and_empty_rows_are_skipped_silently(db, files, builders):
    c2 = builders.code(77)
    p = files.xlsx(files.dir / "f.xlsx", [HEAD, [C1, "甲"], [], [None, None], [c2, "注塑机械公司"],
                                          ["合计", "2家"], ["填表人：张三"], ["注：本表……"]])
    r = run_import(db, "enterprises", p)
    assert (r.created, r.rejected) == (2, 0)


def test_merged_cells_in_data_fill_every_row(db, files, builders):
    c2 = builders.code(78)
    p = files.xlsx(files.dir / "mg.xlsx", [["区县", "统一社会信用代码", "企业名称"], ["海安市", C1, "甲"], [None, c2, "乙"]],
                   merges=["A2:A3"])
    run_import(db, "enterprises", p)
    assert {e.county for e in ents(db).values()} == {"海安市"}


def test_merged_heading_file_imports_cqo_fields(db, files):
    p = files.xlsx(files.dir / "h.xlsx", [["统一社会信用代码", "企业名称", "首席质量官", None, None],
                                          [None, None, "姓名", "电话", "任命日期"],
                                          [C1, "甲", "王五", "13800000000", "2023年4月23日"]],
                   merges=["C1:E1", "A1:A2", "B1:B2"])
    run_import(db, "enterprises", p)
    e = ents(db)[C1]
    assert (e.cqo_name, e.cqo_phone, e.cqo_appointed) == ("王五", "13800000000", dt.date(2023, 4, 23))


def test_trade_contradicting_group_is_a_row_error_and_unknown_trade_a_warning(db, files, builders):
    c2 = builders.code(79)
    p = files.csv(files.dir / "t.csv", [["统一社会信用代码", "企业名称", "产业类别", "行业"],
                                        [C1, "甲", "传统产业", "新能源"], [c2, "乙", "", "造纸"]])
    r = run_import(db, "enterprises", p)
    assert (r.created, r.rejected) == (1, 1)
    assert r.errors[0].row == 2 and r.errors[0].column == "行业"
    assert any(w.column == "行业" and w.row == 3 for w in r.warnings)
    assert ents(db)[c2].industry_group == "其他"


def test_formula_without_cached_value_is_a_row_error(db, files):
    p = files.xlsx(files.dir / "fx.xlsx", [HEAD, [C1, "=CONCAT(\"甲\",\"公司\")"]])
    r = run_import(db, "enterprises", p)
    assert r.rejected == 1 and "Excel" in r.errors[0].message and r.errors[0].column == "企业名称"


def test_over_long_text_and_bad_values_are_row_errors(db, files, builders):
    c2 = builders.code(80)
    p = files.csv(files.dir / "l.csv", [["统一社会信用代码", "企业名称", "备注", "高耗能企业"],
                                        [C1, "甲", "字" * 32768, ""], [c2, "乙", "", "也许"]])
    r = run_import(db, "enterprises", p)
    assert r.rejected == 2
    assert {(e.row, e.column) for e in r.errors} == {(2, "备注"), (3, "高耗能企业")}


def test_status_without_year_is_rejected(db, files):
    r = run_import(db, "enterprises", files.csv(files.dir / "st.csv", [["统一社会信用代码", "企业名称", "经营状态"],
                                                                       [C1, "甲", "注销"]]))
    assert r.rejected == 1 and r.errors[0].column == "状态变更年份"


def test_one_transaction_cancel_writes_nothing(db, files, builders):
    rows = [HEAD] + [[builders.code(1000 + i), f"企业{i}"] for i in range(30)]
    p = files.csv(files.dir / "c.csv", rows)

    def progress(done, total, message):
        if message == "正在写入…":
            raise Cancelled()

    with pytest.raises(Cancelled):
        run_import(db, "enterprises", p, progress=progress)
    assert ents(db) == {}
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0


@pytest.mark.sqlite_only
def test_real_import_makes_an_event_backup_first(db, files):
    from qoffice.db.backup import list_backups

    r = run_import(db, "enterprises", files.csv(files.dir / "b.csv", [HEAD, [C1, "甲"]]))
    backups = list_backups(db.path)
    assert r.backup == backups[0].path and backups[0].kind == "event" and backups[0].reason == "import"


def test_dry_run_shows_counts_without_writing(db, files, builders):
    with db.session() as s:
        builders.make_enterprise(s, uscc=C1, name="旧名")
    c2 = builders.code(81)
    p = files.csv(files.dir / "dr.csv", [HEAD, [C1, "新名"], [c2, "新企业"], ["坏", "x"]])
    r = run_import(db, "enterprises", p, dry_run=True)
    assert (r.created, r.updated, r.rejected) == (1, 1, 1)
    e = ents(db)
    assert set(e) == {C1} and e[C1].name == "旧名"
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_unreadable_file_writes_nothing(db, files):
    p = files.dir / "bad.xls"
    p.write_bytes(b"\x00\x01garbage\x00" * 50)
    with pytest.raises(FileUnreadable):
        run_import(db, "enterprises", p)
    assert ents(db) == {}


def test_batch_audit_rows_and_undo(db, files, builders):
    with db.session() as s:
        builders.make_enterprise(s, uscc=C1, name="旧名", county="崇川区")
        gone = builders.make_enterprise(s, name="已删")
        enterprises.soft_delete(s, gone)
        gone_code = gone.uscc
    c2 = builders.code(82)
    p = files.csv(files.dir / "u.csv", [HEAD, [C1, "新名", "通州区"], [c2, "新建公司"], [gone_code, "已删"]])
    r = run_import(db, "enterprises", p)
    assert (r.created, r.updated) == (1, 2)
    with db.read_session() as s:
        batch_rows = s.scalars(select(AuditEntry).where(AuditEntry.batch_id == r.batch_id)).all()
        assert {a.action for a in batch_rows} >= {"create", "update", "restore"}
    with db.session() as s:
        assert undo_problem(s, r.batch_id) is None
        undo_batch(s, r.batch_id)
    e = ents(db)
    assert c2 not in e
    assert (e[C1].name, e[C1].county) == ("旧名", "崇川区")
    assert e[gone_code].deleted_at is not None
    with db.session() as s:
        assert undo_problem(s, r.batch_id) is not None  # only once


def test_undo_refused_after_a_later_change(db, files):
    r = run_import(db, "enterprises", files.csv(files.dir / "v.csv", [HEAD, [C1, "甲"]]))
    with db.session() as s:
        ent = enterprises.find_by_code(s, C1)
        enterprises.update_enterprise(s, ent, {"county": "如皋市"})
    with db.session() as s:
        assert undo_problem(s, r.batch_id)
        from qoffice.services.imports import UndoRefused

        with pytest.raises(UndoRefused):
            undo_batch(s, r.batch_id)
    assert C1 in ents(db)


def test_parse_file_needs_no_database(files):
    parsed = parse_file(files.csv(files.dir / "p.csv", [HEAD, [C1, "甲"]]), "enterprises")
    assert parsed.rows[0].values == {"uscc": C1, "name": "甲"} and parsed.format == "csv"


def test_error_report_has_template_layout_and_reasons_and_reimports(db, files):
    from openpyxl import load_workbook

    from qoffice.services.imports import write_error_report

    p = files.csv(files.dir / "er.csv", [["企业名称", "统一社会信用代码", "联系电话"], ["甲", C1, "0513-1"],
                                         ["乙", C1[:-1] + "9", "13800000000"]])
    r = run_import(db, "enterprises", p)
    out = files.dir / "errors.xlsx"
    assert write_error_report(r, out) == 1
    ws = load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["统一社会信用代码*", "企业名称*"] and "错误原因" in header
    row = [c.value for c in ws[2]]
    assert row[0] == C1[:-1] + "9" and row[1] == "乙" and row[header.index("联系电话")] == "13800000000"
    assert "校验位" in row[header.index("错误原因")] and ws.max_row == 2


def test_old_xls_with_title_rows_and_gbk_csv_and_html_xls_import(db, files, builders):
    c2, c3 = builders.code(90), builders.code(91)
    x = files.xls(files.dir / "old.xls", [["", ""], ["单位名称", "信用代码"], ["甲", C1]], merges=[(0, 0, 0, 1, "名单")])
    g = files.csv(files.dir / "g.csv", [["公司名称", "统一代码", "所属区县"], ["乙", c2, "海门区"]], encoding="gbk")
    h = files.dir / "h.xls"
    h.write_text(files.html([["企业名称", "统一社会信用代码"], ["丙", c3]], title="报表"), encoding="utf-8")
    for path in (x, g, h):
        assert run_import(db, "enterprises", path).created == 1
    assert {e.name for e in ents(db).values()} == {"甲", "乙", "丙"}
