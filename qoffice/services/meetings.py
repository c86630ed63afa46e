"""The yearly matchmaking meeting (对接会): the meeting and its partner institutions, and the GUI's
operations on the meeting and its sign-ups. The sign-ups themselves — the waiting list, check-in,
counts, the sign-in sheet's rows — are qoffice.services.meeting_signups.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qoffice.db.models import Enterprise, MatchmakingMeeting, MeetingPartner, Partner, SignUp
from qoffice.domain import signups as rules
from qoffice.errors import KnownError, StaleRecord, ValidationFailed
from qoffice.i18n import _
from qoffice.services import settings as settings_service
from qoffice.services import versions
from qoffice.services.audit import AuditWriter
from qoffice.services.changes import Changes
from qoffice.services.meeting_signups import (
    _lock_meeting,
    _promote,
    _taken,
    people_line,
    promote_waiting,
    set_status,
    sign_up,
    update_signup,
)

MEETING_FIELDS = ("year", "title", "date", "venue", "organiser", "capacity", "deadline")
MIN_YEAR, MAX_YEAR = 1949, 2100


# ---------------------------------------------------------------- the meeting

def default_title(year: int) -> str:
    return f"{year}年质量产学研合作对接会"  # data: it appears in the return


def meeting_for_year(session: Session, year: int) -> MatchmakingMeeting | None:
    return session.scalar(select(MatchmakingMeeting).where(MatchmakingMeeting.year == int(year)))


def all_meetings(session: Session) -> list[MatchmakingMeeting]:
    return list(session.scalars(select(MatchmakingMeeting).order_by(MatchmakingMeeting.year.desc())))


def _meeting_problems(v: dict) -> dict[str, str]:
    problems: dict[str, str] = {}
    year = v.get("year")
    if year is None or not (MIN_YEAR <= year <= MAX_YEAR):
        problems["year"] = _("A year must be between {lo} and {hi}.").format(lo=MIN_YEAR, hi=MAX_YEAR)
    if not v.get("title"):
        problems["title"] = _("The meeting needs a title.")
    date = v.get("date")
    if not isinstance(date, dt.date):
        problems["date"] = _("The meeting needs its date.")
    elif year is not None and date.year != year:
        problems["date"] = _("The meeting of {year} must be dated in {year}.").format(year=year)
    capacity = v.get("capacity")
    if capacity is not None and capacity < 1:
        problems["capacity"] = _("The capacity must be at least 1, or left empty for no limit.")
    deadline = v.get("deadline")
    if deadline is not None and isinstance(date, dt.date) and deadline > date:
        problems["deadline"] = _("The sign-up deadline cannot be after the meeting.")
    return problems


def _clean_meeting(data: dict) -> dict:
    out = {}
    for key in MEETING_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip() or None
        if key in ("year", "capacity") and value is not None:
            value = int(value)
        out[key] = value
    return out


def create_meeting(session: Session, data: dict, *, audit: AuditWriter | None = None) -> MatchmakingMeeting:
    values = _clean_meeting(data)
    if values.get("year") is not None and not values.get("title"):
        values["title"] = default_title(values["year"])
    problems = _meeting_problems(values)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    if meeting_for_year(session, values["year"]) is not None:
        raise KnownError(_("There is already a matchmaking meeting in {year}; there is one a year.").format(
            year=values["year"]))
    meeting = MatchmakingMeeting(**values)
    session.add(meeting)
    session.flush()
    own = audit or AuditWriter(session)
    own.changes("meeting", meeting.id, {}, {k: v for k, v in values.items() if v is not None}, action="create")
    if audit is None:
        own.flush()
    return meeting


def get_or_create_meeting(session: Session, year: int, date: dt.date, title: str | None = None, *,
                          audit: AuditWriter | None = None) -> tuple[MatchmakingMeeting, bool]:
    """The year's meeting, created when missing (imports). A date that differs from the existing
    meeting's is refused: there is one meeting a year."""
    meeting = meeting_for_year(session, year)
    if meeting is not None:
        if date is not None and meeting.date != date:
            msg = _("The matchmaking meeting of {year} is on {have}, not {given}.").format(
                year=year, have=meeting.date.isoformat(), given=date.isoformat())
            raise ValidationFailed(msg, {"date": msg})
        return meeting, False
    return create_meeting(session, {"year": year, "date": date, "title": title}, audit=audit), True


def update_meeting(session: Session, meeting: MatchmakingMeeting, data: dict, *,
                   audit: AuditWriter | None = None,
                   expected_version: int | None = None) -> tuple[list[SignUp], list[str]]:
    """Edit the meeting. A larger capacity (or none) moves waiting sign-ups up; a capacity below
    the places already taken is allowed (nobody is pushed back) and warned.
    `expected_version`: the version the form loaded; a meeting changed since is refused (StaleRecord).
    Returns (promoted sign-ups, translated warnings)."""
    versions.check(meeting, expected_version, MEETING_FIELDS, table="meeting")
    before = {k: getattr(meeting, k) for k in MEETING_FIELDS}
    after = before | _clean_meeting(data)
    problems = _meeting_problems(after)
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    if after["year"] != meeting.year and meeting_for_year(session, after["year"]) is not None:
        raise KnownError(_("There is already a matchmaking meeting in {year}; there is one a year.").format(
            year=after["year"]))
    own = audit or AuditWriter(session)
    own.changes("meeting", meeting.id, before, after)
    for k, v in after.items():
        setattr(meeting, k, v)
    session.flush()
    warnings = []
    taken = _taken(session, meeting)
    if meeting.capacity is not None and taken > meeting.capacity:
        warnings.append(_("{taken} places are already taken, more than the new capacity of {capacity}; "
                          "nobody is moved back to the waiting list.").format(taken=taken, capacity=meeting.capacity))
    promoted = _promote(session, meeting, own)
    if audit is None:
        own.flush()
    return promoted, warnings


def set_meeting_partners(session: Session, meeting: MatchmakingMeeting, partner_ids, *,
                         audit: AuditWriter | None = None) -> None:
    """The partner institutions attending the meeting (replaces the list); a change to it is a new
    version of the meeting (a form that loaded the old list cannot save over it unasked)."""
    wanted = {int(p) for p in partner_ids}
    have = set(session.scalars(select(MeetingPartner.partner_id).where(MeetingPartner.meeting_id == meeting.id)))
    known = set(session.scalars(select(Partner.id).where(Partner.id.in_(wanted)))) if wanted else set()
    if wanted - known:
        raise ValidationFailed(_("Unknown partner."))
    own = audit or AuditWriter(session)
    for pid in have - wanted:
        own.add("meeting", meeting.id, "update", field="partner", old=pid, new=None)
    for pid in wanted - have:
        own.add("meeting", meeting.id, "update", field="partner", old=None, new=pid)
        session.add(MeetingPartner(meeting_id=meeting.id, partner_id=pid))
    if have - wanted:
        session.execute(delete(MeetingPartner).where(MeetingPartner.meeting_id == meeting.id,
                                                     MeetingPartner.partner_id.in_(have - wanted)))
    if have != wanted:
        versions.touch(meeting)
    if audit is None:
        own.flush()
    session.flush()


def meeting_partners(session: Session, meeting: MatchmakingMeeting) -> list[Partner]:
    return list(session.scalars(select(Partner).join(MeetingPartner, MeetingPartner.partner_id == Partner.id)
                                .where(MeetingPartner.meeting_id == meeting.id).order_by(Partner.name_pinyin)))


# ---- operations: the GUI's writes, from ids and values; they return what they changed --------

@dataclass
class SignUpSaved:
    changes: Changes
    signup_id: int
    warnings: list[str] = field(default_factory=list)  # to show after the save
    promoted: list[str] = field(default_factory=list)  # names moved up from the waiting list


def signup_questions(db, meeting_id: int, today: dt.date) -> list[str]:
    """The dry run of a new sign-up (save_signup): what the clerk must agree to before it is
    written — asked before the write starts, so no answer ever waits inside a transaction."""
    with db.read_session() as s:
        meeting = s.get(MatchmakingMeeting, meeting_id)
        late = rules.deadline_warning(meeting.deadline, today, imported=False) if meeting else None
    return [late] if late else []


def save_signup(db, meeting_id: int, *, signup_id: int | None = None, enterprise_id: int | None = None,
                new_enterprise: dict | None = None, attendees=(), need: str | None = None,
                partner_id: int | None = None, today: dt.date | None = None,
                expected_version: int | None = None) -> SignUpSaved:
    """Save the sign-up form: an edit of `signup_id`, or a new sign-up of `enterprise_id` (or of
    `new_enterprise`, {"uscc", "name"}, created on the spot). The deadline question (see
    signup_questions) has been answered yes by then."""
    from qoffice.services import enterprises as enterprise_service

    def unit(s) -> SignUpSaved:
        if signup_id is not None:
            su = s.get(SignUp, signup_id)
            try:
                update_signup(s, su, attendees=attendees, need=need, partner_id=partner_id,
                              clear_partner=partner_id is None, expected_version=expected_version)
            except StaleRecord as exc:  # the stored attendees too, beside the typed ones
                if su is not None:
                    exc.stored["attendees"] = people_line(su.attendees)
                raise
            return SignUpSaved(Changes.of("signup", ids=[signup_id]), signup_id)
        meeting = s.get(MatchmakingMeeting, meeting_id)
        tables, new_id = ["signup"], enterprise_id
        if new_enterprise is not None:
            new_id = enterprise_service.create(s, enterprise_service.clean(new_enterprise)).id
            tables.append("enterprise")
        result = sign_up(s, meeting, new_id, attendees, need=need, partner_id=partner_id, today=today)
        late = rules.deadline_warning(meeting.deadline, today or dt.date.today(), imported=False)
        return SignUpSaved(Changes.of(*tables, ids=[result.signup.id]), result.signup.id,
                           [w for w in result.warnings if w != late], _names(s, result.promoted))

    return db.run_unit(unit)  # a server's StaleDataError runs it again: the version check then refuses it


def _names(session: Session, signups) -> list[str]:
    return [session.get(Enterprise, su.enterprise_id).name for su in signups]


@dataclass
class MeetingSaved:
    changes: Changes
    meeting_id: int
    warnings: list[str] = field(default_factory=list)  # to show after the save (capacity below the places taken)
    promoted: list[str] = field(default_factory=list)  # names moved up from the waiting list


def save_meeting(db, meeting_id: int | None, data: dict, partner_ids, *,
                 expected_version: int | None = None) -> MeetingSaved:
    """The meeting form: the year's meeting created (meeting_id None) or edited, and the partner
    institutions attending. Nothing is asked: a capacity below the places taken is saved and warned
    after. A meeting changed since the form loaded it (`expected_version`; its partners count: they
    bump its version) is refused with StaleRecord, its stored values and partners (`partner_ids`)."""

    def unit(s) -> MeetingSaved:
        promoted, warnings = [], []
        if meeting_id is None:
            meeting = create_meeting(s, data)
        else:
            meeting = s.get(MatchmakingMeeting, meeting_id)
            try:
                promoted, warnings = update_meeting(s, meeting, data, expected_version=expected_version)
            except StaleRecord as exc:
                if meeting is not None:
                    exc.stored["partner_ids"] = [p.id for p in meeting_partners(s, meeting)]
                raise
        set_meeting_partners(s, meeting, partner_ids)
        return MeetingSaved(Changes.of("meeting", "signup", ids=[meeting.id]), meeting.id, warnings,
                            _names(s, promoted))

    return db.run_unit(unit)


@dataclass
class StatusSet:
    changes: Changes
    promoted: list[str] = field(default_factory=list)  # names moved up from the waiting list


def set_statuses(db, signup_ids, status: str) -> StatusSet:
    """确认 / 签到 / 缺席 / 退出报名 of the selected sign-ups, in one unit (a refusal leaves them all as
    they were); the waiting sign-ups that took a freed place are named."""

    def unit(s) -> StatusSet:
        promoted = []
        for sid in signup_ids:
            promoted += set_status(s, s.get(SignUp, sid), status)
        return StatusSet(Changes.of("signup", ids=list(signup_ids)), _names(s, promoted))

    return db.run_unit(unit)


def promote_freed_places(db, meeting_id: int) -> StatusSet:
    """Places freed behind the scenes (an enterprise deleted) handed to the waiting list."""

    def unit(s) -> StatusSet:
        meeting = s.get(MatchmakingMeeting, meeting_id)
        if meeting is None:
            return StatusSet(Changes())
        _lock_meeting(s, meeting)
        promoted = promote_waiting(s, meeting)
        return StatusSet(Changes.of("signup", ids=[su.id for su in promoted]) if promoted else Changes(),
                         _names(s, promoted))

    return db.run_unit(unit)


def set_signin_blank_rows(db, n: int) -> Changes:
    """签到表空白行: the numbered blank rows after the sign-ups, a setting for every meeting."""
    db.run_unit(lambda s: settings_service.set_value(s, settings_service.SIGNIN_BLANK_ROWS, str(int(n))))
    return Changes.of("setting")
