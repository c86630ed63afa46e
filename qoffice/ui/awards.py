"""The 获奖情况 area: the year's quality awards of enterprises in the file, filterable by award and
county, searchable by enterprise; add and remove."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget
from sqlalchemy import select

from qoffice.db.models import Award, Enterprise
from qoffice.domain import vocab
from qoffice.i18n import N_, _
from qoffice.services import awards as award_service
from qoffice.services import settings as settings_service
from qoffice.ui import messages
from qoffice.ui.activity_widgets import FormDialog
from qoffice.ui.enterprise_picker import EnterprisePicker
from qoffice.ui.enterprise_search import ENTERPRISE_SEARCH_HINT, enterprise_search
from qoffice.ui.listmodel import Column, Filter, ListDefinition, ListSql, credit_code_column, vocab_order
from qoffice.ui.operations import run_op
from qoffice.ui.record_area import RecordArea
from qoffice.ui.worker import Job

_SELECT = (select(Award.id, Award.award, Award.year, Enterprise.name.label("enterprise"), Enterprise.uscc,
                  Enterprise.county)
           .join(Enterprise, Enterprise.id == Award.enterprise_id))

AWARDS = ListDefinition(
    name="awards",
    fields=tuple(_SELECT.selected_columns.keys()),
    sql=lambda: ListSql(
        select=_SELECT,
        sorts={"award": vocab_order(Award.award, vocab.AWARDS), "enterprise": Enterprise.name_pinyin},
        search=enterprise_search(),
        where=[Enterprise.deleted_at.is_(None)]),
    columns=[
        Column("award", N_("Award"), sortable=True, width=160),
        Column("enterprise", N_("Enterprise"), sortable=True, width=280),
        credit_code_column(),
        Column("county", N_("County"), sortable=True, width=110),
        Column("year", N_("Year"), sortable=True, width=60),
    ],
    search_hint=ENTERPRISE_SEARCH_HINT,
    filters=[Filter("award", N_("Award"), choices=vocab.AWARDS, all_title=N_("All awards")),
             Filter("county", N_("County"), choices=settings_service.counties, all_title=N_("All counties"))],
    default_sort=("award", "asc"),
)


class AwardsArea(RecordArea):
    definition = AWARDS
    kind = "awards"
    export_title = N_("Awards")
    watches = ("award", "enterprise")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent, on_new=self.new, on_delete=self.delete,
                         empty_text=_("No awards recorded for this year. Click “New” to add one, or import "
                                      "the award list."))
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        self.refresh()

    def year_scope(self) -> list:
        return [Award.year == self.ctx.year]

    def refresh(self) -> None:
        self.title.setText(_("Awards of {year}").format(year=self.ctx.year))
        super().refresh()

    def new(self) -> FormDialog:
        dlg = FormDialog(_("New award"), self._save, self)
        dlg.enterprise_id = None
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        dlg.enterprise_label = QLabel(_("(none chosen)"))
        choose = QPushButton(_("Choose…"))
        h.addWidget(dlg.enterprise_label, 1)
        h.addWidget(choose)
        dlg.award = QComboBox()
        dlg.award.addItems(list(vocab.AWARDS))
        dlg.year = QSpinBox()
        dlg.year.setRange(award_service.MIN_YEAR, award_service.MAX_YEAR)
        dlg.year.setValue(self.ctx.year)
        dlg.add_row(_("Enterprise"), row, mandatory=True)
        dlg.add_row(_("Award"), dlg.award, mandatory=True)
        dlg.add_row(_("Year"), dlg.year, mandatory=True)

        def set_enterprise(eid: int) -> None:
            with self.ctx.db.read_session() as s:
                dlg.enterprise_label.setText(s.get(Enterprise, eid).name)
            dlg.enterprise_id = eid
            dlg.validate()

        def choose_enterprise() -> EnterprisePicker:
            picker = EnterprisePicker(self.ctx.db, multi=False, parent=dlg)
            picker.accepted.connect(lambda: picker.selected_ids() and set_enterprise(picker.selected_ids()[0]))
            dlg.picker = picker
            picker.open()
            return picker

        choose.clicked.connect(choose_enterprise)
        dlg.set_enterprise = set_enterprise
        dlg.check = lambda: "" if dlg.enterprise_id is not None else _("Fill in: {fields}").format(
            fields=_("Enterprise"))
        dlg.validate()
        dlg.resize(520, 220)
        self.dialog = dlg
        dlg.open()
        return dlg

    def _save(self, dlg) -> Job:
        db, values = self.ctx.db, (dlg.enterprise_id, dlg.award.currentText(), dlg.year.value())
        return run_op(dlg, self.ctx, lambda: award_service.add_award(db, *values),
                      on_done=lambda changes: self.list.select_id(changes.ids[0]),
                      on_error=lambda exc: messages.known_error(dlg, exc))

    def delete(self, ids) -> Job:
        db = self.ctx.db
        return run_op(self, self.ctx, lambda: award_service.delete_awards(db, ids))
