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


def _loaded_from_disk() -> bool:
    """qoffice's modules are files on disk (any ordinary install, the checkout): its package folder
    is this file's folder, which is what importlib.resources would answer for it."""
    return Path(__file__).is_file()


def _packaged_resources() -> Path | None:
    """`qoffice/resources/` of an installed wheel (setup.py puts it there). Looked up beside this file;
    importlib.resources is asked only when qoffice was not loaded from files on disk (another
    loader): for files it gives the same folder, and importing it is a measurable part of the
    window's start."""
    beside = Path(__file__).resolve().parent / "resources"
    if beside.is_dir():
        return beside
    if _loaded_from_disk():
        return None
    from importlib.resources import files

    try:
        folder = files("qoffice") / "resources"
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - qoffice is always importable here
        return None
    # A package imported from a zip would give a zipfile.Path: not a folder the app can open.
    if isinstance(folder, Path) and folder.is_dir():
        return folder
    return None


def resources_dir() -> Path:
    """The bundled resources (pinyin table, catalogs, icons, licences), wherever qoffice runs from:
    the copy a frozen build unpacks under sys._MEIPASS; `qoffice/resources/` of an installed wheel;
    else the top-level `resources/` of the source checkout (editable install, `python -m qoffice`)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    packaged = _packaged_resources()
    if packaged is not None:
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def locale_dir() -> Path:
    return resources_dir() / "locale"
