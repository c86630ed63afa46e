"""Rules about an enterprise's file: industry, status, and what counts for a given year."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qoffice.domain import vocab
from qoffice.i18n import _


@dataclass(frozen=True)
class Industry:
    group: str
    trade: str | None
    warning: str | None = None  # translated, e.g. unknown trade
    error: str | None = None  # translated, e.g. a trade contradicting its group


# Answers without a message (they hold no translated text, so the UI language cannot make them
# stale), by the (group, trade) asked: an import resolves the same few pairs 100,000 times.
_PLAIN: dict[tuple, Industry] = {}


def resolve_industry(group: str | None, trade: str | None) -> Industry:
    """The trade implies its group; an unknown trade is kept under the given group or 其他."""
    hit = _PLAIN.get((group, trade))
    if hit is not None:
        return hit
    result = _resolve_industry(group, trade)
    if result.warning is None and result.error is None and len(_PLAIN) < 10_000:
        _PLAIN[(group, trade)] = result
    return result


def _resolve_industry(group: str | None, trade: str | None) -> Industry:
    group = (group or "").strip() or None
    trade = (trade or "").strip() or None
    if group is not None and group not in vocab.INDUSTRY_GROUPS:
        return Industry(group, trade, error=_("Unknown industry group “{group}”; use one of: {choices}.").format(
            group=group, choices="、".join(vocab.INDUSTRY_GROUPS)))
    if trade is None:
        return Industry(group or vocab.GROUP_OTHER, None)
    implied = vocab.TRADE_GROUPS.get(trade)
    if implied is None:
        return Industry(group or vocab.GROUP_OTHER, trade,
                        warning=_("Trade “{trade}” is not in the list; kept as written under {group}.").format(
                            trade=trade, group=group or vocab.GROUP_OTHER))
    if group is not None and group != implied:
        return Industry(group, trade, error=_("Trade “{trade}” belongs to {implied}, not {group}.").format(
            trade=trade, implied=implied, group=group))
    return Industry(implied, trade)


def status_problem(status: str | None, status_year: int | None) -> str | None:
    status = status or vocab.STATUS_ACTIVE
    if status not in vocab.ENTERPRISE_STATUSES:
        return _("Unknown business status “{status}”.").format(status=status)
    if status != vocab.STATUS_ACTIVE and not status_year:
        return _("Status “{status}” needs the year it took effect.").format(status=status)
    return None


def counts_for_year(*, deleted: bool, status: str | None, status_year: int | None, year: int) -> bool:
    """Not deleted, and 在营 or its other status took effect after `year`."""
    if deleted:
        return False
    if not status or status == vocab.STATUS_ACTIVE:
        return True
    return status_year is not None and status_year > year


def benchmarking_counts(*, benchmark: bool, since: int | None, year: int) -> bool:
    """A key benchmarking enterprise counts for `year` when its start year is ≤ year or not given."""
    return bool(benchmark) and (since is None or since <= year)


def cqo_counts(*, cqo_name: str | None, appointed: dt.date | None, year: int) -> bool:
    """A chief quality officer counts when appointed on or before 31 Dec of `year`, or date unknown."""
    if not (cqo_name or "").strip():
        return False
    return appointed is None or appointed <= dt.date(year, 12, 31)


def figures_problem(checked: int | None, passed: int | None, loss_rate: object | None = None) -> str | None:
    """Yearly figures: passed and checked both or neither, passed ≤ checked, rate within 0–100."""
    if (checked is None) != (passed is None):
        return _("Give both spot-check batches and passed batches, or neither.")
    if checked is not None and passed is not None:
        if checked < 0 or passed < 0:
            return _("Batch counts cannot be negative.")
        if passed > checked:
            return _("Passed batches ({passed}) cannot exceed checked batches ({checked}).").format(
                passed=passed, checked=checked)
    if loss_rate is not None:
        from decimal import Decimal

        if not (Decimal(0) <= Decimal(str(loss_rate)) <= Decimal(100)):
            return _("The quality loss rate must be between 0 and 100 %.")
    return None
