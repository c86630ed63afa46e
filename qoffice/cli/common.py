"""Helpers shared by the commands: resolve --db, open it in the right mode, print JSON."""
from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")  # two letters at least: C://… is a Windows drive
MIN_YEAR, MAX_YEAR = 1949, 2100  # services.returns.MIN_YEAR/MAX_YEAR (not imported: --help stays light)


def db_path(args) -> Path | str:
    """The database of the command: --db, else qoffice.db in the data folder. A PostgreSQL address
    (postgresql://, postgres://, postgresql+psycopg://) is returned as it was given (a str); any other
    `scheme://` value is refused: it would only make a folder tree."""
    value = getattr(args, "db", None)
    if value:
        if _URL.match(value.strip()):
            from qoffice.db.pg import check_url, take_password

            return take_password(check_url(value), note=_note_once)
        return Path(value)
    from qoffice.paths import default_db_path

    return default_db_path()


_noted: set[str] = set()


def _note_once(text: str) -> None:
    if text not in _noted:
        _noted.add(text)
        print(f"qoffice: {text}", file=sys.stderr)


def year_arg(text: str) -> int:
    """argparse type of --year: a four-digit year from MIN_YEAR to MAX_YEAR, else a usage error."""
    import argparse

    from qoffice.i18n import _

    value = text.strip().removesuffix("年")
    if not re.fullmatch(r"[0-9]{4}", value) or not (MIN_YEAR <= int(value) <= MAX_YEAR):
        raise argparse.ArgumentTypeError(_("the year must be a four-digit year from {lo} to {hi}, not “{text}”")
                                         .format(lo=MIN_YEAR, hi=MAX_YEAR, text=text))
    return int(value)


def open_db(args, mode: str):
    """Open per the command's row of the spec's table; writers wait briefly for another CLI writer."""
    from qoffice.db.database import open_database
    from qoffice.services.settings import get

    db = open_database(db_path(args), mode, program="qoffice-cli", lock_wait=30.0)
    try:
        import os

        from qoffice.i18n import set_language

        if not os.environ.get("QOFFICE_LANG"):
            with db.read_session() as s:
                lang = get(s, "language")
            if lang:
                set_language(lang)
    except Exception:
        db.close()
        raise
    return db


@contextmanager
def db_session(args, mode: str = "read"):
    """`with db_session(args) as s:` — open the database for one command's unit of work, give its
    session (a read session for mode "read", a write session otherwise), close the database after."""
    db = open_db(args, mode)
    try:
        with (db.read_session() if mode == "read" else db.session()) as s:
            yield s
    finally:
        db.close()


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
