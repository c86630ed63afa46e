"""The exchange-forum schedule (交流活动): plan, edit, cancel, mark held, record attendance, year state."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qoffice.db.models import Enterprise, Forum, ForumAttendance
from qoffice.domain import forums as rules
from qoffice.domain.forums import ForumYearState
from qoffice.domain.vocab import FORUM_CANCELLED, FORUM_HELD, FORUM_PLANNED
from qoffice.errors import KnownError, StaleRecord, ValidationFailed
from qoffice.i18n import _
from qoffice.services import versions
from qoffice.services.audit import AuditWriter
from qoffice.services.changes import Changes

FIELDS = ("title", "date", "venue", "organiser", "topic", "speakers", "status", "cancel_reason", "people_count")
TEXT_FIELDS = ("title", "venue", "organiser", "topic", "speakers", "status", "cancel_reason")


class DuplicateForum(KnownError):
    exit_code = 1


def _clean(data: dict) -> dict:
    out = {}
    for key in FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key in TEXT_FIELDS:
            value = None if value is None else str(value).strip() or None
        elif key == "people_count" and value not in (None, ""):
            value = int(value)
        elif key == "people_count":
            value = None
        out[key] = value
    return out


def _problems(v: dict, today: dt.date, require_reason: bool = True) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not v.get("title"):
        problems["title"] = _("The forum needs a title.")
    if not isinstance(v.get("date"), dt.date):
        problems["date"] = _("The forum needs a date.")
    status = v.get("status")
    problem = rules.status_problem(status)
    if problem:
        problems["status"] = problem
    elif status == FORUM_HELD and "date" not in problems:
        problem = rules.held_date_problem(v["date"], today)
        if problem:
            problems["date"] = problem
    elif status == FORUM_CANCELLED and require_reason:
        problem = rules.cancel_problem(v.get("cancel_reason"))
        if problem:
            problems["cancel_reason"] = problem
    problem = rules.people_problem(v.get("people_count"))
    if problem:
        problems["people_count"] = problem
    return problems


def _raise(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)


def _check_unique(session: Session, v: dict, own_id: int | None) -> None:
    other = session.scalar(select(Forum).where(Forum.title == v["title"], Forum.date == v["date"]))
    if other is not None and other.id != own_id:
        raise DuplicateForum(_("A forum “{title}” on {date} is already on the schedule.").format(
            title=other.title, date=other.date.isoformat()))


def _in_year(year: int):
    # A date range rather than strftime() on the column, so the date index serves.
    return Forum.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31))


def _statuses(session: Session, year: int, exclude_id: int | None = None) -> list[str]:
    stmt = select(Forum.status).where(_in_year(year))
    if exclude_id is not None:
        stmt = stmt.where(Forum.id != exclude_id)
    return list(session.scalars(stmt))


def _limit_warnings(session: Session, forum: Forum) -> list[str]:
    """The 超出 warning when the forum's year now has more than two forums that are not cancelled."""
    if forum.status == FORUM_CANCELLED:
        return []
    year = forum.date.year
    n = sum(1 for s in _statuses(session, year) if s != FORUM_CANCELLED)
    w = rules.over_limit_warning(year, n)
    return [w] if w else []


def create_forum(session: Session, data: dict, *, today: dt.date | None = None,
                 audit: AuditWriter | None = None, require_reason: bool = True) -> tuple[Forum, list[str]]:
    """Put a forum on the schedule (status 计划 unless given). A third forum that is not cancelled
    in the same year is allowed and comes back with the 超出 warning. `require_reason=False`: an
    imported 已取消 forum may come without its reason (the import warns)."""
    today = today or dt.date.today()
    values = _clean(data)
    values["status"] = values.get("status") or FORUM_PLANNED
    _raise(_problems(values, today, require_reason))
    _check_unique(session, values, None)
    forum = Forum(**values)
    session.add(forum)
    session.flush()
    own = audit or AuditWriter(session)
    own.changes("forum", forum.id, {}, {k: v for k, v in values.items() if v is not None}, action="create")
    if audit is None:
        own.flush()
    return forum, _limit_warnings(session, forum)


def update_forum(session: Session, forum: Forum, data: dict, *, today: dt.date | None = None,
                 require_reason: bool = True,
                 audit: AuditWriter | None = None, expected_version: int | None = None) -> list[str]:
    """Edit a forum (any field, status included). Returns the 超出 warning when it applies.
    `expected_version`: the version the form loaded; a forum changed since is refused (StaleRecord)."""
    versions.check(forum, expected_version, FIELDS, table="forum")
    today = today or dt.date.today()
    before = {k: getattr(forum, k) for k in FIELDS}
    after = before | _clean(data)
    if after["status"] != FORUM_CANCELLED:
        after["cancel_reason"] = None  # a reason belongs to a cancellation only
    # A forum imported as cancelled without its reason stays editable; cancelling one needs it.
    reasonless = before["status"] == FORUM_CANCELLED and not before["cancel_reason"]
    _raise(_problems(after, today, require_reason and not reasonless))
    _check_unique(session, after, forum.id)
    own = audit or AuditWriter(session)
    own.changes("forum", forum.id, before, after)
    for k, v in after.items():
        setattr(forum, k, v)
    if audit is None:
        own.flush()
    session.flush()
    return _limit_warnings(session, forum)


def cancel(session: Session, forum: Forum, reason: str, *, audit: AuditWriter | None = None,
           expected_version: int | None = None) -> None:
    """取消活动 with its reason. `expected_version`: the version the cancel form saw (StaleRecord if changed)."""
    versions.check(forum, expected_version, FIELDS, table="forum")
    problem = rules.cancel_problem(reason)
    if problem:
        raise ValidationFailed(problem, {"cancel_reason": problem})
    update_forum(session, forum, {"status": FORUM_CANCELLED, "cancel_reason": reason}, audit=audit)


def mark_held(session: Session, forum: Forum, date: dt.date, people: int | None, *,
              today: dt.date | None = None, audit: AuditWriter | None = None,
              expected_version: int | None = None) -> list[str]:
    """已举办 on `date` (not in the future) with `people` attending (may stay empty until known).
    `expected_version`: the version the form loaded its date and people from (StaleRecord if changed)."""
    return update_forum(session, forum, {"status": FORUM_HELD, "date": date, "people_count": people},
                        today=today, audit=audit, expected_version=expected_version)


def set_attendance(session: Session, forum: Forum, enterprise_ids, *, audit: AuditWriter | None = None,
                   expected_version: int | None = None) -> int:
    """Replace the attending enterprises. Attendance of deleted enterprises is invisible and left
    as it is, so restoring such an enterprise brings it back. Returns the visible count.
    `expected_version`: the version the picker loaded the list at; a forum changed since is refused
    (StaleRecord, its stored values with `enterprise_ids`, the attending enterprises now)."""
    try:
        versions.check(forum, expected_version, FIELDS, table="forum")
    except StaleRecord as exc:
        if forum is not None:
            exc.stored["enterprise_ids"] = [e.id for e in attendance(session, forum)]
        raise
    wanted = {int(e) for e in enterprise_ids}
    if wanted:
        found = set(session.scalars(select(Enterprise.id).where(Enterprise.id.in_(wanted),
                                                                 Enterprise.deleted_at.is_(None))))
        if wanted - found:
            raise ValidationFailed(_("Only enterprises in the file (not deleted) can be recorded as attending."))
    have = set(session.scalars(
        select(ForumAttendance.enterprise_id).join(Enterprise, Enterprise.id == ForumAttendance.enterprise_id)
        .where(ForumAttendance.forum_id == forum.id, Enterprise.deleted_at.is_(None))))
    own = audit or AuditWriter(session)
    gone = have - wanted
    if gone:
        session.execute(delete(ForumAttendance).where(ForumAttendance.forum_id == forum.id,
                                                      ForumAttendance.enterprise_id.in_(gone)))
    for eid in sorted(gone):
        own.add("forum", forum.id, "update", enterprise_id=eid, field="attendance", old=eid, new=None)
    for eid in sorted(wanted - have):
        session.add(ForumAttendance(forum_id=forum.id, enterprise_id=eid))
        own.add("forum", forum.id, "update", enterprise_id=eid, field="attendance", old=None, new=eid)
    if gone or wanted - have:
        versions.touch(forum)  # the attendance is part of the forum a form edits
    if audit is None:
        own.flush()
    session.flush()
    return len(wanted)


def attendance(session: Session, forum: Forum) -> list[Enterprise]:
    """Attending enterprises that are not deleted, by name."""
    return list(session.scalars(
        select(Enterprise).join(ForumAttendance, ForumAttendance.enterprise_id == Enterprise.id)
        .where(ForumAttendance.forum_id == forum.id, Enterprise.deleted_at.is_(None))
        .order_by(Enterprise.name_pinyin, Enterprise.id)))


def attendance_count(session: Session, forum: Forum) -> int:
    return session.scalar(
        select(func.count()).select_from(ForumAttendance)
        .join(Enterprise, Enterprise.id == ForumAttendance.enterprise_id)
        .where(ForumAttendance.forum_id == forum.id, Enterprise.deleted_at.is_(None))) or 0


def forums_for_year(session: Session, year: int) -> list[Forum]:
    """The year's forums by date, then title (the return's order)."""
    return list(session.scalars(select(Forum).where(_in_year(year))
                                .order_by(Forum.date, Forum.title, Forum.id)))


def forum_years(session: Session) -> list[int]:
    """Years that have forums, newest first (for the year switcher)."""
    return sorted({d.year for d in session.scalars(select(Forum.date))}, reverse=True)


def year_state(session: Session, year: int, today: dt.date | None = None) -> ForumYearState:
    return rules.year_state(year, _statuses(session, year), today or dt.date.today())


def delete_forum(session: Session, forum: Forum, *, audit: AuditWriter | None = None) -> None:
    """Remove a forum entered by mistake (a forum that did not take place is cancelled instead)."""
    own = audit or AuditWriter(session)
    own.add("forum", forum.id, "delete", field="title", old=forum.title)
    session.execute(delete(ForumAttendance).where(ForumAttendance.forum_id == forum.id))
    session.delete(forum)
    if audit is None:
        own.flush()
    session.flush()


# ---- operations: the GUI's writes, from ids and values; they return what they changed --------

@dataclass
class ForumSaved:
    changes: Changes
    forum_id: int
    warnings: list[str]  # to show after the save (e.g. more than the policy's forums a year)


def save_forum(db, forum_id: int | None, data: dict, *, today: dt.date | None = None,
               expected_version: int | None = None) -> ForumSaved:
    """The forum form: a new forum, or an edit of one not changed since it was loaded. One unit of
    work (db.run_unit): on a server, another clerk's commit between the version check and the UPDATE
    runs it again, and the check then refuses it (StaleRecord) instead of a StaleDataError."""

    def unit(s) -> ForumSaved:
        if forum_id is None:
            forum, warnings = create_forum(s, data, today=today)
            return ForumSaved(Changes.of("forum", ids=[forum.id]), forum.id, list(warnings))
        warnings = update_forum(s, s.get(Forum, forum_id), data, today=today, expected_version=expected_version)
        return ForumSaved(Changes.of("forum", ids=[forum_id]), forum_id, list(warnings))

    return db.run_unit(unit)


def cancel_forum(db, forum_id: int, reason: str, *, expected_version: int | None = None) -> Changes:
    """取消活动 with its reason (required)."""
    db.run_unit(lambda s: cancel(s, s.get(Forum, forum_id), reason, expected_version=expected_version))
    return Changes.of("forum", ids=[forum_id])


def mark_forum_held(db, forum_id: int, date: dt.date, people: int | None, *,
                    today: dt.date | None = None, expected_version: int | None = None) -> ForumSaved:
    """已举办 on `date` with `people` attending; the warnings to show after it."""
    warnings = db.run_unit(lambda s: mark_held(s, s.get(Forum, forum_id), date, people, today=today,
                                               expected_version=expected_version))
    return ForumSaved(Changes.of("forum", ids=[forum_id]), forum_id, list(warnings))


def set_forum_attendance(db, forum_id: int, enterprise_ids, *, expected_version: int | None = None) -> Changes:
    """参会企业: the attending enterprises replaced."""
    db.run_unit(lambda s: set_attendance(s, s.get(Forum, forum_id), enterprise_ids, expected_version=expected_version))
    return Changes.of("forum", ids=[forum_id])


def delete_forums(db, ids: list[int]) -> Changes:
    def unit(s) -> None:
        for fid in ids:
            delete_forum(s, s.get(Forum, fid))

    db.run_unit(unit)
    return Changes.of("forum", ids=ids)
