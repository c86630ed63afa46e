"""`qoffice [--db P] restore FILE`: replace the database with a backup, after backing up the current file."""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    from qoffice.i18n import _

    p = subparsers.add_parser(name, help=_("restore the database from a backup file"),
                              description=_("Check that FILE is a whole qoffice database, back up the current "
                                            "database, then replace it with FILE."))
    p.add_argument("file", metavar="FILE", help=_("the backup to restore"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run)


def run(args) -> int:
    from qoffice.cli.common import db_path, print_json
    from qoffice.i18n import _
    from qoffice.services import backups

    path = db_path(args)
    if isinstance(path, str):  # a server: the owner replaces its data in one transaction
        return _server_restore(args, path)
    # An older backup is upgraded on its copy before it replaces the database (a failed upgrade
    # changes nothing), so there is nothing left to upgrade here.
    result = backups.restore_from(path, args.file, program="qoffice-cli", lock_wait=30.0)
    if args.json:
        print_json({"path": str(path), "restored_from": str(result.restored_from),
                    "previous_saved_as": None if result.safety_backup is None else str(result.safety_backup)})
    else:
        print(_("Restored {path} from {file}.").format(path=path, file=result.restored_from))
        if result.safety_backup is not None:
            print(_("The previous database was saved as {backup}.").format(backup=result.safety_backup))
    return 0


def _server_restore(args, url: str) -> int:
    """The server's rows replaced by the backup's in one transaction (the owner only); a backup of the
    server's current data is made first, as in the local mode."""
    from qoffice.cli.common import print_json
    from qoffice.db.database import open_database
    from qoffice.db.pgcopy import server_backup, sqlite_to_server
    from qoffice.errors import DatabaseError
    from qoffice.i18n import _
    from qoffice.services.backups import check_backup_file

    checked = check_backup_file(args.file)
    db = open_database(url, "check")
    try:
        if db.role != "owner":
            raise DatabaseError(_("Only the owner of the database {where} can replace its data; nothing was "
                                  "changed.").format(where=db.label))
        safety = server_backup(db, "event", reason="restore")
    finally:
        db.close()
    counts = sqlite_to_server(checked.path, url, replace=True, owner_only=True)
    if args.json:
        print_json({"path": db.label, "restored_from": str(checked.path), "previous_saved_as": str(safety),
                    "rows": counts})
    else:
        print(_("Restored {path} from {file}.").format(path=db.label, file=checked.path))
        print(_("The previous database was saved as {backup}.").format(backup=safety))
    return 0
