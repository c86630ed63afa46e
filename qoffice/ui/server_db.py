"""The window on a server database (issue 16): 只读 for a viewer or an older schema, and other
clerks' changes refreshing the open lists through the change channel (db/pg.py ChangeListener)."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMainWindow

from qoffice.i18n import _


class ServerChanges(QObject):
    """Relays the listener thread's table names to the GUI thread as the context's publish(Changes):
    each open list that shows one of those tables refreshes itself, the others do nothing."""

    changed = Signal(object)

    def __init__(self, ctx, database, parent: QObject | None = None):
        super().__init__(parent)
        from qoffice.db.pg import ChangeListener

        self.ctx = ctx
        self.changed.connect(self._apply)  # emitted from the listener's thread: queued to ours
        self.listener = ChangeListener(database.url, lambda tables: self.changed.emit(sorted(tables)))
        self.listener.start()

    def _apply(self, tables) -> None:
        publish = getattr(self.ctx, "publish", None)
        if publish is not None:  # the one hook after a write (ui/context.py): changed(Changes), dataChanged(table)
            from qoffice.services.changes import Changes

            publish(Changes.of(*tables))
            return
        for table in tables:
            self.ctx.dataChanged.emit(table)

    def stop(self) -> None:
        self.listener.stop()


def read_only_reason(database) -> str:
    return database.readonly_reason or _("The database is open read-only, so nothing can be changed.")


def mark_server_window(window: QMainWindow, database) -> None:
    """A window on a server: the change channel, and when read-only (a viewer, an older schema) every
    button that would start a change disabled with the reason, a banner and 只读 in the status bar."""
    window.server_changes = ServerChanges(window.ctx, database, window)
    if not database.readonly:
        return
    from qoffice.ui.second_instance import add_notice, disable_edits

    reason = read_only_reason(database)
    disable_edits(window, reason)
    label = QLabel(_("Read-only"))
    label.setObjectName("readOnlyLabel")
    label.setToolTip(reason)
    window.statusBar().addPermanentWidget(label)
    window.read_only_label = label
    add_notice(window, reason, kind="info", closable=False)


def stop_server_window(window: QMainWindow) -> None:
    changes = getattr(window, "server_changes", None)
    if changes is not None:
        changes.stop()
