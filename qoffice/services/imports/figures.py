"""A year's figures of an enterprise (质量损失率, 抽查批次, 成果效益), keyed by credit code and year."""
from __future__ import annotations

from sqlalchemy import select

from qoffice.db.models import YearFigures
from qoffice.domain import enterprise as rules
from qoffice.domain.money import scaled_to_rate
from qoffice.excel.parse import Issue, ParsedRow
from qoffice.services import enterprises as svc
from qoffice.services.imports.base import Importer, check_code


class FiguresImporter(Importer):
    kind = "figures"
    check_row = staticmethod(check_code)
    field_columns = {}  # service problem keys that are not column keys

    @staticmethod
    def key(row: ParsedRow):
        return (row.values.get("uscc"), row.values.get("year"))

    def apply_row(self, row: ParsedRow) -> None:
        v = row.values
        eid = self.enterprise_id(row, v["uscc"])
        if eid is None:
            return
        old = self.session.scalar(select(YearFigures).where(YearFigures.enterprise_id == eid,
                                                           YearFigures.year == v["year"]))
        scaled = v.get("loss_rate", old.loss_rate_e4 if old else None)
        checked = v.get("checked", old.checked if old else None)
        passed = v.get("passed", old.passed if old else None)
        benefit = v.get("benefit", old.benefit_yuan if old else None)
        rate = scaled_to_rate(scaled)
        problem = rules.figures_problem(None, None, rate)
        if problem:
            row.add_error(Issue(row.row, "质量损失率(%)", problem))
        problem = rules.figures_problem(checked, passed)
        if problem:
            row.add_error(Issue(row.row, "抽查合格批次" if "passed" in v or checked is not None else "抽查批次",
                                    problem))
        if row.errors:
            return

        def work(eid=eid, v=v, rate=rate, checked=checked, passed=passed, benefit=benefit):
            svc.set_figures(self.session, eid, v["year"], loss_rate=rate, checked=checked, passed=passed,
                            benefit_yuan=benefit, audit=self.audit)

        if self.guarded(row, work):
            row.status = self.outcome(old)
