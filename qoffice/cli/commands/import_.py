"""`qoffice [--db P] import KIND FILE [--dry-run] [--json]`: bulk entry from a clerk's spreadsheet."""
from __future__ import annotations

import argparse

KIND_NAMES = ("enterprises", "figures", "projects", "awards", "forums", "signups", "partners", "targets")


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    from qoffice.i18n import _

    p = subparsers.add_parser(name, help=_("import records from an Excel or CSV file"),
                              description=_("Import KIND records from FILE (.xlsx, .xls or .csv; the real format "
                                            "is read from the content). Good rows are written in one "
                                            "transaction after a backup; bad rows are reported and skipped."))
    p.add_argument("kind", choices=KIND_NAMES, metavar="KIND", help=" | ".join(KIND_NAMES))
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help=_("show what would be created, updated and rejected "
                                                            "without writing anything"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run)


def run(args) -> int:
    if args.kind == "targets":  # the city's 下发目标 (city.md): qoffice.cli.commands.city
        from qoffice.cli.commands.city import run_import_targets

        return run_import_targets(args)
    from qoffice.cli.common import db_path, open_db, print_json
    from qoffice.i18n import _
    from qoffice.services import imports

    parsed = None
    if not args.dry_run and not db_path(args).exists():
        # Read the file before creating a database: an unreadable file leaves nothing behind.
        parsed = imports.parse_file(args.file, args.kind)
    db = open_db(args, "dry" if args.dry_run else "create")
    try:
        if parsed is None:  # read after opening, so messages follow the database's language setting
            parsed = imports.parse_file(args.file, args.kind)
        result = imports.run_import(db, args.kind, args.file, dry_run=args.dry_run, parsed=parsed)
    finally:
        db.close()
    if args.json:
        print_json(result.as_json())
        return result.exit_code
    head = _("Dry run — nothing was written. ") if args.dry_run else ""
    print(head + _("Created {c}, updated {u}, unchanged {n}, skipped {s}, rejected {r}.").format(
        c=result.created, u=result.updated, n=result.unchanged, s=result.skipped, r=result.rejected))
    for kind_word, items in ((_("error"), result.errors), (_("warning"), result.warnings)):
        for item in items:
            where = []
            if item.row is not None:
                where.append(_("row {row}").format(row=item.row))
            if item.column:
                where.append(item.column)
            print(f"{kind_word}: {' '.join(where)}: {item.message}" if where else f"{kind_word}: {item.message}")
        if items is result.errors and result.errors_omitted:
            print(_("… and {n} more errors, not listed.").format(n=result.errors_omitted))
    return result.exit_code
