"""One editor per record: every place that opens an editor (the lists, the 年度报表 checks, the
areas' pickers and buttons) goes through `open_editor`, which brings an editor already open for the
same record to the front instead of opening a second one — two windows of one record were how one
clerk's save silently undid another's (the version check in the services refuses what still gets
through, e.g. an import while an editor is open).

Editors are kept by (kind, record id) — kind is the table, e.g. "enterprise" — until they are
closed or destroyed; an editor of a new record is filed under its id once it is saved (`rekey`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

_open: dict[tuple[str, Any], QWidget] = {}


def _alive(widget: QWidget | None) -> bool:
    if widget is None:
        return False
    try:
        from shiboken6 import isValid
    except ImportError:  # pragma: no cover - shiboken6 ships with PySide6
        return True
    return isValid(widget) and widget.isVisible()


def find(kind: str, record_id: Any) -> QWidget | None:
    """The open editor of that record, or None."""
    widget = _open.get((kind, record_id))
    if widget is not None and not _alive(widget):
        _open.pop((kind, record_id), None)
        return None
    return widget


def focus(widget: QWidget) -> QWidget:
    """Bring an editor to the front (un-minimised, active)."""
    if widget.windowState() & Qt.WindowMinimized:
        widget.setWindowState(widget.windowState() & ~Qt.WindowMinimized)
    widget.show()
    widget.raise_()
    widget.activateWindow()
    return widget


def register(kind: str, record_id: Any, widget: QWidget) -> None:
    """File `widget` as the editor of that record (a new record: once saved, see `rekey`)."""
    if record_id is not None:
        _open[(kind, record_id)] = widget
    widget.destroyed.connect(lambda _obj=None, k=kind: _forget(k, widget))


def rekey(kind: str, widget: QWidget, record_id: Any) -> None:
    """The editor now shows `record_id` (a new record saved, or another one loaded into it)."""
    for key, w in list(_open.items()):
        if w is widget:
            del _open[key]
    if record_id is not None:
        other = find(kind, record_id)
        if other is None or other is widget:
            _open[(kind, record_id)] = widget


def _forget(kind: str, widget: QObject) -> None:
    for key, w in list(_open.items()):
        if w is widget:
            del _open[key]


def open_editor(kind: str, record_id: Any, factory: Callable[[], QWidget]) -> QWidget:
    """The editor of a record: the one already open, brought to the front, or a new one from
    `factory()` (shown and filed). `record_id` None (a new record) always opens a new editor."""
    if record_id is not None:
        existing = find(kind, record_id)
        if existing is not None:
            return focus(existing)
    widget = factory()
    register(kind, record_id, widget)
    widget.show()
    return widget


def open_editors() -> list[tuple[str, Any]]:
    """(kind, id) of every editor open now (for tests and the crash report)."""
    return [key for key, w in list(_open.items()) if _alive(w)]
