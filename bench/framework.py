"""The benchmark machinery: a registry, timing helpers, a shared 100,000-enterprise database,
the results table and bench/results.json.

A benchmark is one function registered with @benchmark; it gets a Context and returns a Result
(or a list of them, one per goal) holding per-run samples for qoffice and for its baseline, both
measured in the same run of `make bench`. Medians are reported with their spread (min–max over runs); the ratio is
median(qoffice) / median(baseline); a goal is met when the ratio (or the absolute value, for
goals stated in seconds or MB, or the difference for goals stated as "+N MB") is at or below it.
Work that must start cold or whose peak memory counts runs in a child process (bench/jobs.py).
Adding a benchmark = one more function.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


@dataclass
class Goal:
    """`limit` applies to the ratio (kind "ratio") or to the qoffice median itself (kind "max")."""

    kind: str = "ratio"  # ratio | max | delta (qoffice − baseline, in the unit) | none
    limit: float | None = None
    text: str = ""

    def describe(self) -> str:
        if self.text:
            return self.text
        if self.kind == "ratio":
            return f"≤ {self.limit:g}×"
        if self.kind == "max":
            return f"≤ {self.limit:g}"
        if self.kind == "delta":
            return f"≤ +{self.limit:g}"
        return "report"


@dataclass
class Result:
    metric: str
    unit: str  # "s", "ms", "MB"
    qoffice: list[float]  # one value per run
    baseline: list[float] = field(default_factory=list)  # empty: no baseline (absolute report)
    baseline_name: str = ""
    goal: Goal = field(default_factory=lambda: Goal("none"))
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.qoffice)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    @property
    def ratio(self) -> float | None:
        b = self.baseline_median
        return self.median / b if b else None

    @property
    def met(self) -> bool | None:
        if self.goal.kind == "ratio":
            return None if self.ratio is None else self.ratio <= self.goal.limit
        if self.goal.kind == "max":
            return self.median <= self.goal.limit
        if self.goal.kind == "delta":
            return None if self.delta is None else self.delta <= self.goal.limit
        return None

    @property
    def delta(self) -> float | None:
        b = self.baseline_median
        return None if b is None else self.median - b

    def as_dict(self) -> dict:
        out = asdict(self)
        out.update(goal=self.goal.describe(), median=self.median, spread=[min(self.qoffice), max(self.qoffice)],
                   baseline_median=self.baseline_median,
                   baseline_spread=[min(self.baseline), max(self.baseline)] if self.baseline else None,
                   ratio=self.ratio, delta=self.delta, met=self.met)
        return out


@dataclass
class Registered:
    name: str
    func: Callable[[Context], Result]
    heavy: bool  # needs the 100,000-enterprise database


REGISTRY: list[Registered] = []


def benchmark(name: str, *, heavy: bool = False):
    """Register `func(ctx) -> Result` under `name` (run in registration order)."""
    def wrap(func):
        REGISTRY.append(Registered(name, func, heavy))
        return func
    return wrap


class Context:
    """Shared state of one bench run: a temp folder, QOFFICE_HOME inside it, the big database."""

    def __init__(self, enterprises: int = 100_000, runs: int = 3, keep: bool = False):
        self.enterprises = enterprises
        self.runs = runs
        self.keep = keep
        self.tmp = Path(tempfile.mkdtemp(prefix="qoffice-bench-"))
        self.home = self.tmp / "home"
        self.home.mkdir()
        self.env = dict(os.environ, QOFFICE_HOME=str(self.home), QT_QPA_PLATFORM="offscreen",
                        PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                        # Children cache bytecode as an installed qoffice (wheel, frozen build)
                        # has it — in the temp folder, not the work tree — even where the shell
                        # sets PYTHONDONTWRITEBYTECODE; compiling every module each start is not
                        # what a clerk's PC does.
                        PYTHONPYCACHEPREFIX=str(self.tmp / "pycache"))
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["QOFFICE_HOME"] = str(self.home)  # in-process benchmarks never touch real data
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        self._big_db: Path | None = None

    # -- the shared database -------------------------------------------------------------------
    @property
    def big_db(self) -> Path:
        """The demo database with `enterprises` enterprises, built once per bench run."""
        if self._big_db is None:
            self.adopt_big_db(self.make_demo_db(self.tmp / "big.db"))
        return self._big_db  # type: ignore[return-value]

    def adopt_big_db(self, path: Path) -> None:
        self._big_db = path

    def make_demo_db(self, path: Path) -> Path:
        proc = self.qoffice("--db", str(path), "demo-data", "--enterprises", str(self.enterprises), "--seed", "1")
        if proc.returncode != 0:
            raise RuntimeError(f"demo-data failed: {proc.stderr.strip()}")
        return path

    # -- running things ------------------------------------------------------------------------
    def qoffice(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "qoffice", *argv], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, encoding="utf-8")

    def time_process(self, argv: list[str], env: dict | None = None) -> float:
        """Wall time of one child process (start-up included), in seconds; a failure stops the bench."""
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=ROOT, env=dict(self.env, **(env or {})), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
        return elapsed

    def job(self, name: str, *args: str) -> dict:
        """Run one measured job of bench/jobs.py in its own process; its JSON result."""
        proc = subprocess.run([sys.executable, "-m", "bench.jobs", name, *map(str, args)], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, encoding="utf-8")
        if proc.returncode != 0:
            raise RuntimeError(f"bench job {name} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def close(self) -> None:
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def interleaved(runs: int, *measure: Callable[[], float]) -> list[list[float]]:
    """Run each measurement `runs` times, alternating, so that load on the machine hits both alike."""
    samples: list[list[float]] = [[] for _m in measure]
    for _r in range(runs):
        for i, m in enumerate(measure):
            samples[i].append(m())
    return samples


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.1f} ms"
    if unit == "ms":
        return f"{value:.2f} ms"
    return f"{value:.1f} {unit}"


def table(results: list[Result]) -> str:
    head = ("metric", "qoffice median (min–max)", "baseline median (min–max)", "ratio", "goal", "met?")
    rows = [head]
    for r in results:
        q = f"{_fmt(r.median, r.unit)} ({_fmt(min(r.qoffice), r.unit)}–{_fmt(max(r.qoffice), r.unit)})"
        if r.baseline:
            b = (f"{_fmt(r.baseline_median, r.unit)} ({_fmt(min(r.baseline), r.unit)}–"
                 f"{_fmt(max(r.baseline), r.unit)})")
        else:
            b = "—"
        if r.goal.kind == "delta" and r.delta is not None:
            ratio = f"{r.ratio:.2f}× (+{_fmt(r.delta, r.unit)})"
        else:
            ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        met = {True: "yes", False: "NO", None: "—"}[r.met]
        rows.append((r.metric, q, b, ratio, r.goal.describe(), met))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for k, row in enumerate(rows):
        lines.append(" | ".join(_pad(cell, w) for cell, w in zip(row, widths)))
        if k == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def write_results(results: list[Result], ctx: Context, seconds: float, path: Path = RESULTS_PATH) -> None:
    data = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(), "runs": ctx.runs,
            "enterprises": ctx.enterprises, "seconds": round(seconds, 1),
            "results": [r.as_dict() for r in results]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
