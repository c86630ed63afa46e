"""The audit log: who changed which field of which record, old → new, and in which import batch."""
from __future__ import annotations

import datetime as dt
import getpass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qoffice.db.models import AuditEntry
from qoffice.services import settings as settings_service


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "?"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


class AuditWriter:
    """Collects audit rows for one unit of work; resolves the operator name once."""

    def __init__(self, session: Session, batch_id: int | None = None):
        self.session = session
        self.batch_id = batch_id
        self.os_user = _os_user()
        self.operator = settings_service.get(session, "operator")
        self.rows: list[dict] = []

    def add(self, table: str, record_id: int | None, action: str, *, enterprise_id: int | None = None,
            field: str | None = None, old=None, new=None) -> None:
        self.rows.append(dict(at=dt.datetime.now(), os_user=self.os_user, operator=self.operator,
                              table_name=table, record_id=record_id, enterprise_id=enterprise_id,
                              action=action, field=field, old=_text(old), new=_text(new),
                              batch_id=self.batch_id))

    def changes(self, table: str, record_id: int, before: dict, after: dict, *,
                enterprise_id: int | None = None, action: str = "update") -> int:
        n = 0
        for key, new in after.items():
            old = before.get(key)
            if old != new:
                self.add(table, record_id, action, enterprise_id=enterprise_id, field=key, old=old, new=new)
                n += 1
        return n

    def flush(self) -> None:
        """One bulk insert for all rows (imports write thousands)."""
        if self.rows:
            self.session.execute(AuditEntry.__table__.insert(), self.rows)
            self.rows = []


def entries_for_enterprise(session: Session, enterprise_id: int, limit: int = 500) -> list[AuditEntry]:
    stmt = (select(AuditEntry).where(AuditEntry.enterprise_id == enterprise_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    return list(session.scalars(stmt))
