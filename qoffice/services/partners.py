"""The partner directory (合作单位): match imported names, create, retype, merge, list with usage counts."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from qoffice.db.models import Enterprise, MeetingPartner, Partner, Project, SignUp
from qoffice.domain import subsidy as subsidy_rules
from qoffice.domain.pinyin import initials
from qoffice.domain.vocab import PARTNER_TYPE_OTHER, PARTNER_TYPES
from qoffice.errors import KnownError, ValidationFailed
from qoffice.i18n import _
from qoffice.services import versions
from qoffice.services.audit import AuditWriter
from qoffice.services.changes import Changes

EDITABLE_FIELDS = ("name", "type", "contact", "phone", "note")
_WS = re.compile(r"\s+")
_CACHE_KEY = "qoffice.partner_keys"


class DuplicatePartner(KnownError):
    exit_code = 1

    def __init__(self, message: str, existing_id: int):
        super().__init__(message)
        self.existing_id = existing_id


@dataclass
class PartnerMatch:
    partner: Partner | None
    created: bool
    warning: str | None = None  # translated
    error: str | None = None  # translated; the import row is rejected


@dataclass
class PartnerRow:
    partner: Partner
    projects: int
    signups: int


def display_name(name: str | None) -> str:
    """The name as kept: trimmed, runs of whitespace made one space (full-width kept as typed)."""
    return _WS.sub(" ", (name or "").replace("\u3000", " ")).strip()


def match_key(name: str | None) -> str:
    """Two names are the same institution when equal after full-width → half-width (NFKC),
    dropping all whitespace and ignoring Latin case: “南通大学（ 启东校区）” = “南通大学(启东校区)”."""
    return _WS.sub("", unicodedata.normalize("NFKC", name or "")).casefold()


def _keys(session: Session) -> dict[str, int]:
    """match key → partner id, built once per session (imports match thousands of rows)."""
    cache = session.info.get(_CACHE_KEY)
    if cache is None:
        cache = {match_key(n): pid for pid, n in session.execute(select(Partner.id, Partner.name))}
        session.info[_CACHE_KEY] = cache
    return cache


def _forget_keys(session: Session) -> None:
    session.info.pop(_CACHE_KEY, None)


def find_by_name(session: Session, name: str) -> Partner | None:
    pid = _keys(session).get(match_key(name))
    if pid is None:
        return None
    partner = session.get(Partner, pid)
    if partner is None:  # deleted since the cache was built
        _forget_keys(session)
        return find_by_name(session, name)
    return partner


def _type_problem(type_: str | None) -> str | None:
    if type_ not in PARTNER_TYPES:
        return _("Unknown partner type “{type}”; use one of: {choices}.").format(
            type=type_, choices="、".join(PARTNER_TYPES))
    return None


def match_or_create(session: Session, name: str | None, type_: str | None, *,
                    audit: AuditWriter | None = None) -> PartnerMatch:
    """Match an imported partner name to the directory; a new name creates an entry.

    An empty name is "no partner" (all None). A type that contradicts the entry's is an error
    (the type belongs to the directory: the subsidy depends on it); a new name without a type is
    filed as 其他 (no subsidy) with a warning.
    """
    shown = display_name(name)
    if not shown:
        return PartnerMatch(None, False)
    type_ = (type_ or "").strip() or None
    if type_ is not None:
        problem = _type_problem(type_)
        if problem:
            return PartnerMatch(None, False, error=problem)
    partner = find_by_name(session, shown)
    if partner is not None:
        if type_ is not None and type_ != partner.type:
            return PartnerMatch(partner, False, error=_(
                "Partner “{name}” is a {have} in the directory, not a {given}; change it in the directory "
                "if the directory is wrong.").format(name=partner.name, have=partner.type, given=type_))
        return PartnerMatch(partner, False)
    warning = None
    if type_ is None:
        type_ = PARTNER_TYPE_OTHER
        warning = _("New partner “{name}” was given no type and is filed as 其他 (no subsidy).").format(name=shown)
    partner = _insert(session, {"name": shown, "type": type_}, audit)
    return PartnerMatch(partner, True, warning=warning)


def _clean(data: dict) -> dict:
    out = {}
    for key in EDITABLE_FIELDS:
        if key in data:
            value = data[key]
            value = None if value is None else (display_name(value) if key == "name" else str(value).strip() or None)
            out[key] = value
    return out


def _check(session: Session, values: dict, own_id: int | None) -> None:
    problems = {}
    if not values.get("name"):
        problems["name"] = _("The partner's name is required.")
    problem = _type_problem(values.get("type"))
    if problem:
        problems["type"] = problem
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    other = find_by_name(session, values["name"])
    if other is not None and other.id != own_id:
        raise DuplicatePartner(_("The partner directory already has “{name}”.").format(name=other.name), other.id)


def _insert(session: Session, values: dict, audit: AuditWriter | None) -> Partner:
    partner = Partner(**values)
    partner.name_initials = initials(partner.name)
    session.add(partner)
    session.flush()
    _keys(session)[match_key(partner.name)] = partner.id
    own = audit or AuditWriter(session)
    own.changes("partner", partner.id, {}, {k: v for k, v in values.items() if v is not None}, action="create")
    if audit is None:
        own.flush()
    return partner


def create_partner(session: Session, data: dict, *, audit: AuditWriter | None = None) -> Partner:
    values = _clean(data)
    values["type"] = values.get("type") or PARTNER_TYPE_OTHER
    _check(session, values, None)
    return _insert(session, values, audit)


def update_partner(session: Session, partner: Partner, data: dict, *, audit: AuditWriter | None = None,
                   expected_version: int | None = None) -> int:
    """Edit name, type, contact, phone, note. Returns the number of fields changed.
    `expected_version`: the version the form loaded; an entry changed since is refused (StaleRecord)."""
    versions.check(partner, expected_version, EDITABLE_FIELDS, table="partner")
    before = {k: getattr(partner, k) for k in EDITABLE_FIELDS}
    after = before | _clean(data)
    _check(session, after, partner.id)
    own = audit or AuditWriter(session)
    n = own.changes("partner", partner.id, before, after)
    for k, v in after.items():
        setattr(partner, k, v)
    partner.name_initials = initials(partner.name)
    if audit is None:
        own.flush()
    _forget_keys(session)
    session.flush()
    return n


def projects_of(session: Session, partner: Partner) -> list[Project]:
    """The partner's projects of enterprises that are not deleted."""
    return list(session.scalars(
        select(Project).join(Enterprise, Enterprise.id == Project.enterprise_id)
        .where(Project.partner_id == partner.id, Enterprise.deleted_at.is_(None))
        .order_by(Project.year.desc(), Project.title)))


def set_type(session: Session, partner: Partner, type_: str, *, audit: AuditWriter | None = None,
             expected_version: int | None = None) -> list[Project]:
    """Change the partner's type. The subsidy of its projects follows (it is computed from the
    directory's type); returns the projects whose subsidy amount changes, for the GUI to show.
    `expected_version`: the version the form loaded; an entry changed since is refused (StaleRecord)."""
    versions.check(partner, expected_version, EDITABLE_FIELDS, table="partner")
    problem = _type_problem(type_)
    if problem:
        raise ValidationFailed(problem, {"type": problem})
    projects = projects_of(session, partner)
    before = {p.id: subsidy_rules.decide(p.investment_yuan, partner.type).amount_yuan for p in projects}
    own = audit or AuditWriter(session)
    own.add("partner", partner.id, "update", field="type", old=partner.type, new=type_)
    partner.type = type_
    if audit is None:
        own.flush()
    session.flush()
    return [p for p in projects if subsidy_rules.decide(p.investment_yuan, type_).amount_yuan != before[p.id]]


def merge(session: Session, keep: Partner, drop: Partner, *, audit: AuditWriter | None = None) -> dict[str, int]:
    """Merge two entries that are the same institution: `drop`'s projects, sign-ups and meeting
    attendances move to `keep`, its contact details fill `keep`'s empty ones, and it is removed.
    `keep`'s type stays. The audit log records the merge and every moved project. Returns the
    numbers moved."""
    if keep.id == drop.id:
        raise ValidationFailed(_("Pick two different partners to merge."))
    own = audit or AuditWriter(session)
    moved_projects = list(session.execute(select(Project.id, Project.enterprise_id).where(Project.partner_id == drop.id)))
    for pid, eid in moved_projects:
        own.add("project", pid, "merge", enterprise_id=eid, field="partner_id", old=drop.id, new=keep.id)
    # UPDATE statements go around the mappers' version counter: they bump the version themselves.
    session.execute(update(Project).where(Project.partner_id == drop.id)
                    .values(partner_id=keep.id, version=Project.version + 1))
    moved_signups = list(session.execute(select(SignUp.id, SignUp.enterprise_id).where(SignUp.partner_id == drop.id)))
    for sid, eid in moved_signups:
        own.add("signup", sid, "merge", enterprise_id=eid, field="partner_id", old=drop.id, new=keep.id)
    session.execute(update(SignUp).where(SignUp.partner_id == drop.id)
                    .values(partner_id=keep.id, version=SignUp.version + 1))
    # A meeting both attended keeps one row (the pair is the primary key).
    kept_meetings = set(session.scalars(select(MeetingPartner.meeting_id).where(MeetingPartner.partner_id == keep.id)))
    drop_meetings = list(session.scalars(select(MeetingPartner.meeting_id).where(MeetingPartner.partner_id == drop.id)))
    session.execute(delete(MeetingPartner).where(MeetingPartner.partner_id == drop.id))
    for mid in drop_meetings:
        if mid not in kept_meetings:
            session.add(MeetingPartner(meeting_id=mid, partner_id=keep.id))
    for key in ("contact", "phone", "note"):
        if not getattr(keep, key) and getattr(drop, key):
            own.add("partner", keep.id, "merge", field=key, old=None, new=getattr(drop, key))
            setattr(keep, key, getattr(drop, key))
    own.add("partner", keep.id, "merge", field="name", old=drop.name, new=keep.name)
    own.add("partner", drop.id, "delete", field="name", old=drop.name, new=None)
    session.delete(drop)
    session.flush()
    _forget_keys(session)
    if audit is None:
        own.flush()
    return {"projects": len(moved_projects), "signups": len(moved_signups), "meetings": len(drop_meetings)}


def delete_partner(session: Session, partner: Partner, *, audit: AuditWriter | None = None) -> None:
    """Remove an unused entry; one that projects or sign-ups point at must be merged instead."""
    used = session.scalar(select(func.count()).select_from(Project).where(Project.partner_id == partner.id)) or 0
    used += session.scalar(select(func.count()).select_from(SignUp).where(SignUp.partner_id == partner.id)) or 0
    if used:
        raise KnownError(_("“{name}” is used by {n} projects or sign-ups; merge it into another entry instead.").format(
            name=partner.name, n=used))
    own = audit or AuditWriter(session)
    own.add("partner", partner.id, "delete", field="name", old=partner.name)
    session.execute(delete(MeetingPartner).where(MeetingPartner.partner_id == partner.id))
    session.delete(partner)
    if audit is None:
        own.flush()
    session.flush()
    _forget_keys(session)


def directory_query(search: str | None = None, type_: str | None = None) -> Select:
    """The directory list as one SQL statement (for the paged list model): rows of
    (Partner, project count, sign-up count); records of deleted enterprises are not counted."""
    live = Enterprise.deleted_at.is_(None)
    projects = (select(func.count()).select_from(Project).join(Enterprise, Enterprise.id == Project.enterprise_id)
                .where(Project.partner_id == Partner.id, live).correlate(Partner).scalar_subquery())
    signups = (select(func.count()).select_from(SignUp).join(Enterprise, Enterprise.id == SignUp.enterprise_id)
               .where(SignUp.partner_id == Partner.id, live).correlate(Partner).scalar_subquery())
    stmt = select(Partner, projects.label("projects"), signups.label("signups"))
    if search and search.strip():
        text = search.strip()
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Partner.name.like(pattern, escape="\\"),
                              Partner.name_initials.like(pattern.lower(), escape="\\"),
                              Partner.contact.like(pattern, escape="\\")))
    if type_:
        stmt = stmt.where(Partner.type == type_)
    return stmt.order_by(Partner.name_pinyin, Partner.id)


def directory(session: Session, search: str | None = None, type_: str | None = None) -> list[PartnerRow]:
    return [PartnerRow(p, n_proj, n_su) for p, n_proj, n_su in session.execute(directory_query(search, type_))]


def all_partners(session: Session) -> list[Partner]:
    """For drop-downs: every entry by name."""
    return list(session.scalars(select(Partner).order_by(Partner.name_pinyin, Partner.id)))


# ---- operations: the GUI's writes, from ids and values; they return what they changed --------

@dataclass
class PartnerSaved:
    changes: Changes
    partner_id: int
    # (project title, subsidy before, subsidy after) of the projects a type change moved
    affected: list[tuple[str, int, int]] = field(default_factory=list)


def save_partner(db, partner_id: int | None, data: dict, *, expected_version: int | None = None) -> PartnerSaved:
    """The partner form: a new entry, or an edit (a type change moves its projects' subsidies). One
    unit of work (db.run_unit): a commit by another clerk between the version check and the UPDATE
    runs it again, and the check refuses it (StaleRecord)."""

    def unit(s) -> PartnerSaved:
        affected = []
        if partner_id is None:
            partner = create_partner(s, data)
        else:
            partner = s.get(Partner, partner_id)
            expected = expected_version
            if partner is not None and data["type"] != partner.type:
                old_type = partner.type
                changed = set_type(s, partner, data["type"], expected_version=expected)
                expected = partner.version  # this save's own step
                affected = [(p.title, subsidy_rules.decide(p.investment_yuan, old_type).amount_yuan,
                             subsidy_rules.decide(p.investment_yuan, data["type"]).amount_yuan) for p in changed]
            update_partner(s, partner, data, expected_version=expected)
        tables = ("partner", "project") if affected else ("partner",)
        return PartnerSaved(Changes.of(*tables, ids=[partner.id]), partner.id, affected)

    return db.run_unit(unit)


def delete_partners(db, ids: list[int]) -> Changes:
    """删除 of unused entries (one still in use is refused with its reason, and nothing is deleted)."""
    def unit(s) -> None:
        for pid in ids:
            delete_partner(s, s.get(Partner, pid))

    db.run_unit(unit)
    return Changes.of("partner", ids=ids)


@dataclass
class Merged:
    changes: Changes
    moved: dict[str, int]


def merge_partners(db, keep_id: int, drop_id: int) -> Merged:
    moved = db.run_unit(lambda s: merge(s, s.get(Partner, keep_id), s.get(Partner, drop_id)))
    return Merged(Changes.of("partner", "project", "signup", ids=[keep_id]), moved)
