"""Small pieces the activity areas share: year/meeting scoping of a ListArea, the 万元 field, the
dialog frame with a save handler, badges, and dates as the clerk types them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QRegularExpression, Qt
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from qoffice.domain import money
from qoffice.i18n import N_, _
from qoffice.ui.listarea import ListArea
from qoffice.ui.style import BADGE_STYLES, ERROR_STYLE, WARNING_STYLE, required  # noqa: F401 (re-exported)
from qoffice.ui.worker import Job

# The organiser of a forum or of the meeting: one field, one word everywhere — 主办单位, as the
# return's 交流会 sheet heads it — on the forms, the lists and the printed sign-in sheet.
ORGANISER = N_("Host organisation")
NO_DATE = QDate(1900, 1, 1)  # a date edit's "not given" value, shown as its special text


def scope_list(area: ListArea, *clauses) -> None:
    """Give a list a base filter that changes at run time (the shared year, the year's meeting).

    The scope is part of the base filter, so 共 N 条 counts the year's records, not all."""
    area.model.set_scope(clauses)
    area.reload()


def badge(label: QLabel, text: str, look: str = "plain") -> None:
    label.setText(text)
    label.setStyleSheet(f"QLabel {{ {BADGE_STYLES[look]} border-radius: 9px; padding: 2px 10px; }}")
    label.setVisible(bool(text))


def wan_text(yuan: int | None) -> str:
    """万元 with two decimals, more (up to four) when needed to stay exact: 50.0001 stays 50.0001."""
    return money.format_wan(yuan, 2)


class WanEdit(QLineEdit):
    """An amount in 万元: shows two decimals, accepts four (= whole yuan), so an imported amount is
    never rounded away by opening and saving a form."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,9}(\.\d{0,4})?"), self))
        self.setPlaceholderText(_("in 10k yuan, up to 4 decimals"))
        self.setAlignment(Qt.AlignRight | Qt.AlignVCenter)

    def yuan(self) -> int | None:
        text = self.text().strip().rstrip(".")
        return money.wan_to_yuan(text)[0] if text else None

    def set_yuan(self, yuan: int | None) -> None:
        self.setText(wan_text(yuan))


def date_edit(optional: bool = False) -> QDateEdit:
    w = QDateEdit()
    w.setCalendarPopup(True)
    w.setDisplayFormat("yyyy-MM-dd")
    if optional:
        w.setMinimumDate(NO_DATE)
        w.setSpecialValueText(_("(not set)"))
        w.setDate(NO_DATE)
        from qoffice.ui.dates import open_on_today

        open_on_today(w)  # the calendar opens on today, not on January 1900
    else:
        w.setDate(QDate.currentDate())
    return w


def optional_date_row(w: QDateEdit) -> QWidget:
    holder = QWidget()
    h = QHBoxLayout(holder)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(w, 1)
    clear = QToolButton()
    clear.setText(_("Clear"))
    clear.clicked.connect(lambda: w.setDate(NO_DATE))
    h.addWidget(clear)
    return holder


def get_date(w: QDateEdit) -> dt.date | None:
    d = w.date()
    if d == NO_DATE or not d.isValid():
        return None
    return dt.date(d.year(), d.month(), d.day())


def set_date(w: QDateEdit, value: dt.date | None) -> None:
    w.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)




class FormDialog(QDialog):
    """A form dialog: labels on the left, the reason 保存 is disabled shown next to it, Ctrl+S saves.

    `on_save(dialog) -> bool` writes; the dialog closes only when it returns True. `check()`
    (set by the owner or a subclass) returns why saving is not possible yet, or ""."""

    def __init__(self, title: str, on_save: Callable[[FormDialog], bool], parent=None,
                 save_text: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.on_save = on_save
        self.job: Job | None = None  # the save operation running on the worker
        self.check: Callable[[], str] = lambda: ""
        outer = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        outer.addLayout(self.form)
        outer.addStretch(1)
        bottom = QHBoxLayout()
        self.reason = QLabel()
        self.reason.setObjectName("reason")
        self.reason.setStyleSheet(ERROR_STYLE)
        self.reason.setWordWrap(True)
        bottom.addWidget(self.reason, 1)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(save_text or _("Save"), QDialogButtonBox.AcceptRole)
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.buttons.addButton(_("Cancel"), QDialogButtonBox.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom.addWidget(self.buttons)
        outer.addLayout(bottom)
        QShortcut(QKeySequence.Save, self, activated=self.accept)

    def add_row(self, label: str, widget: QWidget, *, mandatory: bool = False) -> QWidget:
        text = QLabel(required(label) if mandatory else label)
        text.setTextFormat(Qt.RichText)
        text.setBuddy(widget)
        self.form.addRow(text, widget)
        return widget

    def validate(self, *_args) -> bool:
        reason = self.check()
        self.reason.setText(("⚠ " + reason) if reason else "")
        self.save_button.setEnabled(not reason)
        self.save_button.setToolTip(reason or _("Save (Ctrl+S)"))
        return not reason

    def accept(self) -> None:
        """`on_save` returns True/False, or the Job of the operation it started (run_op): then the
        dialog waits, 保存 disabled, and closes when the operation succeeded."""
        if self.job is not None and not self.job.finished or not self.validate():
            return
        outcome = self.on_save(self)
        if isinstance(outcome, Job):
            self.job = outcome
            self.save_button.setEnabled(False)
            outcome.when_done(lambda ok, job=outcome: self._saved(job, ok))
        elif outcome:
            super().accept()

    def _saved(self, job: Job, ok: bool) -> None:
        if job is not self.job or not isValid(self):  # a retry (keep mine) took over, or the dialog went
            return
        if ok:
            QDialog.accept(self)
        else:
            self.validate()
