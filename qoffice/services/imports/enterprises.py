"""The enterprise roster, keyed by credit code: new codes in one bulk insert, known ones updated in
place through the enterprise service (a code in the recycle bin comes back)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import insert, literal, select

from qoffice.db.bulk import id_runs, insert_new_rows, insert_rows
from qoffice.db.models import AuditEntry, Enterprise, utcnow
from qoffice.domain import uscc as uscc_rules
from qoffice.domain.pinyin import initials, sort_key
from qoffice.errors import ValidationFailed
from qoffice.excel.kinds import KINDS
from qoffice.excel.parse import Issue, ParsedRow, compact, shared_issues
from qoffice.services import enterprises as svc
from qoffice.services.imports.base import Importer


def as_new(values: dict, *, copy: bool = True) -> dict:
    """A row's values as a new enterprise is checked and written."""
    values = values.copy() if copy else values
    values.setdefault("status", svc.rules.vocab.STATUS_ACTIVE)
    # Resolve the industry as every later update does (no group or trade → 其他), so that importing
    # the same row again changes nothing.
    values.setdefault("industry_group", None)
    return values


def _header(key: str | None) -> str | None:
    """The column a problem of the enterprise check is shown under (as base.problem_issues)."""
    try:
        return KINDS["enterprises"].column(key).header
    except StopIteration:
        return None


class EnterprisesImporter(Importer):
    kind = "enterprises"

    @staticmethod
    def key(row: ParsedRow):
        return row.values.get("uscc")

    @staticmethod
    def check_row(row: ParsedRow) -> None:
        """A row whose credit code fails its check character: such a code is never on file, so the
        row is the new enterprise apply() would check and refuse — checked the same way now."""
        code = row.values.get("uscc")
        if not code or not uscc_rules.problem(code):
            return
        problems = svc.check(as_new(row.values)).problems
        row.errors = shared_issues(tuple((_header(key), message) for key, message in problems.items()))

    def apply(self, rows: list[ParsedRow]) -> None:
        existing = self.codes()
        fresh: list[ParsedRow] = []
        updates: list[tuple[ParsedRow, dict, tuple[int, bool]]] = []
        for row in rows:
            hit = existing.get(row.values["uscc"])
            if hit is None:
                fresh.append(row)
            else:
                updates.append((row, row.values.copy(), hit))
        self._update_enterprises(updates)
        if fresh:
            conn = self.session.connection()
            codes: list[str] = []
            # Checked while they are written: on a server it stores one batch while the next is checked.
            ids = insert_new_rows(conn, Enterprise.__table__, self._new_records(fresh, codes), most=len(fresh))
            existing.update(zip(codes, [(eid, False) for eid in ids]))
            self._audit_created(conn, ids)

    def _new_records(self, rows: list[ParsedRow], codes: list[str]) -> Iterator[dict]:
        """The record of each new enterprise that passes the enterprise check, as the bulk INSERT
        writes it (its code appended to `codes`); a refused row gets its problems instead."""
        now = utcnow()
        # Every column of a new row, as the model's defaults would fill them.
        blank = {c.name: None for c in Enterprise.__table__.columns if c.name != "id"} | {
            "high_energy": False, "benchmark": False, "research_centre": False, "incentive_fund": False,
            "version": 1}  # the bulk INSERT goes around the ORM: it sets the first version itself
        column_header = {c.key: c.header for c in self.parsed.kind.columns}
        code_checked = self.parsed.rows_checked
        total = len(rows)
        for n, row in enumerate(rows):
            self.tick(n, total)
            new = as_new(row.values)
            code = new["uscc"]
            if code_checked:
                del new["uscc"]  # its check character passed while the file was read (check_row)
            checked = svc.check(new)  # values are typed and clean already
            if code_checked:
                checked.values["uscc"] = code
            if checked.problems:
                self.problems(row, checked.problems, {})
                compact(row)  # its typed values go now: a file of bad codes stays small while it is written
                continue
            for key, message in checked.warnings.items():
                row.add_warning(Issue(row.row, column_header[key], message))
            record = blank | checked.values
            name = record["name"]
            record["name_initials"] = initials(name)
            record["name_pinyin"] = sort_key(name)
            record["created_at"] = record["updated_at"] = now
            row.status = "create"
            codes.append(code)
            yield record

    def _audit_created(self, conn, ids) -> None:
        """The audit's "create" entry of each new enterprise (its name), written by the database from
        the rows just inserted — the entries AuditWriter.add would make, in one statement per run of
        ids instead of a Python dict and a bound row each. The entries collected before them (the
        updates) are written first, so the log keeps the order of the work."""
        audit = self.audit
        if audit.rows:
            insert_rows(conn, AuditEntry.__table__, audit.rows)
            audit.rows = []
        e, a = Enterprise.__table__.c, AuditEntry.__table__
        constant = {"at": dt.datetime.now(), "os_user": audit.os_user, "operator": audit.operator,
                    "table_name": "enterprise", "action": "create", "field": "name", "batch_id": audit.batch_id}
        names = [*constant, "record_id", "enterprise_id", "new"]
        for first, last in id_runs(ids):
            rows = select(*(literal(v, a.c[k].type) for k, v in constant.items()), e.id, e.id, e.name).where(
                e.id.between(first, last)).order_by(e.id)
            conn.execute(insert(a).from_select(names, rows))

    def _update_enterprises(self, updates) -> None:
        """Existing codes: update in place (loaded in chunks, not one query per row). The service
        checks every rule before it changes anything, so a refused row needs no savepoint."""
        existing = self.codes()
        for start in range(0, len(updates), 500):
            chunk = updates[start:start + 500]
            loaded = {e.id: e for e in self.session.scalars(
                select(Enterprise).where(Enterprise.id.in_([hit[0] for _r, _v, hit in chunk])))}
            for n, (row, values, (eid, deleted)) in enumerate(chunk, start=start):
                self.tick(n, len(updates))
                ent = loaded[eid]
                try:
                    changed = svc.update_enterprise(self.session, ent, values, audit=self.audit, keep_empty=True)
                except ValidationFailed as exc:
                    self.problems(row, exc.problems or {None: exc.message}, {})
                    continue
                if "trade" in values:
                    ind = svc.rules.resolve_industry(ent.industry_group, ent.trade)
                    if ind.warning:
                        row.add_warning(Issue(row.row, "行业", ind.warning))
                if deleted:
                    self.audit.add("enterprise", ent.id, "restore", enterprise_id=ent.id, field="deleted_at",
                                   old=ent.deleted_at, new=None)
                    ent.deleted_at = None
                    existing[ent.uscc] = (ent.id, False)
                    changed = True
                row.status = "update" if changed else "unchanged"

