"""Measured work of bench/pg_bench.py, each in its own process: `python -m bench.pg_jobs NAME ARGS…`."""
from __future__ import annotations

import datetime as dt
import json
import sys
import time

from bench.jobs import ROSTER_COLUMNS


def import_qoffice(url: str, roster: str) -> int:
    from qoffice.db.database import open_database
    from qoffice.services import imports

    db = open_database(url, "create")
    try:
        start = time.perf_counter()
        result = imports.run_import(db, "enterprises", roster)
        seconds = time.perf_counter() - start
    finally:
        db.close()
    if result.rejected:
        raise SystemExit(f"import: {result.rejected} rejected")
    print(json.dumps({"seconds": seconds, "created": result.created}))
    return 0


def import_baseline(url: str, roster: str) -> int:
    """python-calamine reads the sheet; psycopg executemany inserts the same rows in one transaction."""
    import psycopg
    from python_calamine import CalamineWorkbook

    from qoffice.db import pg

    conn = psycopg.connect(**pg.psycopg_conninfo(pg.sa_url(url)))
    try:
        start = time.perf_counter()
        sheet = CalamineWorkbook.from_path(roster).get_sheet_by_index(0).to_python(skip_empty_area=False)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        bools = {"high_energy", "benchmark", "research_centre", "incentive_fund"}
        cols = list(ROSTER_COLUMNS) + ["name_initials", "name_pinyin", "created_at", "updated_at", "version"]
        rows = []
        for row in sheet[1:]:
            record = []
            for key, value in zip(ROSTER_COLUMNS, row):
                if value == "":
                    value = None
                elif key in bools:
                    value = value == "是"
                elif key in ("excellence_year", "benchmark_since", "status_year") and value is not None:
                    value = int(value)
                elif key == "cqo_appointed" and isinstance(value, dt.datetime):
                    value = value.date()
                record.append(value)
            rows.append((*record, "", "", now, now, 1))
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO enterprise ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})", rows)
        conn.commit()
        seconds = time.perf_counter() - start
    finally:
        conn.close()
    print(json.dumps({"seconds": seconds, "created": len(rows)}))
    return 0


JOBS = {"import": import_qoffice, "import-baseline": import_baseline}

if __name__ == "__main__":
    sys.exit(JOBS[sys.argv[1]](*sys.argv[2:]))
