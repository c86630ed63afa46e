"""Enterprise quality files: validate, create, update, soft delete, restore, purge; yearly figures."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from qoffice.db.models import (
    Attendee,
    AuditEntry,
    Award,
    Enterprise,
    ForumAttendance,
    Project,
    SignUp,
    YearFigures,
    utcnow,
)
from qoffice.domain import enterprise as rules
from qoffice.domain import uscc as uscc_rules
from qoffice.domain.money import rate_to_scaled
from qoffice.domain.pinyin import initials
from qoffice.errors import KnownError, ValidationFailed
from qoffice.i18n import _
from qoffice.services import versions
from qoffice.services.audit import AuditWriter, entries_for_enterprise
from qoffice.services.changes import Changes

# Every field a clerk edits, in the editor's order.
EDITABLE_FIELDS = (
    "uscc", "name", "county", "address", "legal_rep", "contact", "phone",
    "industry_group", "trade", "high_energy", "status", "status_year",
    "cqo_name", "cqo_post", "cqo_phone", "cqo_appointed",
    "excellence_year", "benchmark", "benchmark_since", "research_centre", "incentive_fund", "note",
)
TEXT_FIELDS = ("uscc", "name", "county", "address", "legal_rep", "contact", "phone", "industry_group", "trade",
               "status", "cqo_name", "cqo_post", "cqo_phone", "note")
YEAR_FIELDS = ("status_year", "excellence_year", "benchmark_since")
BOOL_FIELDS = ("high_energy", "benchmark", "research_centre", "incentive_fund")
PHONE_RE = re.compile(r"^[0-9+\-()（）\s转、,/]{3,40}$")
MIN_YEAR, MAX_YEAR = 1949, 2100


class DuplicateCode(KnownError):
    """The credit code already exists; `deleted` tells whether it is in the recycle bin."""

    exit_code = 1

    def __init__(self, message: str, existing_id: int, deleted: bool):
        super().__init__(message)
        self.existing_id = existing_id
        self.deleted = deleted


@dataclass
class Checked:
    values: dict
    problems: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)


def clean(data: dict) -> dict:
    """Strip text, normalise the code, empty → None. Keeps only known fields."""
    out: dict = {}
    for key in EDITABLE_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key in TEXT_FIELDS:
            value = None if value is None else str(value).strip() or None
            if key == "uscc" and value is not None:
                value = uscc_rules.normalize(value)
        elif key in BOOL_FIELDS:
            value = bool(value)
        elif key in YEAR_FIELDS:
            value = None if value in (None, "") else int(value)
        out[key] = value
    return out


def check(values: dict, *, today: dt.date | None = None) -> Checked:
    """Field-level rules (no database): returns problems and warnings by field."""
    result = Checked(dict(values))
    v = result.values
    code = v.get("uscc")
    if "uscc" in v:
        msg = uscc_rules.problem(code or "")
        if msg:
            result.problems["uscc"] = msg
    if "name" in v and not v.get("name"):
        result.problems["name"] = _("The enterprise name is required.")
    if "status" in v or "status_year" in v:
        msg = rules.status_problem(v.get("status"), v.get("status_year"))
        if msg:
            result.problems["status_year" if v.get("status") in (None, *rules.vocab.ENTERPRISE_STATUSES) else "status"] = msg
    if "industry_group" in v or "trade" in v:
        ind = rules.resolve_industry(v.get("industry_group"), v.get("trade"))
        if ind.error:
            result.problems["trade"] = ind.error
        else:
            v["industry_group"] = ind.group
            if ind.warning:
                result.warnings["trade"] = ind.warning
    for key in YEAR_FIELDS:
        year = v.get(key)
        if year is not None and not (MIN_YEAR <= year <= MAX_YEAR):
            result.problems[key] = _("A year must be between {lo} and {hi}.").format(lo=MIN_YEAR, hi=MAX_YEAR)
    for key in ("phone", "cqo_phone"):
        phone = v.get(key)
        if phone and not PHONE_RE.match(phone):
            result.problems[key] = _("“{phone}” does not look like a phone number.").format(phone=phone)
    appointed = v.get("cqo_appointed")
    if appointed is not None and not isinstance(appointed, dt.date):
        result.problems["cqo_appointed"] = _("Not a date.")
    return result


def find_by_code(session: Session, code: str) -> Enterprise | None:
    return session.scalar(select(Enterprise).where(Enterprise.uscc == uscc_rules.normalize(code)))


def names_by_code(session: Session, codes) -> dict[str, str]:
    """Credit code -> enterprise name, for the codes on file (the import preview shows the name
    beside each code). Looked up in slices, so a file of many thousand codes stays one query a slice."""
    wanted = sorted({c for c in codes if c})
    names: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        names.update(session.execute(select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(part))).all())
    return names


def _raise_if_problems(checked: Checked) -> None:
    if checked.problems:
        first = next(iter(checked.problems.values()))
        raise ValidationFailed(first, checked.problems)


def _snapshot(ent: Enterprise) -> dict:
    return {k: getattr(ent, k) for k in EDITABLE_FIELDS}


def create(session: Session, data: dict, *, audit: AuditWriter | None = None) -> Enterprise:
    values = clean(data)
    values.setdefault("status", rules.vocab.STATUS_ACTIVE)
    values.setdefault("uscc", None)
    values.setdefault("name", None)
    checked = check(values)
    _raise_if_problems(checked)
    existing = find_by_code(session, checked.values["uscc"])
    if existing is not None:
        if existing.deleted_at is not None:
            msg = _("An enterprise with credit code {code} is in the recycle bin ({name}); restore it instead.")
        else:
            msg = _("An enterprise with credit code {code} already exists: {name}.")
        raise DuplicateCode(msg.format(code=existing.uscc, name=existing.name), existing.id,
                            existing.deleted_at is not None)
    ent = Enterprise(**checked.values)
    ent.name_initials = initials(ent.name)
    session.add(ent)
    session.flush()
    own = audit or AuditWriter(session)
    own.changes("enterprise", ent.id, {}, {k: v for k, v in checked.values.items() if v not in (None, False)},
                enterprise_id=ent.id, action="create")
    if audit is None:
        own.flush()
    return ent


def update_enterprise(session: Session, ent: Enterprise, data: dict, *, audit: AuditWriter | None = None,
                      keep_empty: bool = False, expected_version: int | None = None) -> int:
    """Apply `data`; with keep_empty (imports), empty values leave stored ones as they are.
    `expected_version`: the version the form loaded; a record changed since is refused
    (StaleRecord, see services.versions).

    Returns the number of fields changed.
    """
    versions.check(ent, expected_version, EDITABLE_FIELDS, table="enterprise")
    values = clean(data)
    if keep_empty:
        values = {k: v for k, v in values.items() if v is not None}
    merged = _snapshot(ent) | values
    checked = check(merged)
    _raise_if_problems(checked)
    if checked.values["uscc"] != ent.uscc:
        other = find_by_code(session, checked.values["uscc"])
        if other is not None and other.id != ent.id:
            raise DuplicateCode(_("An enterprise with credit code {code} already exists: {name}.").format(
                code=other.uscc, name=other.name), other.id, other.deleted_at is not None)
    before = _snapshot(ent)
    after = {k: checked.values[k] for k in EDITABLE_FIELDS}
    own = audit or AuditWriter(session)
    n = own.changes("enterprise", ent.id, before, after, enterprise_id=ent.id)
    if n:
        for k, v in after.items():
            setattr(ent, k, v)
        ent.name_initials = initials(ent.name)
        ent.updated_at = utcnow()
    if audit is None:
        own.flush()
    session.flush()
    return n


def soft_delete(session: Session, ent: Enterprise) -> None:
    ent.deleted_at = utcnow()
    w = AuditWriter(session)
    w.add("enterprise", ent.id, "delete", enterprise_id=ent.id)
    w.flush()
    session.flush()


def restore(session: Session, ent: Enterprise, audit: AuditWriter | None = None) -> None:
    ent.deleted_at = None
    w = audit or AuditWriter(session)
    w.add("enterprise", ent.id, "restore", enterprise_id=ent.id)
    if audit is None:
        w.flush()
    session.flush()


def purge(session: Session, ent: Enterprise) -> dict[str, int]:
    """彻底删除: remove the enterprise and all its records, and blank its personal data in the log."""
    eid = ent.id
    counts = {
        "figures": session.query(YearFigures).filter_by(enterprise_id=eid).count(),
        "projects": session.query(Project).filter_by(enterprise_id=eid).count(),
        "awards": session.query(Award).filter_by(enterprise_id=eid).count(),
        "signups": session.query(SignUp).filter_by(enterprise_id=eid).count(),
    }
    signup_ids = select(SignUp.id).where(SignUp.enterprise_id == eid)
    session.execute(delete(Attendee).where(Attendee.signup_id.in_(signup_ids)))
    for model in (SignUp, Project, Award, YearFigures, ForumAttendance):
        session.execute(delete(model).where(model.enterprise_id == eid))
    session.execute(update(AuditEntry).where(AuditEntry.enterprise_id == eid).values(old=None, new=None))
    session.delete(ent)
    w = AuditWriter(session)
    w.add("enterprise", eid, "purge", enterprise_id=eid)
    w.flush()
    session.flush()
    return counts


def figures_for(session: Session, enterprise_id: int) -> list[YearFigures]:
    return list(session.scalars(select(YearFigures).where(YearFigures.enterprise_id == enterprise_id)
                                .order_by(YearFigures.year.desc())))


FIGURE_FIELDS = ("loss_rate_e4", "checked", "passed", "benefit_yuan")


def set_figures(session: Session, enterprise_id: int, year: int, *, loss_rate: Decimal | str | None = None,
                checked: int | None = None, passed: int | None = None, benefit_yuan: int | None = None,
                audit: AuditWriter | None = None, expected_version: int | None = None) -> YearFigures:
    """Create or change the figures of one year. `expected_version`: the version of the year's row the
    form loaded (0 when it had none): a row added or changed since is refused (StaleRecord)."""
    problem = rules.figures_problem(checked, passed, loss_rate)
    if problem:
        raise ValidationFailed(problem, {"figures": problem})
    if not (MIN_YEAR <= int(year) <= MAX_YEAR):
        raise ValidationFailed(_("A year must be between {lo} and {hi}.").format(lo=MIN_YEAR, hi=MAX_YEAR))
    scaled = None if loss_rate in (None, "") else rate_to_scaled(loss_rate)[0]
    row = session.scalar(select(YearFigures).where(YearFigures.enterprise_id == enterprise_id,
                                                   YearFigures.year == year))
    if expected_version is not None:
        if row is None and expected_version != 0:
            versions.check(None, expected_version, FIGURE_FIELDS, table="year_figures")
        elif row is not None:
            versions.check(row, expected_version, FIGURE_FIELDS, table="year_figures")
    after = {"loss_rate_e4": scaled, "checked": checked, "passed": passed, "benefit_yuan": benefit_yuan}
    w = audit or AuditWriter(session)
    if row is None:
        row = YearFigures(enterprise_id=enterprise_id, year=year, **after)
        session.add(row)
        session.flush()
        w.changes("year_figures", row.id, {}, {k: v for k, v in after.items() if v is not None},
                  enterprise_id=enterprise_id, action="create")
    else:
        before = {k: getattr(row, k) for k in after}
        w.changes("year_figures", row.id, before, after, enterprise_id=enterprise_id)
        for k, v in after.items():
            setattr(row, k, v)
    if audit is None:
        w.flush()
    session.flush()
    return row


def delete_figures(session: Session, row: YearFigures) -> None:
    w = AuditWriter(session)
    w.add("year_figures", row.id, "delete", enterprise_id=row.enterprise_id, field="year", old=row.year)
    session.delete(row)
    w.flush()
    session.flush()


# ---- operations: one write each, from ids, in one transaction; they return what they changed ----

def _each(db, ids: list[int], *, deleted: bool, step) -> list[int]:
    """step(session, enterprise) for each of `ids` that is (deleted=True: in the recycle bin, else
    live), in one transaction; the ids it was done for."""
    with db.session() as s:
        where = Enterprise.deleted_at.is_not(None) if deleted else Enterprise.deleted_at.is_(None)
        done = list(s.scalars(select(Enterprise.id).where(Enterprise.id.in_(ids), where)))
        for eid in done:
            step(s, s.get(Enterprise, eid))
    return done


def move_to_recycle_bin(db, ids: list[int]) -> Changes:
    """删除 in the list: the enterprises go to the recycle bin (restorable)."""
    return Changes.of("enterprise", ids=_each(db, ids, deleted=False, step=soft_delete))


def restore_from_recycle_bin(db, ids: list[int]) -> Changes:
    """恢复 in the recycle bin."""
    return Changes.of("enterprise", ids=_each(db, ids, deleted=True, step=restore))


PURGED_TABLES = ("enterprise", "year_figures", "project", "award", "signup", "forum")
# What purge() removes besides the enterprise, by the key its counts use.
_PURGE_COUNTED = (("figures", YearFigures), ("projects", Project), ("awards", Award), ("signups", SignUp),
                  ("forums", ForumAttendance))


@dataclass(frozen=True)
class PurgeItem:
    id: int
    name: str
    uscc: str
    counts: dict[str, int]


def purge_preview(db, ids: list[int]) -> list[PurgeItem]:
    """What purging `ids` would remove (deleted enterprises only; others are skipped): the dry run
    whose items the 彻底删除 question names, by name."""
    items = []
    with db.read_session() as s:
        for ent in s.scalars(select(Enterprise).where(Enterprise.id.in_(ids), Enterprise.deleted_at.is_not(None))
                             .order_by(Enterprise.name)):
            counts = {key: s.scalar(select(func.count()).select_from(model).where(model.enterprise_id == ent.id)) or 0
                      for key, model in _PURGE_COUNTED}
            items.append(PurgeItem(ent.id, ent.name, ent.uscc or "", counts))
    return items


def purge_many(db, ids: list[int]) -> Changes:
    """彻底删除 of deleted enterprises (live ones are skipped), with all their records."""
    done = _each(db, ids, deleted=True, step=purge)
    return Changes.of(*PURGED_TABLES, ids=done) if done else Changes()


# ---- the enterprise editor: its reads, and its writes as operations (the GUI runs them with run_op) ----

@dataclass(frozen=True)
class EditorRecord:
    """One enterprise as its editor loads it: the editable values, its name and the version a save
    hands back (a record changed since is refused)."""

    values: dict
    name: str
    version: int


def for_editor(db, enterprise_id: int) -> EditorRecord | None:
    """The enterprise's editable fields (None: no such enterprise)."""
    with db.read_session() as s:
        ent = s.get(Enterprise, enterprise_id)
        if ent is None:
            return None
        return EditorRecord(_snapshot(ent), ent.name, ent.version)


@dataclass
class Saved:
    changes: Changes
    id: int


def save_enterprise(db, enterprise_id: int | None, data: dict, *, expected_version: int | None = None) -> Saved:
    """The editor's 保存: a new enterprise (DuplicateCode when its code exists), or an edit refused
    with StaleRecord when the record changed since the form loaded `expected_version`. One unit of
    work (db.run_unit): on a server, another clerk's commit between the version check and this
    UPDATE runs it again, and then the version check refuses it with the stored values."""

    def unit(s: Session) -> int:
        if enterprise_id is None:
            return create(s, data).id
        update_enterprise(s, s.get(Enterprise, enterprise_id), data, expected_version=expected_version)
        return enterprise_id

    saved = db.run_unit(unit)
    return Saved(Changes.of("enterprise", ids=[saved]), saved)


@dataclass(frozen=True)
class FigureRow:
    """One year's figures as the editor shows them (plain values, read outside the session)."""

    id: int
    year: int
    loss_rate_e4: int | None
    checked: int | None
    passed: int | None
    benefit_yuan: int | None
    version: int = 1


def figure_rows(db, enterprise_id: int) -> list[FigureRow]:
    with db.read_session() as s:
        return [FigureRow(r.id, r.year, r.loss_rate_e4, r.checked, r.passed, r.benefit_yuan, r.version)
                for r in figures_for(s, enterprise_id)]


def save_figures(db, enterprise_id: int, year: int, *, expected_version: int | None = None, **values) -> Changes:
    """年度数据's 保存: set_figures in its own transaction (StaleRecord: the year's row changed since
    the form loaded `expected_version`, 0 when it had none)."""
    row_id = db.run_unit(lambda s: set_figures(s, enterprise_id, year, **values,
                                                expected_version=expected_version).id)
    return Changes.of("year_figures", ids=[row_id])


def delete_figures_by_id(db, figures_id: int) -> Changes:
    """年度数据's 删除 (a row already gone is nothing to do)."""
    with db.session() as s:
        row = s.get(YearFigures, figures_id)
        if row is None:
            return Changes()
        delete_figures(s, row)
    return Changes.of("year_figures", ids=[figures_id])


@dataclass(frozen=True)
class LogEntry:
    at: dt.datetime | None
    action: str
    field: str | None
    old: str | None
    new: str | None
    who: str


def change_log(db, enterprise_id: int) -> list[LogEntry]:
    """变更记录: the enterprise's audit entries, newest first."""
    with db.read_session() as s:
        return [LogEntry(e.at, e.action, e.field, e.old, e.new, e.operator or e.os_user or "")
                for e in entries_for_enterprise(s, enterprise_id)]
