"""The main window, with every area built, fits an old office PC's 1366×768 screen."""
from qoffice.ui.context import AppContext
from qoffice.ui.mainwindow import MainWindow


def test_main_window_minimum_size_fits_1366x768(qtbot, db):
    from qoffice.services import demo
    from qoffice.ui.app import _make_app

    _make_app([])  # the real application font (family and size), as the clerk sees it

    with db.session() as s:  # real data, so columns and buttons have their real widths
        demo.generate(s, enterprises=120, seed=3)
    w = MainWindow(AppContext(db, 2025))
    qtbot.addWidget(w)
    hint = w.minimumSizeHint()
    assert hint.width() <= 1280, hint
    assert hint.height() <= 740, hint


def test_about_button_opens_the_licence_notices(qtbot, db, monkeypatch):
    from PySide6.QtWidgets import QPushButton

    from qoffice.ui import about

    shown = []
    monkeypatch.setattr(about.AboutDialog, "exec", lambda self: shown.append(self) or 0)
    w = MainWindow(AppContext(db, 2025))
    qtbot.addWidget(w)
    w.findChild(QPushButton, "about").click()
    assert len(shown) == 1
