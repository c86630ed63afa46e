"""Receiving, 退回, status, storage and the city workbook through qoffice/services/city.py, on files
the tests build (qoffice's own return writer, openpyxl by hand)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from qoffice.db.models import CityFinding, CityReturn, CityReturnRow
from qoffice.domain import city as dcity
from qoffice.services import city as svc
from qoffice.services import settings as st
from tests.city import builders as B
from tests.city.builders import YEAR, award, code, ent, forum, proj, raw, signup

TODAY = dt.date(2025, 3, 1)
pytestmark = pytest.mark.both_backends  # the city office may keep its data on the shared server too


@pytest.fixture
def citydb(db):
    with db.session() as s:
        st.set_value(s, "level", "city")
        st.set_value(s, "office", "南通市质量工作领导小组办公室")
    return db


def ret_a(county="崇川区", year=YEAR, **kw):
    return raw(county, year, enterprises=[ent(code(1), "甲", county, excellence=year, bench=True, cqo="王", loss=1,
                                              checked=10, passed=9, benefit=100)],
               projects=[proj(code(1), "攻关", "质量攻关", year=year)], forums=[forum("论坛", date=dt.date(year, 6, 1))],
               **kw)


def write(tmp_path, r, name=None):
    path = tmp_path / (name or f"{r.cover['区县']}_{r.cover['年度']}年度质量强企报表.xlsx")
    return B.write_qoffice(path, r)


def recv(db, *paths, **kw):
    return svc.receive(db, paths, today=TODAY, **kw)


def count(db, model):
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_county_level_database_refuses_city_commands(db, tmp_path):
    with pytest.raises(svc.NotCityLevel) as exc:
        svc.receive(db, [write(tmp_path, ret_a())])
    assert exc.value.exit_code == 2 and "level" in exc.value.message


def test_receive_stores_rows_bytes_and_the_file(citydb, tmp_path):
    path = write(tmp_path, ret_a())
    [out] = recv(citydb, path)
    assert (out.status, out.county, out.year, out.errors, out.warnings) == ("accepted", "崇川区", YEAR, [], [])
    assert out.as_json()["file"] == path.name
    with citydb.read_session() as s:
        rec = s.get(CityReturn, out.return_id)
        assert rec.content == path.read_bytes() and rec.file_name == path.name and rec.current
        assert s.scalar(select(func.count()).select_from(CityReturnRow)) == 3  # an enterprise, a project, a forum
    copy = svc.received_folder() / str(YEAR) / "崇川区" / path.name
    assert copy.read_bytes() == path.read_bytes()
    copy.unlink()
    with citydb.read_session() as s:
        assert svc.ensure_received_files(s) == 1
    assert copy.read_bytes() == path.read_bytes()


def test_each_file_judged_on_its_own(citydb, tmp_path):
    good = write(tmp_path, ret_a())
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    outs = recv(citydb, bad, good, tmp_path / "missing.xlsx")
    assert [o.status for o in outs] == ["refused", "accepted", "refused"]
    assert count(citydb, CityReturn) == 1


def test_county_not_in_list_is_refused_and_nothing_stored(citydb, tmp_path):
    r = ret_a(cover_over={"区县": "苏州市"})
    [out] = recv(citydb, B.write_openpyxl(tmp_path / "x.xlsx", r))
    assert out.status == "refused" and "不在本市区县列表中" in out.errors[0].message
    assert count(citydb, CityReturn) == 0 and count(citydb, CityReturnRow) == 0


def test_resubmission_identical_and_older(citydb, tmp_path):
    first = write(tmp_path, ret_a(filled=dt.date(2025, 1, 10)), "v1.xlsx")
    second = write(tmp_path, raw("崇川区", enterprises=[ent(code(1), "甲", "崇川区", loss=2)], filled=dt.date(2025, 1, 12)),
                   "v2.xlsx")
    older = write(tmp_path, raw("崇川区", enterprises=[ent(code(1), "甲", "崇川区", loss=3)], filled=dt.date(2025, 1, 11)),
                  "v0.xlsx")
    assert recv(citydb, first)[0].status == "accepted"
    with citydb.read_session() as s:
        assert [x.status for x in svc.status(s, YEAR)][:2] == ["已报送", "未报送"]
    assert recv(citydb, second)[0].status == "replaced"
    with citydb.read_session() as s:
        assert svc.status(s, YEAR)[0].status == "已更新"
        assert svc.status(s, YEAR)[0].submissions == 2
        assert [r.file_name for r in svc.history(s, YEAR)] == ["v2.xlsx", "v1.xlsx"]
    same = recv(citydb, second)[0]
    assert same.status == "unchanged" and "已收到过相同文件" in same.warnings[0].message
    old = recv(citydb, older)[0]
    assert old.status == "refused" and old.newer_exists and "早于" in old.errors[0].message
    assert count(citydb, CityReturn) == 2
    assert recv(citydb, older, replace_newer=True)[0].status == "replaced"
    with citydb.read_session() as s:
        cur = svc.load_current(s, YEAR)["崇川区"]
        assert cur.sheet(dcity.S_ENTERPRISES)[0].get("质量损失率(%)") == Decimal(3)
        assert svc.status(s, YEAR)[0].submissions == 3


def test_withdraw_and_a_new_file_after_it(citydb, tmp_path):
    recv(citydb, write(tmp_path, ret_a(), "v1.xlsx"))
    with citydb.session() as s:
        svc.withdraw(s, YEAR, "崇川区", "汇总表与明细不符")
    with citydb.read_session() as s:
        first = svc.status(s, YEAR)[0]
        assert (first.status, first.withdraw_reason) == ("已退回", "汇总表与明细不符")
        assert svc.load_current(s, YEAR) == {}
    with citydb.session() as s, pytest.raises(svc.UsageError):
        svc.withdraw(s, YEAR, "崇川区", "again")
    recv(citydb, write(tmp_path, ret_a(filled=dt.date(2025, 1, 20)), "v2.xlsx"))
    with citydb.read_session() as s:
        assert svc.status(s, YEAR)[0].status == "已报送"


def test_receiving_is_one_transaction(citydb, tmp_path, monkeypatch):
    recv(citydb, write(tmp_path, ret_a(), "v1.xlsx"))
    hand = ret_a(summary={1: 5}, filled=dt.date(2025, 1, 20))
    path = B.write_openpyxl(tmp_path / "v2.xlsx", hand)

    real = svc.insert

    def failing(model):
        if model is CityFinding:
            raise RuntimeError("crash while storing the findings")
        return real(model)

    monkeypatch.setattr(svc, "insert", failing)
    [out] = recv(citydb, path)
    assert out.status == "refused"
    with citydb.read_session() as s:
        recs = s.scalars(select(CityReturn)).all()
        assert [(r.file_name, r.current) for r in recs] == [("v1.xlsx", True)]
        assert s.scalar(select(func.count()).select_from(CityReturnRow)) == 3


def test_hand_edited_summary_is_stored_as_a_warning(citydb, tmp_path):
    r = ret_a(summary={n: None for n in range(1, 18)} | {1: 5})
    [out] = recv(citydb, B.write_openpyxl(tmp_path / "hand.xlsx", r))
    assert out.status == "accepted"
    assert any(w.message == "汇总表第1行填报5，按明细计算为1" and w.row == 2 for w in out.warnings)
    with citydb.read_session() as s:
        assert svc.status(s, YEAR)[0].warnings == len(out.warnings)
        assert len(svc.findings_of(s, out.return_id)) == len(out.warnings)


def test_row_10_checked_against_the_stored_previous_return(citydb, tmp_path):
    prev = raw("崇川区", YEAR - 1, enterprises=[ent(code(1), "甲", "崇川区", loss=3)])
    recv(citydb, write(tmp_path, prev))
    honest_without_prev = B.honest_summary(ret_a())
    r = ret_a(summary=honest_without_prev)  # row 10 empty, but Y−1 is current: −2.00
    [out] = recv(citydb, B.write_openpyxl(tmp_path / "y.xlsx", r))
    assert [w.message for w in out.warnings] == ["汇总表第10行填报空，按明细计算为-2.00"]


@pytest.mark.sqlite_only  # a SQLite file's backup and restore; a server's: tests/test_db_server.py
def test_survives_backup_and_restore(citydb, tmp_path):
    from qoffice.services import backups

    path = write(tmp_path, ret_a())
    recv(citydb, path)
    backup = backups.backup_now(citydb.path)
    with citydb.session() as s:
        svc.withdraw(s, YEAR, "崇川区", "测试")
    citydb.close()
    backups.restore_from(citydb.path, backup)
    from qoffice.db.database import open_database

    db2 = open_database(citydb.path, "existing")
    try:
        with db2.read_session() as s:
            assert svc.status(s, YEAR)[0].status == "已报送"
            rec = s.scalars(select(CityReturn)).one()
            assert rec.content == path.read_bytes()
    finally:
        db2.close()


# --- the city workbook ----------------------------------------------------------------------------------
def _eight_files(tmp_path):
    E = [code(i) for i in range(21, 25)]
    files = [
        raw("崇川区", enterprises=[ent(E[0], "甲", "崇川区", excellence=YEAR, loss=1, checked=10, passed=9, benefit="0.0001"),
                                 ent(E[1], "=乙", "崇川区", loss=2)],
            projects=[proj(E[0], "合作", "产学研合作", partner_type="高等院校", invest=100, stage="见效")],
            awards=[award(E[0], "中国质量奖")], forums=[forum("论坛")], signups=[signup(E[0])]),
        raw("通州区", enterprises=[ent(E[0], "甲", "通州区", excellence=YEAR, loss=9, checked=10, passed=0),
                                 ent(E[2], "丙", "通州区", loss="2.5", checked=5, passed=4, benefit="0.0002")],
            projects=[proj(E[0], "合作", "产学研合作", partner_type="高等院校", invest=100, stage="见效")]),
        raw("海门区", enterprises=[ent(E[3], "丁", "海门区")], summary={1: 7}),
    ]
    return [write(tmp_path, r) if i != 2 else B.write_openpyxl(tmp_path / "hm.xlsx", r) for i, r in enumerate(files)]


def test_export_nothing_received_exits_1(citydb, tmp_path):
    with citydb.read_session() as s, pytest.raises(svc.NothingReceived) as exc:
        svc.export(s, YEAR, tmp_path / "x.xlsx")
    assert exc.value.exit_code == 1 and not (tmp_path / "x.xlsx").exists()


def test_city_workbook_sheets_headers_and_values(citydb, tmp_path):
    from openpyxl import load_workbook

    from qoffice.excel import city_writer as cw

    with citydb.session() as s:
        st.set_value(s, "county.target.崇川区.1", "2")
        st.set_value(s, "county.target.崇川区.8", "96")
    outs = recv(citydb, *_eight_files(tmp_path))
    assert [o.status for o in outs] == ["accepted"] * 3
    with citydb.session() as s:
        svc.withdraw(s, YEAR, "海门区", "重报")
    with citydb.read_session() as s:
        result = svc.export(s, YEAR, tmp_path, today=TODAY)
    assert result.path.name == "全市2024年度质量强企汇总表.xlsx" and result.counties_received == 2
    wb = load_workbook(result.path)
    assert wb.sheetnames == list(cw.SHEETS)
    for name in cw.SHEETS[1:]:
        assert tuple(c.value for c in wb[name][1]) == cw.HEADERS_CITY[name], name
        assert wb[name].freeze_panes == "A2"
    cover = {r[0].value: r[1].value for r in wb["封面"].iter_rows()}
    assert cover["应报区县数"] == 8 and cover["已报区县数"] == 2 and cover["格式版本"] == 1 and cover["年度"] == YEAR
    city_rows = {r[0].value: r for r in wb["全市汇总"].iter_rows(min_row=2)}
    assert city_rows[1][3].value == 1  # 甲 once
    assert city_rows[8][3].value == 86.67  # (9 + 4)/(10 + 5): 通州's copy of 甲 not used
    assert city_rows[11][3].value == pytest.approx(0.0003) and city_rows[11][3].number_format == "0.00"
    assert city_rows[16][3].value == 30 and city_rows[1][4].value == 100 and city_rows[1][5].value == 1.0
    by_county = list(wb["分县汇总"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in by_county] == list(B.COUNTIES) + ["全市"]
    assert [r[2] for r in by_county[:4]] == ["已报送", "已报送", "已退回", "未报送"]
    assert by_county[2][3:] == (None,) * 17 and by_county[-1][0] is None
    ranking = list(wb["考核排名"].iter_rows(min_row=2, values_only=True))
    # 崇川区: row 1 1/2 = 50%, row 8 90/96 = 93.75% → (50 + 93.75)/2 = 71.875 → 71.9; neither 达标
    assert ranking[0] == (1, "崇川区", 71.9, 0, "卓越绩效管理模式导入企业数、省级监督抽查合格率")
    assert ranking[1][0] == 2 and ranking[-1][0] is None
    names = list(wb["企业名录"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3]) for r in names] == [(1, "崇川区", "甲"), (2, "崇川区", "=乙"), (3, "通州区", "甲"),
                                                  (4, "通州区", "丙")]
    assert wb["企业名录"]["D3"].data_type == "s"
    assert isinstance(names[0][2], str)
    checks = list(wb["校验"].iter_rows(min_row=2, values_only=True))
    assert any(r[2] is None and "同时列于崇川区和通州区" in r[5] for r in checks)
    status_rows = list(wb["报送情况"].iter_rows(min_row=2, values_only=True))
    assert status_rows[2][2] == "已退回" and status_rows[0][8] == 1
    # python-calamine reads it too
    import python_calamine as pc

    cwb = pc.CalamineWorkbook.from_path(str(result.path))
    assert cwb.sheet_names == list(cw.SHEETS)
    assert cwb.get_sheet_by_name("全市汇总").to_python()[1][3] == 1


def test_an_unexpected_error_refuses_that_file_only(citydb, tmp_path, monkeypatch):
    from qoffice.excel import city_reader

    good = write(tmp_path, ret_a())
    odd = write(tmp_path, ret_a("通州区"), "odd.xlsx")
    real = city_reader.read

    def flaky(path):
        if path.name == "odd.xlsx":
            raise RuntimeError("a bug in the reader")
        return real(path)

    monkeypatch.setattr(city_reader, "read", flaky)
    outs = recv(citydb, odd, good)
    assert [o.status for o in outs] == ["refused", "accepted"]
    assert "RuntimeError" in outs[0].errors[0].message and "Traceback" not in outs[0].errors[0].message


def test_findings_are_stored_in_sheet_then_row_order(citydb, tmp_path):
    r = ret_a(summary={n: None for n in range(1, 18)} | {1: 5}, filled=TODAY + dt.timedelta(days=3),
              checks=[B.check_row("警告", "交流活动", None, "未举办"), B.check_row("警告", "企业名录", 9, "某企业")])
    [out] = recv(citydb, B.write_openpyxl(tmp_path / "o.xlsx", r))
    order = [(f.sheet, f.row) for f in out.warnings]
    sheets = [s for s, _r in order]
    assert sheets.index("封面") < sheets.index("汇总") < sheets.index("企业名录") < sheets.index("交流活动")
