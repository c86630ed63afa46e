"""Date pickers that open where the clerk will pick: on the field's date, or today when it has none.

A QDateEdit's "not given" value is its minimum date (shown as its special text, e.g. 未填写), so
its calendar would open on January 1900. `open_on_today(w)` makes the calendar page show the
current month instead whenever the field holds no date; nothing is set until a day is clicked.
The month and weekday names follow QLocale's default, which qoffice.ui.language sets from the UI
language.
"""
from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, QObject
from PySide6.QtWidgets import QDateEdit


class _OpenOnToday(QObject):
    def __init__(self, edit: QDateEdit):
        super().__init__(edit)
        self.edit = edit

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Show:
            edit = self.edit
            if edit.specialValueText() and edit.date() == edit.minimumDate():
                today = QDate.currentDate()
                watched.setCurrentPage(today.year(), today.month())
        return False


def open_on_today(edit: QDateEdit) -> QDateEdit:
    """Make `edit` a calendar-popup date edit whose calendar opens on today when it has no date."""
    edit.setCalendarPopup(True)
    edit.calendarWidget().installEventFilter(_OpenOnToday(edit))
    return edit
