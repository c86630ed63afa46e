"""The yearly matchmaking meeting (对接会): the meeting, its partners, sign-ups, the 候补 waiting list,
check-in, counts and the rows of the printable sign-in sheet.

Soft-deleted enterprises: their sign-ups leave every list and count, and they do not take a place
either — "remaining places" is a count the clerk reads, and a place that a deleted enterprise held
would otherwise be invisible yet unusable. The place is handed to the waiting list at the next
change to the meeting (any sign-up, status change or capacity change), or when the GUI calls
promote_waiting(). Restoring the enterprise brings its sign-up back as it was, even if that puts
the meeting over its capacity: nobody who holds a place is ever pushed back to the waiting list.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from qoffice.db.models import Attendee, Enterprise, MatchmakingMeeting, MeetingPartner, Partner, SignUp, utcnow
from qoffice.domain import signups as rules
from qoffice.domain.vocab import (
    SIGNUP_COUNTS_AGAINST_CAPACITY,
    SIGNUP_STATUSES,
    SU_ABSENT,
    SU_ATTENDED,
    SU_CONFIRMED,
    SU_REGISTERED,
    SU_WAITING,
    SU_WITHDRAWN,
)
from qoffice.errors import KnownError, StaleRecord, ValidationFailed
from qoffice.i18n import _
from qoffice.services import settings as settings_service
from qoffice.services import versions
from qoffice.services.audit import AuditWriter
from qoffice.services.changes import Changes

MEETING_FIELDS = ("year", "title", "date", "venue", "organiser", "capacity", "deadline")
MIN_YEAR, MAX_YEAR = 1949, 2100


class DuplicateSignUp(KnownError):
    """The enterprise already has an active sign-up for this meeting."""

    exit_code = 1

    def __init__(self, message: str, existing_id: int):
        super().__init__(message)
        self.existing_id = existing_id


class MeetingFull(KnownError):
    exit_code = 1


@dataclass
class AttendeeIn:
    name: str
    post: str | None = None
    phone: str | None = None


@dataclass
class SignUpResult:
    signup: SignUp
    created: bool
    reactivated: bool
    warnings: list[str] = field(default_factory=list)
    promoted: list[SignUp] = field(default_factory=list)  # waiting sign-ups moved up on the way


@dataclass(frozen=True)
class MeetingCounts:
    registered: int
    confirmed: int
    attended: int
    absent: int
    withdrawn: int
    waiting: int
    taken: int  # places taken: 已报名 + 已确认 + 已签到 + 缺席
    remaining: int | None  # None when the meeting has no capacity
    capacity: int | None

    @property
    def signed_up(self) -> int:
        """Every sign-up that is not withdrawn (候补 included), as row 13 of the return counts."""
        return self.taken + self.waiting


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


# ---------------------------------------------------------------- sign-ups: queries

def _live():
    return Enterprise.deleted_at.is_(None)


def _lock_meeting(session: Session, meeting: MatchmakingMeeting) -> None:
    """Hold the meeting's row until the transaction ends, so two clerks who sign up, move or withdraw
    at the same moment count its places one after the other (PostgreSQL: SELECT … FOR UPDATE; SQLite
    renders no FOR UPDATE: its BEGIN IMMEDIATE already lets one writer in at a time)."""
    session.execute(select(MatchmakingMeeting.id).where(MatchmakingMeeting.id == meeting.id).with_for_update())


def _taken(session: Session, meeting: MatchmakingMeeting, exclude_id: int | None = None) -> int:
    stmt = (select(func.count()).select_from(SignUp).join(Enterprise, Enterprise.id == SignUp.enterprise_id)
            .where(SignUp.meeting_id == meeting.id, SignUp.status.in_(SIGNUP_COUNTS_AGAINST_CAPACITY), _live()))
    if exclude_id is not None:
        stmt = stmt.where(SignUp.id != exclude_id)
    return session.scalar(stmt) or 0


def counts(session: Session, meeting: MatchmakingMeeting) -> MeetingCounts:
    by_status = dict(session.execute(
        select(SignUp.status, func.count()).join(Enterprise, Enterprise.id == SignUp.enterprise_id)
        .where(SignUp.meeting_id == meeting.id, _live()).group_by(SignUp.status)).all())
    taken = sum(by_status.get(s, 0) for s in SIGNUP_COUNTS_AGAINST_CAPACITY)
    return MeetingCounts(
        registered=by_status.get(SU_REGISTERED, 0), confirmed=by_status.get(SU_CONFIRMED, 0),
        attended=by_status.get(SU_ATTENDED, 0), absent=by_status.get(SU_ABSENT, 0),
        withdrawn=by_status.get(SU_WITHDRAWN, 0), waiting=by_status.get(SU_WAITING, 0),
        taken=taken, remaining=rules.free_places(meeting.capacity, taken), capacity=meeting.capacity)


def find_signup(session: Session, meeting: MatchmakingMeeting, enterprise_id: int) -> SignUp | None:
    return session.scalar(select(SignUp).where(SignUp.meeting_id == meeting.id, SignUp.enterprise_id == enterprise_id))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_signups(session: Session, meeting: MatchmakingMeeting, *, search: str | None = None,
                 statuses=None) -> list[SignUp]:
    """The meeting's sign-ups in order of sign-up time (a re-activated one keeps its first time),
    of enterprises that are not deleted; `search` matches name, credit code or pinyin initials."""
    stmt = (select(SignUp).join(Enterprise, Enterprise.id == SignUp.enterprise_id)
            .where(SignUp.meeting_id == meeting.id, _live()))
    if statuses:
        stmt = stmt.where(SignUp.status.in_(list(statuses)))
    if search and search.strip():
        pattern = _like(search.strip())
        stmt = stmt.where(or_(Enterprise.name.like(pattern, escape="\\"),
                              Enterprise.uscc.like(pattern.upper(), escape="\\"),
                              Enterprise.name_initials.like(pattern.lower(), escape="\\")))
    return list(session.scalars(stmt.order_by(SignUp.signed_up_at, SignUp.id)))


def waiting_list(session: Session, meeting: MatchmakingMeeting) -> list[SignUp]:
    """候补 sign-ups in the order they will move up."""
    return list(session.scalars(
        select(SignUp).join(Enterprise, Enterprise.id == SignUp.enterprise_id)
        .where(SignUp.meeting_id == meeting.id, SignUp.status == SU_WAITING, _live())
        .order_by(SignUp.waitlist_seq, SignUp.signed_up_at, SignUp.id)))


def signin_rows(session: Session, meeting: MatchmakingMeeting) -> list[tuple[str, str, str, str]]:
    """Rows of the printable 签到表: (enterprise, attendee, post, phone), one per attendee of every
    sign-up that holds a place (not withdrawn, not waiting), in order of sign-up time. A sign-up
    without a named attendee still gets one row, so the enterprise can sign."""
    rows = []
    for su in list_signups(session, meeting, statuses=SIGNUP_COUNTS_AGAINST_CAPACITY):
        name = session.get(Enterprise, su.enterprise_id).name
        if not su.attendees:
            rows.append((name, "", "", ""))
        for a in su.attendees:
            rows.append((name, a.name, a.post or "", a.phone or ""))
    return rows


@dataclass(frozen=True)
class SignUpPreview:
    """What saving a new sign-up would give, without writing anything (the sign-up dialog shows it)."""

    status: str  # 已报名, or 候补; for an enterprise that already holds a sign-up, that sign-up's status
    position: int | None = None  # place on the waiting list (1 = next to move up)
    existing: bool = False  # the enterprise already has a sign-up that is not withdrawn


def _wait_position(session: Session, meeting: MatchmakingMeeting, su: SignUp) -> int:
    return next((i for i, w in enumerate(waiting_list(session, meeting), start=1) if w.id == su.id), 0)


def preview_sign_up(session: Session, meeting: MatchmakingMeeting, enterprise_id: int | None = None) -> SignUpPreview:
    """A dry run of sign_up(): 已报名, or 候补 at position N (places freed behind the scenes go to
    those already waiting first, as sign_up does); a withdrawn enterprise comes back the same way."""
    existing = find_signup(session, meeting, enterprise_id) if enterprise_id is not None else None
    if existing is not None and existing.status != SU_WITHDRAWN:
        position = _wait_position(session, meeting, existing) if existing.status == SU_WAITING else None
        return SignUpPreview(existing.status, position or None, existing=True)
    taken, waiting = _taken(session, meeting), len(waiting_list(session, meeting))
    moving_up = rules.to_promote(meeting.capacity, taken, waiting)
    placement = rules.place(None, capacity=meeting.capacity, taken_by_others=taken + moving_up, imported=False)
    if placement.status == SU_WAITING:
        return SignUpPreview(SU_WAITING, waiting - moving_up + 1)
    return SignUpPreview(placement.status)


def move_problem(session: Session, signups, status: str) -> str | None:
    """Why set_status(…, status) cannot apply to every one of `signups` (translated, naming the
    enterprise), or None when it can: the GUI disables the action with this as its tooltip."""
    signups = list(signups)
    if not signups:
        return None
    meeting = session.get(MatchmakingMeeting, signups[0].meeting_id)
    free = rules.free_places(meeting.capacity, _taken(session, meeting))
    for su in signups:
        problem = rules.move_problem(su.status, status, free)
        if problem:
            name = session.get(Enterprise, su.enterprise_id).name
            return f"{name}：{problem}"
    return None


# ---------------------------------------------------------------- sign-ups: changes

def _clean_attendees(attendees) -> list[AttendeeIn]:
    out = []
    for i, a in enumerate(attendees or []):
        if isinstance(a, dict):
            a = AttendeeIn(a.get("name") or "", a.get("post"), a.get("phone"))
        name = (a.name or "").strip()
        post = (a.post or "").strip() or None
        phone = (a.phone or "").strip() or None
        if not name:
            if post or phone:
                msg = _("Attendee {n} needs a name.").format(n=i + 1)
                raise ValidationFailed(msg, {"attendees": msg})
            continue  # an entirely empty line of the form
        out.append(AttendeeIn(name, post, phone))
    return out


def attendees_record(items) -> str | None:
    """An attendee list as the audit keeps it: JSON [[name, post, phone], …] (None when empty),
    so 撤销本次导入 can put posts and phones back too, not only the names."""
    people = [[a.name, a.post or None, a.phone or None] for a in items]
    return json.dumps(people, ensure_ascii=False) if people else None


def attendees_from_record(text: str | None) -> list[AttendeeIn]:
    """The list an audit value names. Entries written before the lists were kept whole hold the
    names joined by 、; they give the names alone."""
    if not text:
        return []
    try:
        people = json.loads(text)
    except ValueError:
        people = None
    if isinstance(people, list) and all(isinstance(p, list) and len(p) == 3 for p in people):
        return [AttendeeIn(*p) for p in people]
    return [AttendeeIn(name) for name in text.split("、") if name]


def attendees_text(text: str | None) -> str:
    """An audit value for the 变更记录 table: 周八（经理，13800000000）、吴九."""
    return people_line(attendees_from_record(text))


def people_line(attendees) -> str:
    """Attendees (AttendeeIn or stored rows) on one line: 周八（经理，13800000000）、吴九 (a nameless
    row of the form is left out, as the save leaves it out)."""
    parts = []
    for a in attendees:
        name = (a.name or "").strip()
        extra = "，".join(x.strip() for x in (a.post, a.phone) if x and x.strip())
        if name:
            parts.append(f"{name}（{extra}）" if extra else name)
    return "、".join(parts)


def _set_attendees(session: Session, su: SignUp, attendees: list[AttendeeIn], own: AuditWriter) -> None:
    old = attendees_record(su.attendees)
    new = attendees_record(attendees)
    su.attendees.clear()
    session.flush()
    for i, a in enumerate(attendees):
        su.attendees.append(Attendee(position=i, name=a.name, post=a.post, phone=a.phone))
    if old != new:
        versions.touch(su)  # the attendees are part of the sign-up a form edits
        own.add("signup", su.id, "update", enterprise_id=su.enterprise_id, field="attendees", old=old, new=new)


def restore_attendees(session: Session, su: SignUp, record: str | None) -> None:
    """Put back the attendee list an audit value names (undoing an import)."""
    versions.touch(su)
    su.attendees.clear()
    session.flush()
    for i, a in enumerate(attendees_from_record(record)):
        su.attendees.append(Attendee(position=i, name=a.name, post=a.post, phone=a.phone))


def _next_seq(session: Session, meeting: MatchmakingMeeting) -> int:
    return (session.scalar(select(func.max(SignUp.waitlist_seq)).where(SignUp.meeting_id == meeting.id)) or 0) + 1


def _set_status(session: Session, su: SignUp, status: str, own: AuditWriter) -> None:
    if su.status == status:
        return
    own.add("signup", su.id, "update", enterprise_id=su.enterprise_id, field="status", old=su.status, new=status)
    meeting = session.get(MatchmakingMeeting, su.meeting_id)
    su.status = status
    # Joining the waiting list (again) puts the sign-up at its end; leaving it clears the number.
    su.waitlist_seq = _next_seq(session, meeting) if status == SU_WAITING else None
    session.flush()


def _promote(session: Session, meeting: MatchmakingMeeting, own: AuditWriter) -> list[SignUp]:
    """Move waiting sign-ups up to 已报名 while places are free, first come first served."""
    waiting = waiting_list(session, meeting)
    if not waiting:
        return []
    n = rules.to_promote(meeting.capacity, _taken(session, meeting), len(waiting))
    promoted = waiting[:n]
    for su in promoted:
        _set_status(session, su, SU_REGISTERED, own)
    return promoted


def promote_waiting(session: Session, meeting: MatchmakingMeeting, *, audit: AuditWriter | None = None) -> list[SignUp]:
    """Hand free places to the waiting list (e.g. after an enterprise was deleted)."""
    own = audit or AuditWriter(session)
    promoted = _promote(session, meeting, own)
    if audit is None:
        own.flush()
    return promoted


def _describe(session: Session, su: SignUp) -> str:
    ent = session.get(Enterprise, su.enterprise_id)
    return _("{name} already signed up on {date} (status {status}).").format(
        name=ent.name, date=su.signed_up_at.date().isoformat(), status=su.status)


def sign_up(session: Session, meeting: MatchmakingMeeting, enterprise_id: int, attendees, *,
            need: str | None = None, partner_id: int | None = None, status: str | None = None,
            imported: bool = False, today: dt.date | None = None, signed_up_on: dt.date | None = None,
            audit: AuditWriter | None = None) -> SignUpResult:
    """Sign an enterprise up for the meeting.

    - one sign-up per enterprise and meeting: an active second one raises DuplicateSignUp naming
      the existing one; with imported=True the existing one is updated instead (an empty status
      leaves its status as it is — a withdrawn one stays withdrawn — and an empty attendee list
      its attendees);
    - a withdrawn enterprise gets its old sign-up back (same row, first sign-up time kept), at the
      end of the waiting list if the meeting is full;
    - capacity: see domain.signups.place (full → 候补 in order of arrival);
    - after the deadline: a warning (the GUI asks the clerk before calling; imports go on);
    - `signed_up_on`: the day the enterprise signed up (an import's 报名日期), else now.
    """
    today = today or dt.date.today()
    _lock_meeting(session, meeting)
    ent = session.get(Enterprise, enterprise_id)
    if ent is None:
        raise ValidationFailed(_("Unknown enterprise."))
    if ent.deleted_at is not None:
        raise KnownError(_("{name} is in the recycle bin; restore it before signing it up.").format(name=ent.name))
    status = (status or "").strip() or None
    if status is not None and status not in SIGNUP_STATUSES:
        msg = _("Unknown sign-up status “{status}”.").format(status=status)
        raise ValidationFailed(msg, {"status": msg})
    people = _clean_attendees(attendees)
    if partner_id is not None and session.get(Partner, partner_id) is None:
        raise ValidationFailed(_("Unknown partner."))
    need = (need or "").strip() or None

    existing = find_signup(session, meeting, enterprise_id)
    if existing is not None and existing.status != SU_WITHDRAWN and not imported:
        raise DuplicateSignUp(_describe(session, existing), existing.id)
    if existing is None and not people:
        msg = _("A sign-up needs at least one attendee.")
        raise ValidationFailed(msg, {"attendees": msg})

    own = audit or AuditWriter(session)
    warnings: list[str] = []
    w = rules.deadline_warning(meeting.deadline, today, imported=imported)
    if w:
        warnings.append(w)
    # Places freed behind the scenes (a deleted enterprise) go to those already waiting first.
    promoted = _promote(session, meeting, own)

    created = reactivated = False
    if existing is None:
        placement = rules.place(status, capacity=meeting.capacity, taken_by_others=_taken(session, meeting),
                                imported=imported)
        su = SignUp(meeting_id=meeting.id, enterprise_id=enterprise_id, need=need, partner_id=partner_id,
                    status=placement.status, signed_up_at=_signed_up_at(signed_up_on))
        if placement.status == SU_WAITING:
            su.waitlist_seq = _next_seq(session, meeting)
        session.add(su)
        session.flush()
        own.changes("signup", su.id, {}, {"status": su.status, "need": need, "partner_id": partner_id},
                    enterprise_id=enterprise_id, action="create")
        _set_attendees(session, su, people, own)
        created = True
    else:
        su = existing
        before = {"need": su.need, "partner_id": su.partner_id}
        after = {"need": need if need is not None else su.need,
                 "partner_id": partner_id if partner_id is not None else su.partner_id}
        if signed_up_on is not None and su.signed_up_at.date() != signed_up_on:
            before["signed_up_at"], after["signed_up_at"] = su.signed_up_at, _signed_up_at(signed_up_on)
        own.changes("signup", su.id, before, after, enterprise_id=enterprise_id)
        su.need, su.partner_id = after["need"], after["partner_id"]
        su.signed_up_at = after.get("signed_up_at", su.signed_up_at)
        if people:
            _set_attendees(session, su, people, own)
        if su.status == SU_WITHDRAWN:
            # An import with an empty status leaves an existing sign-up as it is, withdrawn too.
            if status != SU_WITHDRAWN and not (imported and status is None):
                placement = rules.place(status, capacity=meeting.capacity,
                                        taken_by_others=_taken(session, meeting, exclude_id=su.id), imported=imported)
                _set_status(session, su, placement.status, own)
                reactivated = True
            else:
                placement = rules.Placement(SU_WITHDRAWN)
        elif status is None or status == su.status:
            placement = rules.Placement(su.status)
        else:
            placement = _imported_change(session, meeting, su, status)
            _set_status(session, su, placement.status, own)
    if placement.warning:
        warnings.append(placement.warning)
    promoted += _promote(session, meeting, own)
    if audit is None:
        own.flush()
    session.flush()
    return SignUpResult(su, created, reactivated, warnings, promoted)


def _signed_up_at(day: dt.date | None) -> dt.datetime:
    """The sign-up time: the given day (the file's 报名日期; rows of one day keep file order by id), else now."""
    return dt.datetime.combine(day, dt.time()) if day is not None else utcnow()


def _imported_change(session: Session, meeting: MatchmakingMeeting, su: SignUp, status: str) -> rules.Placement:
    """An import gives an existing sign-up another status: capacity still decides."""
    if rules.takes_place(su.status) and (rules.takes_place(status) or status == SU_WAITING):
        # It holds a place already; moving within the flow needs no new place, and a sign-up
        # holding a place is never pushed back to the waiting list.
        return rules.Placement(status if status != SU_WAITING else su.status)
    return rules.place(status, capacity=meeting.capacity,
                       taken_by_others=_taken(session, meeting, exclude_id=su.id), imported=True)


def update_signup(session: Session, su: SignUp, *, attendees=None, need: str | None = None,
                  partner_id: int | None = None, clear_partner: bool = False,
                  audit: AuditWriter | None = None, expected_version: int | None = None) -> None:
    """Edit attendees, cooperation need and wanted partner (the status has its own calls).
    `expected_version`: the version the form loaded; a sign-up changed since is refused (StaleRecord)."""
    versions.check(su, expected_version, ("need", "partner_id", "status"), table="signup")
    own = audit or AuditWriter(session)
    if attendees is not None:
        people = _clean_attendees(attendees)
        if not people:
            msg = _("A sign-up needs at least one attendee.")
            raise ValidationFailed(msg, {"attendees": msg})
        _set_attendees(session, su, people, own)
    if partner_id is not None and session.get(Partner, partner_id) is None:
        raise ValidationFailed(_("Unknown partner."))
    before = {"need": su.need, "partner_id": su.partner_id}
    after = dict(before)
    if need is not None:
        after["need"] = need.strip() or None
    if partner_id is not None or clear_partner:
        after["partner_id"] = partner_id
    own.changes("signup", su.id, before, after, enterprise_id=su.enterprise_id)
    su.need, su.partner_id = after["need"], after["partner_id"]
    if audit is None:
        own.flush()
    session.flush()


def set_status(session: Session, su: SignUp, status: str, *, audit: AuditWriter | None = None) -> list[SignUp]:
    """Move a sign-up along the status flow; returns the waiting sign-ups that moved up because a
    place freed. Taking a waiting sign-up off the list by hand needs a free place."""
    problem = rules.transition_problem(su.status, status)
    if problem:
        raise ValidationFailed(problem, {"status": problem})
    meeting = session.get(MatchmakingMeeting, su.meeting_id)
    _lock_meeting(session, meeting)
    own = audit or AuditWriter(session)
    if rules.takes_place(status) and not rules.takes_place(su.status):
        # Only a waiting sign-up gets here (withdrawn ones sign up again). Free places go to the
        # list at once, so a free place found now is one freed behind the scenes (a deleted
        # enterprise) and may as well go to the one the clerk picked.
        free = rules.free_places(meeting.capacity, _taken(session, meeting))
        if free is not None and free < 1:
            raise MeetingFull(_("The meeting is full ({capacity} places); a place frees when someone withdraws "
                                "or the capacity is raised.").format(capacity=meeting.capacity))
    _set_status(session, su, status, own)
    promoted = _promote(session, meeting, own)
    if audit is None:
        own.flush()
    return promoted


def withdraw(session: Session, su: SignUp, *, audit: AuditWriter | None = None) -> list[SignUp]:
    """已退出; the first waiting sign-up takes the freed place. Returns the promoted ones."""
    return set_status(session, su, SU_WITHDRAWN, audit=audit)


def check_in(session: Session, su: SignUp, *, audit: AuditWriter | None = None) -> list[SignUp]:
    """签到 on the day (one click in the check-in view)."""
    return set_status(session, su, SU_ATTENDED, audit=audit)


def mark_absent(session: Session, su: SignUp, *, audit: AuditWriter | None = None) -> list[SignUp]:
    return set_status(session, su, SU_ABSENT, audit=audit)


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
