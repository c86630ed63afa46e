"""Guards for the yearly return's speed-ups (not timed): the raw-cursor load gives the same records as
the ORM, each selection is worked out once per export, and the fast row conversion keeps the cell rules."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook
from openpyxl.cell.cell import Cell

from qoffice.db.models import Enterprise, YearFigures
from qoffice.domain.returndata import EnterpriseRec, FiguresRec, ReturnData
from qoffice.excel.cells import INT, RATE, TEXT, YESNO, CellWriter
from qoffice.services import enterprises, returns, settings

Y = 2023


def _county(s):
    settings.set_value(s, "county", "崇川区")
    settings.set_value(s, "office", "崇川区市场监督管理局")


def test_raw_load_matches_the_orm_records(db, builders):
    with db.session() as s:
        _county(s)
        e = builders.make_enterprise(s, cqo_name="张三", cqo_phone="13900000001", cqo_appointed=dt.date(Y, 3, 1),
                                     benchmark=True, benchmark_since=Y - 1, high_energy=True, research_centre=True,
                                     excellence_year=Y, status_year=None)
        enterprises.set_figures(s, e.id, Y, loss_rate=Decimal("1.2345"), checked=5, passed=4, benefit_yuan=123456)
        enterprises.set_figures(s, e.id, Y - 1, loss_rate=Decimal("2"), checked=3, passed=3)
        enterprises.set_figures(s, e.id, Y - 2, loss_rate=Decimal("3"), checked=1, passed=1)  # not loaded
    with db.read_session() as s:
        data = returns.load(s, Y)
        orm = s.get(Enterprise, e.id)
        rec = data.enterprises[e.id]
        assert rec == EnterpriseRec(orm.id, orm.uscc, orm.name, orm.county, orm.industry_group, orm.trade, True,
                                    orm.legal_rep, orm.contact, orm.phone, "张三", "13900000001", dt.date(Y, 3, 1),
                                    Y, True, Y - 1, True, orm.status, None, False)
        assert type(rec.cqo_appointed) is dt.date and type(rec.benchmark) is bool
        rows = sorted(s.query(YearFigures).filter(YearFigures.year >= Y - 1), key=lambda f: f.id)
        assert data.figures == tuple(FiguresRec(f.enterprise_id, f.year, f.loss_rate_e4, f.checked, f.passed,
                                                f.benefit_yuan, f.id) for f in rows)
        assert {f.year for f in data.figures} == {Y, Y - 1}


def test_load_sees_records_not_yet_flushed(db, builders):
    """The raw cursor bypasses the ORM's autoflush; load flushes first, so pending records count."""
    with db.session() as s:
        _county(s)
        s.add(Enterprise(uscc=builders.code(), name="未刷新企业", county="崇川区"))
        data = returns.load(s, Y)
        assert [e.name for e in data.enterprises.values()] == ["未刷新企业"]


def test_load_leaves_deleted_enterprises_and_their_figures_out(db, builders):
    with db.session() as s:
        _county(s)
        keep = builders.make_enterprise(s)
        gone = builders.make_enterprise(s)
        for ent in (keep, gone):
            enterprises.set_figures(s, ent.id, Y, checked=2, passed=2)
        enterprises.soft_delete(s, gone)
    with db.read_session() as s:
        data = returns.load(s, Y)
        assert set(data.enterprises) == {keep.id}
        assert [f.enterprise_id for f in data.figures] == [keep.id]


def test_each_selection_is_worked_out_once_per_export(db, builders, tmp_path, monkeypatch):
    with db.session() as s:
        _county(s)
        for _ in range(3):
            ent = builders.make_enterprise(s)
            enterprises.set_figures(s, ent.id, Y, checked=2, passed=2)
    calls: dict[str, int] = {}
    for name in ("enterprise_rows", "figures_of", "project_rows", "projects_of_year", "award_rows"):
        original = getattr(ReturnData, name)

        def counted(self, *args, _original=original, _name=name):
            calls[(_name, args)] = calls.get((_name, args), 0) + 1
            return _original(self, *args)
        monkeypatch.setattr(ReturnData, name, counted)
    with db.session() as s:
        returns.export(s, Y, tmp_path / "r.xlsx")
    assert calls and all(n == 1 for n in calls.values()), calls


def test_memoised_selections_hand_out_their_own_lists(db, builders):
    with db.session() as s:
        _county(s)
        for _ in range(3):
            builders.make_enterprise(s)
        data = returns.load(s, Y)
    first = data.enterprise_rows()
    expected = list(first)
    first.reverse()
    first.pop()
    assert data.enterprise_rows() == expected
    by_id = data.figures_by_enterprise(Y)
    by_id[-1] = None
    assert -1 not in data.figures_by_enterprise(Y)


def test_fast_row_conversion_keeps_the_cell_rules():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    w = CellWriter(ws, (INT, TEXT, TEXT, YESNO, RATE))
    row = w.row((1, "甲", "=SUM(A1)", True, Decimal("1.50")))
    assert row[:2] == [1, "甲"] and row[3] == "是"
    assert isinstance(row[2], Cell) and row[2].quotePrefix and row[2].data_type == "s"
    assert isinstance(row[4], Cell) and row[4].number_format == "0.00"
    for leading in ("+1", "-1", "@a", "#N/A"):
        assert isinstance(w.row((None, leading))[1], Cell), leading
    # Empty text is an empty cell; columns beyond the kinds are text; any iterable will do.
    assert w.row((None, "", None)) == [None, None, None]
    extra = w.row(iter((2, "乙", "丙", False, None, "=1", "丁")))
    assert extra[:5] == [2, "乙", "丙", "否", None] and extra[6] == "丁"
    assert isinstance(extra[5], Cell) and extra[5].quotePrefix
    assert w.row((3, 12345)) == [3, "12345"]


def test_money_and_rates_are_written_as_their_exact_decimals(tmp_path):
    """WAN, RATE and NUM2 cells hold floats, since openpyxl writes a number as "%.16g" of its float:
    the sheet's XML is byte for byte the one the exact Decimals (cells.wan, the stored rate) give."""
    import random
    import zipfile

    from openpyxl.cell import WriteOnlyCell

    from qoffice.excel import cells

    rng = random.Random(14)
    yuan = [0, 1, 5, 9999, 10000, 123456789, 10**15 + 7, 10**17 + 3, -35] + [
        rng.randint(0, 10**12) for _ in range(2000)]
    rates = [Decimal(rng.randint(0, 1_000_000)) / 10000 for _ in yuan]
    exact = [Decimal("1.005"), Decimal("2.50"), Decimal("1E+4"), Decimal("0.0001")]

    def xml(fill) -> bytes:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("x")
        fill(ws)
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.xlsx"
        wb.save(path)
        with zipfile.ZipFile(path) as zf:
            return zf.read("xl/worksheets/sheet1.xml")

    def ours(ws):
        w = CellWriter(ws, (cells.WAN, RATE, cells.NUM2))
        for i, (y, r) in enumerate(zip(yuan, rates)):
            ws.append(w.row((y, r, exact[i % len(exact)])))

    def decimals(ws):
        def cell(value, fmt):
            c = WriteOnlyCell(ws, value=value)
            c.number_format = fmt
            return c
        for i, (y, r) in enumerate(zip(yuan, rates)):
            ws.append([cell(cells.wan(y), "0.00"), cell(cells.plain(r), "0.00"),
                       cell(cells.plain(exact[i % len(exact)]), "0.00")])

    assert xml(ours) == xml(decimals)


def test_the_collector_waits_during_the_export_and_is_put_back(db, builders, tmp_path, monkeypatch):
    import gc

    from qoffice.domain import checks
    from qoffice.excel import return_writer
    from qoffice.services.returns import ReturnHasErrors

    with db.session() as s:
        _county(s)
        for _ in range(3):
            ent = builders.make_enterprise(s)
            enterprises.set_figures(s, ent.id, Y, checked=2, passed=2)
    seen: list[tuple[str, bool]] = []
    for module, name in ((returns, "load"), (checks, "check"), (return_writer, "stage")):
        def spy(*args, _original=getattr(module, name), _name=name, **kwargs):
            seen.append((_name, gc.isenabled()))
            return _original(*args, **kwargs)
        monkeypatch.setattr(module, name, spy)
    assert gc.isenabled()
    with db.session() as s:
        returns.export(s, Y, tmp_path / "r.xlsx")
    assert seen == [("load", False), ("check", False), ("stage", False)] and gc.isenabled()
    seen.clear()
    with db.read_session() as s:
        returns.preview(s, Y)
    assert seen == [("load", False), ("check", False)] and gc.isenabled()
    # Put back when the export stops on errors; left off when it was off.
    with db.session() as s:
        settings.set_value(s, "office", "")
    with db.session() as s, pytest.raises(ReturnHasErrors):
        returns.export(s, Y, tmp_path / "r2.xlsx")
    assert gc.isenabled()
    gc.disable()
    try:
        with db.read_session() as s:
            returns.preview(s, Y)
        assert not gc.isenabled()
    finally:
        gc.enable()
