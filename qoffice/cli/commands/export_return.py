"""`qoffice [--db P] export-return --year Y -o FILE [--json]`: the yearly return to the city."""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    from qoffice.i18n import _

    p = subparsers.add_parser(name, help=_("export the yearly return (年度报表) to the city"),
                              description=_("Check year Y's data and write the return workbook. Errors stop the "
                                            "export (exit 1, nothing written); warnings go into its 校验 sheet. "
                                            "Every exported return is kept in the 报送记录."))
    from qoffice.cli.common import year_arg

    p.add_argument("--year", type=year_arg, required=True, metavar="Y", help=_("the year of the return"))
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help=_("the .xlsx file to write, or a folder (then the default file name is used)"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from qoffice.cli.common import open_db, print_json
    from qoffice.i18n import _
    from qoffice.services import returns

    db = open_db(args, "existing")
    # A viewer (领导查看) may not write: the return is written, but no 报送记录 is added (shared-db.md).
    record = not getattr(db, "readonly", False)
    try:
        try:
            with (db.session() if record else db.read_session()) as session:
                result = returns.export(session, args.year, args.output, record=record)
        except returns.ReturnHasErrors as exc:
            if args.json:
                print_json({"path": None, "errors": [p.as_json() for p in exc.errors],
                            "warnings": [p.as_json() for p in exc.warnings]})
            else:
                for p in exc.errors:
                    print(_line(p), file=sys.stderr)
                print(f"qoffice: {exc.message}", file=sys.stderr)
            return exc.exit_code
    finally:
        db.close()
    if args.json:
        print_json({"path": str(result.path), "errors": [], "warnings": [p.as_json() for p in result.warnings],
                    "recorded": record})
    else:
        for p in result.warnings:
            print(_line(p))
        print(_("Return written: {path} ({n} warning(s))").format(path=result.path, n=len(result.warnings)))
        if not record:
            print(_("Not added to the submission records (报送记录): your database account may only read."))
    return 0


def _line(problem) -> str:
    where = problem.sheet if problem.row is None else f"{problem.sheet}!{problem.row}"
    return f"{problem.level}\t{where}\t{problem.message}"
