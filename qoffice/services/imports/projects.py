"""Projects of an enterprise, keyed by credit code, year and title; a partner is matched or created."""
from __future__ import annotations

from sqlalchemy import select

from qoffice.db.models import Project
from qoffice.errors import ValidationFailed
from qoffice.excel.parse import Issue, ParsedRow
from qoffice.i18n import _
from qoffice.services import partners, projects
from qoffice.services.imports.base import Importer, check_code


class ProjectsImporter(Importer):
    kind = "projects"
    check_row = staticmethod(check_code)
    field_columns = {"investment_yuan": "投资额(万元)", "benefit_yuan": "成果效益(万元)", "partner_id": "合作单位", "partner": "合作单位", "partner_type": "合作单位类型", "enterprise_id": "统一社会信用代码"}  # service problem keys that are not column keys

    @staticmethod
    def key(row: ParsedRow):
        return (row.values.get("uscc"), row.values.get("year"), row.values.get("title"))

    def apply_row(self, row: ParsedRow) -> None:
        v = row.values
        eid = self.enterprise_id(row, v["uscc"])
        if eid is None:
            return
        old = self.session.scalar(select(Project).where(Project.enterprise_id == eid, Project.year == v["year"],
                                                        Project.title == v["title"]))

        def work(eid=eid, v=v, old=old, row=row):
            data = {"enterprise_id": eid, "type": v["type"], "title": v["title"], "year": v["year"]}
            for key, attr in (("investment", "investment_yuan"), ("benefit", "benefit_yuan"), ("stage", "stage")):
                if key in v:
                    data[attr] = v[key]
            if v.get("partner") or v.get("partner_type"):
                if not v.get("partner"):
                    raise ValidationFailed(_("A partner type needs the partner's name."),
                                           {"partner": _("A partner type needs the partner's name.")})
                match = partners.match_or_create(self.session, v["partner"], v.get("partner_type"),
                                                 audit=self.audit)
                if match.error:
                    raise ValidationFailed(match.error, {"partner_type": match.error})
                if match.warning:
                    row.add_warning(Issue(row.row, "合作单位", match.warning))
                data["partner_id"] = match.partner.id
            if old is None:
                projects.create_project(self.session, data, audit=self.audit)
            else:
                projects.update_project(self.session, old, data, audit=self.audit)

        if self.guarded(row, work):
            row.status = self.outcome(old)
