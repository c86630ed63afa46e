"""The person's own settings on this PC (UI language, 填报人: options declared with store=USER in
services/settings.py), kept in a small JSON file in the per-user data folder (paths.data_home(),
beside the window layout's ui.ini), never in a shared database (shared-db.md).

A key present in the file is the person's value, even when cleared (null); a key absent lets a SQLite
file's older database value show through (the operator an earlier version stored there)."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from qoffice.paths import data_home

FILE_NAME = "personal.json"


def path() -> Path:
    return data_home() / FILE_NAME


def load() -> dict[str, str | None]:
    """{key: value} from this PC's file; a missing, unreadable or damaged file reads as empty."""
    try:
        data = json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): (v if isinstance(v, str) else None) for k, v in data.items()}


def save(key: str, value: str | None) -> None:
    """Keep `key` = `value` (None: cleared) in this PC's file: written beside and moved into place."""
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = load()
    data[key] = value
    fd, tmp = tempfile.mkstemp(prefix=".personal-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
