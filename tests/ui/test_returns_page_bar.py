"""The 完成率 cell of the 年度报表 page: its percentage is readable at every rate — the edge of the
bar never runs through the text (seen at 60.0% on a 1366×768 screen, where the edge cut “60.0%”)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage

from qoffice.ui.returns_page import completion_bar

pytestmark = pytest.mark.gui

CELL = QSize(150, 24)  # the column's width on the page, a compact row's height
RATES = ("0.0", "5.0", "30.0", "50.0", "60.0", "66.7", "75.0", "99.9", "100.0", "101.2", "250.0")


def _image(completion: Decimal, text: str | None) -> QImage:
    bar = completion_bar(completion)
    if text is not None:
        bar.setFormat(text)
    bar.resize(CELL)
    return bar.grab().toImage().convertToFormat(QImage.Format_RGB32)


def _ink_columns(completion: Decimal) -> list[int]:
    """The columns where the text is drawn: the cell with its text against the same cell without."""
    with_text, without = _image(completion, None), _image(completion, "")
    return [x for x in range(with_text.width())
            if any(with_text.pixel(x, y) != without.pixel(x, y) for y in range(with_text.height()))]


def _bar_edge(completion: Decimal) -> int | None:
    """The right edge of the filled part on the middle line (its colour: the track, the frame and the
    text are grey or black), None when nothing is filled."""
    image = _image(completion, "")
    y = image.height() // 2
    filled = [x for x in range(image.width()) if QColor(image.pixel(x, y)).hsvSaturation() > 80]
    return max(filled) if filled else None


@pytest.mark.parametrize("rate", RATES)
def test_the_bars_edge_never_runs_through_its_percentage(qapp, rate):
    completion = Decimal(rate)
    ink = _ink_columns(completion)
    assert ink, "the percentage is drawn"
    assert completion_bar(completion).text() == f"{rate}%"
    edge = _bar_edge(completion)
    if completion > 0:
        assert edge is not None, "the bar is drawn"
        assert not min(ink) - 2 <= edge <= max(ink) + 2, (edge, min(ink), max(ink))
