"""`qoffice template KIND -o FILE`: write the import template of KIND as a real .xlsx."""
from __future__ import annotations

import argparse

from qoffice.cli.commands.import_ import KIND_NAMES


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    from qoffice.i18n import _

    p = subparsers.add_parser(name, help=_("write an import template (.xlsx)"),
                              description=_("Write the Excel template for importing KIND records."))
    p.add_argument("kind", choices=KIND_NAMES, metavar="KIND", help=" | ".join(KIND_NAMES))
    p.add_argument("-o", "--output", metavar="FILE", required=True, help=_("the .xlsx file to write"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=run)


def run(args) -> int:
    from qoffice.cli.common import print_json
    from qoffice.excel.templates import write_template
    from qoffice.i18n import _

    out = write_template(args.kind, args.output)
    if args.json:
        print_json({"path": str(out)})
    else:
        print(_("Template written: {path}").format(path=out))
    return 0
