"""Awards (获奖情况): record and remove an enterprise's quality awards; list them per year and per enterprise."""
from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from qoffice.db.models import Award, Enterprise
from qoffice.domain.vocab import AWARDS
from qoffice.errors import KnownError, ValidationFailed
from qoffice.i18n import _
from qoffice.services.audit import AuditWriter
from qoffice.services.changes import Changes

MIN_YEAR, MAX_YEAR = 1949, 2100


class DuplicateAward(KnownError):
    exit_code = 1

    def __init__(self, message: str, existing_id: int):
        super().__init__(message)
        self.existing_id = existing_id


def _award_order():
    """SQL sort key: the award's position in the vocabulary."""
    return case({name: i for i, name in enumerate(AWARDS)}, value=Award.award, else_=len(AWARDS))


def create_award(session: Session, enterprise_id: int, award: str, year: int, *,
                 audit: AuditWriter | None = None) -> Award:
    award = (award or "").strip()
    problems = {}
    if award not in AWARDS:
        problems["award"] = _("Unknown award “{award}”; use one of: {choices}.").format(
            award=award, choices="、".join(AWARDS))
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    if year is None or not (MIN_YEAR <= year <= MAX_YEAR):
        problems["year"] = _("A year must be between {lo} and {hi}.").format(lo=MIN_YEAR, hi=MAX_YEAR)
    ent = session.get(Enterprise, enterprise_id)
    if ent is None or ent.deleted_at is not None:
        problems["enterprise_id"] = _("Pick an enterprise from the file.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    other = session.scalar(select(Award).where(Award.enterprise_id == enterprise_id, Award.award == award,
                                               Award.year == year))
    if other is not None:
        raise DuplicateAward(_("{name} already has the {award} of {year}.").format(
            name=ent.name, award=award, year=year), other.id)
    row = Award(enterprise_id=enterprise_id, award=award, year=year)
    session.add(row)
    session.flush()
    own = audit or AuditWriter(session)
    own.changes("award", row.id, {}, {"award": award, "year": year}, enterprise_id=enterprise_id, action="create")
    if audit is None:
        own.flush()
    return row


def delete_award(session: Session, award: Award, *, audit: AuditWriter | None = None) -> None:
    own = audit or AuditWriter(session)
    own.add("award", award.id, "delete", enterprise_id=award.enterprise_id, field="award",
            old=f"{award.year} {award.award}")
    session.delete(award)
    if audit is None:
        own.flush()
    session.flush()


def awards_for_year(session: Session, year: int) -> list[tuple[Award, Enterprise]]:
    """The year's awards of enterprises that are not deleted, by credit code then award (the return's order)."""
    return list(session.execute(
        select(Award, Enterprise).join(Enterprise, Enterprise.id == Award.enterprise_id)
        .where(Award.year == year, Enterprise.deleted_at.is_(None))
        .order_by(Enterprise.uscc, _award_order(), Award.id)).tuples())


def awards_for_enterprise(session: Session, enterprise_id: int) -> list[Award]:
    """An enterprise's awards, newest year first (for its editor)."""
    return list(session.scalars(select(Award).where(Award.enterprise_id == enterprise_id)
                                .order_by(Award.year.desc(), _award_order(), Award.id)))


def award_years(session: Session) -> list[int]:
    return list(session.scalars(select(Award.year).distinct().order_by(Award.year.desc())))


# ---- operations: the GUI's writes, from ids and values; they return what they changed --------

def add_award(db, enterprise_id: int, award: str, year: int) -> Changes:
    award_id = db.run_unit(lambda s: create_award(s, enterprise_id, award, year).id)
    return Changes.of("award", ids=[award_id])


def delete_awards(db, ids: list[int]) -> Changes:
    def unit(s) -> list[int]:
        done = [row.id for row in s.scalars(select(Award).where(Award.id.in_(ids)))]
        for aid in done:
            delete_award(s, s.get(Award, aid))
        return done

    return Changes.of("award", ids=db.run_unit(unit))
