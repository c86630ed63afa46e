"""Quality forums, keyed by title and date, with the attending enterprises."""
from __future__ import annotations

from sqlalchemy import select

from qoffice.db.models import Forum
from qoffice.domain import forums as forum_rules
from qoffice.domain import uscc as uscc_rules
from qoffice.domain.vocab import FORUM_CANCELLED
from qoffice.excel.parse import Issue, ParsedRow
from qoffice.services import forums
from qoffice.services.imports.base import Importer


class ForumsImporter(Importer):
    kind = "forums"
    field_columns = {"people_count": "参加人数", "cancel_reason": "取消原因"}  # service problem keys that are not column keys

    @staticmethod
    def key(row: ParsedRow):
        return (row.values.get("title"), row.values.get("date"))

    def apply_row(self, row: ParsedRow) -> None:
        v = row.values
        ids = []
        for code in v.get("attendees") or []:
            if code is None:
                continue
            eid = self.enterprise_id(row, uscc_rules.normalize(code))
            if eid is not None:
                ids.append(eid)
        if row.errors:
            for issue in row.errors:
                issue.column = "参加企业"
            return
        old = self.session.scalar(select(Forum).where(Forum.title == v["title"], Forum.date == v["date"]))
        data = {k: v[src] for src, k in (("title", "title"), ("date", "date"), ("venue", "venue"),
                                        ("organiser", "organiser"), ("topic", "topic"), ("speakers", "speakers"),
                                        ("status", "status"), ("people", "people_count")) if src in v}
        if v.get("cancel_reason"):
            data["cancel_reason"] = v["cancel_reason"]

        def work(old=old, data=data, ids=ids, row=row, v=v):
            # 已取消 without 取消原因: imported all the same, with a warning (not a row error).
            if old is None:
                forum, warnings = forums.create_forum(self.session, data, audit=self.audit, require_reason=False)
            else:
                forum, warnings = old, forums.update_forum(self.session, old, data, audit=self.audit,
                                                           require_reason=False)
            for w in warnings:
                row.add_warning(Issue(row.row, None, w))
            if forum.status == FORUM_CANCELLED and not forum.cancel_reason:
                row.add_warning(Issue(row.row, "取消原因", forum_rules.missing_reason_warning()))
            if "attendees" in v:
                forums.set_attendance(self.session, forum, ids, audit=self.audit)

        if self.guarded(row, work):
            row.status = self.outcome(old)
