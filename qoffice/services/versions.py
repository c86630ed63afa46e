"""The lost-update rule: a form saves only the version of a record it loaded.

Every editable record has a `version` (the mappers' version_id_col, bumped by each ORM UPDATE and
by the writes that go around the ORM). A form keeps the version it loaded and hands it to the
service as `expected_version`; when the stored record has moved on since — another editor window,
an import, an undo, the CLI — the service raises StaleRecord with the stored values, and the GUI
shows them beside the typed ones (qoffice.ui.conflict_dialog). `expected_version=None` (imports,
the CLI, internal steps) skips the check: those work on the record as they read it.
"""
from __future__ import annotations

from collections.abc import Iterable

from qoffice.errors import StaleRecord
from qoffice.i18n import _


def changed_message() -> str:
    return _("This record was changed by someone else since you opened it.")


def deleted_message() -> str:
    return _("This record was deleted by someone else since you opened it.")


def check(record, expected_version: int | None, fields: Iterable[str], *, table: str) -> None:
    """Raise StaleRecord when `record` is not at `expected_version` (None: no check)."""
    if expected_version is None:
        return
    if record is None:
        raise StaleRecord(deleted_message(), table=table, record_id=None, deleted=True)
    if record.version != expected_version:
        raise StaleRecord(changed_message(), table=table, record_id=record.id,
                          stored={k: getattr(record, k) for k in fields}, version=record.version)


def touch(record) -> None:
    """Count a change the record's own row does not show (its attendees, its attendance) as a new
    version: the next flush UPDATEs the row, so the mapper bumps `version`."""
    from sqlalchemy.orm.attributes import flag_modified

    record.created_at  # noqa: B018 - loaded (an expired attribute cannot be flagged)
    flag_modified(record, "created_at")
