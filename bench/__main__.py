"""`python -m bench [NAME …] [--runs N] [--enterprises N] [--keep]` — run by `make bench`."""
from __future__ import annotations

import argparse
import sys
import time
import traceback

from bench import benchmarks  # noqa: F401  (registers the benchmarks)
from bench.framework import REGISTRY, RESULTS_PATH, Context, machine, table, write_results


def main(argv: list[str] | None = None) -> int:
    names = [r.name for r in REGISTRY]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("only", nargs="*", metavar="NAME", help=f"benchmarks to run (default all: {', '.join(names)})")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--enterprises", type=int, default=100_000, help="size of the demo database (default 100000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.only if n not in names]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}")
    chosen = [r for r in REGISTRY if not args.only or r.name in args.only]

    started = time.perf_counter()
    ctx = Context(enterprises=args.enterprises, runs=args.runs, keep=args.keep)
    info = machine()
    print(f"qoffice bench: {info['cpu']} × {info['cores']}, Python {info['python']}; "
          f"{args.runs} runs; temp folder {ctx.tmp}", flush=True)
    results, failed = [], []
    try:
        for item in chosen:
            print(f"… {item.name}", flush=True)
            t0 = time.perf_counter()
            try:
                result = item.func(ctx)
            except Exception:
                failed.append(item.name)
                traceback.print_exc()
                continue
            results.extend(result if isinstance(result, list) else [result])
            print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)
    finally:
        ctx.close()
    seconds = time.perf_counter() - started
    print()
    print(table(results))
    for r in results:
        for note in r.notes:
            print(f"  {r.metric}: {note}")
        if r.baseline_name:
            print(f"  {r.metric}: baseline = {r.baseline_name}")
    write_results(results, ctx, seconds)
    print(f"\nwritten {RESULTS_PATH} ({seconds:.0f} s in all)")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
