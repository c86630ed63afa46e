"""`qoffice city receive|status|export|withdraw` — the city office (city.md).

receive FILE... [--replace-newer] [--json]: exit 0 when no file was refused, 1 otherwise, 2 when
nothing could be done (not a city-level database, no database). status --year Y [--json].
export --year Y -o FILE [--json]: exit 1 when no county has a current return for Y.
withdraw --year Y --county C --reason R: 退回.
"""
from __future__ import annotations

import argparse


def register(subparsers, name: str) -> None:
    from qoffice.cli.common import year_arg
    from qoffice.i18n import _

    parser = subparsers.add_parser(name, help=_("the city office: receive county returns, add them up, rank"),
                                   description=_("The city office's side: receive the counties' yearly returns, "
                                                 "check them, add them up and rank the counties. Needs the "
                                                 "setting level = city."))
    sub = parser.add_subparsers(dest="city_action", metavar="ACTION", parser_class=type(parser))
    sub.required = True

    p = sub.add_parser("receive", help=_("receive county returns (.xlsx), each file on its own"))
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--replace-newer", action="store_true",
                   help=_("accept a file older than the current return of its county and year"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run_receive)

    p = sub.add_parser("status", help=_("list each county's 报送状态 for a year"))
    p.add_argument("--year", type=year_arg, required=True, metavar="Y")
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run_status)

    p = sub.add_parser("export", help=_("write the city workbook (全市汇总) of a year"))
    p.add_argument("--year", type=year_arg, required=True, metavar="Y")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help=_("the .xlsx file to write, or a folder (then the default file name is used)"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run_export)

    p = sub.add_parser("withdraw", help=_("send a county's return back (退回) with a reason"))
    p.add_argument("--year", type=year_arg, required=True, metavar="Y")
    p.add_argument("--county", required=True, metavar="C")
    p.add_argument("--reason", required=True, metavar="R")
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run_withdraw)

    p = sub.add_parser("feedback", help=_("write a county's 反馈单 (.xlsx, or .pdf by the file name)"))
    p.add_argument("--year", type=year_arg, required=True, metavar="Y")
    p.add_argument("--county", required=True, metavar="C")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run_feedback)

    p = sub.add_parser("targets-out", help=_("write each county's targets as a workbook for it to import"))
    p.add_argument("--year", type=year_arg, required=True, metavar="Y")
    p.add_argument("-o", "--output", required=True, metavar="FOLDER")
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run_targets_out)

    p = sub.add_parser("summary-pdf", help=_("write 全市汇总 and 考核排名 as an A4 PDF for printing"))
    p.add_argument("--year", type=year_arg, required=True, metavar="Y")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run_summary_pdf)


def _where(f) -> str:
    if f.sheet is None:
        return "-"
    return f.sheet if f.row is None else f"{f.sheet}!{f.row}"


STATUS_WORDS = {"accepted": "已收取", "replaced": "已更新", "unchanged": "已收到过相同文件", "refused": "未收取"}


def run_receive(args: argparse.Namespace) -> int:
    from qoffice.cli.common import open_db, print_json
    from qoffice.services import city

    db = open_db(args, "existing")
    try:
        outcomes = city.receive(db, args.files, replace_newer=args.replace_newer)
    finally:
        db.close()
    if args.json:
        print_json({"files": [o.as_json() for o in outcomes]})
    else:
        for o in outcomes:
            who = f"{o.county or ''} {o.year or ''}".strip()
            print(f"{o.file}\t{STATUS_WORDS[o.status]}\t{who}")
            for f in o.errors + o.warnings:
                print(f"  {f.level}\t{_where(f)}\t{f.message}")
    return 1 if any(o.status == "refused" for o in outcomes) else 0


def run_status(args: argparse.Namespace) -> int:
    from qoffice.cli.common import db_session, print_json
    from qoffice.services import city

    with db_session(args) as s:
        rows = city.status(s, args.year)
    if args.json:
        print_json({"year": args.year, "counties": [r.as_json() for r in rows]})
    else:
        for r in rows:
            j = r.as_json()
            print(f"{r.county}\t{r.status}\t{j['received_at'] or ''}\t{r.file or ''}\t{r.warnings}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from qoffice.cli.common import db_session, print_json
    from qoffice.i18n import _
    from qoffice.services import city

    with db_session(args) as s:
        result = city.export(s, args.year, args.output)
    if args.json:
        print_json({"path": str(result.path), "counties_received": result.counties_received,
                    "warnings": result.warnings})
    else:
        print(_("City workbook written: {path} ({n} counties reported, {w} warning(s))").format(
            path=result.path, n=result.counties_received, w=result.warnings))
    return 0


def run_withdraw(args: argparse.Namespace) -> int:
    from qoffice.cli.common import db_session, print_json
    from qoffice.i18n import _
    from qoffice.services import city

    with db_session(args, "existing") as s:
        file_name = city.withdraw(s, args.year, args.county, args.reason).file_name
    if args.json:
        print_json({"year": args.year, "county": args.county, "status": "已退回", "file": file_name,
                    "reason": args.reason.strip()})
    else:
        print(_("{county}'s return for {year} was sent back: {reason}").format(
            county=args.county, year=args.year, reason=args.reason.strip()))
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """`qoffice demo-data --level city`: a city database that has received seven counties' returns."""
    import time

    from sqlalchemy import delete, func, select

    from qoffice.cli.common import open_db, print_json
    from qoffice.db.models import CityReturn
    from qoffice.errors import UsageError
    from qoffice.i18n import _
    from qoffice.services import city_demo

    started = time.perf_counter()
    db = open_db(args, "create")
    try:
        with db.read_session() as s:
            has = s.scalar(select(func.count()).select_from(CityReturn))
        backup = None
        if has:
            if not args.force:
                raise UsageError(_("The database already holds received returns; use --force to replace them "
                                   "with demo data."))
            from qoffice.db.backup import make_backup

            backup = make_backup(db.path, kind="event")
            with db.session() as s:
                s.execute(delete(CityReturn))
        summary = city_demo.generate(db, seed=args.seed if args.seed is not None else 2013)
    finally:
        db.close()
    seconds = round(time.perf_counter() - started, 2)
    if args.json:
        print_json({"path": str(db.path), "level": "city", "years": list(summary.years),
                    "received": summary.received, "missing": summary.missing,
                    "backup": str(backup) if backup else None, "seconds": seconds})
    else:
        print(_("City demo data written to {path} in {seconds} s: returns for {first}–{last} received from "
                "{n} counties; {missing} has not reported.").format(
            path=db.path, seconds=seconds, first=summary.years[0], last=summary.years[1],
            n=len(summary.received), missing=summary.missing or "-"))
    return 0


def run_feedback(args: argparse.Namespace) -> int:
    import datetime as dt
    from pathlib import Path

    from qoffice.cli.common import db_session, print_json
    from qoffice.i18n import _
    from qoffice.services import city

    with db_session(args) as s:
        target = Path(args.output)
        if target.suffix.lower() == ".pdf":
            from qoffice.ui import city_print

            city_print.ensure_app()
            fb = city.feedback(s, args.year, args.county)
            path = city_print.write_pdf(city_print.feedback_html(fb, dt.date.today()), target,
                                        f"{args.county}{args.year}年度报表审核反馈单")
        else:
            path = city.export_feedback(s, args.year, args.county, target)
    if args.json:
        print_json({"path": str(path)})
    else:
        print(_("Written: {path}").format(path=path))
    return 0


def run_targets_out(args: argparse.Namespace) -> int:
    from qoffice.cli.common import db_session, print_json
    from qoffice.i18n import _
    from qoffice.services import city_targets

    with db_session(args) as s:
        paths = city_targets.targets_out(s, args.year, args.output)
    if args.json:
        print_json({"files": [str(p) for p in paths]})
    else:
        for p in paths:
            print(_("Written: {path}").format(path=p))
    return 0


def run_summary_pdf(args: argparse.Namespace) -> int:
    import datetime as dt

    from qoffice.cli.common import db_session, print_json
    from qoffice.i18n import _
    from qoffice.services import city
    from qoffice.ui import city_print

    with db_session(args) as s:
        rep = city.report(s, args.year)
        if rep.received == 0:
            raise city.NothingReceived(_("No county has a current return for {year}: nothing to add up.")
                                       .format(year=args.year))
        city_print.ensure_app()
        path = city_print.write_pdf(city_print.summary_html(rep, dt.date.today()), args.output,
                                    f"{args.year}年度全市质量强企工作汇总表")
    if args.json:
        print_json({"path": str(path)})
    else:
        print(_("Written: {path}").format(path=path))
    return 0


def run_import_targets(args: argparse.Namespace) -> int:
    """`qoffice import targets FILE` (county level): the city's 下发目标 into target.1 … target.17."""
    from qoffice.cli.common import db_session, print_json
    from qoffice.i18n import _
    from qoffice.services import city_targets

    if args.dry_run:
        got = city_targets.read_targets(args.file)
        changed = False
    else:
        with db_session(args, "existing") as s:
            got = city_targets.import_targets(s, args.file)
        changed = True
    if args.json:
        print_json({"county": got.county, "year": got.year, "imported": changed,
                    "targets": {str(n): (None if v is None else format(v, "f")) for n, v in got.targets.items()}})
    else:
        print(_("Targets of {county} for {year}: {n} set.").format(
            county=got.county, year=got.year, n=sum(1 for v in got.targets.values() if v is not None)))
    return 0
