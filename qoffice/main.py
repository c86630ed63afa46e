"""The entry point, above ui/ and cli/: `qoffice` (and `qoffice-cli`, `python -m qoffice`) runs a
command through qoffice.cli, or with no command opens the window through qoffice.ui.

The windowed frozen executable starts at `gui_main`: it has no console, so a command given to it is
refused with a message box pointing to `qoffice-cli` (qoffice.ui.gui_launcher shows the box).
Nothing heavy is imported at module level: `qoffice --help` stays light.
"""
from __future__ import annotations

import sys

_HELP_FLAGS = {"-h", "--help", "--version"}


def open_window(db: str | None, qt_args: list[str]) -> int:
    """The window on the database `db` (None: the default one); Qt is imported only now."""
    from qoffice.ui.app import run_gui

    return run_gui(db=db, qt_args=qt_args)


def main(argv: list[str] | None = None) -> int:
    """`qoffice [--db X] [COMMAND …]`: a command runs in the command line, none opens the window."""
    from qoffice.cli.main import main as cli_main

    return cli_main(argv, open_window=open_window)


def command_in(argv: list[str]) -> str | None:
    """The command (or help flag) given on the command line, if any; Qt's own options are skipped."""
    from qoffice.cli.main import COMMANDS, split_qt_args

    ours, _qt = split_qt_args(argv)
    skip_next = False
    for arg in ours:
        if skip_next:
            skip_next = False
            continue
        if arg == "--db":
            skip_next = True
            continue
        if arg in _HELP_FLAGS or arg in COMMANDS:
            return arg
        if not arg.startswith("-"):
            return arg  # an unknown word: still a command attempt, not something the window takes
    return None


def gui_main(argv: list[str] | None = None) -> int:
    """Entry of the frozen windowed executable: the window, or a refusal of a command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = command_in(argv)
    if command is None:
        return _window_or_box(argv)
    from qoffice.cli.main import ensure_utf8_streams, split_qt_args
    from qoffice.i18n import set_language
    from qoffice.ui.gui_launcher import refuse_command

    ensure_utf8_streams()
    set_language(None)
    return refuse_command(command, split_qt_args(argv)[1])


class _Tee:
    """stderr while the window is not yet open: what is written is also kept (None: no console)."""

    def __init__(self, stream):
        self.stream, self.kept = stream, []

    def write(self, text):
        self.kept.append(text)
        return self.stream.write(text) if self.stream is not None else len(text)

    def flush(self):
        if self.stream is not None:
            self.stream.flush()


def _window_or_box(argv: list[str]) -> int:
    """The window; when it cannot open at all (a --db refused, a usage error), the line written on
    stderr is shown in a message box too — the windowed build has no stderr (issue 13)."""
    from qoffice.cli.main import main as cli_main
    from qoffice.cli.main import split_qt_args

    real = sys.stderr
    tee = _Tee(real)
    opened = []

    def window(db, qt_args):
        sys.stderr = real  # the window's own run writes where it always did
        opened.append(True)
        return open_window(db, qt_args)

    sys.stderr = tee
    try:
        code = cli_main(argv, open_window=window)
    finally:
        if sys.stderr is tee:
            sys.stderr = real
    text = "".join(tee.kept).strip()
    if code and not opened and text:
        from qoffice.ui.gui_launcher import show_refusal

        lines = [line.removeprefix("qoffice: ") for line in text.splitlines() if line.strip()]
        return show_refusal(lines[-1], split_qt_args(argv)[1], code)
    return code


if __name__ == "__main__":
    sys.exit(main())
