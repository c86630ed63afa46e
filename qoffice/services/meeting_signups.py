"""The sign-ups of the yearly matchmaking meeting (对接会): who signed up, the 候补 waiting list,
check-in, the counts and the rows of the printable sign-in sheet (qoffice.services.meetings holds
the meeting itself, its partners and the GUI's operations, and names all of this too).

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

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from qoffice.db.models import Attendee, Enterprise, MatchmakingMeeting, Partner, SignUp, utcnow
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
from qoffice.errors import KnownError, ValidationFailed
from qoffice.i18n import _
from qoffice.services import versions
from qoffice.services.audit import AuditWriter


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
