"""Measured work that runs in a child process of `make bench` (one process per run, so every run
starts cold and its peak RSS is its own): `python -m bench.jobs JOB ARGS…` prints one JSON line
{"seconds": …, "maxrss_mb": …, …}. Set-up that is not measured (building inputs) happens before
the clock starts."""
from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path


def _maxrss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _current_rss_mb() -> float:
    """Resident memory now (VmRSS); peak RSS where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _maxrss_mb()


def _done(seconds: float, **extra) -> int:
    print(json.dumps({"seconds": seconds, "maxrss_mb": _maxrss_mb(), **extra}))
    return 0


# --- inputs (not measured) ---------------------------------------------------------------------

ROSTER_COLUMNS = ("uscc", "name", "county", "industry_group", "trade", "high_energy", "address", "legal_rep",
                  "contact", "phone", "cqo_name", "cqo_post", "cqo_phone", "cqo_appointed", "excellence_year",
                  "benchmark", "benchmark_since", "research_centre", "incentive_fund", "status", "status_year",
                  "note")


def make_roster(db_path: str, out: str) -> int:
    """The live enterprises of `db_path` as a roster in the import template's layout."""
    import sqlite3

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from qoffice.excel.kinds import KINDS
    from qoffice.excel.templates import header_text

    kind = KINDS["enterprises"]
    headers = [header_text(kind.column(k)) for k in ROSTER_COLUMNS]
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(kind.title)
    ws.append(headers)
    bools = {"high_energy", "benchmark", "research_centre", "incentive_fund"}
    rows = 0
    for record in con.execute(f"SELECT {', '.join(ROSTER_COLUMNS)} FROM enterprise WHERE deleted_at IS NULL "
                              "ORDER BY id"):
        out_row = []
        for key, value in zip(ROSTER_COLUMNS, record):
            if key in bools:
                value = "是" if value else "否"
            elif key == "cqo_appointed" and value:
                value = dt.date.fromisoformat(value)
            elif key in ("uscc", "phone", "cqo_phone") and value is not None:
                cell = WriteOnlyCell(ws, value=str(value))
                cell.number_format = "@"
                value = cell
            out_row.append(value)
        ws.append(out_row)
        rows += 1
    con.close()
    wb.save(out)
    print(json.dumps({"rows": rows}))
    return 0


# --- import ---------------------------------------------------------------------------------------

def import_qoffice(db_path: str, roster: str) -> int:
    """services.imports.run_import of the roster into a fresh database, backup included."""
    from qoffice.db.database import open_database

    db = open_database(db_path, "create")  # a fresh file: created before the clock starts
    try:
        from qoffice.services import imports

        start = time.perf_counter()
        result = imports.run_import(db, "enterprises", roster)
        seconds = time.perf_counter() - start
    finally:
        db.close()
    if result.rejected or not result.backup:
        raise SystemExit(f"import: {result.rejected} rejected, backup {result.backup}: "
                         f"{[e.as_dict() for e in result.errors[:3]]}")
    return _done(seconds, created=result.created)


def import_baseline(db_path: str, roster: str) -> int:
    """The floor: python-calamine reads the sheet, SQLAlchemy Core inserts the same rows."""
    from qoffice.db.database import open_database

    db = open_database(db_path, "create")
    try:
        from python_calamine import CalamineWorkbook
        from sqlalchemy import insert

        from qoffice.db.models import Enterprise

        start = time.perf_counter()
        sheet = CalamineWorkbook.from_path(roster).get_sheet_by_index(0).to_python(skip_empty_area=False)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        bools = {"high_energy", "benchmark", "research_centre", "incentive_fund"}
        records = []
        for row in sheet[1:]:
            record = {}
            for key, value in zip(ROSTER_COLUMNS, row):
                if value == "":
                    value = None
                elif key in bools:
                    value = value == "是"
                elif key in ("excellence_year", "benchmark_since", "status_year") and value is not None:
                    value = int(value)
                elif key == "cqo_appointed" and isinstance(value, dt.datetime):
                    value = value.date()
                record[key] = value
            record.update(name_initials="", created_at=now, updated_at=now)
            records.append(record)
        with db.session() as s:
            s.execute(insert(Enterprise.__table__), records)
        seconds = time.perf_counter() - start
    finally:
        db.close()
    return _done(seconds, created=len(records))


# --- the yearly return ------------------------------------------------------------------------------

def return_qoffice(db_path: str, year: str, out: str) -> int:
    """services.returns.export of `year` (load, check, compute, write, keep a copy, record it)."""
    start, cpu_start = time.perf_counter(), time.process_time()
    from qoffice.db.database import open_database
    from qoffice.services import returns

    db = open_database(db_path, "existing")
    try:
        with db.session() as session:
            result = returns.export(session, int(year), out)
    finally:
        db.close()
    seconds = time.perf_counter() - start
    # CPU seconds beside the wall clock: on a shared machine they show what the work itself cost.
    return _done(seconds, cpu_seconds=time.process_time() - cpu_start, warnings=len(result.warnings))


def return_cells(source: str, out: str) -> int:
    """Read qoffice's return once (values and number formats, not timed) into a pickle for the floor."""
    import pickle

    from openpyxl import load_workbook

    wb = load_workbook(source, read_only=True)
    sheets = []
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows():
            rows.append([(c.value, c.number_format if c.value is not None and c.number_format != "General"
                          else None) for c in row])
        sheets.append((ws.title, rows))
    wb.close()
    Path(out).write_bytes(pickle.dumps(sheets, protocol=pickle.HIGHEST_PROTOCOL))
    print(json.dumps({"cells": sum(len(r) for _n, rows in sheets for r in rows)}))
    return 0


def return_baseline(cells_pickle: str, out: str) -> int:
    """The floor: the very cells of qoffice's return — values and number formats, read first and
    not timed — written by a raw openpyxl write-only workbook."""
    import pickle

    sheets = pickle.loads(Path(cells_pickle).read_bytes())
    cells = sum(len(r) for _n, rows in sheets for r in rows)
    start, cpu_start = time.perf_counter(), time.process_time()
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            out_row = []
            for value, fmt in row:
                if fmt is not None and value is not None:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    value = cell
                out_row.append(value)
            ws.append(out_row)
    wb.save(out)
    seconds = time.perf_counter() - start
    return _done(seconds, cpu_seconds=time.process_time() - cpu_start, cells=cells)


# --- memory with the window shown ------------------------------------------------------------------

def rss_qoffice(db_path: str) -> int:
    """RSS once the main window shows the first page of the list (the smoke mode's moment)."""
    os.environ["QOFFICE_EXIT_AFTER_SHOW"] = "1"
    from qoffice.ui import smoke

    seen: dict = {}
    original = smoke.write_report

    def record(**data):
        if data.get("exit") == 0 and "rows" in data:
            seen.update(rss_mb=_current_rss_mb(), rows=data["rows"])
        original(**data)

    smoke.write_report = record
    from qoffice.main import main  # the one entry point (cli.main alone opens no window)

    code = main(["--db", db_path, "-platform", "offscreen"])
    if code != 0 or not seen:
        raise SystemExit(f"qoffice did not show its window (exit {code})")
    return _done(0.0, **seen)


def rss_bare() -> int:
    from bench.bare_window import run

    seen: dict = {}
    run(["-platform", "offscreen"], on_shown=lambda: seen.update(rss_mb=_current_rss_mb()))
    return _done(0.0, **seen)


# --- sorting the list by name ------------------------------------------------------------------------

SORT_REPEATS = 40


def sort_by_name(db_path: str, repeats: str = str(SORT_REPEATS)) -> int:
    """A click on 企业名称 in the list of every enterprise: the model sorts by the pinyin key and
    holds its first page (SQL, rows, model reset), alternately descending and ascending, against raw
    sqlite3 running the same ORDER BY name_pinyin and fetching one page; the text of the visible
    cells the view then asks for is timed apart (`cells_seconds`). Both warmed up once; the
    model's SQL built first, as the window's warm-up does."""
    import sqlite3
    import statistics

    from PySide6.QtCore import QCoreApplication, Qt

    from qoffice.db.database import open_database
    from qoffice.ui.enterprises import ENTERPRISES
    from qoffice.ui.listmodel import PAGE_SIZE, SqlListModel

    _app = QCoreApplication.instance() or QCoreApplication([])
    db = open_database(db_path, "existing", lock=False)
    model = SqlListModel(db, ENTERPRISES)
    model.reload()
    ENTERPRISES.built()
    column = model.column_keys().index("name")
    columns = model.columnCount()
    raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    names = ", ".join(ENTERPRISES.fields)
    raw_sql = {d: f"SELECT {names} FROM enterprise WHERE deleted_at IS NULL "
                  f"ORDER BY name_pinyin {d}, id {d} LIMIT {PAGE_SIZE}" for d in ("ASC", "DESC")}
    visible = 30

    cells: list[float] = []

    def ours(descending: bool) -> float:
        start = time.perf_counter()
        model.sort(column, Qt.DescendingOrder if descending else Qt.AscendingOrder)
        sorted_at = time.perf_counter()
        # Then the view repaints the visible cells: their text, reported apart (raw sqlite3 has none).
        for row in range(min(visible, model.rowCount())):
            for col in range(columns):
                model.data(model.index(row, col))
        cells.append(time.perf_counter() - sorted_at)
        return sorted_at - start

    def floor(descending: bool) -> float:
        start = time.perf_counter()
        raw.execute(raw_sql["DESC" if descending else "ASC"]).fetchall()
        return time.perf_counter() - start

    for d in (True, False):
        ours(d)
        floor(d)
    a, b = [], []
    for i in range(int(repeats)):
        descending = i % 2 == 0
        a.append(ours(descending))
        b.append(floor(descending))
    ordered = [model.data(model.index(r, column)) for r in range(3)]
    raw.close()
    db.close()
    return _done(statistics.median(a), raw_seconds=statistics.median(b), cells_seconds=statistics.median(cells),
                 rows=model.rowCount(), first=ordered)


JOBS = {"roster": make_roster, "import": import_qoffice, "import-baseline": import_baseline,
        "return": return_qoffice, "return-cells": return_cells,
        "return-baseline": return_baseline, "rss": rss_qoffice, "rss-bare": rss_bare,
        "sort-name": sort_by_name}

if __name__ == "__main__":
    sys.exit(JOBS[sys.argv[1]](*sys.argv[2:]))
