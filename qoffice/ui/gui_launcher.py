"""The windowed frozen executable's refusal of a command (its entry is qoffice.main.gui_main).

A windowed Windows executable has no console, so a command's output would vanish: given a command
(or --help/--version) it shows a message box pointing to `qoffice-cli` instead and exits 2. In the
smoke mode (QOFFICE_EXIT_AFTER_SHOW=1) the box is not shown modally: its text goes to the smoke
report (QOFFICE_SMOKE_REPORT) and the exit code is still 2, so tests can check it without a screen.
"""
from __future__ import annotations

import sys


def use_cli_message(command: str) -> str:
    from qoffice.i18n import _

    example = "qoffice-cli --help" if command.startswith("-") else f"qoffice-cli {command} --help"
    return _("qoffice is the windowed program and cannot run commands. Open a command prompt and "
             "use qoffice-cli instead, for example:") + "\n\n" + example


def refuse_command(command: str, qt_args: list[str]) -> int:
    """Show why `command` is not run here (streams and language already set by the entry point)."""
    text = use_cli_message(command)
    if sys.stderr is not None:
        print(text, file=sys.stderr)
    return show_refusal(text, qt_args, 2, information=True)


def show_refusal(text: str, qt_args: list[str], exit_code: int, *, information: bool = False) -> int:
    """`text` in a message box (the windowed build has no console to print it on); returns `exit_code`.
    Used for a command given to the windowed program, and for a window that cannot open at all
    (a --db it refuses): the line on stderr alone would vanish."""
    from qoffice.i18n import _, current_language
    from qoffice.ui.smoke import exit_after_show, write_report  # no Qt in that module

    if exit_after_show():
        write_report(prompt=text, language=current_language(), exit=exit_code)
        return exit_code
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    if information:
        QMessageBox.information(None, _("qoffice"), text)
    else:
        QMessageBox.warning(None, _("qoffice"), text)
    del app
    return exit_code
