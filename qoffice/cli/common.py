"""Helpers shared by the commands: resolve --db, open it in the right mode, print JSON."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def db_path(args) -> Path:
    if getattr(args, "db", None):
        return Path(args.db)
    from qoffice.paths import default_db_path

    return default_db_path()


def open_db(args, mode: str):
    """Open per the command's row of the spec's table; writers wait briefly for another CLI writer."""
    from qoffice.db.database import open_database
    from qoffice.services.settings import get

    db = open_database(db_path(args), mode, program="qoffice-cli", lock_wait=30.0)
    try:
        from qoffice.i18n import set_language
        import os

        if not os.environ.get("QOFFICE_LANG"):
            with db.read_session() as s:
                lang = get(s, "language")
            if lang:
                set_language(lang)
    except Exception:
        db.close()
        raise
    return db


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
