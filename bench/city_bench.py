"""The city office's benchmarks (issue 15), registered with bench.framework; the measured work runs
in child processes (bench/city_jobs.py). Eight county returns of 5,000 enterprises each are built
once per bench run by qoffice's own return writer (set-up, not measured)."""
from __future__ import annotations

import json
import subprocess
import sys

from bench.framework import ROOT, Context, Goal, Result, benchmark, interleaved

PER_COUNTY = 5000


def _job(ctx: Context, name: str, *args) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.city_jobs", name, *map(str, args)], cwd=ROOT, env=ctx.env,
                          capture_output=True, text=True, encoding="utf-8")
    if proc.returncode != 0:
        raise RuntimeError(f"bench city job {name} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _files(ctx: Context):
    folder = ctx.tmp / "city-returns"
    if not folder.exists():
        _job(ctx, "make-files", folder, PER_COUNTY)
    return folder


@benchmark("city-receive")
def city_receive(ctx: Context) -> Result:
    """services.city.receive of 8 county returns of 5,000 enterprises each (read, check, recompute,
    store rows and bytes, one transaction per file) against python-calamine reading the same 8 files
    plus a SQLAlchemy Core insert of their rows."""
    folder = _files(ctx)
    counter = iter(range(10_000))

    def ours() -> float:
        return _job(ctx, "receive", ctx.tmp / f"city-{next(counter)}.db", folder)["seconds"]

    def floor() -> float:
        return _job(ctx, "receive-baseline", ctx.tmp / f"city-floor-{next(counter)}.db", folder)["seconds"]

    q, b = interleaved(ctx.runs, ours, floor)
    return Result(f"city receive: 8 county returns × {PER_COUNTY:,} enterprises", "s", q, b,
                  baseline_name="python-calamine reads the 8 files + SQLAlchemy Core insert of their rows",
                  goal=Goal("ratio", 2.0))


@benchmark("city-export")
def city_export(ctx: Context) -> list[Result]:
    """services.city.export (the city workbook of the 8 received returns) against a raw openpyxl
    write-only workbook of the same cells (read back from qoffice's first file, not timed); peak RSS."""
    folder = _files(ctx)
    db = ctx.tmp / "city-export.db"
    if not db.exists():
        _job(ctx, "receive", db, folder)
    counter = iter(range(10_000))
    first = ctx.tmp / "city-0.xlsx"
    rss: list[float] = []

    def ours() -> float:
        n = next(counter)
        out = _job(ctx, "export", db, first if n == 0 else ctx.tmp / f"city-{n}.xlsx")
        rss.append(out["maxrss_mb"])
        return out["seconds"]

    base_rss: list[float] = []
    cells = ctx.tmp / "city-cells.pickle"

    def floor() -> float:
        if not cells.exists():
            ctx.job("return-cells", first, cells)
        out = ctx.job("return-baseline", cells, ctx.tmp / "city-floor.xlsx")
        base_rss.append(out["maxrss_mb"])
        return out["seconds"]

    q, b = interleaved(ctx.runs, ours, floor)
    name = f"city workbook: 8 counties × {PER_COUNTY:,} enterprises"
    return [Result(name, "s", q, b, baseline_name="raw openpyxl write-only workbook with the same cells "
                                                   "(values and number formats)", goal=Goal("ratio", 1.3),
                   notes=["whole export: load the stored rows, recompute, totals, ranking, write"]),
            Result(f"{name}: peak RSS", "MB", rss, base_rss, baseline_name="raw openpyxl write-only",
                   goal=Goal("max", 500, "≤ 500 MB"))]
