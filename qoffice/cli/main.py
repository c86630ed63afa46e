"""Entry point of `qoffice` / `qoffice-cli`: no command → GUI; otherwise one of the commands.

Each command lives in its own module under qoffice.cli.commands with `register(subparsers)` and
`run(args) -> int`; modules import only argparse at module level, so `qoffice --help` stays light
(a test checks that PySide6, openpyxl and sqlalchemy.orm are not imported).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

# command name -> module; order is the order of `qoffice --help`.
COMMANDS = {
    "import": "qoffice.cli.commands.import_",
    "template": "qoffice.cli.commands.template",
    "export-return": "qoffice.cli.commands.export_return",
    "settings": "qoffice.cli.commands.settings",
    "demo-data": "qoffice.cli.commands.demo_data",
    "backup": "qoffice.cli.commands.backup",
    "restore": "qoffice.cli.commands.restore",
    "check": "qoffice.cli.commands.check",
}


def _ensure_utf8_streams() -> None:
    """JSON and Chinese text go out as UTF-8 whatever the console code page; cope with None
    streams (a windowed frozen build on Windows has no stdout/stderr)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
        elif hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass


def _split_qt_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """Qt's own options (-platform offscreen, -style fusion, …) go to Qt, never to argparse."""
    qt_with_value = {"-platform", "-style", "-stylesheet", "-qwindowgeometry", "-qwindowtitle",
                     "-qwindowicon", "-display", "-platformpluginpath", "-platformtheme", "-plugin",
                     "-geometry", "-title", "-session"}
    qt_flags = {"-reverse", "-widgetcount", "-nograb", "-dograb", "-sync"}
    ours, qt = [], []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in qt_with_value and i + 1 < len(argv):
            qt += [a, argv[i + 1]]
            i += 2
            continue
        if a in qt_flags:
            qt.append(a)
        else:
            ours.append(a)
        i += 1
    return ours, qt


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors become exit 2 with one line
    (and a JSON object under --json)."""

    def error(self, message):
        raise _UsageProblem(message)


class _UsageProblem(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    from qoffice import __version__
    from qoffice.i18n import _

    parser = _Parser(prog="qoffice", description=_("qoffice — the county quality office's workbench. "
                                                   "With no command it opens the window."))
    parser.add_argument("--version", action="version", version=f"qoffice {__version__}")
    parser.add_argument("--db", metavar="PATH", help=_("database file (default: qoffice.db in the data folder)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue  # command not built yet
            raise
        mod.register(sub, name)
    return parser


def main(argv: list[str] | None = None) -> int:
    _ensure_utf8_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, qt_args = _split_qt_args(argv)
    from qoffice.i18n import set_language

    set_language(None)
    wants_json = "--json" in ours
    try:
        parser = build_parser()
        args = parser.parse_args(ours)
    except _UsageProblem as exc:
        return _fail(str(exc), 2, wants_json, usage=True)
    if args.command is None:
        if os.environ.get("QOFFICE_CLI_ONLY"):
            parser.print_help()
            return 0
        from qoffice.ui.app import run_gui  # only now: the GUI is the one place Qt is imported

        return run_gui(db=args.db, qt_args=qt_args)
    from qoffice.errors import KnownError

    try:
        return int(args.func(args) or 0)
    except KnownError as exc:
        return _fail(exc.message, exc.exit_code, wants_json)
    except KeyboardInterrupt:
        return _fail("interrupted", 130, wants_json)


def _fail(message: str, code: int, wants_json: bool, usage: bool = False) -> int:
    if wants_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"qoffice: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
