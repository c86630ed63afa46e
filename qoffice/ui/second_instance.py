"""Start-up safety prompts: the second-instance dialog (只读查看 / 退出), the read-only window, and
the non-blocking notices (database on a network share, read-only viewing) shown above the areas.

When another qoffice holds the database, `ask_second_instance()` says who (user, host, program,
since — from the lock's note) and lets the clerk view the data read-only or quit. Under a
message responder (tests; the smoke mode keeps app.py's plain error) the choice is asked as kind
"second_instance": an answer of True means 只读查看, anything else 退出.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from qoffice.db.lock import describe_holder
from qoffice.i18n import _
from qoffice.ui import messages, style

log = logging.getLogger("qoffice.ui")

VIEW, QUIT = "view", "quit"


def _since(holder: dict) -> str:
    return str(holder.get("since", "")).replace("T", " ")


def holder_text(path: Path | str, holder: dict | None) -> str:
    """The dialog's message, also what a test responder reads."""
    return _("The database {path} is already open in another qoffice: {holder}.\n\n"
             "Only one qoffice at a time can change the database. You can look at the data "
             "read-only (nothing can be changed), or quit and ask the other user to close qoffice "
             "first.").format(path=path, holder=describe_holder(holder))


class SecondInstanceDialog(QDialog):
    """Who has the database open, and the two ways on: 只读查看 (default) or 退出."""

    def __init__(self, path: Path | str, holder: dict | None, parent=None):
        super().__init__(parent)
        self.setObjectName("second_instance")
        self.setWindowTitle(_("The database is in use"))
        self.choice = QUIT
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.SP_MessageBoxInformation).pixmap(48, 48))
        icon.setAlignment(Qt.AlignTop)
        top.addWidget(icon)
        head = QLabel(_("The database is already open in another qoffice."))
        font = head.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        head.setFont(font)
        head.setWordWrap(True)
        top.addWidget(head, 1)
        layout.addLayout(top)

        holder = holder or {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignRight)
        self.fields: dict[str, QLabel] = {}
        for key, label, value in (
                ("user", _("User"), holder.get("user") or _("unknown")),
                ("host", _("Computer"), holder.get("host") or _("unknown")),
                ("program", _("Program"), holder.get("program") or _("unknown")),
                ("since", _("Open since"), _since(holder) or _("unknown")),
                ("path", _("Database"), str(path))):
            value_label = QLabel(str(value))
            value_label.setObjectName(key)
            value_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
            value_label.setWordWrap(key == "path")
            self.fields[key] = value_label
            form.addRow(label, value_label)
        layout.addLayout(form)
        note = QLabel(_("Only one qoffice at a time can change the database. You can look at the data "
                        "read-only (nothing can be changed), or quit and ask the other user to close "
                        "qoffice first."))
        note.setWordWrap(True)
        layout.addWidget(note)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.view_button = QPushButton(_("View read-only"))
        self.view_button.setObjectName("view")
        self.view_button.setDefault(True)
        self.view_button.clicked.connect(lambda: self._choose(VIEW))
        self.quit_button = QPushButton(_("Quit"))
        self.quit_button.setObjectName("quit")
        self.quit_button.clicked.connect(lambda: self._choose(QUIT))
        buttons.addWidget(self.view_button)
        buttons.addWidget(self.quit_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept() if choice == VIEW else self.reject()


def ask_second_instance(path: Path | str, holder: dict | None) -> str:
    """VIEW or QUIT. A responder (tests) answers kind "second_instance"; otherwise the dialog."""
    text = holder_text(path, holder)
    log.info("database held by %s", describe_holder(holder))
    messages.shown.append(("second_instance", _("The database is in use"), text))
    if messages._responder is not None:
        answer = messages._responder("second_instance", _("The database is in use"), text, None)
        return VIEW if answer is True else QUIT
    dialog = SecondInstanceDialog(path, holder)
    dialog.exec()
    return dialog.choice


# ---- notices above the areas ---------------------------------------------------------------

class NoticeBar(QToolBar):
    """A banner across the top of the main window: never modal, closable with 知道了."""

    def __init__(self, text: str, *, kind: str = "warning", closable: bool = True, parent=None):
        super().__init__(parent)
        self.setObjectName(f"notice_{kind}")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # not offered in the toolbar context menu
        colours = style.NOTICE_COLOURS
        background, border = colours.get(kind, colours["info"])
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(8, 4, 8, 4)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(
            QStyle.SP_MessageBoxWarning if kind == "warning" else QStyle.SP_MessageBoxInformation).pixmap(20, 20))
        row.addWidget(icon, 0, Qt.AlignVCenter)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        row.addWidget(self.label, 1)
        if closable:
            self.close_button = QPushButton(_("Got it"))
            self.close_button.clicked.connect(self.hide)
            row.addWidget(self.close_button, 0, Qt.AlignVCenter)
        else:
            self.close_button = None
        box.setStyleSheet(f"QWidget#notice_box {{ background: {background}; border: 1px solid {border}; "
                          f"border-radius: 3px; }}")
        box.setObjectName("notice_box")
        self.addWidget(box)

    def resizeEvent(self, event) -> None:
        # A toolbar lays out by size hints, not height-for-width: a wrapped label would get the
        # height of its narrowest wrapping. Give it the height its real width needs.
        super().resizeEvent(event)
        height = self.label.heightForWidth(self.label.width())
        if height > 0 and height != self.label.height():
            self.label.setFixedHeight(height)

    def text(self) -> str:
        return self.label.text()


def add_notice(window: QMainWindow, text: str, *, kind: str = "warning", closable: bool = True) -> NoticeBar:
    """Put a banner on top of the window's areas (below any earlier banner)."""
    if window.findChildren(NoticeBar):
        window.addToolBarBreak(Qt.TopToolBarArea)
    bar = NoticeBar(text, kind=kind, closable=closable, parent=window)
    # A first guess at the wrapped height before the window is laid out, so the window does not
    # start out taller than it needs (resizeEvent corrects it to the real width).
    guess = bar.label.heightForWidth(max(window.width() - 160, 480))
    if guess > 0:
        bar.label.setFixedHeight(guess)
    window.addToolBar(Qt.TopToolBarArea, bar)
    return bar


def notices(window: QMainWindow) -> list[NoticeBar]:
    return window.findChildren(NoticeBar)


def network_notice(window: QMainWindow, path: Path | str) -> NoticeBar | None:
    """The network-share warning, once at start-up, as a banner (never a modal: see smoke.py)."""
    from qoffice.db.sqlite import network_share_warning

    try:
        text = network_share_warning(path)
    except OSError:  # probing the drive failed: no warning rather than no start
        return None
    if not text:
        return None
    log.warning("database on a network share: %s", path)
    return add_notice(window, text, kind="warning")


# ---- the read-only window ------------------------------------------------------------------

def read_only_text(holder: dict | None) -> str:
    return _("Read-only: the database is in use by {holder}. You can look at everything; nothing "
             "can be changed here.").format(holder=describe_holder(holder))


def make_read_only(window: QMainWindow, holder: dict | None) -> NoticeBar:
    """Mark a window on a read-only database: a banner saying so, and the buttons that would start
    a change (新增, 导入, 保存 of the settings, 从备份恢复) disabled with the reason. Any other write
    is refused by the database itself (Database.session) with a clear message."""
    disable_edits(window, _("The database is open read-only; close the other qoffice to edit."))
    return add_notice(window, read_only_text(holder), kind="info", closable=False)


def disable_edits(window: QMainWindow, reason: str) -> None:
    """Disable, with `reason` as their tooltip, the buttons of every area that would start a change:
    a list's 新增 and 导入, an area's 保存 (kept disabled when its form's validation re-enables it).
    Used for any read-only window: a second qoffice's, a server viewer's or an older server schema's."""
    for area in getattr(window, "areas", {}).values():
        lst = getattr(area, "list", None)
        for key in ("new", "import"):
            button = getattr(lst, "buttons", {}).get(key) if lst is not None else None
            if button is not None:
                button.setEnabled(False)
                button.setToolTip(reason)
        save = getattr(area, "save_button", None)
        if save is not None:
            save.setEnabled(False)
            save.setToolTip(reason)
            form_changed = getattr(getattr(area, "form", None), "changed", None)
            if form_changed is not None:  # the form's validation would enable it again
                form_changed.connect(lambda b=save: b.setEnabled(False))
