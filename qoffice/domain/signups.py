"""Rules of the matchmaking meeting's sign-ups: the status flow, capacity and the 候补 waiting list.

Pure functions (no database): the service in qoffice/services/meetings.py asks these what to do.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qoffice.domain import vocab
from qoffice.domain.vocab import (
    SIGNUP_COUNTS_AGAINST_CAPACITY,
    SU_ABSENT,
    SU_ATTENDED,
    SU_CONFIRMED,
    SU_REGISTERED,
    SU_WAITING,
    SU_WITHDRAWN,
)
from qoffice.i18n import _

# The status flow of domain.md: 已报名 → 已确认 → 已签到 / 缺席, or 已退出 at any time.
# Skipping 已确认 is allowed (an enterprise that never confirmed may still turn up and check in);
# 已签到 ↔ 缺席 may be corrected (a wrong click on the day). 候补 is left by promotion, or by the
# clerk when a place is free; 已退出 is left only by signing up again (sign_up reactivates the row).
TRANSITIONS: dict[str, frozenset[str]] = {
    SU_REGISTERED: frozenset({SU_CONFIRMED, SU_ATTENDED, SU_ABSENT, SU_WITHDRAWN}),
    SU_CONFIRMED: frozenset({SU_ATTENDED, SU_ABSENT, SU_WITHDRAWN}),
    SU_ATTENDED: frozenset({SU_ABSENT, SU_WITHDRAWN}),
    SU_ABSENT: frozenset({SU_ATTENDED, SU_WITHDRAWN}),
    SU_WAITING: frozenset({SU_REGISTERED, SU_CONFIRMED, SU_WITHDRAWN}),
    SU_WITHDRAWN: frozenset(),
}


def takes_place(status: str | None) -> bool:
    """Whether a sign-up in this status takes a place against the capacity."""
    return status in SIGNUP_COUNTS_AGAINST_CAPACITY


def has_room(capacity: int | None, taken: int) -> bool:
    return capacity is None or taken < capacity


def free_places(capacity: int | None, taken: int) -> int | None:
    """Places left (never negative), None when the meeting has no capacity."""
    if capacity is None:
        return None
    return max(0, capacity - taken)


def transition_problem(old: str, new: str) -> str | None:
    """Why a sign-up may not go from `old` to `new` (translated), or None when it may."""
    if new not in vocab.SIGNUP_STATUSES:
        return _("Unknown sign-up status “{status}”.").format(status=new)
    if old == new:
        return None
    if old == SU_WITHDRAWN:
        return _("This enterprise has withdrawn; sign it up again instead.")
    if new == SU_WAITING:
        return _("A sign-up goes on the waiting list only when the meeting is full.")
    if new not in TRANSITIONS.get(old, frozenset()):
        return _("A sign-up cannot go from {old} to {new}.").format(old=old, new=new)
    return None


def move_problem(old: str, new: str, free: int | None) -> str | None:
    """Why a sign-up in status `old` cannot be moved to `new` by the clerk now (translated), or None.

    `free` is the number of free places (None: no capacity). Moving to the status it already has
    does not apply either; a waiting sign-up takes a place only when one is free."""
    if old == new:
        return _("It is already {status}.").format(status=new)
    problem = transition_problem(old, new)
    if problem:
        return problem
    if takes_place(new) and not takes_place(old) and free is not None and free < 1:
        return _("The meeting is full; a place frees when someone withdraws or the capacity is raised.")
    return None


@dataclass(frozen=True)
class Placement:
    status: str
    warning: str | None = None  # translated


def place(wanted: str | None, *, capacity: int | None, taken_by_others: int, imported: bool) -> Placement:
    """The status a new or re-activated sign-up gets.

    `wanted` is the status asked for (None: 已报名, or 候补 when full); `taken_by_others` counts the
    places taken by every other sign-up of the meeting. A wanted 已报名/已确认 beyond capacity
    becomes 候补 (warned when the status was asked for explicitly, as imports do); 已签到/缺席 are
    facts about the day and are kept even beyond capacity (warned); a wanted 候补 while a place is
    free becomes 已报名, since nobody waits while a place is free.
    """
    room = has_room(capacity, taken_by_others)
    if wanted in (None, ""):
        if room:
            return Placement(SU_REGISTERED)
        return Placement(SU_WAITING, _("The meeting is full; the sign-up is on the waiting list."))
    if wanted == SU_WITHDRAWN:
        return Placement(SU_WITHDRAWN)
    if wanted == SU_WAITING:
        if room:
            return Placement(SU_REGISTERED, _("A place is free, so the sign-up is registered rather than waiting."))
        return Placement(SU_WAITING)
    if wanted in (SU_REGISTERED, SU_CONFIRMED):
        if room:
            return Placement(wanted)
        return Placement(SU_WAITING, _("The meeting is full; “{status}” becomes 候补 (waiting list).").format(
            status=wanted))
    # 已签到 / 缺席: what happened on the day is recorded as it was.
    if not room:
        return Placement(wanted, _("The meeting is over its capacity with this sign-up ({status}).").format(
            status=wanted))
    return Placement(wanted)


def to_promote(capacity: int | None, taken: int, waiting: int) -> int:
    """How many of the `waiting` sign-ups move up to 已报名, first come first served."""
    if capacity is None:
        return waiting
    return max(0, min(waiting, capacity - taken))


def signup_date_warning(signed_up_on: dt.date, meeting_date: dt.date | None, *, given: bool) -> str | None:
    """A sign-up dated after its meeting is taken, never silently: `given` says whether the date
    came from the file (报名日期) or is the day of the import."""
    if meeting_date is None or signed_up_on <= meeting_date:
        return None
    if given:
        return _("The sign-up date {date} is after the meeting ({meeting}); it is kept as given.").format(
            date=signed_up_on.isoformat(), meeting=meeting_date.isoformat())
    return _("No 报名日期 given: the sign-up is dated the day of the import, {date}, which is after the meeting "
             "({meeting}). Add the 报名日期 column to keep the real dates.").format(
        date=signed_up_on.isoformat(), meeting=meeting_date.isoformat())


def after_meeting(signed_up_on: dt.date | None, meeting_date: dt.date | None) -> bool:
    """Whether a sign-up is dated after its meeting (the list marks it)."""
    return signed_up_on is not None and meeting_date is not None and signed_up_on > meeting_date


def deadline_warning(deadline: dt.date | None, today: dt.date, *, imported: bool) -> str | None:
    """A sign-up after the deadline: the GUI asks the clerk first; an import goes on, warned."""
    if deadline is None or today <= deadline:
        return None
    if imported:
        return _("The sign-up deadline ({deadline}) has passed; imported sign-ups are taken all the same.").format(
            deadline=deadline.isoformat())
    return _("The sign-up deadline ({deadline}) has passed.").format(deadline=deadline.isoformat())
