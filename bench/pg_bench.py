"""The shared office database on PostgreSQL (issue 16): search keystroke, roster import and the yearly
return on a server, registered with bench.framework. The server is QOFFICE_BENCH_PG_URL (a superuser's
URL) or a throwaway cluster started here as the test suite does (socket only, as the postgres user).
The big demo database is copied to the server once per bench run (`db copy`, not measured)."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import statistics
import subprocess
import tempfile
import time

from bench.framework import Context, Goal, Result, benchmark, interleaved


class _Server:
    def __init__(self):
        self.base = None
        self.admin_url = os.environ.get("QOFFICE_BENCH_PG_URL")
        if self.admin_url:
            return
        bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))[-1]
        user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.getuid()).pw_name
        run_as = (lambda cmd: ["runuser", "-u", user, "--", *cmd]) if os.geteuid() == 0 else (lambda cmd: cmd)
        self.base = tempfile.mkdtemp(prefix="qoffice-bench-pg-")
        if os.geteuid() == 0:
            p = pwd.getpwnam(user)
            os.chown(self.base, p.pw_uid, p.pw_gid)
        self.data, self.port = os.path.join(self.base, "data"), 59000 + os.getpid() % 900
        self._ctl = lambda *a: subprocess.run(run_as([f"{bindir}/pg_ctl", "-D", self.data, *a]), check=True,
                                              capture_output=True)
        subprocess.run(run_as([f"{bindir}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                               "--locale=C.UTF-8", "--no-sync"]), check=True, capture_output=True)
        # a server as an office would run it (fsync on), on this machine's disk
        self._ctl("-l", os.path.join(self.base, "log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.base} -c listen_addresses='' -c shared_buffers=256MB", "start")
        self.admin_url = f"postgresql://postgres@/postgres?host={self.base}&port={self.port}"

    def url(self, dbname: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.admin_url).set(database=dbname).render_as_string(hide_password=False)

    def admin(self, sql: str) -> None:
        import psycopg

        from qoffice.db import pg

        with psycopg.connect(**pg.psycopg_conninfo(pg.sa_url(self.admin_url)), autocommit=True) as conn:
            conn.execute(sql)

    def fresh(self, name: str, schema: bool = True) -> str:
        from qoffice.db.pgadmin import create_schema

        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin(f'CREATE DATABASE "{name}"')
        if schema:
            create_schema(self.url(name))
        return self.url(name)

    def close(self) -> None:
        if self.base:
            try:
                self._ctl("-m", "fast", "-w", "stop")
            finally:
                shutil.rmtree(self.base, ignore_errors=True)


def _server(ctx: Context) -> _Server:
    server = getattr(ctx, "_pg_server", None)
    if server is None:
        server = ctx._pg_server = _Server()
        close = ctx.close

        def closing():
            server.close()
            close()

        ctx.close = closing
    return server


def _big(ctx: Context) -> str:
    """The big demo database copied to the server once (not measured)."""
    url = getattr(ctx, "_pg_big", None)
    if url is None:
        from qoffice.db.pgcopy import sqlite_to_server

        server = _server(ctx)
        url = server.fresh("bench_big", schema=False)
        sqlite_to_server(ctx.big_db, url, replace=False)
        ctx._pg_big = url
        import psycopg

        from qoffice.db import pg

        with psycopg.connect(**pg.psycopg_conninfo(pg.sa_url(url)), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    return url


@benchmark("pg-search", heavy=True)
def pg_search(ctx: Context) -> Result:
    """One keystroke in the enterprise list on the server (the model's count + first page and the visible
    cells) against the same raw query through psycopg (name LIKE '%q%', a page fetched)."""
    import psycopg
    from PySide6.QtCore import QCoreApplication

    from bench.benchmarks import VISIBLE_ROWS, _search_queries
    from qoffice.db import pg
    from qoffice.db.database import open_database
    from qoffice.ui.enterprises import ENTERPRISES
    from qoffice.ui.listmodel import PAGE_SIZE, SqlListModel

    _app = QCoreApplication.instance() or QCoreApplication([])
    url = _big(ctx)
    queries = _search_queries(ctx.big_db)
    db = open_database(url, "existing")
    model = SqlListModel(db, ENTERPRISES)
    model.reload()
    ENTERPRISES.built()
    columns = model.columnCount()
    raw = psycopg.connect(**pg.psycopg_conninfo(pg.sa_url(url)), autocommit=True)
    raw_sql = f"SELECT {', '.join(ENTERPRISES.fields)} FROM enterprise WHERE name LIKE %s"

    def model_keystroke(q: str) -> float:
        start = time.perf_counter()
        model.set_query(q)
        for row in range(min(VISIBLE_ROWS, model.rowCount())):
            for col in range(columns):
                model.data(model.index(row, col))
        elapsed = time.perf_counter() - start
        _ = model.filtered_count  # wait for the background count, outside the measured keystroke
        return elapsed

    def raw_keystroke(q: str) -> float:
        start = time.perf_counter()
        with raw.cursor() as cur:
            cur.execute(raw_sql, (f"%{q}%",))
            cur.fetchmany(PAGE_SIZE)
        return time.perf_counter() - start

    ours, floor = [], []
    try:
        for _run in range(ctx.runs):
            a, b = [], []
            for q in queries:
                a.append(model_keystroke(q))
                b.append(raw_keystroke(q))
            model.set_query("")
            ours.append(statistics.median(a))
            floor.append(statistics.median(b))
    finally:
        raw.close()
        db.close()
    return Result(f"server: search keystroke, {ctx.enterprises:,} enterprises (median of {len(queries)} queries)",
                  "s", ours, floor, baseline_name="raw psycopg name LIKE '%q%', first page fetched",
                  goal=Goal("ratio", 1.2))


@benchmark("pg-import", heavy=True)
def pg_import(ctx: Context) -> Result:
    """The 100,000-row roster into an empty server database through services.imports (one transaction,
    no file backup on a server) against psycopg executemany of the same rows (read by python-calamine)."""
    roster = ctx.tmp / "roster.xlsx"
    if not roster.exists():
        ctx.job("roster", ctx.big_db, roster)
    server = _server(ctx)
    counter = iter(range(10_000))

    def ours() -> float:
        url = server.fresh(f"bench_import_{next(counter)}")
        return _pg_job(ctx, "import", url, roster)["seconds"]

    def floor() -> float:
        url = server.fresh(f"bench_import_{next(counter)}")
        return _pg_job(ctx, "import-baseline", url, roster)["seconds"]

    q, b = interleaved(ctx.runs, ours, floor)
    return Result(f"server: import of a {ctx.enterprises:,}-row enterprise roster (.xlsx)", "s", q, b,
                  baseline_name="python-calamine read + psycopg executemany of the same rows",
                  goal=Goal("ratio", 1.5))


@benchmark("pg-return", heavy=True)
def pg_return(ctx: Context) -> Result:
    """services.returns.export for 100,000 enterprises from the server against the same from the SQLite file."""
    from bench.benchmarks import _return_year

    url = _big(ctx)
    year = _return_year(ctx.big_db)
    counter = iter(range(10_000))

    def ours() -> float:
        return ctx.job("return", url, year, ctx.tmp / f"pg-return-{next(counter)}.xlsx")["seconds"]

    def floor() -> float:
        return ctx.job("return", ctx.big_db, year, ctx.tmp / f"sqlite-return-{next(counter)}.xlsx")["seconds"]

    q, b = interleaved(ctx.runs, ours, floor)
    return Result(f"server: the yearly return, {ctx.enterprises:,} enterprises", "s", q, b,
                  baseline_name="the same return from the SQLite file", goal=Goal("ratio", 1.3))


def _pg_job(ctx: Context, name: str, *args) -> dict:
    import json
    import sys

    from bench.framework import ROOT

    proc = subprocess.run([sys.executable, "-m", "bench.pg_jobs", name, *map(str, args)], cwd=ROOT, env=ctx.env,
                          capture_output=True, text=True, encoding="utf-8")
    if proc.returncode != 0:
        raise RuntimeError(f"bench pg job {name} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
