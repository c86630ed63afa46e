"""Read-only health check of a database (`qoffice check`): SQLite integrity, foreign keys, the
schema version, and the data rules a record can break behind the program's back."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from qoffice.db import schema
from qoffice.domain import enterprise as enterprise_rules
from qoffice.domain import uscc, vocab
from qoffice.domain.money import scaled_to_rate
from qoffice.i18n import _

LISTED_MAX = 200  # findings kept for display; the count is always complete


@dataclass
class Finding:
    kind: str  # integrity, foreign_key, schema, credit_code, status, figures, vocabulary, waiting_list
    message: str  # translated, one line
    table: str | None = None
    record_id: int | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "table": self.table, "id": self.record_id, "message": self.message}


@dataclass
class CheckReport:
    path: Path
    revision: str | None
    head: str
    integrity_ok: bool = True
    foreign_keys_ok: bool = True
    data_checked: bool = False
    findings: list[Finding] = field(default_factory=list)
    count: int = 0
    server_version: str | None = None  # a server database: PostgreSQL's version and the connected role
    role: str | None = None

    @property
    def schema_state(self) -> str:
        if not self.revision:  # qoffice's tables without their version row
            return "missing"
        return "current" if self.revision == self.head else "older"

    @property
    def ok(self) -> bool:
        return self.count == 0

    def add(self, finding: Finding) -> None:
        self.count += 1
        if len(self.findings) < LISTED_MAX:
            self.findings.append(finding)

    def as_dict(self) -> dict:
        return {"path": str(self.path), "ok": self.ok, "revision": self.revision, "head": self.head,
                "schema": self.schema_state, "integrity": self.integrity_ok, "foreign_keys": self.foreign_keys_ok,
                "data_checked": self.data_checked, "problem_count": self.count,
                "problems": [f.as_dict() for f in self.findings],
                **({"server_version": self.server_version, "role": self.role} if self.server_version else {})}


def check_database(path: Path | str) -> CheckReport:
    """Open `path` read-only (never upgraded, never locked) and check it.

    Raises a KnownError (exit 2) when it cannot proceed: missing, newer, not a qoffice database.
    """
    from qoffice.db.database import open_database

    db = open_database(path, "check")
    if getattr(db, "is_server", False):
        return _check_server(db)
    try:
        report = CheckReport(Path(path), db.revision, schema.SCHEMA_HEAD)
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            _sqlite_checks(raw, report)
            if report.schema_state == "missing":
                report.add(Finding("schema", _(
                    "The schema version record (table alembic_version) is missing: the database is damaged and "
                    "qoffice will not open it. Restore a backup.")))
            elif report.schema_state == "older":
                report.add(Finding("schema", _(
                    "The database uses an older schema ({rev}; this program writes {head}). Open it with qoffice "
                    "or run a writing command to upgrade it (a backup is made first).").format(
                    rev=db.revision, head=schema.SCHEMA_HEAD)))
            elif report.integrity_ok:
                _data_checks(raw, report)
                report.data_checked = True
    finally:
        db.close()
    return report


def _check_server(db) -> CheckReport:
    """A server database: no file to check (the server checksums its own pages and enforces its foreign
    keys); the schema version, the server's version, the connected role and the data rules."""
    try:
        report = CheckReport(db.label, db.revision, schema.SCHEMA_HEAD, server_version=db.server_version,
                             role=db.role)
        if report.schema_state == "missing":
            report.add(Finding("schema", _(
                "The schema version record (table alembic_version) is missing: the database is damaged and "
                "qoffice will not open it. Restore a backup.")))
        elif report.schema_state == "older":
            report.add(Finding("schema", _(
                "The database uses an older schema ({rev}; this program writes {head}): 请联系管理员升级数据库 "
                "(the owner runs “qoffice --db ADDRESS db upgrade”).").format(rev=db.revision, head=schema.SCHEMA_HEAD)))
        else:
            raw = db.connect_reader()
            try:
                _data_checks(raw, report)
            finally:
                raw.close()
            report.data_checked = True
    finally:
        db.close()
    return report


def _sqlite_checks(con, report: CheckReport) -> None:
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    bad = [r for r in rows if r != "ok"]
    if bad:
        report.integrity_ok = False
        for line in bad:
            report.add(Finding("integrity", _("The database file is damaged: {detail}").format(detail=line)))
        return  # further checks would read damaged pages
    try:
        fk_rows = con.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as exc:
        fk_rows = []
        report.foreign_keys_ok = False
        report.add(Finding("foreign_key", _("The foreign-key check failed: {detail}").format(detail=exc)))
    for table, rowid, parent, _fkid in fk_rows:
        report.foreign_keys_ok = False
        report.add(Finding("foreign_key", _("Record {id} of table {table} points at a missing record of {parent}.").format(
            id=rowid, table=table, parent=parent), table, rowid))


def _enterprise_label(eid: int, name: str | None) -> str:
    return _("Enterprise #{id} {name}").format(id=eid, name=name or "")


def _data_checks(con, report: CheckReport) -> None:
    for eid, code, name, status, status_year in con.execute(
            "SELECT id, uscc, name, status, status_year FROM enterprise ORDER BY id"):
        msg = uscc.problem(code or "")
        if msg is None and uscc.normalize(code) != code:
            msg = _("The credit code is not stored in its normal form.")
        if msg:
            report.add(Finding("credit_code", f"{_enterprise_label(eid, name)}: {code}: {msg}", "enterprise", eid))
        msg = enterprise_rules.status_problem(status, status_year)
        if msg:
            report.add(Finding("status", f"{_enterprise_label(eid, name)}: {msg}", "enterprise", eid))
    for fid, eid, name, year, rate, checked, passed in con.execute(
            "SELECT f.id, f.enterprise_id, e.name, f.year, f.loss_rate_e4, f.checked, f.passed "
            "FROM year_figures f LEFT JOIN enterprise e ON e.id = f.enterprise_id "
            "WHERE (f.checked IS NULL) <> (f.passed IS NULL) OR f.passed > f.checked OR f.checked < 0 "
            "OR f.passed < 0 OR f.loss_rate_e4 < 0 OR f.loss_rate_e4 > 1000000 ORDER BY f.id"):
        msg = enterprise_rules.figures_problem(checked, passed, scaled_to_rate(rate))
        report.add(Finding("figures", _("{enterprise}, figures of {year}: {problem}").format(
            enterprise=_enterprise_label(eid, name), year=year, problem=msg or ""), "year_figures", fid))
    closed = (
        ("project", "type", vocab.PROJECT_TYPES), ("project", "stage", vocab.STAGES),
        ("partner", "type", vocab.PARTNER_TYPES), ("forum", "status", vocab.FORUM_STATUSES),
        ("signup", "status", vocab.SIGNUP_STATUSES), ("award", "award", vocab.AWARDS),
        ("enterprise", "industry_group", vocab.INDUSTRY_GROUPS),
    )
    for table, column, words in closed:
        marks = ", ".join("?" * len(words))
        for rid, value in con.execute(
                f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} NOT IN ({marks}) "
                f"ORDER BY id", words):
            report.add(Finding("vocabulary", _("Record {id} of table {table}: “{value}” is not an allowed value "
                                               "of {column}.").format(id=rid, table=table, value=value, column=column),
                               table, rid))
    taking = ", ".join(f"'{s}'" for s in vocab.SIGNUP_COUNTS_AGAINST_CAPACITY)
    for mid, title, capacity, taken, waiting in con.execute(
            f"SELECT m.id, m.title, m.capacity, "
            f"(SELECT count(*) FROM signup s WHERE s.meeting_id = m.id AND s.status IN ({taking})), "
            f"(SELECT count(*) FROM signup s WHERE s.meeting_id = m.id AND s.status = ?) "
            f"FROM meeting m ORDER BY m.id", (vocab.SU_WAITING,)):
        if waiting and (capacity is None or taken < capacity):
            report.add(Finding("waiting_list", _("Meeting “{title}”: {waiting} on the waiting list although "
                                                 "places are free.").format(title=title, waiting=waiting),
                               "meeting", mid))
