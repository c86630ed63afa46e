"""Entry script of the frozen windowed executable `qoffice`: opens the window, refuses commands.

A windowed Windows executable has no console, so a command's output would vanish: given a command
(or --help/--version) it shows a message box pointing to `qoffice-cli` instead and exits 2. In the
smoke mode (QOFFICE_EXIT_AFTER_SHOW=1) the box is not shown modally: its text goes to the smoke
report (QOFFICE_SMOKE_REPORT) and the exit code is still 2, so tests can check it without a screen.
"""
from __future__ import annotations

import sys

_HELP_FLAGS = {"-h", "--help", "--version"}


def command_in(argv: list[str]) -> str | None:
    """The command (or help flag) given on the command line, if any; Qt's own options are skipped."""
    from qoffice.cli.main import COMMANDS, _split_qt_args

    ours, _qt = _split_qt_args(argv)
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


def use_cli_message(command: str) -> str:
    from qoffice.i18n import _

    example = "qoffice-cli --help" if command.startswith("-") else f"qoffice-cli {command} --help"
    return _("qoffice is the windowed program and cannot run commands. Open a command prompt and "
             "use qoffice-cli instead, for example:") + "\n\n" + example


def refuse_command(command: str, argv: list[str]) -> int:
    from qoffice.cli.main import _ensure_utf8_streams, _split_qt_args
    from qoffice.i18n import _, current_language, set_language

    _ensure_utf8_streams()
    set_language(None)
    text = use_cli_message(command)
    if sys.stderr is not None:
        print(text, file=sys.stderr)
    from qoffice.ui.smoke import exit_after_show, write_report  # no Qt in that module

    if exit_after_show():
        write_report(prompt=text, language=current_language(), exit=2)
        return 2
    from PySide6.QtWidgets import QApplication, QMessageBox

    _ours, qt_args = _split_qt_args(argv)
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    QMessageBox.information(None, _("qoffice"), text)
    del app
    return 2


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = command_in(argv)
    if command is not None:
        return refuse_command(command, argv)
    from qoffice.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
