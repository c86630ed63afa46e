"""How every list of enterprises (and of their records) is searched: name, credit code, pinyin initials.

A module of its own so that the lists which search enterprises (awards, projects, sign-ups, the
picker) need not import the enterprise area."""
from __future__ import annotations

from qoffice.i18n import N_
from qoffice.ui.listmodel import SearchField

ENTERPRISE_SEARCH_HINT = N_("Name / credit code / pinyin initials")


def enterprise_search() -> list[SearchField]:
    """A word with a character no credit code holds skips the code column."""
    from qoffice.db.models import Enterprise
    from qoffice.domain import uscc as uscc_rules

    return [SearchField(Enterprise.name), SearchField(Enterprise.uscc, "upper", charset=uscc_rules.CHARSET),
            SearchField(Enterprise.name_initials, "initials")]
