"""The partner directory, keyed by the partner's match key (its name as the directory compares names)."""
from __future__ import annotations

from qoffice.errors import ValidationFailed
from qoffice.excel.parse import Issue, ParsedRow
from qoffice.i18n import _
from qoffice.services import partners
from qoffice.services.imports.base import Importer


class PartnersImporter(Importer):
    kind = "partners"
    field_columns = {}  # service problem keys that are not column keys

    @staticmethod
    def key(row: ParsedRow):
        return partners.match_key(row.values.get("name"))

    def apply_row(self, row: ParsedRow) -> None:
        v = row.values
        old = partners.find_by_name(self.session, v["name"])

        def work(old=old, v=v, row=row):
            extra = {k: v[k] for k in ("contact", "phone", "note") if k in v}
            if old is None:
                partners.create_partner(self.session, {"name": v["name"], "type": v.get("type")} | extra,
                                        audit=self.audit)
                if not v.get("type"):
                    row.add_warning(Issue(row.row, "类型", _("No type given: filed as 其他 (no subsidy).")))
                partners._forget_keys(self.session)
            else:
                if v.get("type") and v["type"] != old.type:
                    msg = _("Partner “{name}” is a {have} in the directory, not a {given}; change it in the "
                            "directory if the directory is wrong.").format(name=old.name, have=old.type,
                                                                            given=v["type"])
                    raise ValidationFailed(msg, {"type": msg})
                if extra:
                    partners.update_partner(self.session, old, extra, audit=self.audit)

        if self.guarded(row, work):
            row.status = self.outcome(old)
