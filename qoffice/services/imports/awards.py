"""Awards of an enterprise, keyed by credit code, award and year; one on file is unchanged."""
from __future__ import annotations

from sqlalchemy import select

from qoffice.db.models import Award
from qoffice.excel.parse import ParsedRow
from qoffice.services import awards
from qoffice.services.imports.base import Importer, check_code


class AwardsImporter(Importer):
    kind = "awards"
    check_row = staticmethod(check_code)
    field_columns = {"enterprise_id": "统一社会信用代码"}  # service problem keys that are not column keys

    @staticmethod
    def key(row: ParsedRow):
        return (row.values.get("uscc"), row.values.get("award"), row.values.get("year"))

    def apply_row(self, row: ParsedRow) -> None:
        v = row.values
        eid = self.enterprise_id(row, v["uscc"])
        if eid is None:
            return
        old = self.session.scalar(select(Award).where(Award.enterprise_id == eid, Award.award == v["award"],
                                                      Award.year == v["year"]))
        if old is not None:
            row.status = "unchanged"  # already on file: an award has nothing else to update
            return
        if self.guarded(row, lambda eid=eid, v=v: awards.create_award(self.session, eid, v["award"], v["year"],
                                                                      audit=self.audit)):
            row.status = "create"
