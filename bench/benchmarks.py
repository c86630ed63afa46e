"""The benchmarks, one function each, run in this order by `python -m bench`."""
from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import time

from bench.framework import Context, Goal, Result, TrueRefcountGuard, benchmark, interleaved

SEARCH_QUERIES = 50
VISIBLE_ROWS = 30  # rows a list shows without scrolling: their cells are what a keystroke repaints


@benchmark("demo-data", heavy=True)
def demo_data(ctx: Context) -> Result:
    """`qoffice demo-data --enterprises 100000` end to end; the first run's file is the shared database."""
    samples = []
    for run in range(ctx.runs):
        path = ctx.tmp / f"demo-{run}.db"
        argv = [sys.executable, "-m", "qoffice", "--db", str(path), "demo-data", "--enterprises",
                str(ctx.enterprises), "--seed", "1"]
        samples.append(ctx.time_process(argv))
        if run == 0:
            ctx.adopt_big_db(path)
        else:
            path.unlink()
    return Result(f"demo-data, {ctx.enterprises:,} enterprises (whole command)", "s", samples,
                  goal=Goal("max", 60, "< 60 s"), notes=["absolute time: no baseline"])


def _search_queries(db_path, count: int = SEARCH_QUERIES) -> list[str]:
    """Names, code prefixes, pinyin initials and 1–2 character queries, drawn from the database
    itself so they hit real rows; consecutive queries differ (each one is a keystroke's new text)."""
    rng = random.Random(1)
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        sample = con.execute("SELECT name, uscc, name_initials FROM enterprise WHERE deleted_at IS NULL "
                             "ORDER BY id LIMIT 2000").fetchall()
    finally:
        con.close()
    rng.shuffle(sample)
    queries: list[str] = []
    kinds = ("name", "code", "initials", "one", "two")
    for i in range(count):
        name, code, ini = sample[i]
        kind = kinds[i % len(kinds)]
        if kind == "name":
            start = rng.randrange(0, max(1, len(name) - 4))
            q = name[start:start + rng.choice((3, 4))]
        elif kind == "code":
            q = code[: rng.choice((6, 8, 10, 12))]
        elif kind == "initials":
            start = rng.randrange(0, max(1, len(ini) - 3))
            q = ini[start:start + rng.choice((2, 3, 4))]
        elif kind == "one":
            q = rng.choice(name[:4])
        else:
            start = rng.randrange(0, max(1, len(name) - 2))
            q = name[start:start + 2]
        if queries and queries[-1] == q:
            q = name[:3]
        queries.append(q)
    return queries


@benchmark("search", heavy=True)
def search_keystroke(ctx: Context) -> Result:
    """One keystroke in the enterprise list: the model's SQL (count + first page) and its reset,
    plus the visible cells' text, against raw sqlite3 LIKE '%q%' on the name returning a page."""
    from PySide6.QtCore import QCoreApplication

    from qoffice.db.database import open_database
    from qoffice.ui.enterprises import ENTERPRISES
    from qoffice.ui.listmodel import PAGE_SIZE, SqlListModel

    _app = QCoreApplication.instance() or QCoreApplication([])
    queries = _search_queries(ctx.big_db)
    db = open_database(ctx.big_db, "existing", lock=False)
    model = SqlListModel(db, ENTERPRISES)
    model.reload()
    columns = model.columnCount()
    raw = sqlite3.connect(f"file:{ctx.big_db}?mode=ro", uri=True)
    names = ", ".join(ENTERPRISES.select.selected_columns.keys())
    raw_sql = f"SELECT {names} FROM enterprise WHERE name LIKE ?"

    def model_keystroke(q: str) -> float:
        start = time.perf_counter()
        model.set_query(q)
        for row in range(min(VISIBLE_ROWS, model.rowCount())):
            for col in range(columns):
                model.data(model.index(row, col))
        return time.perf_counter() - start

    def raw_keystroke(q: str) -> float:
        start = time.perf_counter()
        cur = raw.execute(raw_sql, (f"%{q}%",))
        cur.fetchmany(PAGE_SIZE)
        cur.close()
        return time.perf_counter() - start

    def raw_all(q: str) -> float:
        start = time.perf_counter()
        raw.execute(raw_sql, (f"%{q}%",)).fetchall()
        return time.perf_counter() - start

    ours, floor, fetch_all = [], [], []
    worst: dict[str, float] = {}
    guard = TrueRefcountGuard()
    lost = 0
    try:
        for _run in range(ctx.runs):
            a, b, c = [], [], []
            for q in queries:
                a.append(model_keystroke(q))
                b.append(raw_keystroke(q))
                c.append(raw_all(q))
                worst[q] = max(worst.get(q, 0.0), a[-1])
            model.set_query("")
            lost += guard.top_up()
            ours.append(statistics.median(a))
            floor.append(statistics.median(b))
            fetch_all.append(statistics.median(c))
    finally:
        raw.close()
        db.close()
        lost += guard.top_up()
    slowest = sorted(worst.items(), key=lambda kv: kv[1], reverse=True)[:5]
    return Result(
        f"search keystroke, {ctx.enterprises:,} enterprises (median of {len(queries)} queries)", "s", ours, floor,
        baseline_name="raw sqlite3 name LIKE '%q%', first page fetched",
        goal=Goal("ratio", 1.0),
        notes=[f"raw sqlite3 with every matching row fetched: median {statistics.median(fetch_all) * 1000:.1f} ms",
               f"PySide6 emit() refcount bug: {lost} lost references to True given back",
               "slowest queries (max over runs): " + ", ".join(f"{q!r} {t * 1000:.1f} ms" for q, t in slowest)],
        extra={"queries": queries, "raw_fetch_all": fetch_all})


@benchmark("help")
def cli_help(ctx: Context) -> Result:
    """`qoffice --help` (a fresh process) against `python -c "import sqlite3"`."""
    runs = max(10, ctx.runs * 3)
    ours, base = interleaved(
        runs,
        lambda: ctx.time_process([sys.executable, "-m", "qoffice", "--help"]),
        lambda: ctx.time_process([sys.executable, "-c", "import sqlite3"]))
    return Result("qoffice --help", "s", ours, base, baseline_name='python -c "import sqlite3"',
                  goal=Goal("ratio", 4.0))
