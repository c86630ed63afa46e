"""Rules of the exchange-forum schedule (1–2 a year): the year's state, the over-limit warning,
and what a held or cancelled forum needs."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from qoffice.domain.vocab import FORUM_CANCELLED, FORUM_HELD, FORUM_PLANNED, FORUM_STATUSES
from qoffice.i18n import _

MAX_PER_YEAR = 2  # "hold 1 to 2 quality exchange meetings or forums a year"

# Year-state kinds, in the order the first that applies wins.
DONE, SHORT, SCHEDULED, NONE = "done", "short", "scheduled", "none"


@dataclass(frozen=True)
class ForumYearState:
    year: int
    kind: str  # DONE / SHORT / SCHEDULED / NONE
    badge: str  # translated: 已完成 / 未完成 / 已安排 n 场 / 未安排
    held: int
    planned: int
    not_cancelled: int
    over_limit: bool  # more than two forums that are not cancelled (allowed, warned)
    warning: str | None  # translated 超出 warning when over_limit


def over_limit_warning(year: int, not_cancelled: int) -> str | None:
    if not_cancelled <= MAX_PER_YEAR:
        return None
    return _("Over the limit: {n} forums in {year} are not cancelled; the policy asks for 1 to 2 a year.").format(
        n=not_cancelled, year=year)


def year_state(year: int, statuses: Iterable[str], today: dt.date) -> ForumYearState:
    """The badge of a year from its forums' statuses: the first that applies of
    已完成 (at least one held), 未完成 (the year is over and none was held), 已安排 n 场
    (n planned), 未安排."""
    statuses = list(statuses)
    held = sum(1 for s in statuses if s == FORUM_HELD)
    planned = sum(1 for s in statuses if s == FORUM_PLANNED)
    not_cancelled = sum(1 for s in statuses if s != FORUM_CANCELLED)
    if held:
        kind, badge = DONE, _("Done")
    elif today > dt.date(year, 12, 31):
        kind, badge = SHORT, _("Fell short")
    elif planned:
        kind, badge = SCHEDULED, _("{n} scheduled").format(n=planned)
    else:
        kind, badge = NONE, _("Not scheduled")
    warning = over_limit_warning(year, not_cancelled)
    return ForumYearState(year, kind, badge, held, planned, not_cancelled, warning is not None, warning)


def status_problem(status: str | None) -> str | None:
    if status not in FORUM_STATUSES:
        return _("Unknown forum status “{status}”; use one of: {choices}.").format(
            status=status, choices="、".join(FORUM_STATUSES))
    return None


def held_date_problem(date: dt.date | None, today: dt.date) -> str | None:
    """A held forum has a date, and that date is not in the future."""
    if date is None:
        return _("A held forum needs its date.")
    if date > today:
        return _("A forum dated {date} cannot have been held yet.").format(date=date.isoformat())
    return None


def missing_reason_warning() -> str:
    """An imported 已取消 row without a reason is taken, with this warning."""
    return _("Cancelled without a reason: imported all the same; add the reason (取消原因) when it is known.")


def cancel_problem(reason: str | None) -> str | None:
    if not (reason or "").strip():
        return _("Give the reason for cancelling the forum.")
    return None


def people_problem(people: int | None) -> str | None:
    if people is not None and people < 0:
        return _("The number of people cannot be negative.")
    return None
