"""Quality projects (质量项目): create, edit, stage pipeline with history, subsidy, and the one-step
project from a matchmaking sign-up."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from qoffice.db.models import AuditEntry, Enterprise, MatchmakingMeeting, Partner, Project, SignUp
from qoffice.domain import subsidy as subsidy_rules
from qoffice.domain.money import to_decimal, wan_to_yuan
from qoffice.domain.subsidy import SubsidyDecision
from qoffice.domain.vocab import PROJECT_TYPES, PT_COOPERATION, STAGE_CULTIVATED, STAGES
from qoffice.errors import KnownError, ValidationFailed
from qoffice.i18n import _
from qoffice.services import versions
from qoffice.services.audit import AuditWriter
from qoffice.services.changes import Changes

FIELDS = ("enterprise_id", "type", "title", "year", "partner_id", "investment_yuan", "stage", "benefit_yuan",
          "signup_id")
MIN_YEAR, MAX_YEAR = 1949, 2100
MAX_YUAN = 10**15  # far above any county project; keeps a slip of the keyboard out of the totals


class DuplicateProject(KnownError):
    exit_code = 1

    def __init__(self, message: str, existing_id: int):
        super().__init__(message)
        self.existing_id = existing_id


@dataclass(frozen=True)
class StageStep:
    at: dt.datetime
    old: str | None  # None for the stage the project was created at
    new: str
    operator: str | None


def yuan_from_wan(value) -> tuple[int | None, str | None]:
    """A 万元 amount as typed or read (up to 4 decimals = whole yuan) → (integer yuan, warning).
    Finer input is rounded half-up to the yuan, and the warning says so; empty → (None, None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    try:
        yuan, rounded = wan_to_yuan(value)
    except ValueError:
        raise ValidationFailed(_("“{value}” is not an amount in 万元.").format(value=value)) from None
    if rounded:
        return yuan, _("{value} 万元 has more than 4 decimals; rounded to {yuan} yuan.").format(
            value=to_decimal(value), yuan=yuan)
    return yuan, None


def _clean(data: dict) -> dict:
    out = {}
    for key in FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key in ("type", "title", "stage"):
            value = None if value is None else " ".join(str(value).split()) or None
        elif value in ("",):
            value = None
        elif value is not None and key in ("enterprise_id", "year", "partner_id", "signup_id",
                                           "investment_yuan", "benefit_yuan"):
            value = int(value)
        out[key] = value
    return out


def _problems(session: Session, v: dict) -> dict[str, str]:
    problems: dict[str, str] = {}
    ent = session.get(Enterprise, v["enterprise_id"]) if v.get("enterprise_id") is not None else None
    if ent is None or ent.deleted_at is not None:
        problems["enterprise_id"] = _("Pick an enterprise from the file.")
    if v.get("type") not in PROJECT_TYPES:
        problems["type"] = _("Unknown project type “{type}”; use one of: {choices}.").format(
            type=v.get("type") or "", choices="、".join(PROJECT_TYPES))
    if not v.get("title"):
        problems["title"] = _("The project needs a title.")
    year = v.get("year")
    if year is None or not (MIN_YEAR <= year <= MAX_YEAR):
        problems["year"] = _("A year must be between {lo} and {hi}.").format(lo=MIN_YEAR, hi=MAX_YEAR)
    if v.get("stage") not in STAGES:
        problems["stage"] = _("Unknown stage “{stage}”; use one of: {choices}.").format(
            stage=v.get("stage") or "", choices="、".join(STAGES))
    if v.get("partner_id") is not None and session.get(Partner, v["partner_id"]) is None:
        problems["partner_id"] = _("Unknown partner.")
    for key in ("investment_yuan", "benefit_yuan"):
        amount = v.get(key)
        if amount is not None and not (0 <= amount <= MAX_YUAN):
            problems[key] = _("The amount must be zero or more.") if amount < 0 else _("The amount is too large.")
    return problems


def _check(session: Session, v: dict, own_id: int | None) -> None:
    problems = _problems(session, v)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    other = session.scalar(select(Project).where(Project.enterprise_id == v["enterprise_id"],
                                                 Project.year == v["year"], Project.title == v["title"]))
    if other is not None and other.id != own_id:
        ent = session.get(Enterprise, v["enterprise_id"])
        raise DuplicateProject(_("{name} already has a project “{title}” in {year}.").format(
            name=ent.name, title=other.title, year=other.year), other.id)


def create_project(session: Session, data: dict, *, audit: AuditWriter | None = None) -> Project:
    values = _clean(data)
    values["stage"] = values.get("stage") or STAGE_CULTIVATED
    for key in FIELDS:
        values.setdefault(key, None)
    _check(session, values, None)
    project = Project(**values)
    session.add(project)
    session.flush()
    own = audit or AuditWriter(session)
    # The stage is always logged, so the history starts at the project's first stage.
    own.changes("project", project.id, {}, {k: v for k, v in values.items() if v is not None and k != "enterprise_id"},
                enterprise_id=project.enterprise_id, action="create")
    if audit is None:
        own.flush()
    return project


def update_project(session: Session, project: Project, data: dict, *, audit: AuditWriter | None = None,
                   expected_version: int | None = None) -> int:
    """Edit any field; a stage change is logged with its date (stage_history). Returns fields changed.
    `expected_version`: the version the form loaded; a project changed since is refused (StaleRecord)."""
    versions.check(project, expected_version, FIELDS, table="project")
    before = {k: getattr(project, k) for k in FIELDS}
    after = before | _clean(data)
    _check(session, after, project.id)
    own = audit or AuditWriter(session)
    n = own.changes("project", project.id, before, after, enterprise_id=after["enterprise_id"])
    for k, v in after.items():
        setattr(project, k, v)
    if audit is None:
        own.flush()
    session.flush()
    return n


def set_stage(session: Session, project: Project, stage: str, *, audit: AuditWriter | None = None) -> int:
    return update_project(session, project, {"stage": stage}, audit=audit)


def delete_project(session: Session, project: Project, *, audit: AuditWriter | None = None) -> None:
    own = audit or AuditWriter(session)
    own.add("project", project.id, "delete", enterprise_id=project.enterprise_id, field="title", old=project.title)
    session.delete(project)
    if audit is None:
        own.flush()
    session.flush()


def subsidy_for(project: Project) -> SubsidyDecision:
    """资助金额 and, when it does not qualify, the reason — from the partner's type in the directory."""
    partner_type = project.partner.type if project.partner is not None else None
    return subsidy_rules.decide(project.investment_yuan, partner_type)


def stage_history(session: Session, project: Project) -> list[StageStep]:
    """The project's stages with the dates they were set, oldest first."""
    rows = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "project",
                                                    AuditEntry.record_id == project.id,
                                                    AuditEntry.field == "stage")
                           .order_by(AuditEntry.at, AuditEntry.id))
    return [StageStep(r.at, r.old, r.new, r.operator) for r in rows if r.new is not None]


def project_from_signup(session: Session, signup: SignUp, *, title: str | None = None,
                        audit: AuditWriter | None = None) -> Project:
    """After the meeting: a 产学研合作 project at stage 培育 with the sign-up's enterprise, wanted
    partner and the meeting's year. The title defaults to the partner's name (or the need) so the
    clerk can refine it later; one project per sign-up."""
    made = session.scalar(select(Project).where(Project.signup_id == signup.id))
    if made is not None:
        raise DuplicateProject(_("This sign-up was already turned into the project “{title}”.").format(
            title=made.title), made.id)
    meeting = session.get(MatchmakingMeeting, signup.meeting_id)
    partner = session.get(Partner, signup.partner_id) if signup.partner_id is not None else None
    if not title:
        if partner is not None:
            title = f"与{partner.name}产学研合作"  # data: the project's title
        elif signup.need:
            title = signup.need.strip().splitlines()[0][:100]
        else:
            title = f"{meeting.year}年对接会产学研合作项目"
    return create_project(session, {
        "enterprise_id": signup.enterprise_id, "type": PT_COOPERATION, "title": title, "year": meeting.year,
        "partner_id": signup.partner_id, "stage": STAGE_CULTIVATED, "signup_id": signup.id,
    }, audit=audit)


# ---------------------------------------------------------------- lists

def _live():
    return Enterprise.deleted_at.is_(None)


def projects_query(*, year: int | None = None, stage: str | None = None, type_: str | None = None,
                   search: str | None = None):
    """Projects of enterprises that are not deleted, with their enterprise and partner:
    rows (Project, Enterprise, Partner | None), in the return's order (credit code, type, title)."""
    type_order = case({t: i for i, t in enumerate(PROJECT_TYPES)}, value=Project.type, else_=len(PROJECT_TYPES))
    stmt = (select(Project, Enterprise, Partner).join(Enterprise, Enterprise.id == Project.enterprise_id)
            .outerjoin(Partner, Partner.id == Project.partner_id).where(_live()))
    if year is not None:
        stmt = stmt.where(Project.year == year)
    if stage:
        stmt = stmt.where(Project.stage == stage)
    if type_:
        stmt = stmt.where(Project.type == type_)
    if search and search.strip():
        pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Project.title.like(pattern, escape="\\"), Enterprise.name.like(pattern, escape="\\"),
                              Enterprise.uscc.like(pattern.upper(), escape="\\"),
                              Enterprise.name_initials.like(pattern.lower(), escape="\\"),
                              Partner.name.like(pattern, escape="\\")))
    return stmt.order_by(Enterprise.uscc, type_order, Project.title, Project.id)


def projects_for_year(session: Session, year: int, *, stage: str | None = None) -> list[Project]:
    return [row[0] for row in session.execute(projects_query(year=year, stage=stage))]


def projects_for_enterprise(session: Session, enterprise_id: int) -> list[Project]:
    """An enterprise's projects, newest year first (for its editor)."""
    return list(session.scalars(select(Project).where(Project.enterprise_id == enterprise_id)
                                .order_by(Project.year.desc(), Project.title, Project.id)))


def stage_counts(session: Session, year: int | None = None) -> dict[str, int]:
    """Projects per stage (the pipeline's column headers), every stage present."""
    stmt = (select(Project.stage, func.count()).join(Enterprise, Enterprise.id == Project.enterprise_id)
            .where(_live()).group_by(Project.stage))
    if year is not None:
        stmt = stmt.where(Project.year == year)
    found = dict(session.execute(stmt).all())
    return {s: found.get(s, 0) for s in STAGES}


# ---- operations: the GUI's writes, from ids and values; they return what they changed --------

def save_project(db, project_id: int | None, data: dict, *, expected_version: int | None = None) -> Changes:
    """The project form: a new project, or an edit of one not changed since it was loaded. One unit of
    work (db.run_unit): a commit by another clerk between the version check and the UPDATE runs it
    again, and the check refuses it (StaleRecord)."""

    def unit(s) -> Changes:
        if project_id is None:
            return Changes.of("project", ids=[create_project(s, data).id])
        update_project(s, s.get(Project, project_id), data, expected_version=expected_version)
        return Changes.of("project", ids=[project_id])

    return db.run_unit(unit)


def delete_projects(db, ids: list[int]) -> Changes:
    def unit(s) -> list[int]:
        done = list(s.scalars(select(Project.id).where(Project.id.in_(ids))))
        for pid in done:
            delete_project(s, s.get(Project, pid))
        return done

    return Changes.of("project", ids=db.run_unit(unit))


def advance_stage(db, ids: list[int]) -> Changes:
    """下一阶段: each project one stage on (the last stage stays)."""
    def unit(s) -> None:
        for pid in ids:
            project = s.get(Project, pid)
            i = STAGES.index(project.stage)
            if i + 1 < len(STAGES):
                set_stage(s, project, STAGES[i + 1])

    db.run_unit(unit)
    return Changes.of("project", ids=ids)


@dataclass(frozen=True)
class ProjectsMade:
    changes: Changes
    titles: list[str]


def projects_from_signups(db, signup_ids) -> ProjectsMade:
    """转为项目 on the 对接会 sign-ups: project_from_signup for each, in one unit of work."""
    def unit(s) -> ProjectsMade:
        made = [project_from_signup(s, s.get(SignUp, sid)) for sid in signup_ids]
        return ProjectsMade(Changes.of("project", ids=[p.id for p in made]), [p.title for p in made])

    return db.run_unit(unit)
