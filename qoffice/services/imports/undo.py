"""撤销本次导入: an import batch undone while none of its records has changed since — created
records removed, updated ones restored from the audit's old values."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qoffice.db.models import (
    Attendee,
    AuditEntry,
    Award,
    Enterprise,
    Forum,
    ForumAttendance,
    ImportBatch,
    MatchmakingMeeting,
    Partner,
    Project,
    SignUp,
    YearFigures,
    utcnow,
)
from qoffice.domain.pinyin import initials
from qoffice.errors import KnownError
from qoffice.i18n import _
from qoffice.services import versions
from qoffice.services.audit import AuditWriter
from qoffice.services.meeting_signups import restore_attendees


class UndoRefused(KnownError):
    exit_code = 1


TABLES = {"enterprise": Enterprise, "year_figures": YearFigures, "project": Project, "award": Award,
          "forum": Forum, "partner": Partner, "signup": SignUp, "meeting": MatchmakingMeeting}


def _typed(model, field_name: str, text: str | None):
    if text is None:
        return None
    column = model.__table__.columns.get(field_name)
    if column is None:
        return text
    pytype = column.type.python_type
    if pytype is bool:
        return text == "是"
    if pytype is int:
        return int(text)
    if pytype is dt.datetime:
        return dt.datetime.fromisoformat(text)
    if pytype is dt.date:
        return dt.date.fromisoformat(text)
    return text


def undo_problem(session: Session, batch_id: int) -> str | None:
    """Why the batch cannot be undone (translated), or None when it can."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        return _("There is no such import.")
    if batch.undone_at is not None:
        return _("This import was already undone.")
    last_id = session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.batch_id == batch_id)) or 0
    touched = session.execute(select(AuditEntry.table_name, AuditEntry.record_id)
                              .where(AuditEntry.batch_id == batch_id).distinct()).all()
    created_enterprises = [rid for t, rid in session.execute(
        select(AuditEntry.table_name, AuditEntry.record_id).where(
            AuditEntry.batch_id == batch_id, AuditEntry.action == "create", AuditEntry.table_name == "enterprise"))]
    later = select(AuditEntry.id).where(AuditEntry.id > last_id)
    for table, rid in touched:
        hit = session.scalar(later.where(AuditEntry.table_name == table, AuditEntry.record_id == rid).limit(1))
        if hit is not None:
            return _("Records of this import have been changed since; it can no longer be undone.")
    for chunk in range(0, len(created_enterprises), 500):
        ids = created_enterprises[chunk:chunk + 500]
        if session.scalar(later.where(AuditEntry.enterprise_id.in_(ids)).limit(1)) is not None:
            return _("Records of this import have been changed since; it can no longer be undone.")
    return None


def undo_batch(session: Session, batch_id: int) -> dict[str, int]:
    """撤销本次导入: created records removed, updated ones restored from the audit's old values."""
    problem = undo_problem(session, batch_id)
    if problem:
        raise UndoRefused(problem)
    entries = list(session.scalars(select(AuditEntry).where(AuditEntry.batch_id == batch_id)
                                   .order_by(AuditEntry.id.desc())))
    audit = AuditWriter(session, batch_id)
    created: dict[str, set[int]] = {}
    restored = 0
    for e in entries:
        model = TABLES.get(e.table_name)
        if model is None or e.record_id is None:
            continue
        if e.action == "create":
            created.setdefault(e.table_name, set()).add(e.record_id)
            continue
        if e.record_id in created.get(e.table_name, set()):
            continue
        record = session.get(model, e.record_id)
        if record is None:
            continue
        if e.action == "restore":
            record.deleted_at = _typed(model, "deleted_at", e.old)
            restored += 1
        elif e.field == "attendance" and e.table_name == "forum":
            versions.touch(record)  # the attendance is part of the forum a form edits
            eid = int(e.new or e.old)
            if e.new is not None:
                session.execute(delete(ForumAttendance).where(ForumAttendance.forum_id == e.record_id,
                                                              ForumAttendance.enterprise_id == eid))
            else:
                session.add(ForumAttendance(forum_id=e.record_id, enterprise_id=eid))
        elif e.field == "attendees" and e.table_name == "signup":
            restore_attendees(session, record, e.old)
        elif e.field and e.field in model.__table__.columns:  # columns only, never relationships
            setattr(record, e.field, _typed(model, e.field, e.old))
            if e.table_name == "enterprise" and e.field == "name":
                record.name_initials = initials(record.name)
        audit.add(e.table_name, e.record_id, "undo", enterprise_id=e.enterprise_id, field=e.field,
                  old=e.new, new=e.old)
    session.flush()
    counts = {}
    # Children before parents: a created sign-up's attendees, a created enterprise's records.
    for table in ("signup", "project", "award", "year_figures", "forum", "meeting", "enterprise", "partner"):
        ids = created.get(table)
        if not ids:
            continue
        model = TABLES[table]
        id_list = sorted(ids)
        for chunk in range(0, len(id_list), 500):
            part = id_list[chunk:chunk + 500]
            if table == "signup":
                session.execute(delete(Attendee).where(Attendee.signup_id.in_(part)))
            if table == "forum":
                session.execute(delete(ForumAttendance).where(ForumAttendance.forum_id.in_(part)))
            session.execute(delete(model).where(model.id.in_(part)))
        counts[table] = len(ids)
        audit.add(table, None, "undo", field="created", old=str(len(ids)))
    batch = session.get(ImportBatch, batch_id)
    batch.undone_at = utcnow()
    audit.flush()
    session.flush()
    counts["restored"] = restored
    return counts

