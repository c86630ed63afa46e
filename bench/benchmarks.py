"""The benchmarks, one function each, run in this order by `python -m bench`."""
from __future__ import annotations

import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time

from bench.framework import ROOT, Context, Goal, Result, benchmark, interleaved

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
    ENTERPRISES.built()  # as the window's warm-up does once the first page shows (MainWindow.warm_up)
    columns = model.columnCount()
    raw = sqlite3.connect(f"file:{ctx.big_db}?mode=ro", uri=True)
    names = ", ".join(ENTERPRISES.fields)
    raw_sql = f"SELECT {names} FROM enterprise WHERE name LIKE ?"

    counts: list[float] = []

    def model_keystroke(q: str) -> float:
        start = time.perf_counter()
        model.set_query(q)
        for row in range(min(VISIBLE_ROWS, model.rowCount())):
            for col in range(columns):
                model.data(model.index(row, col))
        elapsed = time.perf_counter() - start
        # Not part of the keystroke: a full page's matches are counted on a background thread and
        # the status bar follows. Wait for it (so it never overlaps the next measurement) and
        # report how long after the keystroke the count was there.
        model.filtered_count  # noqa: B018 - reading it waits for the background count
        counts.append(time.perf_counter() - start)
        return elapsed

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
    try:
        for _run in range(ctx.runs):
            a, b, c = [], [], []
            for q in queries:
                a.append(model_keystroke(q))
                b.append(raw_keystroke(q))
                c.append(raw_all(q))
                worst[q] = max(worst.get(q, 0.0), a[-1])
            model.set_query("")
            ours.append(statistics.median(a))
            floor.append(statistics.median(b))
            fetch_all.append(statistics.median(c))
    finally:
        raw.close()
        db.close()
    slowest = sorted(worst.items(), key=lambda kv: kv[1], reverse=True)[:5]
    return Result(
        f"search keystroke, {ctx.enterprises:,} enterprises (median of {len(queries)} queries)", "s", ours, floor,
        baseline_name="raw sqlite3 name LIKE '%q%', first page fetched",
        goal=Goal("ratio", 0.6),
        notes=[f"count of matches shown (background thread, after the page): median "
               f"{statistics.median(counts) * 1000:.1f} ms, max {max(counts) * 1000:.1f} ms",
               f"raw sqlite3 with every matching row fetched: median {statistics.median(fetch_all) * 1000:.1f} ms",
               "slowest queries (max over runs): " + ", ".join(f"{q!r} {t * 1000:.1f} ms" for q, t in slowest)],
        extra={"queries": queries, "raw_fetch_all": fetch_all})


@benchmark("sort-name", heavy=True)
def sort_by_name(ctx: Context) -> Result:
    """A click on 企业名称 in the list of 100,000 enterprises (pinyin order, first page shown) against
    raw sqlite3 running the same ORDER BY name_pinyin and fetching one page; each run a fresh process."""
    ours, floor, cells, first = [], [], [], []
    for _run in range(ctx.runs):
        out = ctx.job("sort-name", ctx.big_db)
        ours.append(out["seconds"])
        floor.append(out["raw_seconds"])
        cells.append(out["cells_seconds"])
        first = out["first"]
    return Result(f"sort {ctx.enterprises:,} enterprises by name (pinyin), first page in the list", "s", ours,
                  floor, baseline_name="raw sqlite3 ORDER BY name_pinyin, first page fetched",
                  goal=Goal("ratio", 1.2),
                  notes=["median of 40 clicks per run, alternately descending and ascending; "
                         "the page's first names: " + "、".join(first),
                         f"then the text of the visible cells (30 rows, every column, model.data from Python): "
                         f"median {statistics.median(cells) * 1000:.2f} ms more"],
                  extra={"cells_seconds": cells})


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


# --- start-up and memory ----------------------------------------------------------------------------

BARE_WINDOW = str(ROOT / "bench" / "bare_window.py")


def _warm_up(ctx: Context) -> None:
    """One untimed start of each, so the file cache is warm for both and qoffice's once-a-day
    backup of the database (made on the day's first start) is not part of every sample."""
    ctx.time_process([sys.executable, "-m", "qoffice", "--db", str(ctx.big_db), "-platform", "offscreen"],
                     env={"QOFFICE_EXIT_AFTER_SHOW": "1"})
    ctx.time_process([sys.executable, BARE_WINDOW, "-platform", "offscreen"])


@benchmark("startup", heavy=True)
def cold_start(ctx: Context) -> Result:
    """`qoffice --db big.db` until the main window shows the first page of 100,000 enterprises."""
    _warm_up(ctx)
    runs = max(5, ctx.runs * 2)
    ours, base = interleaved(
        runs,
        lambda: ctx.time_process([sys.executable, "-m", "qoffice", "--db", str(ctx.big_db), "-platform", "offscreen"],
                                 env={"QOFFICE_EXIT_AFTER_SHOW": "1"}),
        lambda: ctx.time_process([sys.executable, BARE_WINDOW, "-platform", "offscreen"]))
    return Result(f"cold start to the first page of {ctx.enterprises:,} enterprises", "s", ours, base,
                  baseline_name="bare PySide6 QMainWindow script, started the same way",
                  goal=Goal("ratio", 2.0),
                  notes=["QOFFICE_EXIT_AFTER_SHOW=1, -platform offscreen; a whole process each"])


@benchmark("memory", heavy=True)
def idle_memory(ctx: Context) -> Result:
    """RSS once the main window shows the enterprise list of 100,000, against a bare window."""
    ours, base, peaks = [], [], []

    def q() -> float:
        out = ctx.job("rss", ctx.big_db)
        peaks.append(out["maxrss_mb"])
        return out["rss_mb"]

    ours, base = interleaved(ctx.runs, q, lambda: ctx.job("rss-bare")["rss_mb"])
    return Result(f"memory, window showing {ctx.enterprises:,} enterprises (RSS)", "MB", ours, base,
                  baseline_name="bare PySide6 QMainWindow (RSS when shown)", goal=Goal("delta", 150),
                  notes=[f"qoffice peak RSS during start: median {statistics.median(peaks):.0f} MB"])


# --- import and the yearly return ------------------------------------------------------------------

@benchmark("import", heavy=True)
def roster_import(ctx: Context) -> Result:
    """A 100,000-row enterprise roster (.xlsx) into a new database through services.imports
    (parse, check, backup, write, audit) against calamine + a Core insert of the same rows."""
    roster = ctx.tmp / "roster.xlsx"
    if not roster.exists():
        ctx.job("roster", ctx.big_db, roster)
    counter = iter(range(10_000))

    def target() -> str:
        folder = ctx.tmp / f"import-{next(counter)}"
        folder.mkdir()
        return str(folder / "q.db")

    rss: list[float] = []

    def ours() -> float:
        out = ctx.job("import", target(), roster)
        rss.append(out["maxrss_mb"])
        return out["seconds"]

    q, b = interleaved(ctx.runs, ours, lambda: ctx.job("import-baseline", target(), roster)["seconds"])
    return Result(f"import of a {ctx.enterprises:,}-row enterprise roster (.xlsx), backup included", "s", q, b,
                  baseline_name="python-calamine read + SQLAlchemy Core insert of the same rows",
                  goal=Goal("ratio", 1.5), notes=[f"qoffice peak RSS: median {statistics.median(rss):.0f} MB"])


def _return_year(db_path) -> int:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT year FROM year_figures GROUP BY year ORDER BY count(*) DESC, year DESC "
                           "LIMIT 1").fetchone()[0]
    finally:
        con.close()


@benchmark("return", heavy=True)
def yearly_return(ctx: Context) -> list[Result]:
    """services.returns.export for 100,000 enterprises against a raw openpyxl write-only workbook
    holding the same cells — values and number formats, read back from qoffice's first file before
    the floor's clock starts; peak RSS of the export process."""
    year = _return_year(ctx.big_db)
    counter = iter(range(10_000))
    first = ctx.tmp / "return-0.xlsx"
    rss: list[float] = []

    def ours() -> float:
        n = next(counter)
        out = ctx.job("return", ctx.big_db, year, first if n == 0 else ctx.tmp / f"return-{n}.xlsx")
        rss.append(out["maxrss_mb"])
        return out["seconds"]

    base_rss: list[float] = []
    cells = ctx.tmp / "return-cells.pickle"

    def floor() -> float:
        if not cells.exists():
            ctx.job("return-cells", first, cells)
        out = ctx.job("return-baseline", cells, ctx.tmp / "return-floor.xlsx")
        base_rss.append(out["maxrss_mb"])
        return out["seconds"]

    q, b = interleaved(ctx.runs, ours, floor)  # qoffice first: the floor copies its cells
    name = f"yearly return {year}, {ctx.enterprises:,} enterprises"
    return [Result(name, "s", q, b, baseline_name="raw openpyxl write-only workbook with the same cells "
                                                   "(values and number formats)",
                   goal=Goal("ratio", 1.2), notes=["whole export: load, check, compute, write, keep a copy"]),
            Result(f"{name}: peak RSS", "MB", rss, base_rss,
                   baseline_name="raw openpyxl write-only (its cells unpickled first)",
                   goal=Goal("max", 400, "≤ 400 MB"))]


# --- the frozen build ------------------------------------------------------------------------------

DIST_GUI = ROOT / "dist" / "qoffice" / ("qoffice.exe" if sys.platform == "win32" else "qoffice")


def _dist_up_to_date() -> bool:
    """dist/ is newer than every file under qoffice/ and build.spec (bytecode caches aside)."""
    if not DIST_GUI.exists():
        return False
    sources = [p for p in (ROOT / "qoffice").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    sources.append(ROOT / "build.spec")
    return DIST_GUI.stat().st_mtime > max(p.stat().st_mtime for p in sources)


@benchmark("frozen-startup", heavy=True)
def frozen_start(ctx: Context) -> Result:
    """The frozen GUI (dist/qoffice/qoffice) against `python -m qoffice`, both until the main window
    shows the first page of the big database. dist/ is reused when up to date, else built with
    PyInstaller (about 3 minutes) — unless QOFFICE_BENCH_BUILD=0, which reports the row as not measured."""
    metric = f"frozen start-up vs source start-up, {ctx.enterprises:,} enterprises"
    built = "reused (newer than qoffice/ and build.spec)"
    if not _dist_up_to_date():
        if os.environ.get("QOFFICE_BENCH_BUILD", "1") in ("0", ""):
            return Result(f"{metric}: not measured, dist/ out of date, run make dist", "s", [float("nan")],
                          goal=Goal("none", text="≤ 1.2×"),
                          notes=["QOFFICE_BENCH_BUILD=0: dist/ was not rebuilt"])
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "build.spec"], cwd=ROOT,
                              capture_output=True, text=True, encoding="utf-8", errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(f"PyInstaller failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
        built = f"built with PyInstaller in {time.perf_counter() - start:.0f} s"
    show = {"QOFFICE_EXIT_AFTER_SHOW": "1"}
    frozen = [str(DIST_GUI), "--db", str(ctx.big_db), "-platform", "offscreen"]
    source = [sys.executable, "-m", "qoffice", "--db", str(ctx.big_db), "-platform", "offscreen"]
    for argv in (frozen, source):  # warm file cache; the day's backup is made by the first start only
        ctx.time_process(argv, env=show)
    ours, base = interleaved(max(5, ctx.runs * 2), lambda: ctx.time_process(frozen, env=show),
                             lambda: ctx.time_process(source, env=show))
    return Result(metric, "s", ours, base, baseline_name="python -m qoffice (source), started the same way",
                  goal=Goal("ratio", 1.2),
                  notes=[f"dist/: {built}", "QOFFICE_EXIT_AFTER_SHOW=1, -platform offscreen; a whole process each"])


# --- registered elsewhere: the city office (issue 15, bench/city_bench.py: city-receive, city-export) and
# the shared office database on PostgreSQL (issue 16, bench/pg_bench.py: pg-search, pg-import, pg-return)
from bench import city_bench, pg_bench  # noqa: E402,F401
