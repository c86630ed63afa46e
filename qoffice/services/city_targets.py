"""The city office's targets table (city.md "The screen", its 目标 tab): every county's 17 targets and
the city's own (the 全市 row), edited as a county × indicator table, saved all at once, or read
from a workbook laid out like the 分县汇总 sheet. Stored as settings (county_target_key, city.target.N).

Then what goes out to the counties (下发目标: targets_out, one workbook per county) and its import at
county level (read_targets, check_targets, import_targets): the same targets, the other way round.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from qoffice.domain import city
from qoffice.domain import indicators as ind
from qoffice.errors import UsageError
from qoffice.excel.outputs import StagedFile
from qoffice.i18n import _
from qoffice.progress import Progress
from qoffice.progress import report as report_progress
from qoffice.services import city as city_service
from qoffice.services import settings as settings_service
from qoffice.services.changes import Changes

CITY_ROW = "全市"


def target_table(source) -> dict[str, dict[int, Decimal | None]]:
    """county → its 17 targets, counties in `counties` order, then 全市 (the city targets)."""
    out = {county: settings_service.county_targets(source, county) for county in settings_service.counties(source)}
    out[CITY_ROW] = settings_service.city_targets(source)
    return out


def save_target_table(db, table: dict[str, dict[int, str | None]]) -> Changes:
    """Store a county × indicator table of target texts (全市: the city targets), in one transaction;
    every value is validated like a typed target first, so a bad one changes nothing (UsageError
    names it). The GUI's operation: run_op publishes the Changes."""
    checked = []
    for county, values in table.items():
        for n, text_value in values.items():
            key = f"city.target.{n}" if county == CITY_ROW else settings_service.county_target_key(county, n)
            try:
                checked.append((key, settings_service.validate_city(key, text_value)))
            except UsageError as exc:
                raise UsageError(_("{county}, indicator {n}: {reason}").format(county=county, n=n,
                                                                               reason=exc.message)) from None
    from qoffice.db.models import Setting

    with db.session() as s:
        for key, value in checked:
            s.merge(Setting(key=key, value=value))
    return Changes.of("setting")


@dataclass
class TableImport:
    counties: int  # the rows read: counties and 全市
    changes: Changes  # what was written (the GUI publishes it)


def import_target_table(db, path: Path | str, counties: Sequence[str]) -> TableImport:
    """导入目标 (city level): a workbook like 分县汇总 read and its targets saved, as one operation; a
    bad file or value changes nothing."""
    table = read_target_table(path, counties)
    return TableImport(len(table), save_target_table(db, table))


def read_target_table(path: Path | str, counties: Sequence[str]) -> dict[str, dict[int, str | None]]:
    """An .xlsx laid out like the 分县汇总 sheet (a 区县 column, the 17 指标 names as headers; a 全市
    row for the city targets) as target texts by county; unknown counties are refused."""
    import python_calamine as pc

    from qoffice.errors import FileUnreadable
    from qoffice.excel.headers import normalize_header

    path = Path(path)
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        sheets = [wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names]
    except Exception:
        raise FileUnreadable(_("{file} cannot be read as an Excel workbook.").format(file=path.name)) from None
    names = {normalize_header(name): n for n, name, _u in ind.DEFINITIONS}
    for rows in sheets:
        for h, header in enumerate(rows[:10]):
            cols = {i: names[normalize_header(c)] for i, c in enumerate(header) if normalize_header(c) in names}
            keys = [i for i, c in enumerate(header) if normalize_header(c) == "区县"]
            if not cols or not keys:
                continue
            out: dict[str, dict[int, str | None]] = {}
            for row in rows[h + 1:]:
                county = city.text(row[keys[0]] if keys[0] < len(row) else None)
                if not county:
                    continue
                if county != CITY_ROW and county not in counties:
                    raise UsageError(_("{county} (in {file}) is not in the county list.").format(
                        county=county, file=path.name))
                out[county] = {n: city.text(row[i] if i < len(row) else None) for i, n in cols.items()}
            return out
    raise FileUnreadable(_("{file} has no table with a 区县 column and the indicators' names as headers.").format(
        file=path.name))


# --- 下发目标: the workbooks that go out to the counties, and their import at county level ----------
TARGETS_SHEET = "下发目标"  # excel.city_writer.S_TARGETS (that module loads openpyxl: imported when writing)
TARGET_LABELS = ("区县", "年度", "下发单位")


def targets_filename(year: int, county: str) -> str:
    return f"{city_service._safe(county)}_{year}年度质量强企目标.xlsx"


def targets_out(session: Session, year: int, folder: Path | str, *, progress: Progress = None) -> list[Path]:
    """下发目标: one workbook per county, its targets for `year`; all or none (each is written beside its
    file, then all put in place; on a failure or Cancelled none is left, replaced files are put back)."""
    from qoffice.excel import city_writer

    city_service.require_city(session)
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(_("{folder} is not a folder.").format(folder=folder))
    office = settings_service.get(session, "office")
    counties = settings_service.counties(session)
    staged: list[StagedFile] = []
    try:
        for i, county in enumerate(counties):
            report_progress(progress, i, len(counties), _("Writing the targets of each county…"))
            staged.append(one := StagedFile(folder / targets_filename(year, county)))
            city_writer.write_targets(one.tmp, county, year, office, settings_service.county_targets(session, county))
        report_progress(progress, len(counties), len(counties), _("Writing the targets of each county…"))
        for one in staged:
            one.place()
    except BaseException:
        for one in reversed(staged):
            one.undo()
        raise
    for one in staged:
        one.finish()
    return [one.shown for one in staged]


@dataclass
class TargetsImport:
    county: str
    year: int
    targets: dict[int, Decimal | None]
    changes: Changes = field(default_factory=Changes)  # what the import wrote (the GUI publishes it)


def read_targets(path: Path | str) -> TargetsImport:
    """A 下发目标 workbook (targets_out) read back: its county, year and 17 targets."""
    import python_calamine as pc

    from qoffice.errors import FileUnreadable
    from qoffice.excel.headers import normalize_header

    path = Path(path)
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_name(TARGETS_SHEET).to_python(skip_empty_area=False)
    except Exception:
        raise FileUnreadable(_("{file} is not a targets workbook from the city (sheet 下发目标 missing or "
                               "unreadable).").format(file=path.name)) from None
    labels: dict[str, object] = {}
    targets: dict[int, Decimal | None] = {}
    header_seen = False
    for row in rows:
        if not row:
            continue
        first = normalize_header(row[0])
        if not header_seen and first in TARGET_LABELS:
            labels[first] = row[1] if len(row) > 1 else None
        elif first == "序号":
            header_seen = True
        elif header_seen:
            try:
                n = city.integer(row[0])
                value = city.decimal(row[3]) if len(row) > 3 else None
            except city.BadValue:
                raise FileUnreadable(_("{file}: row {row} of 下发目标 is not a target.").format(
                    file=path.name, row=rows.index(row) + 1)) from None
            if n is not None and 1 <= n <= 17:
                targets[n] = value
    county = city.text(labels.get("区县"))
    try:
        year = city.integer(labels.get("年度"))
    except city.BadValue:
        year = None
    if not county or year is None or len(targets) != 17:
        raise FileUnreadable(_("{file} is not a targets workbook from the city (county, year or the 17 "
                               "targets missing).").format(file=path.name))
    return TargetsImport(county, year, targets)


def import_targets(session: Session, path: Path | str, year: int | None = None) -> TargetsImport:
    """At county level: the city's 下发目标 into target.1 … target.17, after checking that the file is
    for this county (and for `year`, when given). Each value is validated like a typed target."""
    got = check_targets(session, path, year)
    for n in range(1, 18):
        value = got.targets.get(n)
        settings_service.set_value(session, f"target.{n}", None if value is None else format(value, "f"))
    got.changes = Changes.of("setting")
    return got


def check_targets(source, path: Path | str, year: int | None = None) -> TargetsImport:
    """The 下发目标 workbook read and checked against this county (and `year`), nothing written:
    what the GUI shows before it asks, and the first step of import_targets."""
    got = read_targets(path)
    mine = settings_service.get(source, "county")
    if got.county != mine:
        raise UsageError(_("These targets are for {theirs}, but this database is {mine}'s: nothing was "
                           "imported.").format(theirs=got.county, mine=mine or "?"))
    if year is not None and got.year != year:
        raise UsageError(_("These targets are for {theirs}, not {year}: nothing was imported.").format(
            theirs=got.year, year=year))
    return got


def import_targets_file(db, path: Path | str, year: int | None = None) -> TargetsImport:
    """import_targets in its own transaction (the GUI's operation: run_op publishes its changes)."""
    with db.session() as s:
        return import_targets(s, path, year)
