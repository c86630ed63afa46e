"""Errors a clerk can understand and fix (KnownError) versus bugs (everything else).

A KnownError carries a translated one-line message; the GUI shows it in a message box, the CLI
prints it and exits with `exit_code`. Anything else is a bug and goes to the crash handler.
"""
from __future__ import annotations


class KnownError(Exception):
    """A problem the user can act on. `message` is already translated."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class UsageError(KnownError):
    exit_code = 2


class DatabaseError(KnownError):
    """The database cannot be used: missing, newer, locked, not ours, unreadable."""


class DatabaseNewer(DatabaseError):
    pass


class DatabaseMissing(DatabaseError):
    pass


class DatabaseLocked(DatabaseError):
    def __init__(self, message: str, holder: str | None = None):
        super().__init__(message)
        self.holder = holder


class NotQofficeDatabase(DatabaseError):
    pass


class DatabaseNeedsUpgrade(DatabaseError):
    pass


class DatabaseDamaged(DatabaseError):
    """The database file itself is damaged (a bad page, a broken foreign key, no version row).

    `backup` is the copy made anyway, named …-damaged (the clerk's only copy may be this file)."""

    def __init__(self, message: str, backup=None):
        super().__init__(message)
        self.backup = backup


class FileUnreadable(KnownError):
    """An input file that cannot be read at all."""


class OutputNotWritable(KnownError):
    """An output file that cannot be written (locked by Excel, read-only, disk full…)."""


class ValidationFailed(KnownError):
    """A record that breaks a rule; `problems` maps field name -> translated message."""

    exit_code = 1

    def __init__(self, message: str, problems: dict[str, str] | None = None):
        super().__init__(message)
        self.problems = problems or {}


class DataProblems(KnownError):
    """Work finished but found problems in the data (rows rejected, return refused)."""

    exit_code = 1


class Cancelled(Exception):
    """Raised inside long work when the user pressed 取消; nothing has been written."""


class StaleRecord(KnownError):
    """A save of a record that was changed by someone else (another window, an import, an undo, the
    CLI) since its form loaded it: refused, never a silent overwrite.

    `table` and `record_id` name the record; `stored` holds its values as they are now (the form's
    fields, by key), `version` its current version — saving again with that version keeps the
    clerk's values ("keep mine"); `deleted` is True when the record no longer exists."""

    exit_code = 1

    def __init__(self, message: str, *, table: str, record_id, stored: dict | None = None,
                 version: int | None = None, deleted: bool = False):
        super().__init__(message)
        self.table = table
        self.record_id = record_id
        self.stored = dict(stored or {})
        self.version = version
        self.deleted = deleted
