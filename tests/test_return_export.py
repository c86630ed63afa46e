"""The yearly return end to end: database → services.returns → .xlsx, read back with openpyxl and
python-calamine; sheets, headers, row order, cell types, 报送记录, refusals, the lock."""
from __future__ import annotations

import datetime as dt
import errno
import json
import os
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from qoffice.db.models import (
    Attendee,
    Award,
    Forum,
    ForumAttendance,
    MatchmakingMeeting,
    Partner,
    Project,
    ReturnSubmission,
    SignUp,
)
from qoffice.domain.returndata import HEADERS, SHEETS
from qoffice.errors import OutputNotWritable
from qoffice.services import enterprises, returns, settings

Y = 2023
TODAY = dt.date(2024, 1, 15)


def _settings(s, county="崇川区", office="崇川区市场监督管理局"):
    for key, value in (("county", county), ("office", office), ("operator", "张会计"), ("phone", "0513-12345678")):
        settings.set_value(s, key, value)


@pytest.fixture
def filled(db, builders):
    """A small county: enterprises in every state, records of Y, Y−1 and Y+1, one deleted enterprise."""
    ids = {}
    with db.session() as s:
        _settings(s)
        settings.set_value(s, "target.1", "4")
        settings.set_value(s, "target.8", "96")
        settings.set_value(s, "target.9", "1")
        settings.set_value(s, "target.2", "0")
        mk = builders.make_enterprise
        code = builders.code
        # Created in an order different from the code order, to see the sort.
        b = mk(s, uscc=code(200), name="=乙公司", excellence_year=Y, benchmark=True, benchmark_since=Y - 1,
               cqo_name="李四", cqo_phone="13900000002", legal_rep="-王", high_energy=True, research_centre=True,
               industry_group="新兴产业", trade="新材料", phone="0513-80000002")
        a = mk(s, uscc=code(100), name="甲公司", cqo_name="张三", cqo_appointed=dt.date(Y, 3, 1), county="通州区",
               excellence_year=Y - 1)
        closed = mk(s, uscc=code(300), name="丙公司", status="注销", status_year=Y)
        later = mk(s, uscc=code(400), name="丁公司", status="迁出", status_year=Y + 1, benchmark=True,
                   benchmark_since=Y + 1)
        gone = mk(s, uscc=code(50), name="已删公司", excellence_year=Y, benchmark=True)
        ids.update(a=a.id, b=b.id, closed=closed.id, later=later.id, gone=gone.id)

        enterprises.set_figures(s, a.id, Y, loss_rate="1.25", checked=10, passed=9, benefit_yuan=1_234_567)
        enterprises.set_figures(s, b.id, Y, loss_rate="2.5", checked=5, passed=5, benefit_yuan=10_000)
        enterprises.set_figures(s, b.id, Y - 1, loss_rate="2.0")
        enterprises.set_figures(s, closed.id, Y, checked=5, passed=4)
        enterprises.set_figures(s, gone.id, Y, loss_rate="50", checked=100, passed=0, benefit_yuan=99_990_000)

        uni = Partner(name="南通大学", type="高等院校")
        assoc = Partner(name="市质量协会", type="行业协会")
        s.add_all([uni, assoc])
        s.flush()
        s.add_all([
            Project(enterprise_id=b.id, type="产学研合作", title="B合作", year=Y, partner_id=uni.id,
                    investment_yuan=1_000_005, stage="见效", benefit_yuan=50_000),
            Project(enterprise_id=b.id, type="质量攻关", title="Z攻关", year=Y, investment_yuan=500_000),
            Project(enterprise_id=b.id, type="质量攻关", title="A攻关", year=Y, partner_id=uni.id,
                    investment_yuan=500_000, stage="签约"),
            Project(enterprise_id=a.id, type="QC课题成果", title="@QC", year=Y, partner_id=assoc.id,
                    investment_yuan=900_000),
            Project(enterprise_id=closed.id, type="质量改进", title="丙改进", year=Y),
            Project(enterprise_id=a.id, type="质量改进", title="去年", year=Y - 1),
            Project(enterprise_id=gone.id, type="质量攻关", title="删", year=Y),
        ])
        s.add_all([
            Award(enterprise_id=b.id, award="江苏省质量奖", year=Y),
            Award(enterprise_id=b.id, award="中国质量奖", year=Y),
            Award(enterprise_id=a.id, award="中国质量奖提名奖", year=Y),
            Award(enterprise_id=gone.id, award="中国质量奖", year=Y),
        ])
        f1 = Forum(title="质量论坛", date=dt.date(Y, 9, 1), status="已举办", people_count=80, venue="会堂")
        f2 = Forum(title="+交流会", date=dt.date(Y, 4, 1), status="计划")
        f3 = Forum(title="旧论坛", date=dt.date(Y - 1, 4, 1), status="已举办")
        s.add_all([f1, f2, f3])
        s.flush()
        s.add_all([ForumAttendance(forum_id=f1.id, enterprise_id=a.id),
                   ForumAttendance(forum_id=f1.id, enterprise_id=gone.id)])
        m = MatchmakingMeeting(year=Y, title="2023年质量产学研合作对接会", date=dt.date(Y, 10, 20), capacity=2)
        s.add(m)
        s.flush()
        t0 = dt.datetime(Y, 9, 1, 9, 0)
        su_b = SignUp(meeting_id=m.id, enterprise_id=b.id, status="已报名", signed_up_at=t0 + dt.timedelta(hours=2),
                      need="新材料检测", partner_id=uni.id)
        su_a = SignUp(meeting_id=m.id, enterprise_id=a.id, status="候补", signed_up_at=t0 + dt.timedelta(hours=1))
        su_c = SignUp(meeting_id=m.id, enterprise_id=later.id, status="已退出", signed_up_at=t0)
        su_g = SignUp(meeting_id=m.id, enterprise_id=gone.id, status="已报名", signed_up_at=t0)
        s.add_all([su_b, su_a, su_c, su_g])
        s.flush()
        s.add_all([Attendee(signup_id=su_b.id, position=0, name="张三", post="经理", phone="13800000001"),
                   Attendee(signup_id=su_b.id, position=1, name="李四", post=None, phone="13900000002"),
                   Attendee(signup_id=su_a.id, position=0, name="王五", post=None, phone=None)])
        enterprises.soft_delete(s, gone)
    return ids


def _export(db, tmp_path, name="out.xlsx"):
    out = tmp_path / "exports"
    out.mkdir(exist_ok=True)
    with db.session() as s:
        return returns.export(s, Y, out / name, today=TODAY)


def _calamine(path):
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_sheets_and_headers_exact(db, filled, tmp_path):
    result = _export(db, tmp_path)
    wb = openpyxl.load_workbook(result.path)
    assert wb.sheetnames == list(SHEETS)
    for sheet, headers in HEADERS.items():
        assert tuple(c.value for c in wb[sheet][1]) == headers, sheet
        assert wb[sheet].freeze_panes == "A2"
    for h in HEADERS.values():
        assert not any("（" in x or "）" in x for x in h)  # ASCII parentheses only
    assert _calamine(result.path)["汇总"][0] == list(HEADERS["汇总"])


def test_cover(db, filled, tmp_path):
    from qoffice import __version__

    ws = openpyxl.load_workbook(_export(db, tmp_path).path)["封面"]
    rows = [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=1, max_row=ws.max_row)]
    assert rows == [("填报单位", "崇川区市场监督管理局"), ("区县", "崇川区"), ("年度", Y), ("填报人", "张会计"),
                    ("联系电话", "0513-12345678"), ("填报日期", dt.datetime(2024, 1, 15)), ("软件版本", __version__),
                    ("格式版本", 1)]
    assert ws["B6"].number_format == "yyyy-mm-dd" and ws["B6"].is_date
    assert ws["B3"].data_type == "n" and ws["B8"].data_type == "n"
    assert ws["B5"].data_type == "s"


def test_summary_values_targets_completion(db, filled, tmp_path):
    result = _export(db, tmp_path)
    ws = openpyxl.load_workbook(result.path)["汇总"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert [r for r in rows] == list(range(1, 18))
    v = {n: r[3].value for n, r in rows.items()}
    assert v[1] == 1  # b adopted in Y; the deleted one does not count; a adopted in Y−1
    assert v[2] == 3  # two 攻关 of b, 丙's 改进 (closed in Y keeps its Y records); deleted one's out
    assert v[3] == 1
    assert v[4] == 1  # b; 丁 starts Y+1; the deleted one is out
    assert v[5] == 1 and v[14] == 1
    assert v[6] == 1  # the nomination and the deleted enterprise's award are not counted
    assert v[7] == 1
    assert Decimal(str(v[8])) == Decimal("90.00")  # (9+5+4)/(10+5+5) without the deleted one
    assert Decimal(str(v[9])) == Decimal("1.88")  # mean(1.25, 2.5) = 1.875 → 1.88
    assert Decimal(str(v[10])) == Decimal("-0.13")  # 1.875 − 2.0 (only b reported in Y−1) → half away from 0
    assert Decimal(str(v[11])) == Decimal("124.4567")
    assert v[12] == 1
    assert v[13] == 2  # b 已报名, a 候补; 丁 withdrawn, deleted one out
    assert v[15] == 1  # only b's 合作 project: 1,000,005 × 0.3 = 300,001.5 → 300,002
    assert Decimal(str(v[16])) == Decimal("30.0002")
    assert v[17] == 2
    assert rows[8][3].number_format == "0.00" and rows[11][3].number_format == "0.00"
    assert rows[1][4].value == 4 and Decimal(str(rows[1][5].value)) == Decimal("25.0")
    assert rows[1][5].number_format == "0.0"
    assert rows[2][4].value == 0 and rows[2][5].value is None  # zero target: empty rate
    assert rows[9][4].value == 1 and rows[9][5].value is None  # row 9: never a rate
    assert rows[3][4].value is None and rows[3][5].value is None
    assert Decimal(str(rows[8][5].value)) == Decimal("93.8")  # 90/96 = 93.75 → 93.8


def test_row10_when_both_years_have_rates(db, filled, tmp_path):
    with db.session() as s:
        enterprises.set_figures(s, filled["a"], Y - 1, loss_rate="1.5")
    v = {r[0].value: r[3].value for r in openpyxl.load_workbook(_export(db, tmp_path).path)["汇总"].iter_rows(min_row=2)}
    # mean(1.25, 2.5) − mean(1.5, 2.0) = 1.875 − 1.75 = 0.125 → 0.13
    assert Decimal(str(v[10])) == Decimal("0.13")


def test_enterprise_sheet_rows_order_and_types(db, filled, builders, tmp_path):
    ws = openpyxl.load_workbook(_export(db, tmp_path).path)["企业名录"]
    rows = list(ws.iter_rows(min_row=2))
    codes = [r[1].value for r in rows]
    assert codes == [builders.code(100), builders.code(200), builders.code(400)]  # counted for Y, by code
    assert [r[0].value for r in rows] == [1, 2, 3]
    a, b, later = rows
    assert all(c.data_type == "s" for c in (a[1], b[1], b[9], b[11]))
    assert a[9].value is None  # no phone: an empty cell
    assert b[2].value == "=乙公司" and b[2].data_type == "s" and b[2].quotePrefix
    assert b[7].value == "-王" and b[7].quotePrefix
    assert b[6].value == "是" and a[6].value == "否"
    assert b[13].value == "是" and a[13].value == "否" and later[13].value == "否"  # 丁 benchmarks from Y+1
    assert b[14].value == "是"
    assert b[10].value == "李四" and a[10].value == "张三"
    assert b[12].value == Y and a[12].value == Y - 1
    assert Decimal(str(a[15].value)) == Decimal("1.25") and a[15].number_format == "0.00"
    assert a[16].value == 10 and a[17].value == 9
    assert Decimal(str(a[18].value)) == Decimal("123.4567") and a[18].number_format == "0.00"
    for col in (15, 16, 17, 18):
        assert later[col].value is None  # no figures: empty, never 0


def test_project_award_forum_signup_sheets(db, filled, builders, tmp_path):
    path = _export(db, tmp_path).path
    wb = openpyxl.load_workbook(path)
    p = [[c.value for c in r] for r in wb["质量项目"].iter_rows(min_row=2)]
    # by code (a=100, b=200, closed=300), then type in vocabulary order, then title by code point
    assert [(r[1], r[3], r[4]) for r in p] == [
        (builders.code(100), "QC课题成果", "@QC"),
        (builders.code(200), "质量攻关", "A攻关"),
        (builders.code(200), "质量攻关", "Z攻关"),
        (builders.code(200), "产学研合作", "B合作"),
        (builders.code(300), "质量改进", "丙改进"),
    ]
    assert p[3][6:] == ["南通大学", "高等院校", pytest.approx(100.0005), "见效", pytest.approx(30.0002), 5]
    assert p[1][10] == 0 and p[2][10] == 0  # exactly 50万 / no partner: not subsidised, 0
    assert p[0][10] == 0  # 行业协会: not subsidised
    assert p[4][8] is None and p[4][11] is None
    assert wb["质量项目"].cell(2, 5).quotePrefix

    aw = [[c.value for c in r] for r in wb["获奖情况"].iter_rows(min_row=2)]
    assert [(r[0], r[3]) for r in aw] == [(1, "中国质量奖提名奖"), (2, "中国质量奖"), (3, "江苏省质量奖")]

    fo = wb["交流活动"]
    fr = [[c.value for c in r] for r in fo.iter_rows(min_row=2)]
    assert [r[1] for r in fr] == ["+交流会", "质量论坛"]  # by date; Y−1's forum is out
    assert fr[0][7] == 0 and fr[0][8] is None  # no attendance recorded yet; people empty
    assert fr[1][7] == 1 and fr[1][8] == 80  # the deleted enterprise's attendance is out
    assert fo.cell(2, 3).number_format == "yyyy-mm-dd" and fo.cell(2, 3).value == dt.datetime(Y, 4, 1)

    su = [[c.value for c in r] for r in wb["对接会报名"].iter_rows(min_row=2)]
    # by sign-up time: 丁 (withdrawn, included) 9:00, a 10:00, b 11:00; the deleted one is out
    assert [r[4] for r in su] == ["丁公司", "甲公司", "=乙公司"]
    assert su[2][5:8] == ["张三、李四", "经理、", "13800000001、13900000002"]
    assert su[1][5:8] == ["王五", None, None]
    assert su[2][9] == "南通大学" and su[0][10] == "已退出" and su[1][10] == "候补"
    assert su[0][1] == "2023年质量产学研合作对接会" and su[0][2] == dt.datetime(Y, 10, 20)


def test_checks_sheet_holds_warnings_with_rows(db, filled, tmp_path):
    result = _export(db, tmp_path)
    ws = openpyxl.load_workbook(result.path)["校验"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows and all(r[1] == "警告" for r in rows)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    texts = [r[4] for r in rows]
    # a (row 2) has a county different from the cover's; b (row 3) benchmarks without a 质量创新 project
    # and its loss rate rose from 2.0 to 2.5
    row2 = [r[4] for r in rows if r[2:4] == ["企业名录", 2]]
    assert any("通州区" in t for t in row2) and any("张三没有联系电话" in t for t in row2)
    assert rows[0][2:4] == ["企业名录", 2]
    assert any("质量创新" in t and "=乙公司" in t for t in texts)
    assert any("未低于" in t for t in texts)
    assert len(rows) == len(result.warnings)


def test_no_formula_anywhere_and_calamine_agrees(db, filled, tmp_path):
    result = _export(db, tmp_path)
    with zipfile.ZipFile(result.path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name
    wb = openpyxl.load_workbook(result.path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f"
                assert c.value not in ("None", "nan")
    sheets = _calamine(result.path)
    summary = {r[0]: r[3] for r in sheets["汇总"][1:]}
    for row in result.indicators:
        got = summary[row.number]
        if row.value is None:
            assert got == ""
        else:
            assert Decimal(str(got)) == Decimal(row.value)
    assert sheets["企业名录"][2][2] == "=乙公司"
    assert isinstance(sheets["交流活动"][1][2], (dt.date, dt.datetime))


def test_submission_recorded_with_copy_and_numbers(db, filled, tmp_path, qoffice_home):
    result = _export(db, tmp_path)
    assert result.copy_path is not None and result.copy_path.parent == qoffice_home / "returns"
    assert result.copy_path.read_bytes() == result.path.read_bytes()
    with db.read_session() as s:
        subs = returns.list_submissions(s)
    assert len(subs) == 1
    sub = subs[0]
    assert sub.year == Y and sub.copy_exists and sub.warnings == len(result.warnings)
    assert sub.indicators["1"] == "1" and sub.indicators["8"] == "90.00" and sub.indicators["10"] == "-0.13"
    assert sub.indicators["16"] == "30.0002"
    # a second export is a second record; the first copy stays
    _export(db, tmp_path, "second.xlsx")
    with db.read_session() as s:
        assert len(returns.list_submissions(s)) == 2
        assert [x.year for x in returns.list_submissions(s, year=Y - 1)] == []


def test_default_file_name_when_target_is_a_folder(db, filled, tmp_path):
    folder = tmp_path / "dir"
    folder.mkdir()
    with db.session() as s:
        result = returns.export(s, Y, folder, today=TODAY)
    assert result.path == folder / "崇川区_2023年度质量强企报表.xlsx"
    assert result.path.exists()


def test_errors_stop_the_export_and_write_nothing(db, filled, tmp_path):
    with db.session() as s:
        settings.set_value(s, "office", "")
        enterprises.set_figures(s, filled["a"], Y, checked=3, passed=3)
        from qoffice.db.models import YearFigures

        row = s.query(YearFigures).filter_by(enterprise_id=filled["b"], year=Y).one()
        row.passed = 9  # > checked 5, as a bad old import might have left it
    out = tmp_path / "refused.xlsx"
    with db.session() as s:
        with pytest.raises(returns.ReturnHasErrors) as info:
            returns.export(s, Y, out, today=TODAY)
    exc = info.value
    assert exc.exit_code == 1
    assert [(p.sheet, p.row) for p in exc.errors] == [("封面", 1), ("企业名录", 3)]
    assert exc.errors[1].table == "year_figures"
    assert not out.exists()
    assert list(out.parent.glob("*.tmp")) == []
    with db.read_session() as s:
        assert s.query(ReturnSubmission).count() == 0


def test_preview_for_the_page(db, filled):
    with db.read_session() as s:
        pv = returns.preview(s, Y, today=TODAY)
    assert pv.can_export and pv.year == Y
    assert len(pv.indicators) == 17 and pv.indicators[0].target == Decimal(4)
    assert pv.indicators[0].completion == Decimal("25.0")
    assert all(w.table in ("enterprise", "year_figures", "forum") for w in pv.warnings)
    assert all(w.record_id is not None for w in pv.warnings if w.sheet == "企业名录")


def test_language_does_not_change_contents(db, filled, tmp_path):
    from qoffice import i18n

    i18n.set_language("en")
    result = _export(db, tmp_path)
    wb = openpyxl.load_workbook(result.path)
    assert wb.sheetnames == list(SHEETS)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in w.message) for w in result.warnings)


def test_locked_target_keeps_old_file_and_records_nothing(db, filled, tmp_path, monkeypatch):
    first = _export(db, tmp_path)
    before = first.path.read_bytes()

    def locked(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputNotWritable) as info:
        _export(db, tmp_path)
    assert info.value.message == "请先关闭Excel中打开的该文件" and info.value.exit_code == 2
    assert first.path.read_bytes() == before
    assert [p.name for p in first.path.parent.iterdir()] == ["out.xlsx"]
    with db.read_session() as s:
        assert len(returns.list_submissions(s)) == 1


def test_load_uses_a_fixed_number_of_queries(db, filled, builders):
    from sqlalchemy import event

    made = iter(range(900_000, 900_100))  # codes of their own: the shared counter may reach code(100)

    def count_for(extra):
        with db.session() as s:
            for _ in range(extra):
                e = builders.make_enterprise(s, uscc=builders.code(next(made)))
                enterprises.set_figures(s, e.id, Y, checked=1, passed=1)
                s.add(Project(enterprise_id=e.id, type="质量攻关", title="x", year=Y))
        statements = []
        listener = lambda *a, **k: statements.append(a[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with db.read_session() as s:
                returns.load(s, Y, today=TODAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    assert count_for(1) == count_for(20)
    assert json.dumps(None) == "null"


def test_cancel_writes_nothing_and_leaves_no_temp_files(db, filled, tmp_path, monkeypatch):
    from openpyxl.worksheet import _writer as openpyxl_writer

    from qoffice.errors import Cancelled

    calls = []

    def progress(done, total, message):
        calls.append(done)
        if len(calls) == 2:
            raise Cancelled()

    before = set(openpyxl_writer.ALL_TEMP_FILES)
    out = tmp_path / "cancelled.xlsx"
    from qoffice.excel import return_writer

    monkeypatch.setattr(return_writer, "PROGRESS_EVERY", 1)  # report every row: cancel lands mid-sheet
    with db.session() as s:
        with pytest.raises(Cancelled):
            returns.export(s, Y, out, progress=progress, today=TODAY)
    assert not out.exists() and list(tmp_path.glob("*.tmp")) == []
    assert set(openpyxl_writer.ALL_TEMP_FILES) == before
    with db.read_session() as s:
        assert returns.list_submissions(s) == []
