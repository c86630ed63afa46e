"""Sign-ups for the matchmaking meeting, keyed by credit code and the meeting's year."""
from __future__ import annotations

from qoffice.domain import signups as signup_rules
from qoffice.excel.parse import Issue, ParsedRow
from qoffice.i18n import _
from qoffice.services import meeting_signups, meetings, partners
from qoffice.services.imports.base import Importer


class SignupsImporter(Importer):
    kind = "signups"
    field_columns = {"date": "对接会日期", "attendees": "参会人", "partner_id": "意向合作单位"}  # service problem keys that are not column keys

    @staticmethod
    def key(row: ParsedRow):
        return (row.values.get("uscc"), row.values["meeting_date"].year if row.values.get("meeting_date") else None)

    def apply_row(self, row: ParsedRow) -> None:  # file order: capacity goes to the earlier rows
        v = row.values
        eid = self.enterprise_id(row, v["uscc"])
        names = list(v.get("names") or [])
        posts, phones = v.get("posts"), v.get("phones")
        for header, items in (("职务", posts), ("联系电话", phones)):
            if items is None:
                continue
            # A trailing separator ("经理、") is an empty slot, not an extra entry.
            while len(items) > len(names) and items[-1] is None:
                items.pop()
            while len(names) > len(items) and names[-1] is None:
                names.pop()
            if len(items) != len(names):
                row.add_error(Issue(row.row, header, _("{n} entries for {m} attendees; give them in the same "
                                                           "order as the names.").format(n=len(items), m=len(names))))
        if any(name is None for name in names) and not row.errors:
            idx = next(i for i, name in enumerate(names) if name is None)
            if (posts and posts[idx]) or (phones and phones[idx]):
                row.add_error(Issue(row.row, "参会人", _("Attendee {n} needs a name.").format(n=idx + 1)))
        if eid is None or row.errors:
            return
        people = [meeting_signups.AttendeeIn(name, posts[i] if posts else None, phones[i] if phones else None)
                  for i, name in enumerate(names) if name]
        date = v["meeting_date"]

        def work(eid=eid, v=v, people=people, date=date, row=row):
            meeting, _created = meetings.get_or_create_meeting(self.session, date.year, date,
                                                                v.get("meeting_title"), audit=self.audit)
            partner_id = None
            if v.get("partner"):
                match = partners.match_or_create(self.session, v["partner"], None, audit=self.audit)
                if match.warning:
                    row.add_warning(Issue(row.row, "意向合作单位", match.warning))
                partner_id = match.partner.id if match.partner else None
            old = meeting_signups.find_signup(self.session, meeting, eid)
            day = v.get("signed_up_on")  # 报名日期; empty: the day of the import
            result = meeting_signups.sign_up(self.session, meeting, eid, people, need=v.get("need"),
                                      partner_id=partner_id, status=v.get("status"), imported=True,
                                      today=day, signed_up_on=day, audit=self.audit)
            for w in result.warnings:
                row.add_warning(Issue(row.row, "状态", w))
            if day is not None or old is None:
                late = signup_rules.signup_date_warning(result.signup.signed_up_at.date(), meeting.date,
                                                        given=day is not None)
                if late:
                    row.add_warning(Issue(row.row, "报名日期", late))
            row.status = "update" if old is not None else "create"

        if not self.guarded(row, work):
            row.status = "error"
        elif row.status == "update" and not self.changed:
            row.status = "unchanged"
