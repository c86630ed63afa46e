"""Settings kept in the database (so GUI and CLI agree): county, office, operator, phone,
UI language, the county list and the 17 targets of the return's 汇总 sheet.

Readers take a SQLAlchemy Session (inside a unit of work: sees its own changes) or a Database,
read with plain sqlite3 — so the window's start reads its settings without importing SQLAlchemy.
"""
from __future__ import annotations

import json
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


def validate(key: str, value: str | None) -> str | None:
    """Normalised value, or UsageError with a translated reason."""
    if key not in ALL_KEYS:
        raise UsageError(_("Unknown setting “{key}”. Known: {keys}").format(
            key=key, keys=", ".join(PLAIN_KEYS + ("counties", "target.1 … target.17"))))
    value = None if value is None else str(value).strip()
    if value == "":
        return None
    if key == "language" and value not in LANGUAGES:
        raise UsageError(_("Unknown language “{value}”; use one of: {choices}.").format(
            value=value, choices=", ".join(LANGUAGES)))
    if key.startswith("target."):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise UsageError(_("A target must be a number, not “{value}”.").format(value=value)) from None
        if number < 0:
            raise UsageError(_("A target cannot be negative."))
        return format(number.normalize(), "f")
    if key == SIGNIN_BLANK_ROWS:
        if not (value.isascii() and value.isdigit()) or int(value) > SIGNIN_BLANK_ROWS_MAX:
            raise UsageError(_("The number of blank rows must be a whole number from 0 to {max}.").format(
                max=SIGNIN_BLANK_ROWS_MAX))
        return str(int(value))
    if key == "counties":
        try:
            items = json.loads(value)
        except ValueError:
            items = [v.strip() for v in value.replace("，", ",").replace("、", ",").split(",")]
        return json.dumps([i for i in items if i], ensure_ascii=False)
    return value


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
    values = get_all(source)
    return {i: (Decimal(values[f"target.{i}"]) if values[f"target.{i}"] else None)
            for i in range(1, INDICATOR_COUNT + 1)}


def signin_blank_rows(source: Source) -> int:
    """Blank rows at the end of the meeting's sign-in sheet (5 unless set)."""
    value = get(source, SIGNIN_BLANK_ROWS)
    return int(value) if value and value.isascii() and value.isdigit() else SIGNIN_BLANK_ROWS_DEFAULT


def first_run_needed(source: Source) -> bool:
    stored = _stored(source)
    return not (stored.get("county") and stored.get("office"))
