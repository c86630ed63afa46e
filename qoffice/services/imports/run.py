"""One import from a parsed file to the database: the kind's importer writes the good rows in one
transaction (after a backup of a SQLite file), and the rows' outcomes are counted into an
ImportResult. A dry run does the same work on an in-memory copy (SQLite) or in a transaction rolled
back (a server): db.bulk.run_bulk."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from qoffice.db.bulk import insert_rows, run_bulk
from qoffice.db.models import AuditEntry, ImportBatch
from qoffice.excel import parse
from qoffice.excel.parse import Issue, ParsedFile, ParsedRow, compact
from qoffice.i18n import _
from qoffice.progress import Progress, report
from qoffice.services.audit import AuditWriter
from qoffice.services.imports.kinds import IMPORTERS

MAX_LISTED_ERRORS = 1000  # ImportResult.errors keeps the first ones; errors_omitted counts the rest


@dataclass
class ImportResult:
    kind: str
    path: Path
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # already on file exactly as the row gives it
    skipped: int = 0  # empty and footer rows, earlier duplicates
    rejected: int = 0
    errors: list[Issue] = field(default_factory=list)  # the first MAX_LISTED_ERRORS problems
    errors_omitted: int = 0  # problems beyond those (every rejected row keeps its own in `rows`)
    warnings: list[Issue] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    batch_id: int | None = None
    backup: Path | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def as_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": self.skipped, "rejected": self.rejected, "errors": [e.as_dict() for e in self.errors],
                "errors_omitted": self.errors_omitted, "warnings": [w.as_dict() for w in self.warnings]}


def parse_file(path: Path | str, kind_name: str, *, progress: Progress = None) -> ParsedFile:
    """Read and check every row of `path` as `kind_name` (excel.parse), each row also by its kind's
    own rules (the importer's check_row); no database involved."""
    importer = IMPORTERS.get(kind_name)
    return parse.parse_file(path, kind_name, progress=progress, check_row=importer and importer.check_row)


def dedupe(parsed: ParsedFile, key_of) -> list[ParsedRow]:
    """Later row wins: the earlier row with the same key is counted nowhere, with a warning."""
    last: dict = {}
    for row in parsed.rows:
        if row.errors:
            continue
        key = key_of(row)
        if key is None:
            continue
        if key in last:
            earlier = last[key]
            earlier.status = "replaced"
            row.add_warning(Issue(row.row, None, _("Row {earlier} has the same key as row {later}; row {later} "
                                                       "is used and row {earlier} is ignored.").format(
                earlier=earlier.row, later=row.row)))
        last[key] = row
    return [r for r in parsed.rows if not r.errors and r.status != "replaced"]


def warn_counties(session: Session, rows: list[ParsedRow], header: str) -> None:
    """A 区县 outside the office's county list is imported as written (the list may lag a renaming),
    with a warning on its row naming the closest listed county — as the editor warns (issue 13)."""
    from qoffice.domain.county import outside_list
    from qoffice.services import settings as settings_service

    counties = None
    found: dict = {}
    for row in rows:
        value = row.values.get("county")
        if not value:
            continue
        if counties is None:
            counties = settings_service.counties(session)
        if value not in found:
            found[value] = outside_list(value, counties)
        outside = found[value]
        if outside is not None:
            row.add_warning(Issue(row.row, header, outside.message))


def apply(session: Session, parsed: ParsedFile, *, source: str | None = None, progress: Progress = None,
          dry_run: bool = False, backup: str | None = None) -> ImportResult:
    """Write the good rows of `parsed` in `session` (the caller commits or rolls back). `backup`: the
    file name of the backup made before it, kept with the batch for the 导入记录 and backup lists."""
    kind = parsed.kind
    batch = ImportBatch(kind=kind.name, source=source or str(parsed.path), backup=backup)
    session.add(batch)
    session.flush()
    audit = AuditWriter(session, batch.id)
    importer = IMPORTERS[kind.name](session, parsed, audit, progress)
    good = dedupe(parsed, importer.key)
    if any(c.key == "county" for c in kind.columns):
        warn_counties(session, good, kind.column("county").header)
    importer.apply(good)
    if audit.rows:  # the same rows AuditWriter.flush would write, without per-row processing
        insert_rows(session.connection(), AuditEntry.__table__, audit.rows)
        audit.rows = []
    result = ImportResult(kind.name, parsed.path, dry_run, rows=parsed.rows, batch_id=batch.id)
    result.warnings.extend(parsed.warnings)
    result.skipped = parsed.skipped
    listed = result.errors
    for row in parsed.rows:
        if row.errors:
            row.status = "error"
            compact(row)
            result.rejected += 1
            room = MAX_LISTED_ERRORS - len(listed)
            if room > 0:
                listed.extend(e if e.row is not None else Issue(row.row, e.column, e.message)
                              for e in row.errors[:room])
            result.errors_omitted += max(0, len(row.errors) - max(room, 0))
        elif row.status == "create":
            result.created += 1
        elif row.status == "update":
            result.updated += 1
        elif row.status == "unchanged":
            result.unchanged += 1
        else:  # an earlier duplicate ("replaced")
            result.skipped += 1
        result.warnings.extend(row.warnings)
    batch.created, batch.updated, batch.rejected = result.created, result.updated, result.rejected
    batch.unchanged, batch.skipped = result.unchanged, result.skipped  # 导入记录 (revision 0006)
    batch.operator = audit.operator or audit.os_user
    session.flush()
    report(progress, len(good), len(good), _("Writing…"))
    return result


def run_import(db, kind_name: str, path: Path | str, *, dry_run: bool = False, progress: Progress = None,
               parsed: ParsedFile | None = None) -> ImportResult:
    """Import `path` into the open Database `db` (opened in mode "dry" for a dry run).

    A real import writes every good row in one transaction, a SQLite file backed up first (a
    server is not: db.bulk.run_bulk); a Cancelled raised by `progress` leaves the database as it was.
    """
    parsed = parsed or parse_file(path, kind_name, progress=progress)
    result, backup = run_bulk(
        db, lambda session, backup: apply(session, parsed, progress=progress, dry_run=dry_run, backup=backup),
        dry_run=dry_run, backup_reason="import")
    result.backup = backup
    return result
