"""The 质量项目 area: the year's projects with the stage pipeline (培育 → 签约 → 推进 → 见效, counts
per stage), the subsidy computed from the rule with its reason, and each project's stage history.
Also the read-only 项目与获奖 panel of the enterprise editor."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from qoffice.db.models import Enterprise, Partner, Project
from qoffice.domain import subsidy as subsidy_rules
from qoffice.domain import vocab
from qoffice.errors import KnownError, StaleRecord
from qoffice.i18n import N_, _
from qoffice.services import awards as award_service
from qoffice.services import partners as partner_service
from qoffice.services import projects as project_service
from qoffice.ui import messages
from qoffice.ui.activity_widgets import WARNING_STYLE, FormDialog, WanEdit, wan_text
from qoffice.ui.enterprise_picker import EnterprisePicker
from qoffice.ui.enterprise_search import enterprise_search
from qoffice.ui.listarea import ListAction
from qoffice.ui.listmodel import Column, Filter, ListDefinition, ListSql, SearchField, vocab_order
from qoffice.ui.operations import run_op
from qoffice.ui.record_area import RecordArea
from qoffice.ui.worker import Job

_SELECT = (select(Project.id, Project.stage, Project.type, Project.title, Project.year,
                  Enterprise.name.label("enterprise"), Enterprise.uscc, Partner.name.label("partner"),
                  Partner.type.label("partner_type"), Project.investment_yuan, Project.benefit_yuan,
                  Project.investment_yuan.label("subsidy"))  # shown as the subsidy computed from it
           .join(Enterprise, Enterprise.id == Project.enterprise_id)
           .outerjoin(Partner, Partner.id == Project.partner_id))
_KEYS = list(_SELECT.selected_columns.keys())
_INVEST, _PTYPE = _KEYS.index("investment_yuan"), _KEYS.index("partner_type")
_RIGHT = Qt.AlignRight


def subsidy_text(investment_yuan, partner_type) -> str:
    """资助金额 in 万元, or 0 with the reason it does not qualify."""
    decision = subsidy_rules.decide(investment_yuan, partner_type)
    if decision.qualifies:
        return wan_text(decision.amount_yuan)
    return _("0 ({reason})").format(reason=decision.reason)


def _stage_text(value, _row) -> str:
    """① 培育 … ④ 见效: the pipeline position in the list, not only the word."""
    if value in vocab.STAGES:
        return f"{'①②③④'[vocab.STAGES.index(value)]} {value}"
    return value or ""


def _partner_text(value, row) -> str:
    return f"{value}（{row[_PTYPE]}）" if value else ""


PROJECTS = ListDefinition(
    name="projects",
    fields=tuple(_KEYS),
    sql=lambda: ListSql(
        select=_SELECT,
        sorts={"stage": vocab_order(Project.stage, vocab.STAGES), "type": vocab_order(Project.type, vocab.PROJECT_TYPES),
               "enterprise": Enterprise.name_pinyin, "partner": Partner.name_pinyin},  # names: pinyin order
        search=[SearchField(Project.title), *enterprise_search(), SearchField(Partner.name)],
        where=[Enterprise.deleted_at.is_(None)]),
    columns=[
        Column("stage", N_("Stage"), sortable=True, format=_stage_text, width=80),
        Column("type", N_("Type"), sortable=True, width=90),
        Column("title", N_("Project"), sortable=True, width=190),
        Column("year", N_("Year"), sortable=True, width=55),
        Column("enterprise", N_("Enterprise"), sortable=True, width=180),
        Column("partner", N_("Partner (type)"), sortable=True, format=_partner_text, width=170),
        Column("investment_yuan", N_("Investment (10k yuan)"), sortable=True,
               format=lambda v, _r: wan_text(v), width=105, align=_RIGHT),
        Column("subsidy", N_("Subsidy (10k yuan)"), format=lambda _v, r: subsidy_text(r[_INVEST], r[_PTYPE]),
               width=170),
        Column("benefit_yuan", N_("Benefit (10k yuan)"), sortable=True,
               format=lambda v, _r: wan_text(v), width=90, align=_RIGHT),
    ],
    search_hint=N_("Project / enterprise / credit code / partner"),
    filters=[Filter("stage", N_("Stage"), choices=vocab.STAGES, all_title=N_("All stages")),
             Filter("type", N_("Type"), choices=vocab.PROJECT_TYPES, all_title=N_("All types"))],
    default_sort=("stage", "asc"),
)


class ProjectsArea(RecordArea):
    definition = PROJECTS
    kind = "projects"
    export_title = N_("Quality projects")
    watches = ("project", "partner", "enterprise")

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx, parent, on_new=self.new, on_edit=self.edit, on_delete=self.delete,
            actions=[ListAction(_("Next stage"), self.next_stage)],
            empty_text=_("No quality projects in this year. Click “New”, import them, or turn a matchmaking "
                         "sign-up into a project."))
        layout = QVBoxLayout(self)
        # The pipeline: one button per stage with its count; clicking one filters the list.
        pipe = QHBoxLayout()
        self.pipeline_title = QLabel()
        font = self.pipeline_title.font()
        font.setBold(True)
        self.pipeline_title.setFont(font)
        pipe.addWidget(self.pipeline_title)
        self.stage_buttons: dict[str | None, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        for i, stage in enumerate((None,) + vocab.STAGES):
            if i > 1:
                arrow = QLabel("→")
                pipe.addWidget(arrow)
            button = QPushButton()
            button.setCheckable(True)
            button.setObjectName(f"stage_{i}")
            button.setMinimumWidth(96)
            button.clicked.connect(lambda _c=False, s=stage: self.show_stage(s))
            group.addButton(button)
            self.stage_buttons[stage] = button
            pipe.addWidget(button)
        self.stage_buttons[None].setChecked(True)
        pipe.addStretch(1)
        layout.addLayout(pipe)
        layout.addWidget(self.list, 1)
        self.list.filter_boxes["stage"].currentIndexChanged.connect(lambda _i: self._sync_buttons())
        self.refresh()

    def year_scope(self) -> list:
        return [Project.year == self.ctx.year]

    def refresh(self) -> None:
        year = self.ctx.year
        super().refresh()
        with self.ctx.db.read_session() as s:
            counts = project_service.stage_counts(s, year)
        self.pipeline_title.setText(_("Pipeline {year}:").format(year=year))
        self.stage_buttons[None].setText(_("All {n}").format(n=sum(counts.values())))
        for stage in vocab.STAGES:
            self.stage_buttons[stage].setText(f"{_stage_text(stage, ())}  {counts[stage]}")
        self.counts = counts

    def show_stage(self, stage: str | None) -> None:
        self.list.set_filter("stage", stage)

    def _sync_buttons(self) -> None:
        self.stage_buttons.get(self.list.model.filters().get("stage"), self.stage_buttons[None]).setChecked(True)

    # ---- edit ------------------------------------------------------------------------------
    def new(self) -> ProjectDialog:
        return self._open(None)

    def edit(self, project_id) -> ProjectDialog:
        return self._open(project_id)

    def _open(self, project_id) -> ProjectDialog:
        dlg = ProjectDialog(self, project_id)
        self.dialog = dlg
        dlg.open()
        return dlg

    def _save(self, dlg: ProjectDialog) -> Job:
        data, db, project_id, version = dlg.values(), self.ctx.db, dlg.project_id, dlg.version

        def failed(exc: KnownError) -> None:
            if isinstance(exc, StaleRecord):  # saved by someone else since the form was opened
                dlg.conflict(exc, data)
            else:
                messages.known_error(dlg, exc)

        return run_op(dlg, self.ctx, lambda: project_service.save_project(db, project_id, data,
                                                                          expected_version=version),
                      on_done=lambda changes: self.list.select_id(changes.ids[0]), on_error=failed)

    def delete(self, ids) -> Job:
        db = self.ctx.db
        return run_op(self, self.ctx, lambda: project_service.delete_projects(db, ids))

    def next_stage(self, ids) -> Job:
        db = self.ctx.db
        return run_op(self, self.ctx, lambda: project_service.advance_stage(db, ids))


class ProjectDialog(FormDialog):
    def __init__(self, area: ProjectsArea, project_id):
        super().__init__(_("Edit project") if project_id else _("New project"), area._save, area)
        self.area = area
        self.db = area.ctx.db
        self.project_id = project_id
        self.enterprise_id: int | None = None
        self.version: int | None = None  # what a save hands the service (a project changed since is refused)
        self.resize(680, 620)
        with self.db.read_session() as s:
            self.partners = {p.id: (p.name, p.type) for p in partner_service.all_partners(s)}
        ent_row = QWidget()
        h = QHBoxLayout(ent_row)
        h.setContentsMargins(0, 0, 0, 0)
        self.enterprise_label = QLabel(_("(none chosen)"))
        self.enterprise_label.setObjectName("enterprise_label")
        choose = QPushButton(_("Choose…"))
        choose.clicked.connect(self.choose_enterprise)
        h.addWidget(self.enterprise_label, 1)
        h.addWidget(choose)
        self.add_row(_("Enterprise"), ent_row, mandatory=True)
        self.type = QComboBox()
        self.type.addItems(list(vocab.PROJECT_TYPES))
        self.add_row(_("Type"), self.type, mandatory=True)
        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.add_row(_("Project"), self.title, mandatory=True)
        self.year = QSpinBox()
        self.year.setRange(project_service.MIN_YEAR, project_service.MAX_YEAR)
        self.year.setValue(area.ctx.year)
        self.add_row(_("Year"), self.year, mandatory=True)
        self.partner = QComboBox()
        self.partner.setObjectName("partner")
        self.partner.addItem(_("(none)"), None)
        for pid, (name, type_) in self.partners.items():
            self.partner.addItem(f"{name}（{type_}）", pid)
        self.add_row(_("Partner (type)"), self.partner)
        self.investment = WanEdit()
        self.investment.setObjectName("investment")
        self.add_row(_("Investment (10k yuan)"), self.investment)
        self.stage = QComboBox()
        self.stage.setObjectName("stage")
        self.stage.addItems(list(vocab.STAGES))
        self.add_row(_("Stage"), self.stage, mandatory=True)
        self.benefit = WanEdit()
        self.add_row(_("Benefit (10k yuan)"), self.benefit)
        self.subsidy = QLabel()
        self.subsidy.setObjectName("subsidy")
        self.subsidy.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.add_row(_("Subsidy (10k yuan)"), self.subsidy)
        self.history = QTableWidget(0, 3)
        self.history.setObjectName("history")
        self.history.setHorizontalHeaderLabels([_("Date"), _("Stage"), _("Operator")])
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.history.setMaximumHeight(150)
        box = QGroupBox(_("Stage history"))
        QVBoxLayout(box).addWidget(self.history)
        self.form.addRow(box)
        if project_id is not None:
            self._load(project_id)
        self.check = self._check
        for w in (self.title, self.investment):
            w.textChanged.connect(self.validate)
        self.partner.currentIndexChanged.connect(self.validate)
        self.validate()

    def _load(self, project_id) -> None:
        with self.db.read_session() as s:
            p = s.get(Project, project_id)
            self.enterprise_id = p.enterprise_id
            self.version = p.version
            self.enterprise_label.setText(s.get(Enterprise, p.enterprise_id).name)
            self.type.setCurrentText(p.type)
            self.title.setText(p.title)
            self.year.setValue(p.year)
            self.partner.setCurrentIndex(max(self.partner.findData(p.partner_id), 0) if p.partner_id else 0)
            self.investment.set_yuan(p.investment_yuan)
            self.stage.setCurrentText(p.stage)
            self.benefit.set_yuan(p.benefit_yuan)
            steps = project_service.stage_history(s, p)
        self.history.setRowCount(len(steps))
        for i, step in enumerate(steps):
            text = step.new if step.old is None else f"{step.old} → {step.new}"
            for j, cell in enumerate((step.at.strftime("%Y-%m-%d %H:%M"), text, step.operator or "")):
                self.history.setItem(i, j, QTableWidgetItem(cell))
        self.base = self.values()  # the values loaded: who changed what, in a conflict

    def choose_enterprise(self) -> EnterprisePicker:
        picker = EnterprisePicker(self.db, multi=False, parent=self)
        picker.accepted.connect(lambda: picker.selected_ids() and self.set_enterprise(picker.selected_ids()[0]))
        self.picker = picker
        picker.open()
        return picker

    def set_enterprise(self, enterprise_id: int) -> None:
        with self.db.read_session() as s:
            self.enterprise_label.setText(s.get(Enterprise, enterprise_id).name)
        self.enterprise_id = enterprise_id
        self.validate()

    def conflict(self, exc: StaleRecord, typed: dict) -> bool:
        """该记录已被他人修改: the stored and the typed values side by side, then as the clerk chose."""
        from qoffice.ui import conflict_dialog

        labels = {"enterprise_id": _("Enterprise"), "type": _("Type"), "title": _("Project"), "year": _("Year"),
                  "partner_id": _("Partner (type)"), "investment_yuan": _("Investment (10k yuan)"),
                  "stage": _("Stage"), "benefit_yuan": _("Benefit (10k yuan)")}

        def text(key, value):
            if value is None:
                return conflict_dialog.value_text(None)
            if key == "partner_id":
                name, type_ = self.partners.get(value, (str(value), ""))
                return f"{name}（{type_}）" if type_ else name
            if key == "enterprise_id":
                with self.db.read_session() as s:
                    ent = s.get(Enterprise, value)
                    return ent.name if ent is not None else str(value)
            if key in ("investment_yuan", "benefit_yuan"):
                return wan_text(value)
            return conflict_dialog.value_text(value)

        choice = conflict_dialog.resolve(self, exc, typed, lambda k: labels.get(k, k), text,
                                         base=getattr(self, "base", None))
        if choice == conflict_dialog.KEEP_MINE:
            self.version, self.base = exc.version, dict(exc.stored)
            self.accept()  # save again (the refused operation is over)
            return False
        if choice == conflict_dialog.TAKE_THEIRS and not exc.deleted:
            self._load(self.project_id)
            self.validate()
        return False

    def values(self) -> dict:
        return {"enterprise_id": self.enterprise_id, "type": self.type.currentText(), "title": self.title.text(),
                "year": self.year.value(), "partner_id": self.partner.currentData(),
                "investment_yuan": self.investment.yuan(), "stage": self.stage.currentText(),
                "benefit_yuan": self.benefit.yuan()}

    def _check(self) -> str:
        pid = self.partner.currentData()
        partner_type = self.partners[pid][1] if pid is not None else None
        decision = subsidy_rules.decide(self.investment.yuan(), partner_type)
        if decision.qualifies:
            self.subsidy.setText(wan_text(decision.amount_yuan))
            self.subsidy.setStyleSheet("")
        else:
            self.subsidy.setText(_("0 — does not qualify: {reason}").format(reason=decision.reason))
            self.subsidy.setStyleSheet(WARNING_STYLE)
        missing = [label for label, ok in ((_("Enterprise"), self.enterprise_id is not None),
                                           (_("Project"), bool(self.title.text().strip()))) if not ok]
        return _("Fill in: {fields}").format(fields="、".join(missing)) if missing else ""


class EnterpriseActivitiesPanel(QWidget):
    """项目与获奖 in the enterprise editor: the enterprise's projects and awards, read-only."""

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.db = db
        layout = QVBoxLayout(self)
        self.projects = self._table((N_("Year"), N_("Type"), N_("Project"), N_("Partner (type)"),
                                     N_("Investment (10k yuan)"), N_("Stage"), N_("Subsidy (10k yuan)")))
        self.projects.setObjectName("enterprise_projects")
        self.awards = self._table((N_("Year"), N_("Award")))
        self.awards.setObjectName("enterprise_awards")
        self.projects_box = QGroupBox(_("Quality projects"))
        QVBoxLayout(self.projects_box).addWidget(self.projects)
        self.awards_box = QGroupBox(_("Awards"))
        QVBoxLayout(self.awards_box).addWidget(self.awards)
        layout.addWidget(self.projects_box, 3)
        layout.addWidget(self.awards_box, 2)
        hint = QLabel(_("Edit projects and awards in their own areas."))
        layout.addWidget(hint)

    @staticmethod
    def _table(columns) -> QTableWidget:
        t = QTableWidget(0, len(columns))
        t.setHorizontalHeaderLabels([_(c) for c in columns])
        t.setEditTriggers(QAbstractItemView.NoEditTriggers)
        t.setAlternatingRowColors(True)
        t.verticalHeader().hide()
        t.horizontalHeader().setStretchLastSection(True)
        return t

    def set_enterprise(self, enterprise_id: int | None) -> None:
        projects, awards = [], []
        if enterprise_id is not None:
            with self.db.read_session() as s:
                for p in project_service.projects_for_enterprise(s, enterprise_id):
                    partner = s.get(Partner, p.partner_id) if p.partner_id else None
                    projects.append((str(p.year), p.type, p.title,
                                     f"{partner.name}（{partner.type}）" if partner else "",
                                     wan_text(p.investment_yuan), p.stage,
                                     subsidy_text(p.investment_yuan, partner.type if partner else None)))
                awards = [(str(a.year), a.award) for a in award_service.awards_for_enterprise(s, enterprise_id)]
        for table, rows in ((self.projects, projects), (self.awards, awards)):
            table.setRowCount(len(rows))
            for i, cells in enumerate(rows):
                for j, text in enumerate(cells):
                    table.setItem(i, j, QTableWidgetItem(text))
            table.resizeColumnsToContents()
        self.projects_box.setTitle(_("Quality projects ({n})").format(n=len(projects)))
        self.awards_box.setTitle(_("Awards ({n})").format(n=len(awards)))
