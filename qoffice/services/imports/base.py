"""What every kind's importer shares: the session, the audit, the credit-code lookup, progress,
and one row's writes in a savepoint. A kind's importer (one small module each) says how a row is
keyed and what it writes."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from qoffice.db.models import Enterprise
from qoffice.domain import uscc as uscc_rules
from qoffice.errors import KnownError, ValidationFailed
from qoffice.excel.kinds import Kind
from qoffice.excel.parse import PROGRESS_EVERY, Issue, ParsedFile, ParsedRow, shared_issues, shared_message
from qoffice.i18n import _
from qoffice.progress import Progress, report
from qoffice.services.audit import AuditWriter


def problem_issues(row: ParsedRow, kind: Kind, problems: dict[str, str], field_columns: dict[str, str]) -> None:
    """A service's problems (field key -> message) as the row's issues, each under its column."""
    for key, message in problems.items():
        message = shared_message(message)
        header = field_columns.get(key)
        if header is None:
            try:
                header = kind.column(key).header
            except StopIteration:
                header = None
        row.add_error(Issue(row.row, header, message))


def check_code(row: ParsedRow) -> None:
    """The credit code's own rule (its check character): the first thing apply_row would refuse,
    with the same issue, found while reading."""
    code = row.values.get("uscc")
    problem = uscc_rules.problem(code) if code else None
    if problem:
        row.errors = shared_issues((("统一社会信用代码", problem),))


class Importer:
    """One import's write work for one kind inside a session.

    A subclass names its `kind`, how a row is keyed (`key`: later rows with the same key replace
    earlier ones), the service problem keys that are not column keys (`field_columns`), and what
    one row writes (`apply_row`, or `apply` for all rows at once)."""

    kind: str
    field_columns: dict[str, str] = {}
    # The row's own rules, checked while the file is read (excel.parse.parse_file's check_row): a
    # row rejected there never reaches apply_row. None: every rule needs the database.
    check_row: Callable[[ParsedRow], None] | None = None

    @staticmethod
    def key(row: ParsedRow):
        raise NotImplementedError

    def __init__(self, session: Session, parsed: ParsedFile, audit: AuditWriter, progress: Progress):
        self.session = session
        self.parsed = parsed
        self.audit = audit
        self.progress = progress
        self._codes: dict[str, tuple[int, bool]] | None = None
        self.changed = False  # whether the last guarded() work wrote anything (audited)

    def apply(self, rows: list[ParsedRow]) -> None:
        """Each good row in file order (sign-ups: capacity goes to the earlier rows)."""
        total = len(rows)
        for n, row in enumerate(rows):
            self.tick(n, total)
            self.apply_row(row)

    def apply_row(self, row: ParsedRow) -> None:
        raise NotImplementedError

    # lookups
    def codes(self) -> dict[str, tuple[int, bool]]:
        if self._codes is None:
            self._codes = {code: (eid, deleted is not None) for eid, code, deleted in
                           self.session.execute(select(Enterprise.id, Enterprise.uscc, Enterprise.deleted_at))}
        return self._codes

    def enterprise_id(self, row: ParsedRow, code: str) -> int | None:
        problem = uscc_rules.problem(code)
        if problem:
            row.add_error(Issue(row.row, "统一社会信用代码", shared_message(problem)))
            return None
        hit = self.codes().get(code)
        if hit is None:
            row.add_error(Issue(row.row, "统一社会信用代码", _("No enterprise with credit code {code} is on "
                                                             "file; import the enterprise first.").format(code=code)))
            return None
        if hit[1]:
            row.add_error(Issue(row.row, "统一社会信用代码", _("The enterprise with credit code {code} is in the "
                                                             "recycle bin; restore it first.").format(code=code)))
            return None
        return hit[0]

    def outcome(self, old) -> str:
        """The status of a row whose guarded work succeeded: a new record, or an existing one that
        the row changed or left as it was."""
        if old is None:
            return "create"
        return "update" if self.changed else "unchanged"

    def tick(self, n: int, total: int) -> None:
        if n % PROGRESS_EVERY == 0:
            report(self.progress, n, total, _("Writing…"))

    def problems(self, row: ParsedRow, problems: dict[str, str], field_columns: dict[str, str] | None = None) -> None:
        problem_issues(row, self.parsed.kind, problems, self.field_columns if field_columns is None else field_columns)

    def guarded(self, row: ParsedRow, fn) -> bool:
        """Run one row's writes in a savepoint: a refused row leaves nothing behind."""
        mark = len(self.audit.rows)
        nested = self.session.begin_nested()
        try:
            fn()
            nested.commit()
            self.changed = len(self.audit.rows) > mark
            return True
        except ValidationFailed as exc:
            nested.rollback()
            del self.audit.rows[mark:]
            if exc.problems:
                self.problems(row, exc.problems)
            else:
                row.add_error(Issue(row.row, None, exc.message))
        except KnownError as exc:
            nested.rollback()
            del self.audit.rows[mark:]
            row.add_error(Issue(row.row, None, exc.message))
        return False
