"""Issue 13: date pickers open on today (or the field's value), in the UI language's month names.

Before the fix the 首席质量官任命日期 picker opened on January 1900 (its "not given" value) with
English month names under a Chinese UI.
"""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QEvent, QLocale, QPoint, Qt
from PySide6.QtWidgets import QApplication, QCalendarWidget

from qoffice import i18n
from qoffice.services import settings as settings_service
from qoffice.ui.context import AppContext
from qoffice.ui.enterprise_editor import EnterpriseEditor
from qoffice.ui.language import apply_language
from qoffice.ui.mainwindow import MainWindow
from tests.ui.helpers import saved

pytestmark = pytest.mark.gui


@pytest.fixture
def chinese():
    apply_language("zh_CN")
    yield
    apply_language("zh_CN")
    i18n.set_language("zh_CN")


def open_popup(date_edit) -> QCalendarWidget:
    """Open the calendar as a click on the date edit's arrow does; return its calendar."""
    date_edit.show()
    QApplication.processEvents()
    from PySide6.QtTest import QTest

    QTest.mouseClick(date_edit, Qt.LeftButton, Qt.NoModifier, QPoint(date_edit.width() - 8, date_edit.height() // 2))
    QApplication.processEvents()
    calendar = date_edit.calendarWidget()
    assert calendar.isVisible()
    return calendar


def close_popup(calendar: QCalendarWidget) -> None:
    calendar.window().hide()
    QApplication.processEvents()


def test_cqo_date_picker_opens_on_today_in_chinese(qtbot, db, chinese, answers):
    editor = EnterpriseEditor(db, None, year=2025)
    qtbot.addWidget(editor)
    date = editor.w["cqo_appointed"].date
    calendar = open_popup(date)
    today = dt.date.today()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year, today.month)
    assert date.locale().language() == QLocale.Chinese
    assert calendar.locale().monthName(1) == "一月"
    assert calendar.locale().dayName(1, QLocale.ShortFormat) in ("周一", "一")
    close_popup(calendar)
    assert editor.values()["cqo_appointed"] is None  # opening it set nothing

    date.setDate(QDate(2019, 5, 20))  # a date given: the picker opens on it
    calendar = open_popup(date)
    assert (calendar.yearShown(), calendar.monthShown()) == (2019, 5)
    close_popup(calendar)


def test_locale_follows_a_live_language_switch(qtbot, db, chinese, answers):
    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量强区工作领导小组办公室")
    assert QLocale().language() == QLocale.Chinese
    window = MainWindow(AppContext(db, 2025))
    qtbot.addWidget(window)
    settings = window.show_area("settings")
    settings.language.setCurrentIndex(settings.language.findData("en"))
    assert saved(settings)
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert QLocale().language() == QLocale.English
    editor = EnterpriseEditor(db, None, year=2025)
    qtbot.addWidget(editor)
    calendar = open_popup(editor.w["cqo_appointed"].date)
    assert calendar.locale().monthName(1) == "January"
    close_popup(calendar)
    settings = window.show_area("settings")
    settings.language.setCurrentIndex(settings.language.findData("zh_CN"))
    assert saved(settings)
    assert QLocale().language() == QLocale.Chinese
    assert QLocale().monthName(12) == "十二月"


def test_optional_activity_dates_open_on_today_too(qtbot, chinese):
    from qoffice.ui.activity_widgets import date_edit, get_date

    w = date_edit(optional=True)  # e.g. the meeting's 报名截止日期
    qtbot.addWidget(w)
    calendar = open_popup(w)
    today = dt.date.today()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year, today.month)
    assert calendar.locale().monthName(3) == "三月"
    close_popup(calendar)
    assert get_date(w) is None
