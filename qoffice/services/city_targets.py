"""The city office's targets table (city.md "The screen", its 目标 tab): every county's 17 targets and
the city's own (the 全市 row), edited as a county × indicator table, saved all at once, or read
from a workbook laid out like the 分县汇总 sheet. Stored as settings (county_target_key, city.target.N).

The workbooks of targets that go out to the counties, and their import at county level, are in
qoffice.services.city (targets_out, import_targets).
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from qoffice.domain import city
from qoffice.domain import indicators as ind
from qoffice.errors import UsageError
from qoffice.i18n import _
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
