"""`qoffice demo-data [--enterprises N] [--seed S] [--force]`: fill a database with demo data."""
from __future__ import annotations

import argparse


def register(subparsers, name: str) -> None:
    from qoffice.i18n import _

    parser = subparsers.add_parser(
        name, help=_("fill the database with realistic demo data"),
        description=_("Fill the database with plausible enterprises of one Nantong county and a whole "
                      "two years of forums, matchmaking meetings, projects and awards."))
    parser.add_argument("--enterprises", type=int, default=1000, metavar="N",
                        help=_("number of enterprises (default 1000)"))
    parser.add_argument("--seed", type=int, default=None, metavar="S",
                        help=_("random seed; the same seed gives the same data"))
    parser.add_argument("--force", action="store_true",
                        help=_("replace the records of a database that is not empty (a backup is made first)"))
    parser.add_argument("--level", choices=("county", "city"), default="county",
                        help=_("city: a city office's database that has received the counties' returns"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys
    import time

    from qoffice.cli.common import open_db, print_json
    from qoffice.i18n import _
    from qoffice.services import demo

    if getattr(args, "level", "county") == "city":
        from qoffice.cli.commands.city import run_demo

        return run_demo(args)
    started = time.perf_counter()
    db = open_db(args, "create")
    try:
        backup = None
        if args.force:
            with db.read_session() as s:
                needs_backup = demo.has_records(s)
            if needs_backup:
                from qoffice.db.backup import make_backup

                backup = make_backup(db.path, kind="event")
        show = (not args.json) and sys.stderr is not None and sys.stderr.isatty()
        with db.session() as s:
            summary = demo.generate(s, enterprises=args.enterprises, seed=args.seed, force=args.force,
                                    progress=_console_progress if show else None)
        if show:
            sys.stderr.write("\n")
    finally:
        db.close()
    seconds = round(time.perf_counter() - started, 2)
    counts = summary.counts
    if args.json:
        print_json({"path": str(db.path), "seed": summary.seed, "county": summary.county,
                    "years": list(summary.years), "replaced": summary.replaced,
                    "backup": str(backup) if backup else None, "counts": counts, "seconds": seconds})
        return 0
    if backup:
        print(_("Backup of the previous contents: {path}").format(path=backup))
    print(_("Demo data written to {path} in {seconds} s (seed {seed}, county {county}, years {first}–{last}): "
            "{enterprises} enterprises, {partners} partners, {forums} forums, {meetings} matchmaking meetings "
            "with {signups} sign-ups, {projects} projects, {awards} awards.").format(
        path=db.path, seconds=seconds, seed=summary.seed, county=summary.county, first=summary.years[0],
        last=summary.years[1], enterprises=counts.get("enterprise", 0), partners=counts.get("partner", 0),
        forums=counts.get("forum", 0), meetings=counts.get("meeting", 0), signups=counts.get("signup", 0),
        projects=counts.get("project", 0), awards=counts.get("award", 0)))
    return 0


def _console_progress(done: int, total: int, message: str) -> None:
    import sys

    percent = 100 * done // total if total else 100
    sys.stderr.write(f"\r{message} {percent:3d}%")
    sys.stderr.flush()
