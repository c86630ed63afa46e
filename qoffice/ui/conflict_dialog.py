"""该记录已被他人修改: the stored and the typed values side by side when a save is refused because the
record changed since its form loaded it (errors.StaleRecord, raised by the services). Three
choices, never a silent overwrite:

- 保留我的修改 (keep mine): save the typed values over the stored ones, on purpose;
- 采用他人的修改 (take theirs): reload the form with the stored values (the typing is dropped);
- 取消 (cancel): nothing is saved, the form keeps the typing.

Every editor calls `resolve(parent, exc, typed, label)` and acts on the answer. Tests (and the
smoke mode) answer through `set_responder`, as qoffice.ui.messages does for message boxes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from qoffice.errors import StaleRecord
from qoffice.i18n import _
from qoffice.ui import messages, style

KEEP_MINE, TAKE_THEIRS, CANCEL = "keep_mine", "take_theirs", "cancel"
DIFFERENT = QColor(style.WARNING_BACKGROUND)  # a soft amber behind the rows that differ

Responder = Callable[["ConflictDialog"], str]
_responder: Responder | None = None


def set_responder(responder: Responder | None) -> Responder | None:
    """Answer every later conflict with `responder(dialog)` instead of showing it; returns the previous one."""
    global _responder
    previous, _responder = _responder, responder
    return previous


def value_text(value: Any) -> str:
    """A stored or typed value as the clerk reads it; empty says so."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _("(empty)")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _same(a: Any, b: Any) -> bool:
    def norm(v):
        if isinstance(v, str):
            v = v.strip()
        return None if v in ("", None) else v

    return norm(a) == norm(b)


class ConflictDialog(QDialog):
    """The side-by-side of one refused save. `rows` lists (field key, label, stored text, typed
    text, differs); `choice` is KEEP_MINE, TAKE_THEIRS or CANCEL once a button was pressed."""

    def __init__(self, exc: StaleRecord, typed: Mapping[str, Any], label: Callable[[str], str],
                 fmt: Callable[[str, Any], str] | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.setWindowTitle(_("This record was changed by someone else"))
        self.choice = CANCEL
        fmt = fmt or (lambda _key, value: value_text(value))
        keys = [k for k in typed if k in exc.stored] or list(exc.stored)
        self.rows = [(k, label(k), fmt(k, exc.stored.get(k)), fmt(k, typed.get(k)),
                      not _same(exc.stored.get(k), typed.get(k))) for k in keys]
        differing = [r for r in self.rows if r[4]]
        shown = differing or self.rows  # the fields that differ; all of them when none does

        layout = QVBoxLayout(self)
        head = QLabel(exc.message)
        head.setObjectName("conflict_message")
        font = head.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        head.setFont(font)
        layout.addWidget(head)
        if differing:
            text = _("Someone else saved this record after you opened it. {n} fields differ from what you "
                     "typed; choose which values to keep.").format(n=len(differing))
        else:
            text = _("Someone else saved this record after you opened it (the fields below are the same as "
                     "yours; the change was elsewhere, e.g. attendees). Choose which version to keep.")
        explain = QLabel(text)
        explain.setWordWrap(True)
        layout.addWidget(explain)

        self.table = QTableWidget(len(shown), 3)
        self.table.setObjectName("conflict_table")
        self.table.setHorizontalHeaderLabels([_("Field"), _("Saved by someone else"), _("Typed by you")])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        bold = QFont(self.font())
        bold.setBold(True)
        empty = value_text(None)
        for i, (_key, name, stored, mine, differs) in enumerate(shown):
            for j, text in enumerate((name, stored, mine)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if differs:
                    item.setBackground(QBrush(DIFFERENT))
                if j and text == empty:
                    item.setForeground(QBrush(QColor(style.QUIET_TEXT)))  # "(empty)" is not a value
                elif j and differs:
                    item.setFont(bold)
                self.table.setItem(i, j, item)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.keep_mine = QPushButton(_("Keep mine"))
        self.keep_mine.setObjectName(KEEP_MINE)
        self.keep_mine.setToolTip(_("Save the values you typed over the ones saved by someone else."))
        self.take_theirs = QPushButton(_("Take theirs"))
        self.take_theirs.setObjectName(TAKE_THEIRS)
        self.take_theirs.setToolTip(_("Show the saved values in the form; what you typed is dropped."))
        self.cancel = QPushButton(_("Cancel"))
        self.cancel.setObjectName(CANCEL)
        self.cancel.setToolTip(_("Save nothing now; the form keeps what you typed."))
        self.cancel.setDefault(True)
        for button, choice in ((self.keep_mine, KEEP_MINE), (self.take_theirs, TAKE_THEIRS),
                               (self.cancel, CANCEL)):
            button.clicked.connect(lambda _checked=False, c=choice: self._choose(c))
        buttons.addStretch(1)
        buttons.addWidget(self.keep_mine)
        buttons.addWidget(self.take_theirs)
        buttons.addWidget(self.cancel)
        layout.addLayout(buttons)
        self.resize(760, min(560, 170 + 30 * len(shown)))

    def _choose(self, choice: str) -> None:
        self.choice = choice
        if choice == CANCEL:
            self.reject()
        else:
            self.accept()

    def reject(self) -> None:  # Esc, the window's close button
        if self.choice not in (KEEP_MINE, TAKE_THEIRS):
            self.choice = CANCEL
        super().reject()

    def shown_rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(3)] for r in range(self.table.rowCount())]


def resolve(parent, exc: StaleRecord, typed: Mapping[str, Any], label: Callable[[str], str],
            fmt: Callable[[str, Any], str] | None = None) -> str:
    """Ask what to do with a refused save; KEEP_MINE, TAKE_THEIRS or CANCEL. A record deleted
    meanwhile cannot be kept or taken: the clerk is told, and the form keeps the typing."""
    if exc.deleted:
        messages.error(parent, exc.message + "\n" + _("What you typed is still in the form; nothing was saved."))
        return CANCEL
    dialog = ConflictDialog(exc, typed, label, fmt, parent)
    try:
        if _responder is not None:
            return _responder(dialog)
        dialog.exec()
        return dialog.choice
    finally:
        dialog.deleteLater()
