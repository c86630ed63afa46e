"""导入记录: every import kept with its counts, and undo of any batch whose records were not
changed since (the rule of services.imports.undo_problem, the same as the wizard's last page).

`history(session)` lists the batches newest first; `undo(db, batch_id)` undoes one in its own unit
of work; `backup_labels(session)` names the import behind each 导入前 backup (file and kind), for
the backup list.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PureWindowsPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from qoffice.db.models import ImportBatch
from qoffice.excel.kinds import KINDS
from qoffice.i18n import _
from qoffice.services import imports

HISTORY_LIMIT = 2000  # far more imports than an office makes in years; the list stays light


@dataclass(frozen=True)
class BatchRow:
    batch_id: int
    at: dt.datetime
    kind: str
    kind_label: str  # 企业, 年度数据 …
    source: str | None  # the file as it was given (full path)
    file_name: str  # its name alone
    created: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int
    operator: str | None
    backup: str | None  # the file name of the backup made before it
    undone_at: dt.datetime | None


def file_name(source: str | None) -> str:
    """The name of the imported file, whether its path was written on Windows or elsewhere."""
    if not source:
        return ""
    return PureWindowsPath(source).name or source


def kind_label(kind: str) -> str:
    found = KINDS.get(kind)
    return found.title if found is not None else kind


def history(session: Session, limit: int = HISTORY_LIMIT) -> list[BatchRow]:
    """Every import, newest first (dry runs are never stored)."""
    batches = session.scalars(select(ImportBatch).order_by(ImportBatch.at.desc(), ImportBatch.id.desc())
                              .limit(limit))
    return [BatchRow(b.id, b.at, b.kind, kind_label(b.kind), b.source, file_name(b.source), b.created or 0,
                     b.updated or 0, b.unchanged or 0, b.skipped or 0, b.rejected or 0, b.operator, b.backup,
                     b.undone_at) for b in batches]


def undo_problem(session: Session, batch_id: int) -> str | None:
    """Why the batch cannot be undone now (one translated line), or None."""
    batch = session.get(ImportBatch, batch_id)
    if batch is not None and batch.undone_at is None and not (batch.created or batch.updated):
        return _("This import neither added nor changed a record; there is nothing to undo.")
    return imports.undo_problem(session, batch_id)


def undo(db, batch_id: int) -> dict[str, int]:
    """Undo the batch in one unit of work; imports.UndoRefused (with the reason) when it cannot be."""
    def unit(session: Session) -> dict[str, int]:
        problem = undo_problem(session, batch_id)
        if problem:
            raise imports.UndoRefused(problem)
        return imports.undo_batch(session, batch_id)

    run_unit = getattr(db, "run_unit", None)
    if run_unit is not None:
        return run_unit(unit)
    with db.session() as session:
        return unit(session)


def backup_label(kind: str, source: str | None) -> str:
    return _("Before import: {kind}, {file}").format(kind=kind_label(kind), file=file_name(source))


def backup_labels(session: Session) -> dict[str, str]:
    """Backup file name -> 导入前：企业，名录.xlsx, for the backups made before an import."""
    rows = session.execute(select(ImportBatch.backup, ImportBatch.kind, ImportBatch.source)
                           .where(ImportBatch.backup.is_not(None)))
    return {name: backup_label(kind, source) for name, kind, source in rows}
