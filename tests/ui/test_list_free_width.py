"""A list's spare width goes to the columns it would cut: the forums list at 1366 wide cut
主办单位 (如东县质量工…) and a cancelled forum's reason while its last column (参会企业数, a number)
stretched over 250 empty pixels. On a first start (no saved layout), once rows show, the width the
last column would stretch into is given first to the columns whose text on that page is cut."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle

from qoffice.services import forums as forum_service
from qoffice.ui.context import AppContext
from qoffice.ui.forums import ForumsArea

pytestmark = pytest.mark.gui
LONG = "如东县质量工作领导小组办公室"


def cut_cells(view) -> list[str]:
    model, fm = view.model(), view.fontMetrics()
    margin = 2 * (view.style().pixelMetric(QStyle.PM_FocusFrameHMargin, None, view) + 1)
    out = []
    for c in range(model.columnCount()):
        width = view.columnWidth(c) - margin
        for r in range(model.rowCount()):
            text = model.index(r, c).data() or ""
            if fm.elidedText(text, Qt.ElideRight, width) != text:
                out.append(text)
    return out


def forums_area(qtbot, db, width):
    with db.session() as s:
        forum_service.create_forum(s, {"title": "质量提升交流会", "date": dt.date(2025, 5, 20),
                                       "venue": "如东县行政中心", "organiser": LONG},
                                   today=dt.date(2025, 1, 10))
    w = ForumsArea(AppContext(db, 2025))
    qtbot.addWidget(w)
    w.resize(width, 600)
    w.show()
    qtbot.waitExposed(w)
    w.refresh()
    qtbot.waitUntil(lambda: w.list.model.rowCount() == 1)
    qtbot.wait(50)
    return w


def test_spare_width_goes_to_a_cut_column(qtbot, db):
    w = forums_area(qtbot, db, 1366)
    view = w.list.table
    assert not cut_cells(view), cut_cells(view)
    header = view.horizontalHeader()
    last = view.model().columnCount() - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= view.viewport().width()


def test_no_spare_width_changes_nothing(qtbot, db):
    w = forums_area(qtbot, db, 900)  # narrower than the columns: they keep their widths
    view = w.list.table
    organiser = next(c for c in range(view.model().columnCount())
                     if view.model().headerData(c, Qt.Horizontal) == "主办单位")
    assert view.columnWidth(organiser) == 120


def organiser_column(view) -> int:
    return next(c for c in range(view.model().columnCount()) if view.model().headerData(c, Qt.Horizontal) == "主办单位")


def test_widths_follow_the_window_until_the_clerk_sizes_a_column(qtbot, db):
    w = forums_area(qtbot, db, 900)
    view = w.list.table
    col = organiser_column(view)
    assert view.columnWidth(col) == 120
    w.resize(1366, 600)  # maximized: the organiser gets the room it needs
    qtbot.waitUntil(lambda: view.columnWidth(col) > 120)
    assert not cut_cells(view)
    w.resize(900, 600)  # back: the definition's widths again
    qtbot.waitUntil(lambda: view.columnWidth(col) == 120)

    view.horizontalHeader().resizeSection(col, 333)  # the clerk drags it
    w.resize(1366, 600)
    qtbot.wait(50)
    assert view.columnWidth(col) == 333
    w.list.save_state()

    again = ForumsArea(AppContext(db, 2025))  # the next start keeps the clerk's width
    qtbot.addWidget(again)
    again.resize(1366, 600)
    again.show()
    again.refresh()
    qtbot.waitUntil(lambda: again.list.model.rowCount() == 1)
    qtbot.wait(50)
    assert again.list.table.columnWidth(col) == 333


def test_a_column_without_a_set_width_shrinks_back_with_the_window(qtbot, db, builders):
    """A column grown into spare width gives it back when the window narrows (no ratchet): it returns
    to the header's default width, as a column with a set width returns to that."""
    from qoffice.ui.listarea import ListArea
    from tests.ui.test_listmodel import definition, fill

    fill(db, builders, 5)
    area = ListArea(db, definition())
    qtbot.addWidget(area)
    area.resize(1200, 400)
    area.show()
    area.reload()
    qtbot.waitUntil(lambda: area.model.rowCount() == 5)
    header = area.table.horizontalHeader()
    name = 2  # 序号, 信用代码, 企业名称, …
    default = header.defaultSectionSize()
    qtbot.waitUntil(lambda: header.sectionSize(name) > default)
    area.resize(500, 400)
    qtbot.waitUntil(lambda: header.sectionSize(name) == default, timeout=2000)
