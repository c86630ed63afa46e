"""`qoffice [--db P] backup [-o FILE]`: a verified copy of the database (read-only; works while the GUI is open)."""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    from qoffice.i18n import _

    p = subparsers.add_parser(name, help=_("back up the database (verified copy)"),
                              description=_("Copy the database with SQLite's backup API and verify the copy. "
                                            "Without -o the copy goes to backups/ beside the database."))
    p.add_argument("-o", "--output", metavar="FILE", help=_("write the backup to FILE instead"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from qoffice.cli.common import db_path, print_json
    from qoffice.db.database import open_database
    from qoffice.db.schema import SCHEMA_HEAD
    from qoffice.errors import DatabaseDamaged
    from qoffice.i18n import _
    from qoffice.services import backups

    path = db_path(args)
    if isinstance(path, str):  # a server: the same kind of verified SQLite file, from one snapshot
        return _server_backup(args, path)
    # Read-only first: missing → exit 2, newer or foreign → exit 2, and no lock is needed to copy.
    db = open_database(path, "check")
    revision = db.revision
    db.close()
    if revision != SCHEMA_HEAD:  # older: upgraded after a backup, per the spec's table
        open_database(path, "existing", program="qoffice-cli", lock_wait=30.0).close()
    try:
        out = backups.backup_now(path, target=args.output)
    except DatabaseDamaged as exc:  # the copy was still made (…-damaged): data problems, exit 1
        if args.json:
            print_json({"path": str(exc.backup), "damaged": True, "error": exc.message})
        else:
            print(f"qoffice: {exc.message}", file=sys.stderr)
        return 1
    size = out.stat().st_size
    if args.json:
        print_json({"path": str(out), "size": size})
    else:
        print(_("Backup written and verified: {path} ({size} bytes)").format(path=out, size=size))
    return 0


def _server_backup(args, url: str) -> int:
    from qoffice.cli.common import print_json
    from qoffice.db.database import open_database
    from qoffice.db.pgcopy import server_backup
    from qoffice.i18n import _

    db = open_database(url, "check")
    try:
        out = server_backup(db, "manual", target=args.output)
    finally:
        db.close()
    size = out.stat().st_size
    if args.json:
        print_json({"path": str(out), "size": size})
    else:
        print(_("Backup written and verified: {path} ({size} bytes)").format(path=out, size=size))
    return 0
