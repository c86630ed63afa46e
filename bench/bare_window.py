"""The start-up floor: a bare PySide6 QMainWindow, shown and quit on the first turn of the event
loop — what `qoffice` does under QOFFICE_EXIT_AFTER_SHOW=1, minus qoffice.

    python bench/bare_window.py -platform offscreen
"""
from __future__ import annotations

import sys


def run(qt_args: list[str], on_shown=None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] or "bare", *qt_args])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(1200, 800)
    window.show()

    def finish():
        if on_shown:
            on_shown()
        app.exit(0)

    QTimer.singleShot(0, finish)
    return app.exec()


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
