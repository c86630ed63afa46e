"""`qoffice demo-data --level city`: a city office's database that has received plausible returns.

Seven of the eight counties each get a county database built by the county demo generator
(qoffice.services.demo), export their returns for both demo years with qoffice's own return writer
(services.returns.export), and the city receives them — the way a city clerk gets them. One county's
汇总 is edited by hand after the export (so its return carries warnings), one county sends its
return twice (the second replaces the first), and the last county has not reported. The plan period
is set to contain the demo years.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from qoffice.services import settings as settings_service

DEMO_ENTERPRISES = 120  # per county: enough for every indicator, quick to build
WARNED_COUNTY = 1  # index in the county list: its 汇总 is edited by hand
RESUBMITTED_COUNTY = 2  # sends its return twice


@dataclass
class CityDemoSummary:
    years: tuple[int, int]
    received: dict[str, str] = field(default_factory=dict)  # county → status of its last file
    missing: str | None = None


def generate(db, *, seed: int = 2013, today: dt.date | None = None, progress=None) -> CityDemoSummary:
    from qoffice.db.database import open_database
    from qoffice.services import city, demo, returns

    today = today or dt.date.today()
    with db.session() as s:
        counties = settings_service.counties(s)
        settings_service.set_value(s, settings_service.LEVEL, settings_service.LEVEL_CITY)
        if not settings_service.get(s, "office"):
            settings_service.set_value(s, "office", "南通市质量工作领导小组办公室")
        _put(s, demo.DEMO_SETTING, "1")
    reporting = counties[:7]
    summary = CityDemoSummary(years=(0, 0), missing=counties[7] if len(counties) > 7 else None)
    with tempfile.TemporaryDirectory(prefix="qoffice-city-demo-") as tmp:
        tmp = Path(tmp)
        for i, county in enumerate(reporting):
            if progress:
                progress(i, len(reporting), county)
            cdb = open_database(tmp / f"county{i}.db", "create", lock=False)
            try:
                with cdb.session() as s:
                    settings_service.set_value(s, "county", county)
                    settings_service.set_value(s, "office", f"{county}质量工作领导小组办公室")
                    settings_service.set_value(s, "operator", "张" + "明华伟军平勇强红"[i])
                    settings_service.set_value(s, "phone", f"0513-8{i + 1}{i + 2}00000"[:13])
                    result = demo.generate(s, enterprises=DEMO_ENTERPRISES, seed=seed + i, today=today)
                first, last = result.years
                summary.years = (first, last)
                files = []
                for year in (first, last):
                    out = tmp / returns.default_filename(county, year)
                    with cdb.read_session() as s:
                        _write_return(s, year, out, min(dt.date(year + 1, 1, 10), today))
                    files.append(out)
            finally:
                cdb.close()
            if i == WARNED_COUNTY:
                _edit_summary(files[1])
            if i == RESUBMITTED_COUNTY:
                early = tmp / f"{county}_初稿.xlsx"
                _edit_summary(files[1], early, filled=min(dt.date(last + 1, 1, 10), today) - dt.timedelta(days=5))
                city.receive(db, [early], today=today)
            outs = city.receive(db, files, today=today)
            summary.received[county] = outs[-1].status
        with db.session() as s:
            settings_service.set_value(s, settings_service.PLAN_START, str(summary.years[0]))
            settings_service.set_value(s, settings_service.PLAN_END, str(summary.years[0] + 4))
            for county in counties:
                for n, value in ((1, "10"), (2, "12"), (3, "12"), (4, "10"), (8, "96"), (9, "2"), (10, "-0.05"),
                                 (11, "1000"), (12, "2"), (13, "20"), (17, "10")):
                    settings_service.set_value(s, settings_service.county_target_key(county, n), value)
    return summary


def _write_return(session, year: int, out: Path, day: dt.date) -> None:
    """The county's return by qoffice's own writer, as export-return writes it (without keeping the
    county's 报送记录 copy in this data folder)."""
    from qoffice.domain import checks, indicators
    from qoffice.excel import return_writer
    from qoffice.services import returns

    data = returns.load(session, year, today=day)
    found = checks.check(data)
    return_writer.write(out, data, indicators.compute(data), found.warnings)


def _put(session, key: str, value: str) -> None:
    from qoffice.db.models import Setting

    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def _edit_summary(path: Path, out: Path | None = None, *, filled: dt.date | None = None) -> None:
    """What a clerk does by hand: round up two numbers of 汇总 (and, for a draft, an earlier date)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["汇总"]
    for row in (3, 4):  # 序号 2 and 3
        cell = ws.cell(row=row, column=4)
        cell.value = (cell.value or 0) + 5
    if filled is not None:
        wb["封面"]["B6"] = filled
    wb.save(out or path)
