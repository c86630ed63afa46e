"""Settings kept in the database (so GUI and CLI agree): county, office, operator, phone,
UI language, the county list and the 17 targets of the return's 汇总 sheet.

Readers take a SQLAlchemy Session (inside a unit of work: sees its own changes) or a Database,
read with plain sqlite3 — so the window's start reads its settings without importing SQLAlchemy.
"""
from __future__ import annotations

import json
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Union

from qoffice.db.database import Database
from qoffice.domain.vocab import DEFAULT_COUNTIES
from qoffice.errors import UsageError
from qoffice.i18n import LANGUAGES, _

PLAIN_KEYS = ("county", "office", "operator", "phone", "language")
INDICATOR_COUNT = 17
TARGET_KEYS = tuple(f"target.{i}" for i in range(1, INDICATOR_COUNT + 1))
SIGNIN_BLANK_ROWS = "signin.blank_rows"  # blank rows for walk-ins at the end of the 签到表
SIGNIN_BLANK_ROWS_DEFAULT, SIGNIN_BLANK_ROWS_MAX = 5, 100
ALL_KEYS = PLAIN_KEYS + ("counties",) + TARGET_KEYS + (SIGNIN_BLANK_ROWS,)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Source = Union["Session", Database]


def _stored(source: Source, key: str | None = None) -> dict[str, str | None]:
    """Stored settings (one key, or all of them) as {key: value}."""
    if isinstance(source, Database):
        if key is None:
            return dict(source.query("SELECT key, value FROM setting"))
        return dict(source.query("SELECT key, value FROM setting WHERE key = ?", (key,)))
    from sqlalchemy import select

    from qoffice.db.models import Setting

    if key is None:
        return {s.key: s.value for s in source.scalars(select(Setting))}
    row = source.get(Setting, key)
    return {} if row is None else {row.key: row.value}


def get(source: Source, key: str, default: str | None = None) -> str | None:
    value = _stored(source, key).get(key)
    return value if value not in (None, "") else default


def get_all(source: Source) -> dict[str, str | None]:
    stored = _stored(source)
    return {k: stored.get(k) for k in ALL_KEYS}


TEXT_MAX = 200  # characters of a cover text (county, office, operator, phone)


def _is_control(ch: str) -> bool:
    """Characters a one-line setting cannot hold: C0/C1 controls (line breaks, Word's soft line break
    \x0b, \x01…), and the line/paragraph separators."""
    return unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029"


def has_control(value: str) -> bool:
    return any(_is_control(ch) for ch in value)


def without_controls(value: str | None) -> str | None:
    """`value` with the control characters taken out (what an export writes for an old stored value)."""
    if value is None:
        return None
    cleaned = "".join(ch for ch in value if not _is_control(ch)).strip()
    return cleaned or None


def parse_target(key: str, value: str) -> Decimal:
    """A target's text as a Decimal, or UsageError saying what is wrong with it."""
    from qoffice.domain import indicators as ind

    number = int(key.split(".", 1)[1])
    try:
        target = Decimal(value)
    except (InvalidOperation, ValueError):
        raise UsageError(_("A target must be a number, not “{value}”.").format(value=value)) from None
    problem = ind.target_problem(number, target)
    if problem == "nan":
        raise UsageError(_("A target must be an ordinary number, not “{value}”.").format(value=value))
    if problem == "range":
        lo, hi = ind.TARGET_RANGES[number]
        raise UsageError(_("The target of indicator {n} must be between {lo} and {hi}, not {value}.").format(
            n=number, lo=_plain(lo), hi=_plain(hi), value=value))
    if problem == "places":
        raise UsageError(_("A target can have at most {places} decimal places, not “{value}”.").format(
            places=ind.TARGET_PLACES, value=value))
    return target


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def validate(key: str, value: str | None) -> str | None:
    """Normalised value, or UsageError with a translated reason."""
    if key not in ALL_KEYS:
        if is_city_key(key):
            return validate_city(key, value)
        raise UsageError(_("Unknown setting “{key}”. Known: {keys}").format(
            key=key, keys=", ".join(PLAIN_KEYS + ("counties", "target.1 … target.17"))))
    value = None if value is None else str(value).strip()
    if value is None or value == "":  # None clears the setting, as "" does
        return None
    if has_control(value):
        raise UsageError(_("The setting {key} cannot hold control characters (a line break, Word's soft line "
                           "break and the like); type it again without them.").format(key=key))
    if key == "language" and value not in LANGUAGES:
        raise UsageError(_("Unknown language “{value}”; use one of: {choices}.").format(
            value=value, choices=", ".join(LANGUAGES)))
    if key.startswith("target."):
        number = parse_target(key, value)
        text = format(number.normalize(), "f")
        return "0" if number == 0 else text
    if key == SIGNIN_BLANK_ROWS:
        if not (value.isascii() and value.isdigit()) or int(value) > SIGNIN_BLANK_ROWS_MAX:
            raise UsageError(_("The number of blank rows must be a whole number from 0 to {max}.").format(
                max=SIGNIN_BLANK_ROWS_MAX))
        return str(int(value))
    if key == "counties":
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if not isinstance(items, list) or not all(isinstance(i, (str, int)) for i in items):
            items = [v.strip() for v in value.replace("，", ",").replace("、", ",").split(",")]
        items = [str(i).strip() for i in items if str(i).strip()]
        if any(has_control(i) for i in items):
            raise UsageError(_("The setting {key} cannot hold control characters (a line break, Word's soft line "
                               "break and the like); type it again without them.").format(key=key))
        return json.dumps(items, ensure_ascii=False)
    if len(value) > TEXT_MAX:
        raise UsageError(_("The setting {key} can be at most {n} characters long.").format(key=key, n=TEXT_MAX))
    return value


def invalid_stored(source: Source) -> dict[str, str]:
    """Stored values today's rules refuse ({key: raw value}): an older version, or a hand-edited
    database, may have kept them. The export leaves such a target empty and takes control
    characters out of a cover text, and says so in its 校验 sheet."""
    out = {}
    for key, raw in _stored(source).items():
        if key not in ALL_KEYS or raw in (None, ""):
            continue
        try:
            validate(key, raw)
        except UsageError:
            out[key] = raw
    return out


def set_value(session: Session, key: str, value: str | None) -> str | None:
    from qoffice.db.models import Setting

    value = validate(key, value)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    return value


def counties(source: Source) -> list[str]:
    raw = get(source, "counties")
    if raw:
        try:
            return list(json.loads(raw))
        except ValueError:
            pass
    return list(DEFAULT_COUNTIES)


def targets(source: Source) -> dict[int, Decimal | None]:
    """The 17 targets; a stored value today's rules refuse (NaN, Infinity, 1e400…) is None."""
    values = get_all(source)
    out: dict[int, Decimal | None] = {}
    for i in range(1, INDICATOR_COUNT + 1):
        raw = values[f"target.{i}"]
        try:
            out[i] = parse_target(f"target.{i}", raw.strip()) if raw and raw.strip() else None
        except UsageError:
            out[i] = None
    return out


def signin_blank_rows(source: Source) -> int:
    """Blank rows at the end of the meeting's sign-in sheet (5 unless set)."""
    value = get(source, SIGNIN_BLANK_ROWS)
    return int(value) if value and value.isascii() and value.isdigit() else SIGNIN_BLANK_ROWS_DEFAULT


def first_run_needed(source: Source) -> bool:
    stored = _stored(source)
    return not (stored.get("county") and stored.get("office"))


# --- the city office (city.md): level, city and county targets, the plan period ----------------------
LEVEL = "level"
LEVEL_COUNTY, LEVEL_CITY = "county", "city"
CITY_TARGET_KEYS = tuple(f"city.target.{i}" for i in range(1, INDICATOR_COUNT + 1))
CITY_TARGET_DEFAULTS = {1: "100", 2: "100", 3: "100", 4: "100", 8: "96", 10: "-0.05", 11: "10000"}
PLAN_START, PLAN_END = "plan.start", "plan.end"
PLAN_TARGET_KEYS = ("plan.target.5", "plan.target.6", "plan.target.7")
PLAN_DEFAULTS = {PLAN_START: "2013", PLAN_END: "2017", "plan.target.5": "100", "plan.target.6": "3",
                 "plan.target.7": "4"}
CITY_KEYS = (LEVEL,) + CITY_TARGET_KEYS + (PLAN_START, PLAN_END) + PLAN_TARGET_KEYS
DEADLINE = "city.deadline"  # 报送截止日期 (催报)
CITY_KEYS += (DEADLINE,)


def county_target_key(county: str, number: int) -> str:
    return f"county.target.{county}.{number}"


def is_city_key(key: str) -> bool:
    if key in CITY_KEYS:
        return True
    if key.startswith("county.target."):
        county, _sep, n = key[len("county.target."):].rpartition(".")
        return bool(county) and n.isascii() and n.isdigit() and 1 <= int(n) <= INDICATOR_COUNT
    return False


def validate_city(key: str, value: str | None) -> str | None:
    """A city setting's normalised value (None clears it), or UsageError."""
    import datetime as _dt

    value = None if value is None else str(value).strip()
    if value == "" or value is None:
        return None
    if has_control(value):
        raise UsageError(_("The setting {key} cannot hold control characters (a line break, Word's soft line "
                           "break and the like); type it again without them.").format(key=key))
    if key == LEVEL:
        if value not in (LEVEL_COUNTY, LEVEL_CITY):
            raise UsageError(_("The level must be county or city, not “{value}”.").format(value=value))
        return value
    if key in (PLAN_START, PLAN_END):
        if not (value.isascii() and value.isdigit()) or not (1949 <= int(value) <= 2100):
            raise UsageError(_("A year must be a whole number from 1949 to 2100, not “{value}”.").format(value=value))
        return str(int(value))
    if key == DEADLINE:
        try:
            return _dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise UsageError(_("A date must be written as YYYY-MM-DD, not “{value}”.").format(value=value)) from None
    number = int(key.rsplit(".", 1)[1])
    target = parse_target(f"target.{number}", value)
    return "0" if target == 0 else format(target.normalize(), "f")


def level(source: Source) -> str:
    value = get(source, LEVEL)
    return value if value in (LEVEL_COUNTY, LEVEL_CITY) else LEVEL_COUNTY


def city_targets(source: Source) -> dict[int, Decimal | None]:
    """city.target.1 … 17 (the policy's defaults where never set; a cleared one stays empty)."""
    stored = _stored(source)
    out = {}
    for i in range(1, INDICATOR_COUNT + 1):
        key = f"city.target.{i}"
        raw = stored[key] if key in stored else CITY_TARGET_DEFAULTS.get(i)
        try:
            out[i] = parse_target(f"target.{i}", raw) if raw not in (None, "") else None
        except UsageError:
            out[i] = None
    return out


def county_targets(source: Source, county: str) -> dict[int, Decimal | None]:
    stored = _stored(source)
    out = {}
    for i in range(1, INDICATOR_COUNT + 1):
        raw = stored.get(county_target_key(county, i))
        try:
            out[i] = parse_target(f"target.{i}", raw) if raw not in (None, "") else None
        except UsageError:
            out[i] = None
    return out


def plan(source: Source) -> tuple[int, int, dict[int, Decimal | None]]:
    """(plan.start, plan.end, {5: target, 6: …, 7: …}) with the policy's defaults."""
    stored = _stored(source)

    def raw(key):
        return stored[key] if key in stored else PLAN_DEFAULTS[key]

    try:
        start = int(raw(PLAN_START))
    except (TypeError, ValueError):
        start = int(PLAN_DEFAULTS[PLAN_START])
    try:
        end = int(raw(PLAN_END))
    except (TypeError, ValueError):
        end = int(PLAN_DEFAULTS[PLAN_END])
    targets_ = {}
    for key in PLAN_TARGET_KEYS:
        n = int(key.rsplit(".", 1)[1])
        value = raw(key)
        try:
            targets_[n] = parse_target(f"target.{n}", value) if value not in (None, "") else None
        except UsageError:
            targets_[n] = None
    return start, end, targets_
