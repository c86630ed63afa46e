"""Schema upgrades with Alembic, done on a copy that replaces the original only when complete.

A migration that fails or is killed therefore leaves the original file exactly as it was.
"""
from __future__ import annotations

import os
from pathlib import Path

from qoffice.db import sqlite as sq
from qoffice.errors import DatabaseError
from qoffice.i18n import _

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(db_path: Path | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if db_path is not None:
        cfg.set_main_option("sqlalchemy.url", f"sqlite:///{Path(db_path).as_posix()}")
    return cfg


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def run_upgrade_in_place(db_path: Path, target: str = "head") -> None:
    """Run Alembic directly on `db_path` (used on the temporary copy, and by fixture builders)."""
    from alembic import command

    command.upgrade(alembic_config(db_path), target)


def upgrade(db_path: Path) -> None:
    db_path = Path(db_path)
    work = db_path.with_name(db_path.name + ".migrating")
    work.unlink(missing_ok=True)
    try:
        sq.backup_file(db_path, work)
        run_upgrade_in_place(work)
        ok, problems = sq.integrity_ok(work)
        if not ok:
            raise DatabaseError(_("The upgraded database failed its integrity check: {detail}").format(detail=problems[0]))
        with open(work, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(work, db_path)
    except DatabaseError:
        work.unlink(missing_ok=True)
        raise
    except Exception as exc:
        work.unlink(missing_ok=True)
        raise DatabaseError(_("Upgrading the database failed; the file was left unchanged ({reason}).").format(
            reason=exc)) from exc
