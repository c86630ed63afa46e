"""`qoffice check`: a read-only health check of the database (exit 0 clean, 1 problems, 2 cannot proceed)."""
from __future__ import annotations

import argparse


def register(subparsers, name: str) -> None:
    from qoffice.i18n import _

    parser = subparsers.add_parser(
        name, help=_("check the database without changing it"),
        description=_("Check the database read-only: SQLite integrity, foreign keys, schema version and the "
                      "data rules. Exit status 0: no problems; 1: problems found; 2: cannot check."))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from qoffice.cli.common import db_path, print_json
    from qoffice.i18n import _
    from qoffice.services.checkdb import check_database

    report = check_database(db_path(args))
    if args.json:
        print_json(report.as_dict())
        return 0 if report.ok else 1
    ok, bad = _("no problems"), _("problems found")
    print(_("Database: {path}").format(path=report.path))
    if report.server_version:
        roles = {"owner": _("owner"), "clerk": _("clerk"), "viewer": _("viewer (read-only)"), "other": _("other")}
        print(_("Server: PostgreSQL {version}; connected as: {role}").format(
            version=report.server_version, role=roles.get(report.role, report.role)))
    state = {"current": _("current"), "older": _("older, not upgraded"),
             "missing": _("missing")}[report.schema_state]
    print(_("Schema version: {rev} ({state})").format(rev=report.revision or "-", state=state))
    print(_("Integrity check: {result}").format(result=ok if report.integrity_ok else bad))
    print(_("Foreign-key check: {result}").format(result=ok if report.foreign_keys_ok else bad))
    if report.data_checked:
        data_bad = any(f.kind not in ("integrity", "foreign_key", "schema") for f in report.findings)
        print(_("Data check: {result}").format(result=bad if data_bad else ok))
    for finding in report.findings:
        print(f"- {finding.message}")
    if report.count > len(report.findings):
        print(_("… and {n} more.").format(n=report.count - len(report.findings)))
    if report.ok:
        print(_("No problems found."))
        return 0
    print(_("{n} problems found.").format(n=report.count))
    return 1
