"""区县 against the office's county list: is a typed county listed, and which listed one is meant.

A county outside the list is kept as typed (the list is the office's, and may lag a renaming), but
the clerk is told, and offered the closest listed county: the same place with another suffix or
none (如东 → 如东县, 海门市 → 海门区), a listed name inside the typed one (南通市如东县 → 如东县),
the typed one inside a listed name (开发区 → 南通经济技术开发区), or a near spelling (如冬县 → 如东县).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from qoffice.i18n import _

SUFFIXES = ("自治县", "县", "市", "区", "旗")
MIN_SIMILARITY = 0.6  # SequenceMatcher ratio for a typo: 如冬县 / 如东县 is 0.67


def normalize(text: str | None) -> str:
    """Full-width letters and digits made plain, spaces removed."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def stem(name: str) -> str:
    """The place name without its 县/市/区 suffix (a one-character stem keeps it: 东区 stays)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _one(found: list[str]) -> str | None:
    return found[0] if len(found) == 1 else None


def closest(value: str | None, counties: list[str] | tuple[str, ...]) -> str | None:
    """The listed county `value` most likely means (itself when listed), or None."""
    typed = normalize(value)
    listed = [c for c in counties if c]
    if not typed:
        return None
    plain = {normalize(c): c for c in listed}
    if typed in plain:
        return plain[typed]
    if len(typed) < 2:
        return None
    typed_stem = stem(typed)
    same = _one([c for n, c in plain.items() if stem(n) == typed_stem])
    if same:
        return same
    inside = _one([c for n, c in plain.items() if stem(n) in typed])
    if inside:
        return inside
    around = _one([c for n, c in plain.items() if typed_stem in n])
    if around:
        return around
    scored = sorted(((SequenceMatcher(None, typed, n).ratio(), c) for n, c in plain.items()), reverse=True)
    if scored and scored[0][0] >= MIN_SIMILARITY and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][1]
    return None


@dataclass(frozen=True)
class OutsideList:
    value: str
    suggestion: str | None
    message: str


def outside_list(value: str | None, counties: list[str] | tuple[str, ...]) -> OutsideList | None:
    """None when `value` is empty or listed; else the warning, with the closest listed county."""
    typed = normalize(value)
    if not typed or typed in {normalize(c) for c in counties if c}:
        return None
    suggestion = closest(typed, counties)
    if suggestion:
        message = _("“{county}” is not in the county list; did you mean “{suggestion}”?").format(
            county=typed, suggestion=suggestion)
    else:
        message = _("“{county}” is not in the county list; it is kept as typed.").format(county=typed)
    return OutsideList(typed, suggestion, message)
