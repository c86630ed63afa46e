"""对接会 in the main window on a 1366×768 screen: the sign-up list's status filter showed
“全部报名状…”. Where the filters and the search box sat beside the toolbar's buttons, the row's
shortage was shared by the search box and the drop-downs alike, squeezing a drop-down below the
width of its own text; the search box gives way, a drop-down keeps its width (or the finders take a
row of their own). Which side of that line a window falls on depends on the font of the PC, so the
main window is tried at 1366 wide and up."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

from qoffice.services import demo
from qoffice.ui.context import AppContext
from qoffice.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def needed(box) -> int:
    """The width a drop-down needs to show its “all” entry whole (the entry shown until a choice)."""
    fm = box.fontMetrics()
    opt = QStyleOptionComboBox()
    box.initStyleOption(opt)
    return box.style().sizeFromContents(QStyle.CT_ComboBox, opt, QSize(fm.horizontalAdvance(box.itemText(0)),
                                                                        fm.height()), box).width()


def test_the_sign_up_status_filter_is_never_cut_in_the_main_window(qtbot, db):
    with db.session() as s:
        demo.generate(s, enterprises=100, seed=5, today=dt.date(2025, 12, 1))
    window = MainWindow(AppContext(db, year=2025))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    cut, seen = [], []
    for key, list_of in (("meeting", lambda area: area.signups), ("forums", lambda area: area.list)):
        boxes = list_of(window.show_area(key)).filter_boxes
        seen += [(key, name) for name in boxes]
        for width in range(1366, 1700, 10):
            window.resize(width, 768)
            qtbot.wait(5)
            cut += [(width, key, name, box.itemText(0), box.width(), needed(box))
                    for name, box in boxes.items() if box.width() < needed(box)]
    assert seen == [("meeting", "status"), ("forums", "status")]
    assert not cut, cut
    window.resize(1366, 768)
    box = window.show_area("meeting").signups.filter_boxes["status"]
    qtbot.wait(5)
    assert box.isVisible() and box.itemText(0) == "全部报名状态" and box.width() >= needed(box)
