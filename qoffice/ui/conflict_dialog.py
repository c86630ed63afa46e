"""该记录已被他人修改: the stored and the typed values side by side when a save is refused because the
record changed since its form loaded it (errors.StaleRecord, raised by the services). Three
choices, never a silent overwrite:

- 保留我的修改 (keep mine): save the typed values over the stored ones, on purpose;
- 采用他人的修改 (take theirs): reload the form with the stored values (the typing is dropped);
- 取消 (cancel): nothing is saved, the form keeps the typing.

Each field shown is marked by who changed it since the form loaded it: someone else (the stored
value moved), the clerk (the typed one did), or both to different values (a clash, in red, listed
first, with the value it had when the form was opened); fields nobody changed are not shown.

Every editor calls `resolve(parent, exc, typed, label, base=loaded)` and acts on the answer. Tests (and the
smoke mode) answer through `set_responder`, as qoffice.ui.messages does for message boxes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
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
DIFFERENT = QColor(style.WARNING_BACKGROUND)  # a soft amber behind what someone else changed
MINE_COLOUR = QColor("#e3eefb")  # a soft blue behind what the clerk changed
CLASH_COLOUR = QColor(style.ERROR_BACKGROUND)  # a soft red across a field both changed differently
THEIRS, MINE, CLASH, DIFFERS = "theirs", "mine", "clash", "differs"  # who changed a field since the load
ORDER = (CLASH, THEIRS, MINE, DIFFERS)  # the clashes first
FIELD, MARK, STORED, TYPED = range(4)  # the table's columns
_UNKNOWN = object()  # a field whose loaded value the form did not pass

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


def mark(stored: Any, typed: Any, base: Any = _UNKNOWN) -> str | None:
    """Who changed a field since the form loaded `base`: THEIRS (the stored value moved), MINE (the
    typed one did), CLASH (both, to different values); DIFFERS when the base is unknown and the two
    differ; None when there is nothing to choose (nobody changed it, or both made the same change)."""
    if base is _UNKNOWN:
        return None if _same(stored, typed) else DIFFERS
    theirs, mine = not _same(stored, base), not _same(typed, base)
    if theirs and mine:
        return None if _same(stored, typed) else CLASH
    return THEIRS if theirs else MINE if mine else None


def mark_text(which: str | None) -> str:
    return {THEIRS: _("Changed by someone else"), MINE: _("Changed by you"),
            CLASH: _("Changed by both: clash"), DIFFERS: _("Differs")}.get(which, "")


class ConflictDialog(QDialog):
    """The side-by-side of one refused save. `rows` lists (field key, label, stored text, typed
    text, mark, loaded text) for every field, `mark` saying who changed it since the form loaded
    `base` (THEIRS, MINE, CLASH; DIFFERS without a base; None: nobody, or both alike). Only the
    marked rows are shown, the clashes first; `choice` is KEEP_MINE, TAKE_THEIRS or CANCEL once a
    button was pressed."""

    def __init__(self, exc: StaleRecord, typed: Mapping[str, Any], label: Callable[[str], str],
                 fmt: Callable[[str, Any], str] | None = None, parent=None, *,
                 base: Mapping[str, Any] | None = None):
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.setWindowTitle(_("This record was changed by someone else"))
        self.choice = CANCEL
        fmt = fmt or (lambda _key, value: value_text(value))
        base = base if base is not None else {}
        keys = [k for k in typed if k in exc.stored] or list(exc.stored)
        self.rows = []
        for k in keys:
            loaded = base.get(k, _UNKNOWN)
            self.rows.append((k, label(k), fmt(k, exc.stored.get(k)), fmt(k, typed.get(k)),
                              mark(exc.stored.get(k), typed.get(k), loaded),
                              None if loaded is _UNKNOWN else fmt(k, loaded)))
        marked = sorted((r for r in self.rows if r[4]), key=lambda r: ORDER.index(r[4]))
        shown = marked or self.rows  # the fields someone changed; all of them when none shows the change

        layout = QVBoxLayout(self)
        head = QLabel(exc.message)
        head.setObjectName("conflict_message")
        font = head.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        head.setFont(font)
        layout.addWidget(head)
        explain = QLabel(self._explanation(marked))
        explain.setObjectName("conflict_explanation")
        explain.setWordWrap(True)
        layout.addWidget(explain)

        self.table = QTableWidget(len(shown), 4)
        self.table.setObjectName("conflict_table")
        self.table.setHorizontalHeaderLabels([_("Field"), _("Who changed it"), _("Saved by someone else"),
                                              _("Typed by you")])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Fixed)  # as wide as its longest mark; a value when opened wraps
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        header.setSectionResizeMode(3, QHeaderView.Stretch)
        bold = QFont(self.font())
        bold.setBold(True)
        widest = max(QFontMetrics(bold).horizontalAdvance(mark_text(m)) for m in ORDER)
        self.table.setColumnWidth(MARK, max(widest + 24, QFontMetrics(bold).horizontalAdvance(_("Who changed it")) + 24))
        empty = value_text(None)
        for i, (_key, name, stored, mine, which, loaded) in enumerate(shown):
            changed = {THEIRS: (STORED,), MINE: (TYPED,), CLASH: (STORED, TYPED), DIFFERS: (STORED, TYPED)}
            note = mark_text(which)
            if which == CLASH and loaded is not None:
                note += "\n" + _("when you opened it: {value}").format(value=loaded)
            for j, text in enumerate((name, note, stored, mine)):
                item = QTableWidgetItem(text)
                tip = text
                if j in (STORED, TYPED) and loaded is not None:
                    tip = text + "\n" + _("when you opened it: {value}").format(value=loaded)
                item.setToolTip(tip)
                if which == CLASH:
                    item.setBackground(QBrush(CLASH_COLOUR))  # the whole row: a real clash
                elif which and (j == MARK or j in changed[which]):  # the mark tinted as the value it names
                    item.setBackground(QBrush(MINE_COLOUR if which == MINE else DIFFERENT))
                if j == MARK and which == CLASH:
                    item.setForeground(QBrush(QColor(style.ERROR)))
                elif j >= STORED and text == empty:
                    item.setForeground(QBrush(QColor(style.QUIET_TEXT)))  # "(empty)" is not a value
                elif which and j in changed[which]:
                    item.setFont(bold)
                elif not which and j:
                    item.setForeground(QBrush(QColor(style.QUIET_TEXT)))  # nobody changed it: context
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
        self.resize(820, min(560, 190 + 34 * len(shown)))

    @staticmethod
    def _explanation(marked: list) -> str:
        if not marked:
            return _("Someone else saved this record after you opened it (the fields below are the same as "
                     "yours; the change was elsewhere, e.g. attendees). Choose which version to keep.")
        count = {which: sum(1 for r in marked if r[4] == which) for which in ORDER}
        if count[DIFFERS]:
            return _("Someone else saved this record after you opened it. {n} fields differ from what you "
                     "typed; choose which values to keep.").format(n=len(marked))
        parts = []
        if count[CLASH]:
            parts.append(_("{n} fields were changed by both of you, differently (marked red)").format(n=count[CLASH]))
        if count[THEIRS]:
            parts.append(_("{n} fields were changed only by someone else").format(n=count[THEIRS]))
        if count[MINE]:
            parts.append(_("{n} fields were changed only by you").format(n=count[MINE]))
        text = _("Someone else saved this record after you opened it: {parts}.").format(parts=_("; ").join(parts))
        if count[THEIRS]:
            text += " " + _("“Keep mine” saves your form as it is: the fields changed only by someone else go "
                            "back to what you opened.")
        return text

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
        """The shown rows as [field, saved by someone else, typed by you]."""
        return [[self.table.item(r, c).text() for c in (FIELD, STORED, TYPED)] for r in range(self.table.rowCount())]

    def shown_marks(self) -> dict[str, str | None]:
        """Field label → THEIRS, MINE, CLASH or DIFFERS (None: shown for context only), as shown."""
        by_label = {r[1]: r[4] for r in self.rows}
        return {self.table.item(r, FIELD).text(): by_label.get(self.table.item(r, FIELD).text())
                for r in range(self.table.rowCount())}


def resolve(parent, exc: StaleRecord, typed: Mapping[str, Any], label: Callable[[str], str],
            fmt: Callable[[str, Any], str] | None = None, *, base: Mapping[str, Any] | None = None) -> str:
    """Ask what to do with a refused save; KEEP_MINE, TAKE_THEIRS or CANCEL. `base` holds the values
    the form loaded (shaped as `typed`): each field is marked as changed by someone else, by the
    clerk, or by both (a clash). A record deleted meanwhile cannot be kept or taken: the clerk is
    told, and the form keeps the typing."""
    if exc.deleted:
        messages.error(parent, exc.message + "\n" + _("What you typed is still in the form; nothing was saved."))
        return CANCEL
    dialog = ConflictDialog(exc, typed, label, fmt, parent, base=base)
    try:
        if _responder is not None:
            return _responder(dialog)
        dialog.exec()
        return dialog.choice
    finally:
        dialog.deleteLater()
