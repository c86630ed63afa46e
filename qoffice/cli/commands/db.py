"""`qoffice --db URL db init|upgrade|copy`: the shared office database on a PostgreSQL server (shared-db.md)."""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    from qoffice.i18n import _

    p = subparsers.add_parser(name, help=_("set up, upgrade or copy a shared database on a PostgreSQL server"),
                              description=_("The office's shared database on a PostgreSQL server (--db URL)."))
    sub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    init = sub.add_parser("init", help=_("set up an empty server database: schema, roles, grants (the owner)"),
                          description=_("Run as the database's owner on an empty database: creates the schema, "
                                        "the groups qoffice_clerk and qoffice_viewer and the named login roles. "
                                        "Passwords are asked at a prompt, or read from the environment."))
    init.add_argument("--clerk", nargs="+", default=[], metavar="NAME", help=_("clerks' login names (read and write)"))
    init.add_argument("--viewer", nargs="+", default=[], metavar="NAME", help=_("viewers' login names (read only)"))
    init.add_argument("--password-env", metavar="VAR",
                      help=_("read each password from the environment variable VAR_NAME (NAME in capitals), "
                             "else from VAR; never on the command line"))
    init.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    init.set_defaults(func=run_init)
    up = sub.add_parser("upgrade", help=_("upgrade the server's schema (the owner; a backup is made first)"))
    up.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    up.set_defaults(func=run_upgrade)
    cp = sub.add_parser("copy", help=_("copy all data between a SQLite file and a server"),
                        description=_("Copy every record from --from to --to (a .db file or a PostgreSQL address), "
                                      "counts verified. The target must be empty unless --replace is given."))
    cp.add_argument("--from", dest="source", required=True, metavar="FILE|URL")
    cp.add_argument("--to", dest="target", required=True, metavar="FILE|URL")
    cp.add_argument("--replace", action="store_true", help=_("overwrite a target that already holds data"))
    cp.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    cp.set_defaults(func=run_copy)


def _server_url(args) -> str:
    from qoffice.cli.common import db_path
    from qoffice.errors import UsageError
    from qoffice.i18n import _

    target = db_path(args)
    if not isinstance(target, str):
        raise UsageError(_("“db init” and “db upgrade” work on a server: give --db postgresql://… "
                           "(a local .db file is set up and upgraded by itself)."))
    return target


def _passwords(names, env_var) -> dict[str, str]:
    import getpass
    import os
    import sys

    from qoffice.errors import UsageError
    from qoffice.i18n import _

    out = {}
    for name in names:
        if env_var:
            value = os.environ.get(f"{env_var}_{name.upper()}", os.environ.get(env_var))
            if not value:
                raise UsageError(_("No password for {name}: set {var}_{upper} or {var}.").format(
                    name=name, var=env_var, upper=name.upper()))
            out[name] = value
            continue
        if not sys.stdin.isatty():
            raise UsageError(_("The password for {name} is asked at a prompt; without a terminal, name an "
                               "environment variable with --password-env.").format(name=name))
        while True:
            first = getpass.getpass(_("Password for {name}: ").format(name=name))
            again = getpass.getpass(_("Again: "))
            if first and first == again:
                out[name] = first
                break
            print(_("The two entries differ or are empty; try again."), file=sys.stderr)
    return out


def run_init(args) -> int:
    from qoffice.cli.common import print_json
    from qoffice.db.pgadmin import check_role_name, init_database
    from qoffice.errors import UsageError
    from qoffice.i18n import _

    url = _server_url(args)
    names = [*args.clerk, *args.viewer]
    if not names:
        raise UsageError(_("Name at least one clerk (--clerk NAME) or viewer (--viewer NAME)."))
    if len(set(names)) != len(names):
        raise UsageError(_("A name is given twice; each login is a clerk or a viewer."))
    for n in names:
        check_role_name(n)
    passwords = _passwords(names, args.password_env)
    result = init_database(url, args.clerk, args.viewer, passwords)
    if args.json:
        print_json(result)
    else:
        print(_("Set up {where}: clerks {clerks}; viewers {viewers}.").format(
            where=result["database"], clerks="、".join(args.clerk) or "-", viewers="、".join(args.viewer) or "-"))
    return 0


def run_upgrade(args) -> int:
    from qoffice.cli.common import print_json
    from qoffice.db.database import open_database
    from qoffice.db.pgadmin import upgrade_database
    from qoffice.db.pgcopy import server_backup
    from qoffice.db.schema import SCHEMA_HEAD
    from qoffice.errors import DatabaseError
    from qoffice.i18n import _

    url = _server_url(args)
    db = open_database(url, "check")
    try:
        if db.role != "owner":
            raise DatabaseError(_("Only the owner of the database {where} can upgrade it; nothing was "
                                  "changed.").format(where=db.label))
        if db.revision == SCHEMA_HEAD:
            backup, before, after = None, db.revision, db.revision
        else:
            backup = server_backup(db, "event", reason="migrate")
    finally:
        db.close()
    if db.revision != SCHEMA_HEAD:
        before, after = upgrade_database(url)
    if args.json:
        print_json({"database": db.label, "from": before, "to": after,
                    "backup": None if backup is None else str(backup)})
    elif backup is None:
        print(_("The database {where} is already at schema {rev}.").format(where=db.label, rev=after))
    else:
        print(_("Upgraded {where} from schema {old} to {new}; backup first: {backup}").format(
            where=db.label, old=before, new=after, backup=backup))
    return 0


def run_copy(args) -> int:
    from pathlib import Path

    from qoffice.cli.common import print_json
    from qoffice.db import pg
    from qoffice.errors import UsageError
    from qoffice.i18n import _

    src, dst = args.source.strip(), args.target.strip()
    if pg.is_url(src) == pg.is_url(dst):
        raise UsageError(_("“db copy” copies between a .db file and a PostgreSQL server: one of --from and --to "
                           "must be a file, the other a postgresql:// address."))
    if pg.is_url(dst):
        from qoffice.db.pgcopy import sqlite_to_server
        from qoffice.services.backups import check_backup_file

        pg.check_url(dst)
        checked = check_backup_file(src)
        counts = sqlite_to_server(checked.path, dst, replace=args.replace)
        where = pg.describe(pg.sa_url(dst))
    else:
        counts, where = _to_file(pg.check_url(src), Path(dst), args.replace)
    total = sum(counts.values())
    if args.json:
        print_json({"from": args.source if not pg.is_url(src) else pg.redact(src),
                    "to": dst if not pg.is_url(dst) else where, "rows": counts, "total": total})
    else:
        print(_("Copied {n} records into {where}; the counts of every table match.").format(n=total, where=where))
    return 0


def _to_file(url: str, target, replace: bool):
    from qoffice.db import sqlite as sq
    from qoffice.db.database import open_database
    from qoffice.db.pgcopy import server_to_sqlite
    from qoffice.errors import UsageError
    from qoffice.i18n import _

    if target.exists() and target.stat().st_size > 0:
        if not target.is_file() or not sq.is_sqlite_file(target):
            raise UsageError(_("{path} exists and is not a qoffice database; nothing was changed.").format(path=target))
        if not replace and _has_rows(target):
            raise UsageError(_("{path} already holds data; nothing was changed. Add --replace to overwrite it.")
                             .format(path=target))
    db = open_database(url, "check")
    try:
        counts = server_to_sqlite(db, target)
    finally:
        db.close()
    return counts, str(target)


def _has_rows(path) -> bool:
    import sqlite3

    from qoffice.db import sqlite as sq

    con = sqlite3.connect(f"file:{sq._uri_path(path)}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND name NOT IN ('alembic_version') AND name NOT LIKE 'sqlite_%'")]
        return any(con.execute(f'SELECT EXISTS (SELECT 1 FROM "{n}")').fetchone()[0] for n in names)
    except sqlite3.Error:
        return True
    finally:
        con.close()
