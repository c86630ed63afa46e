"""`qoffice settings set KEY VALUE` and `qoffice settings show [--json]`."""
from __future__ import annotations

import argparse


def register(subparsers, name: str) -> None:
    from qoffice.i18n import _

    parser = subparsers.add_parser(name, help=_("show or change the settings kept in the database"),
                                   description=_("Show or change the settings kept in the database."))
    sub = parser.add_subparsers(dest="settings_action", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    p_set = sub.add_parser("set", help=_("set one setting (an empty VALUE clears it)"),
                           description=_("Keys: county, office, operator, phone, language, counties, "
                                         "target.1 … target.17 for the summary's targets, and "
                                         "signin.blank_rows (blank rows at the end of the sign-in sheet)."))
    p_set.add_argument("key", metavar="KEY")
    p_set.add_argument("value", metavar="VALUE")
    p_set.add_argument("--json", action="store_true", help=_("print one JSON object"))
    p_set.set_defaults(func=run_set)
    p_show = sub.add_parser("show", help=_("print every setting"))
    p_show.add_argument("--json", action="store_true", help=_("print one JSON object"))
    p_show.set_defaults(func=run_show)


def run_set(args: argparse.Namespace) -> int:
    from qoffice.cli.common import db_session, print_json
    from qoffice.i18n import _
    from qoffice.services import settings

    # Validate before opening, so a typo in the key never creates a database file.
    settings.validate(args.key, args.value)
    with db_session(args, "create") as s:
        value = settings.set_value(s, args.key, args.value)
    if args.json:
        print_json({"key": args.key, "value": value})
    elif value is None:
        print(_("{key} cleared").format(key=args.key))
    else:
        print(f"{args.key} = {value}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from qoffice.cli.common import open_db, print_json
    from qoffice.services import settings

    db = open_db(args, "read")  # no write lock: works while the GUI is open and on a read-only disk
    try:
        with db.read_session() as s:
            values = settings.shown(s)
    finally:
        db.close()
    if args.json:
        print_json({"path": str(db.path), "settings": values})
        return 0
    width = max(len(k) for k in values)
    for key, value in values.items():
        print(f"{key.ljust(width)}  {settings.title(key)}: {'' if value is None else value}")
    return 0
