"""The command line: parses, runs one of the commands, maps errors to exit codes.

qoffice.main (the entry point, above this layer and ui/) calls `main(argv, open_window=…)`: with
no command the window is opened through that callback, so this layer never imports ui/.
Each command lives in its own module under qoffice.cli.commands with `register(subparsers, name)`;
the modules are imported explicitly below (a missing one is an ImportError, never a command that
silently disappears, also in a frozen build) and import only argparse at module level, so
`qoffice --help` stays light (tests check that PySide6, openpyxl and sqlalchemy.orm are not imported).
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from qoffice.cli.commands import backup, check, city, db, demo_data, export_return, import_, restore, settings, template

# command name -> module; order is the order of `qoffice --help`.
COMMANDS = {
    "import": import_,
    "template": template,
    "export-return": export_return,
    "settings": settings,
    "demo-data": demo_data,
    "backup": backup,
    "restore": restore,
    "check": check,
    "city": city,
    "db": db,
}


def ensure_utf8_streams() -> None:
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


def split_qt_args(argv: list[str]) -> tuple[list[str], list[str]]:
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


def _argparse_errors() -> tuple[str, ...]:
    from qoffice.i18n import N_

    # argparse's own error messages (Python 3.11), so a usage error is a Chinese line too.
    return (N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
            N_("the following arguments are required: %s"),
            N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
            N_("expected one argument"), N_("expected at most one argument"), N_("expected at least one argument"),
            N_("ambiguous option: %(option)s could match %(matches)s"), N_("not allowed with argument %s"),
            N_("one of the arguments %s is required"), N_("ignored explicit argument %r"))


def _translate_argparse_errors() -> None:
    """argparse looks its messages up through its module's `_`: the error messages go through our
    catalogs (the help's headings stay as they are)."""
    from qoffice.i18n import _

    original = getattr(argparse, "_qoffice_original_gettext", argparse._)
    argparse._qoffice_original_gettext = original
    ours = frozenset(_argparse_errors())

    def translate(message: str) -> str:
        return _(message) if message in ours else original(message)

    argparse._ = translate


def build_parser() -> argparse.ArgumentParser:
    from qoffice import __version__
    from qoffice.i18n import _

    _translate_argparse_errors()

    parser = _Parser(prog="qoffice", description=_("qoffice — the county quality office's workbench. "
                                                   "With no command it opens the window."))
    parser.add_argument("--version", action="version", version=f"qoffice {__version__}")
    parser.add_argument("--db", metavar="PATH", help=_("database file (default: qoffice.db in the data folder)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        module.register(sub, name)
    return parser


def main(argv: list[str] | None = None, open_window: Callable[[str | None, list[str]], int] | None = None) -> int:
    """Run the command in `argv` (default: sys.argv[1:]); with no command, `open_window(db, qt_args)`
    (given by qoffice.main), or the help when there is no window to open."""
    ensure_utf8_streams()
    if argv is None:  # the real entry point (not a test calling main): quiet finalisers at exit too
        _quiet_unraisable()
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, qt_args = split_qt_args(argv)
    wants_json = "--json" in ours
    try:
        return _main(ours, qt_args, wants_json, open_window)
    except Exception as exc:  # the guard: a bug is one line naming the log, never a traceback
        return _fail(_unexpected(exc), 2, wants_json)


def _main(ours: list[str], qt_args: list[str], wants_json: bool, open_window) -> int:
    from qoffice.i18n import set_language

    set_language(None)
    window = open_window is not None and not os.environ.get("QOFFICE_CLI_ONLY")
    args = window_args(ours) if window else None
    if args is None:
        try:
            parser = build_parser()
            args = parser.parse_args(_db_first(ours))
        except _UsageProblem as exc:
            return _fail(str(exc), 2, wants_json, usage=True)
    from qoffice.cli.common import db_path
    from qoffice.errors import KnownError

    try:
        # A `scheme://` --db is refused here, before any command (or the GUI) can create a file,
        # and the database's own files are never taken for an output (excel.outputs).
        database = db_path(args)
        if isinstance(database, str):  # a server's address, its password (if any) moved to the store
            args.db = database
        from qoffice.excel.outputs import protect_database

        protect_database(database)
    except KnownError as exc:
        return _fail(exc.message, exc.exit_code, wants_json)
    if args.command is None:
        if not window:
            parser.print_help()
            return 0
        return open_window(args.db, qt_args)

    try:
        return int(args.func(args) or 0)
    except KnownError as exc:
        return _fail(exc.message, exc.exit_code, wants_json)
    except KeyboardInterrupt:
        from qoffice.i18n import _

        return _fail(_("Interrupted (Ctrl+C); what was not finished was not saved."), 130, wants_json)


def window_args(ours: list[str]) -> argparse.Namespace | None:
    """What the parser makes of `qoffice`, `qoffice --db X` and `qoffice --db=X` — the window's own
    command lines — without building it (every command's arguments and translated help: a
    measurable part of the window's start); None for anything else, which the parser reads."""
    if not ours:
        db = None
    elif len(ours) == 2 and ours[0] == "--db" and not ours[1].startswith("-"):
        db = ours[1]
    elif len(ours) == 1 and ours[0].startswith("--db="):
        db = ours[0][len("--db="):]
    else:
        return None
    return argparse.Namespace(db=db, command=None)


def _db_first(argv: list[str]) -> list[str]:
    """`--db X` (or `--db=X`) anywhere before `--` moved to the front: the database may be named before
    or after the command, also after a sub-command such as `settings show` (shared-db.md)."""
    out, front, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            out.extend(argv[i:])
            break
        if a == "--db" and i + 1 < len(argv):
            front = [a, argv[i + 1]]
            i += 2
            continue
        if a.startswith("--db="):
            front = [a]
            i += 1
            continue
        out.append(a)
        i += 1
    return front + out


LOG_NAME = "qoffice.log"  # the same log as the GUI's crash handler (qoffice.ui.crash)


def _log_path():
    from qoffice.paths import logs_dir

    return logs_dir() / LOG_NAME


def _write_log(text: str):
    """Append `text` to the data folder's log (rotated like the GUI's); the log file, or None."""
    import logging
    import logging.handlers

    path = _log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5,
                                                       encoding="utf-8")
    except OSError:
        return None
    try:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        record = logging.LogRecord("qoffice.cli", logging.ERROR, __file__, 0, "%s", (text,), None)
        handler.emit(record)
        handler.flush()
        if handler.stream is None or getattr(handler.stream, "closed", False):
            return None
    except Exception:
        return None
    finally:
        handler.close()
    try:
        return path if path.stat().st_size > 0 else None
    except OSError:
        return None


def _unexpected(exc: BaseException) -> str:
    """The one line for an exception nobody expected; its traceback goes to the log."""
    import traceback

    from qoffice.i18n import _

    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    command = " ".join(sys.argv[:1] + [a for a in sys.argv[1:]])
    log = _write_log(f"unexpected error in the command line ({command}):\n{details}")
    text = "".join(ch if ch.isprintable() or ch == " " else " " for ch in f"{type(exc).__name__}: {exc}")
    summary = " ".join(text.split())[:200]
    if log is None:
        return _("Unexpected error ({error}); it could not be written to the log {log}.").format(
            error=summary, log=_safe_log_path())
    return _("Unexpected error ({error}); the details are in {log}.").format(error=summary, log=log)


def _safe_log_path() -> str:
    try:
        return str(_log_path())
    except Exception:
        return LOG_NAME


def _quiet_unraisable() -> None:
    """An exception Python cannot raise (in a finaliser at exit) goes to the log, not the console."""
    def hook(unraisable) -> None:
        import traceback

        details = "".join(traceback.format_exception(unraisable.exc_type, unraisable.exc_value,
                                                     unraisable.exc_traceback))
        _write_log(f"ignored exception in {unraisable.object!r}:\n{details}")

    sys.unraisablehook = hook


def _fail(message: str, code: int, wants_json: bool, usage: bool = False) -> int:
    if wants_json:
        import json

        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"qoffice: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":  # `python -m qoffice.cli.main`: the command line only (no window)
    sys.exit(main())
