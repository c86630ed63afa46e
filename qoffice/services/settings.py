"""Settings kept in the database (so GUI and CLI agree): county, office, operator, phone, UI
language, the county list, the 17 targets of the return's 汇总 sheet, the sign-in sheet's blank rows,
and the city office's level, targets, plan period and deadline.

Each setting is declared once, as Picard declares its options (picard/options.py): an `Option` with
its key, kind (which says how a value is checked and read), default, translatable title and where it
is stored. `validate()` checks a value through its option's kind; `read()` is the one typed read,
and the helpers below (counties, targets, level, plan, …) are that read for one setting or family.

Readers take a SQLAlchemy Session (inside a unit of work: sees its own changes) or a Database,
read with plain sqlite3 — so the window's start reads its settings without importing SQLAlchemy.
Both run the same statement through one function (db.database.read_rows).
"""
from __future__ import annotations

import datetime as _dt
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Union

from qoffice.db.database import Database, read_rows
from qoffice.domain.vocab import DEFAULT_COUNTIES
from qoffice.errors import UsageError
from qoffice.i18n import LANGUAGES, N_, _
from qoffice.services.changes import Changes

INDICATOR_COUNT = 17
TEXT_MAX = 200  # characters of a cover text (county, office, operator, phone)
SIGNIN_BLANK_ROWS_DEFAULT, SIGNIN_BLANK_ROWS_MAX = 5, 100

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Source = Union["Session", Database]

DATABASE, USER = "database", "user"  # where a setting is kept: the database (shared), or per user


@dataclass(frozen=True)
class Option:
    """One setting: `kind` is a key of KINDS (how a value is checked and read); `default` is the
    stored text used while the setting was never set; `title` is an English source string (N_)."""
    key: str
    kind: str
    title: str
    default: str | None = None
    # USER: a person's own (UI language, 填报人), kept on their PC when the database is a shared
    # server (shared-db.md); in a SQLite file of one office every setting is in the database.
    store: str = DATABASE
    # A cleared city/plan target means "no target", not the default (the policy's value is only a
    # starting point); other settings read as their default when empty.
    empty_is_none: bool = False

    def title_text(self) -> str:
        n = self.key.rsplit(".", 1)[-1]
        county = self.key[len("county.target."):].rpartition(".")[0] if self.key.startswith("county.target.") else ""
        return _(self.title).format(n=n, county=county)


# --- the declarations -----------------------------------------------------------------------------------
PLAIN_KEYS = ("county", "office", "operator", "phone", "language")
TARGET_KEYS = tuple(f"target.{i}" for i in range(1, INDICATOR_COUNT + 1))
SIGNIN_BLANK_ROWS = "signin.blank_rows"  # blank rows for walk-ins at the end of the 签到表
ALL_KEYS = PLAIN_KEYS + ("counties",) + TARGET_KEYS + (SIGNIN_BLANK_ROWS,)  # the county office's settings

LEVEL = "level"
LEVEL_COUNTY, LEVEL_CITY = "county", "city"
CITY_TARGET_KEYS = tuple(f"city.target.{i}" for i in range(1, INDICATOR_COUNT + 1))
CITY_TARGET_DEFAULTS = {1: "100", 2: "100", 3: "100", 4: "100", 8: "96", 10: "-0.05", 11: "10000"}
PLAN_START, PLAN_END = "plan.start", "plan.end"
PLAN_TARGET_KEYS = ("plan.target.5", "plan.target.6", "plan.target.7")
PLAN_DEFAULTS = {PLAN_START: "2013", PLAN_END: "2017", "plan.target.5": "100", "plan.target.6": "3",
                 "plan.target.7": "4"}
DEADLINE = "city.deadline"  # 报送截止日期 (催报)
CITY_KEYS = (LEVEL,) + CITY_TARGET_KEYS + (PLAN_START, PLAN_END) + PLAN_TARGET_KEYS + (DEADLINE,)
COUNTY_TARGET_PREFIX = "county.target."  # county.target.{区县}.{N}: a county's target, set at the city


def _declare() -> dict[str, Option]:
    options = [
        Option("county", "text", N_("County")),
        Option("office", "text", N_("Reporting office")),
        Option("operator", "text", N_("Filled in by"), store=USER),
        Option("phone", "text", N_("Contact phone")),
        Option("language", "language", N_("UI language"), store=USER),
        Option("counties", "counties", N_("County list")),
        *(Option(key, "target", N_("Target of indicator {n}")) for key in TARGET_KEYS),
        Option(SIGNIN_BLANK_ROWS, "count", N_("Blank rows at the end of the sign-in sheet"),
               str(SIGNIN_BLANK_ROWS_DEFAULT)),
        Option(LEVEL, "level", N_("Level"), LEVEL_COUNTY),
        *(Option(f"city.target.{i}", "target", N_("Target of indicator {n}"), CITY_TARGET_DEFAULTS.get(i),
                 empty_is_none=True) for i in range(1, INDICATOR_COUNT + 1)),
        Option(PLAN_START, "year", N_("Plan start year"), PLAN_DEFAULTS[PLAN_START]),
        Option(PLAN_END, "year", N_("Plan end year"), PLAN_DEFAULTS[PLAN_END]),
        *(Option(key, "target", N_("Target of indicator {n}"), PLAN_DEFAULTS[key], empty_is_none=True)
          for key in PLAN_TARGET_KEYS),
        Option(DEADLINE, "date", N_("Deadline")),
    ]
    return {o.key: o for o in options}


OPTIONS: dict[str, Option] = _declare()
PERSONAL_KEYS = tuple(k for k, o in OPTIONS.items() if o.store == USER)
# county.target.{区县}.{N}: one declaration for the whole family (the counties are the clerk's list)
COUNTY_TARGET = Option(COUNTY_TARGET_PREFIX + "{county}.{n}", "target", N_("Target of indicator {n} for {county}"))


def option(key: str) -> Option | None:
    """The declaration of `key` (a member of a family gets the family's, under its own key)."""
    found = OPTIONS.get(key)
    if found is not None:
        return found
    if key.startswith(COUNTY_TARGET_PREFIX):
        county, _sep, n = key[len(COUNTY_TARGET_PREFIX):].rpartition(".")
        if county and n.isascii() and n.isdigit() and 1 <= int(n) <= INDICATOR_COUNT:
            return Option(key, COUNTY_TARGET.kind, COUNTY_TARGET.title)
    return None


def title(key: str) -> str:
    """The setting's title in the current language (the key itself for an unknown one)."""
    opt = option(key)
    return key if opt is None else opt.title_text()


_ALL_SQL = "SELECT key, value FROM setting"
_ONE_SQL = _ALL_SQL + " WHERE key = ?"


def _stored(source: Source, key: str | None = None) -> dict[str, str | None]:
    """Stored settings (one key, or all of them) as {key: value}: one statement, read the one way
    (db.database.read_rows) from a Database or inside a Session."""
    if key is None:
        stored = dict(read_rows(source, _ALL_SQL))
    else:
        stored = dict(read_rows(source, _ONE_SQL, (key,)))
    return _with_personal(source, stored, key)


def _on_server(source: Source) -> bool:
    if isinstance(source, Database):
        return bool(getattr(source, "is_server", False))
    return source.get_bind().dialect.name != "sqlite"


def _with_personal(source: Source, stored: dict[str, str | None], key: str | None) -> dict[str, str | None]:
    """The person's own settings (store=USER) from this PC (services/personal.py) over the database's:
    a server's value of one is never shown (the office shares it); a SQLite file's older value is read
    until the person sets their own (an operator stored by an earlier version)."""
    keys = PERSONAL_KEYS if key is None else tuple(k for k in PERSONAL_KEYS if k == key)
    if not keys:
        return stored
    from qoffice.services import personal

    mine = personal.load()
    server = _on_server(source)
    for k in keys:
        if k in mine:
            stored[k] = mine[k]
        elif server:
            stored.pop(k, None)
    return stored


def get(source: Source, key: str, default: str | None = None) -> str | None:
    value = _stored(source, key).get(key)
    return value if value not in (None, "") else default


def get_all(source: Source) -> dict[str, str | None]:
    stored = _stored(source)
    return {k: stored.get(k) for k in ALL_KEYS}


def shown(source: Source) -> dict[str, str | None]:
    """What `settings show` lists: the county office's settings (None while unset) and every other
    declared option that has a value or a default, then the county targets set at the city. A value
    is the stored text, or the default while never set; a cleared city/plan target shows None."""
    stored = _stored(source)
    out: dict[str, str | None] = {}
    for key, opt in OPTIONS.items():
        raw = stored.get(key)
        if raw not in (None, ""):
            out[key] = raw
        elif key in stored and opt.empty_is_none:
            out[key] = None
        elif opt.default is not None or key in ALL_KEYS:
            out[key] = opt.default
    family = sorted((k for k, v in stored.items() if k.startswith(COUNTY_TARGET_PREFIX) and v not in (None, "")
                     and option(k) is not None),
                    key=lambda k: (k.rpartition(".")[0], int(k.rpartition(".")[2])))
    out.update((k, stored[k]) for k in family)
    return out


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


_CONTROL_MESSAGE = N_("The setting {key} cannot hold control characters (a line break, Word's soft line "
                      "break and the like); type it again without them.")


def _normal_target(key: str, value: str) -> str:
    number = parse_target(f"target.{key.rsplit('.', 1)[1]}", value)
    return "0" if number == 0 else format(number.normalize(), "f")


def _normal_text(key: str, value: str) -> str:
    if len(value) > TEXT_MAX:
        raise UsageError(_("The setting {key} can be at most {n} characters long.").format(key=key, n=TEXT_MAX))
    return value


def _normal_language(key: str, value: str) -> str:
    if value not in LANGUAGES:
        raise UsageError(_("Unknown language “{value}”; use one of: {choices}.").format(
            value=value, choices=", ".join(LANGUAGES)))
    return value


def _normal_counties(key: str, value: str) -> str:
    try:
        items = json.loads(value)
    except ValueError:
        items = None
    if not isinstance(items, list) or not all(isinstance(i, (str, int)) for i in items):
        items = [v.strip() for v in value.replace("，", ",").replace("、", ",").split(",")]
    items = [str(i).strip() for i in items if str(i).strip()]
    if any(has_control(i) for i in items):  # a JSON escape may hide one from the check on the text
        raise UsageError(_(_CONTROL_MESSAGE).format(key=key))
    return json.dumps(items, ensure_ascii=False)


def _normal_count(key: str, value: str) -> str:
    if not (value.isascii() and value.isdigit()) or int(value) > SIGNIN_BLANK_ROWS_MAX:
        raise UsageError(_("The number of blank rows must be a whole number from 0 to {max}.").format(
            max=SIGNIN_BLANK_ROWS_MAX))
    return str(int(value))


def _normal_level(key: str, value: str) -> str:
    if value not in (LEVEL_COUNTY, LEVEL_CITY):
        raise UsageError(_("The level must be county or city, not “{value}”.").format(value=value))
    return value


def _normal_year(key: str, value: str) -> str:
    if not (value.isascii() and value.isdigit()) or not (1949 <= int(value) <= 2100):
        raise UsageError(_("A year must be a whole number from 1949 to 2100, not “{value}”.").format(value=value))
    return str(int(value))


def _normal_date(key: str, value: str) -> str:
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(_("A date must be written as YYYY-MM-DD, not “{value}”.").format(value=value)) from None


def _load_whole(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError(text)
    return int(text)


def _load_counties(text: str) -> list[str]:
    items = json.loads(text)
    if not isinstance(items, list):
        raise ValueError(text)
    return list(items)


@dataclass(frozen=True)
class Kind:
    """How the settings of one kind are checked (`normal`: stripped, non-empty text → the text to
    store, or UsageError) and read (`load`: stored text → typed value; ValueError/UsageError when
    today's rules refuse it, and the read falls back)."""
    normal: Callable[[str, str], str]
    load: Callable[[str, str], Any]
    invalid_is_none: bool = False  # a refused stored target reads as "no target", not the default


KINDS: dict[str, Kind] = {
    "text": Kind(_normal_text, lambda key, text: text),
    "language": Kind(_normal_language, lambda key, text: text),
    "counties": Kind(_normal_counties, lambda key, text: _load_counties(text)),
    "target": Kind(_normal_target, lambda key, text: parse_target(f"target.{key.rsplit('.', 1)[1]}", text.strip()),
                   invalid_is_none=True),
    "count": Kind(_normal_count, lambda key, text: _load_whole(text)),
    "level": Kind(_normal_level, _normal_level),
    "year": Kind(_normal_year, lambda key, text: int(text)),
    "date": Kind(_normal_date, lambda key, text: text),
}


def validate(key: str, value: str | None) -> str | None:
    """Normalised value (None: clear the setting), or UsageError with a translated reason."""
    opt = option(key)
    if opt is None:
        raise UsageError(_("Unknown setting “{key}”. Known: {keys}").format(
            key=key, keys=", ".join(PLAIN_KEYS + ("counties", "target.1 … target.17"))))
    value = None if value is None else str(value).strip()
    if value is None or value == "":  # None clears the setting, as "" does
        return None
    if has_control(value):
        raise UsageError(_(_CONTROL_MESSAGE).format(key=key))
    return KINDS[opt.kind].normal(key, value)


def read(source: Source, key: str, stored: dict[str, str | None] | None = None) -> Any:
    """The one typed read of a setting: its stored value as its kind reads it; the default while it
    was never set (or is empty, unless a cleared value means none) and when today's rules refuse
    the stored text (a target then reads as None). `stored`: the settings already read at once."""
    opt = option(key)
    if opt is None:
        raise KeyError(key)
    if stored is None:
        stored = _stored(source, key)
    kind = KINDS[opt.kind]
    default = None if opt.default is None else kind.load(key, opt.default)
    if key not in stored:
        return default
    raw = stored[key]
    if raw is None or not raw.strip():
        return None if opt.empty_is_none else default
    try:
        return kind.load(key, raw)
    except (ValueError, TypeError, UsageError):
        return None if kind.invalid_is_none else default


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
    opt = OPTIONS.get(key)
    if opt is not None and opt.store == USER:  # the person's: on this PC, never in the database
        from qoffice.services import personal

        personal.save(key, value)
        return value
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    return value


def save_values(db: Database, values: dict[str, str | None]) -> Changes:
    """Settings typed in a form (the settings area, the first-run dialog, the city's targets and
    deadline), in one transaction: each validated as set_value does, so a bad one changes nothing
    (UsageError names it). The GUI's operation: run_op publishes the Changes."""
    with db.session() as s:
        for key, value in values.items():
            set_value(s, key, value)
    return Changes.of("setting")


def counties(source: Source) -> list[str]:
    found = read(source, "counties")
    return list(DEFAULT_COUNTIES) if found is None else found


def targets(source: Source) -> dict[int, Decimal | None]:
    """The 17 targets; a stored value today's rules refuse (NaN, Infinity, 1e400…) is None."""
    stored = _stored(source)
    return {i: read(source, f"target.{i}", stored) for i in range(1, INDICATOR_COUNT + 1)}


def signin_blank_rows(source: Source) -> int:
    """Blank rows at the end of the meeting's sign-in sheet (5 unless set)."""
    return read(source, SIGNIN_BLANK_ROWS)


def first_run_needed(source: Source) -> bool:
    stored = _stored(source)
    return not (stored.get("county") and stored.get("office"))


# --- the city office (city.md): level, city and county targets, the plan period ----------------------
def county_target_key(county: str, number: int) -> str:
    return f"{COUNTY_TARGET_PREFIX}{county}.{number}"


def is_city_key(key: str) -> bool:
    return key in CITY_KEYS or (key.startswith(COUNTY_TARGET_PREFIX) and option(key) is not None)


def validate_city(key: str, value: str | None) -> str | None:
    """A city setting's normalised value (None clears it), or UsageError."""
    return validate(key, value)


def level(source: Source) -> str:
    return read(source, LEVEL)


def city_targets(source: Source) -> dict[int, Decimal | None]:
    """city.target.1 … 17 (the policy's defaults where never set; a cleared one stays empty)."""
    stored = _stored(source)
    return {i: read(source, f"city.target.{i}", stored) for i in range(1, INDICATOR_COUNT + 1)}


def county_targets(source: Source, county: str) -> dict[int, Decimal | None]:
    stored = _stored(source)
    return {i: read(source, county_target_key(county, i), stored) for i in range(1, INDICATOR_COUNT + 1)}


def plan(source: Source) -> tuple[int, int, dict[int, Decimal | None]]:
    """(plan.start, plan.end, {5: target, 6: …, 7: …}) with the policy's defaults."""
    stored = _stored(source)
    targets_ = {int(key.rsplit(".", 1)[1]): read(source, key, stored) for key in PLAN_TARGET_KEYS}
    return read(source, PLAN_START, stored), read(source, PLAN_END, stored), targets_
