"""The 市级汇总 area reads on the worker (issue 14): the city's report (eight counties of 5,000
enterprises take seconds to add up) is computed off the GUI thread when the area opens and after
each change, and the 催报 list for a date typed in is a quiet read beside it; the board is filled on
the GUI thread once the read is over, and an older read never overwrites a newer one."""
from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from qoffice.services import city as svc  # noqa: E402
from tests.city import test_city_ui as base  # noqa: E402

area, answers = base.area, base.answers  # the area's fixtures


def _spy(monkeypatch, name: str) -> list:
    ran_on = []
    real = getattr(svc, name)
    monkeypatch.setattr(svc, name, lambda *a, **k: ran_on.append(threading.current_thread()) or real(*a, **k))
    return ran_on


def test_the_report_is_read_on_the_worker(db, qtbot, monkeypatch, answers):
    from qoffice.ui.city import CityArea

    ran_on = _spy(monkeypatch, "report")
    late_on = _spy(monkeypatch, "reminders")
    from qoffice.services import settings as st
    from qoffice.ui.context import AppContext

    with db.session() as s:
        st.set_value(s, "level", "city")
    w = CityArea(AppContext(db, base.YEAR))
    qtbot.addWidget(w)
    assert base.shown(w)
    assert ran_on and late_on and threading.main_thread() not in ran_on + late_on
    assert w.title.text().startswith(str(base.YEAR))
    assert w.remind.rowCount() == 8 and w.targets.rowCount() == 9  # eight counties and 全市


def test_a_date_typed_in_reads_the_late_counties_quietly(area, monkeypatch):
    from PySide6.QtCore import QDate

    late_on = _spy(monkeypatch, "reminders")
    area.deadline.setDate(QDate(2100, 1, 1))
    assert base.shown(area)
    assert area.remind.rowCount() == 6 and late_on and threading.main_thread() not in late_on


def test_an_older_read_never_overwrites_a_newer_one(area, monkeypatch):
    go = threading.Event()
    real = svc.report
    years = []

    def report(session, year):
        years.append(year)
        if year == base.YEAR:  # the first read is slow: by its year, for on one core the second may run first
            assert go.wait(30)
        return real(session, year)

    monkeypatch.setattr(svc, "report", report)
    first = area.refresh()
    area.ctx.set_year(base.YEAR + 1)  # a second read starts meanwhile and ends first
    second = area.refresh_job
    assert second is not first and second.wait()
    go.set()
    assert first.wait()
    assert area.title.text().startswith(str(base.YEAR + 1))


def test_targets_typed_are_kept_when_a_read_arrives_until_they_are_saved(area):
    from qoffice.services import settings as st

    area.targets.item(0, 1).setText("12")  # 崇川区, indicator 2: typed, not saved yet
    area.refresh()  # e.g. a county's return was received meanwhile
    assert base.shown(area)
    assert area.targets.item(0, 1).text() == "12"
    assert area.save_targets().wait() and base.shown(area)
    assert area.targets.item(0, 1).text() == "12"
    with area.ctx.db.read_session() as s:
        assert st.county_targets(s, "崇川区")[2] == 12
    area.refresh()
    assert base.shown(area) and area.targets.item(0, 1).text() == "12"


def test_a_targets_workbook_is_read_on_the_worker(area, tmp_path, monkeypatch, answers):
    """导入目标: the workbook is read inside the operation (a large or slow file never freezes the
    board), and a bad one is its one message, nothing saved."""
    from openpyxl import Workbook
    from PySide6.QtWidgets import QFileDialog

    from qoffice.domain import indicators as ind
    from qoffice.services import city_targets
    from qoffice.services import settings as st

    read_on = []
    real = city_targets.read_target_table
    monkeypatch.setattr(city_targets, "read_target_table",
                        lambda *a, **k: read_on.append(threading.current_thread()) or real(*a, **k))
    wb = Workbook()
    wb.active.append(["区县"] + [name for _n, name, _u in ind.DEFINITIONS])
    wb.active.append(["通州区", 7] + [None] * 16)
    wb.save(tmp_path / "t.xlsx")
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    for name in ("bad.xlsx", "t.xlsx"):
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, n=name, **k: (str(tmp_path / n), ""))
        area.import_targets()
        assert area.job.wait() and base.shown(area)
    assert read_on and threading.main_thread() not in read_on
    assert [kind for kind, _t in answers[-2:]] == ["error", "info"] and "bad.xlsx" in answers[-2][1]
    with area.ctx.db.read_session() as s:
        assert st.county_targets(s, "通州区")[1] == 7
