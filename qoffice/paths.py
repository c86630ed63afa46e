"""Where qoffice keeps user data and finds its bundled resources."""
from __future__ import annotations

import os
import sys
from pathlib import Path

DB_FILENAME = "qoffice.db"


def data_home() -> Path:
    """The data folder: $QOFFICE_HOME, else the platform's per-user data folder."""
    env = os.environ.get("QOFFICE_HOME")
    if env:
        return Path(env)
    import platformdirs  # lazily: keeps `qoffice --help` light

    return Path(platformdirs.user_data_dir("qoffice", appauthor=False))


def default_db_path() -> Path:
    return data_home() / DB_FILENAME


def logs_dir() -> Path:
    return data_home() / "logs"


def backups_dir_for(db_path: Path) -> Path:
    """Backups live in `backups/` beside the database they copy."""
    return Path(db_path).resolve().parent / "backups"


def resources_dir() -> Path:
    """`resources/` of a source checkout, or the copy bundled into a frozen build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def locale_dir() -> Path:
    return resources_dir() / "locale"
