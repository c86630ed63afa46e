"""Unified social credit code (统一社会信用代码), GB 32100-2015: normalise and check.

Written by hand because no maintained library implements GB 32100 with the messages a clerk
needs (which character is wrong and what the check character should be).
"""
from __future__ import annotations

import unicodedata
from operator import mul

from qoffice.i18n import _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, …, 28
LENGTH = 18
_ALLOWED = frozenset(CHARSET)


def normalize(raw: str | None) -> str:
    """Full-width → half-width, drop all white space, upper-case."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return "".join(text.split()).upper()


def check_character(first17: str) -> str:
    # map/mul run in C: an import checks 100,000 codes.
    total = sum(map(mul, map(VALUES.__getitem__, first17), WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """None when `code` (already normalised) is valid, else one translated sentence why not."""
    if not code:
        return _("The credit code is empty.")
    if len(code) != LENGTH:
        return _("The credit code must have 18 characters; this one has {n}.").format(n=len(code))
    if not _ALLOWED.issuperset(code):  # one C-level pass; name the culprit only when there is one
        pos, ch = next((pos, ch) for pos, ch in enumerate(code, start=1) if ch not in VALUES)
        return _("Character {pos} of the credit code, “{ch}”, is not allowed (I, O, Z, S, V are never used).").format(
            pos=pos, ch=ch
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return _("The check character of the credit code is wrong: the last character should be {expected}, not {got}.").format(
            expected=expected, got=code[17]
        )
    return None


def is_valid(code: str) -> bool:
    return problem(normalize(code)) is None


def make_valid(first17: str) -> str:
    """Complete 17 characters with their check character (demo data, tests)."""
    return first17 + check_character(first17)
