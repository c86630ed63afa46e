"""The 合作单位 area: the partner directory with the projects and sign-ups pointing at each entry;
edit (a type change shows whose subsidy follows), delete an unused entry, merge two entries."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from qoffice.db.models import Partner
from qoffice.domain import subsidy as subsidy_rules
from qoffice.domain import vocab
from qoffice.errors import KnownError, StaleRecord
from qoffice.i18n import N_, _
from qoffice.services import partners as partner_service
from qoffice.ui import messages
from qoffice.ui.activity_widgets import WARNING_STYLE, FormDialog, wan_text
from qoffice.ui.listarea import ListAction
from qoffice.ui.listmodel import Column, Filter, ListDefinition, ListSql, SearchField, vocab_order
from qoffice.ui.operations import run_op
from qoffice.ui.record_area import RecordArea
from qoffice.ui.worker import Job

_SELECT = partner_service.directory_query().order_by(None)  # the list model sorts

PARTNERS = ListDefinition(
    name="partners",
    fields=tuple(_SELECT.selected_columns.keys()),
    sql=lambda: ListSql(
        select=_SELECT,
        sorts={"name": Partner.name_pinyin, "type": vocab_order(Partner.type, vocab.PARTNER_TYPES)},
        search=[SearchField(Partner.name), SearchField(Partner.name_initials, "initials"),
                SearchField(Partner.contact)]),
    columns=[
        Column("name", N_("Partner"), sortable=True, width=260),
        Column("type", N_("Type"), sortable=True, width=140),
        Column("contact", N_("Contact person"), sortable=True, width=100),
        Column("phone", N_("Phone"), width=130),
        Column("projects", N_("Projects"), width=70, align=Qt.AlignRight),
        Column("signups", N_("Sign-up count"), width=70, align=Qt.AlignRight),
        Column("note", N_("Note"), width=160),
    ],
    search_hint=N_("Name / pinyin initials / contact"),
    filters=[Filter("type", N_("Type"), choices=vocab.PARTNER_TYPES, all_title=N_("All types"))],
    default_sort=("name", "asc"),
)


class PartnersArea(RecordArea):
    definition = PARTNERS
    kind = "partners"
    export_title = N_("Partners")
    watches = ("partner", "project", "signup", "enterprise")

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx, parent, on_new=self.new, on_edit=self.edit, on_delete=self.delete,
            actions=[ListAction(_("Merge two entries…"), self.merge_selected)],
            empty_text=_("The partner directory is empty. Click “New” to add a university or institute; "
                         "imports of projects and sign-ups add new names too."))
        hint = QLabel(_("The subsidy of a project follows its partner's type here (高等院校 and "
                        "质量研究咨询机构 qualify). Select two entries for the same institution and click "
                        "“Merge two entries…”."))
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        self.list.reload()

    # ---- edit ------------------------------------------------------------------------------
    def new(self) -> FormDialog:
        return self._open(None)

    def edit(self, partner_id) -> FormDialog:
        return self._open(partner_id)

    def _open(self, partner_id) -> FormDialog:
        dlg = FormDialog(_("Edit partner") if partner_id else _("New partner"), self._save, self)
        dlg.partner_id = partner_id
        dlg.name = QLineEdit()
        dlg.type = QComboBox()
        dlg.type.setObjectName("type")
        dlg.type.addItems(list(vocab.PARTNER_TYPES))
        dlg.contact = QLineEdit()
        dlg.phone = QLineEdit()
        dlg.note = QPlainTextEdit()
        dlg.note.setMaximumHeight(70)
        dlg.effect = QLabel()
        dlg.effect.setObjectName("type_effect")
        dlg.effect.setWordWrap(True)
        dlg.effect.setStyleSheet(WARNING_STYLE)
        dlg.add_row(_("Institution name"), dlg.name, mandatory=True)
        dlg.add_row(_("Type"), dlg.type, mandatory=True)
        dlg.form.addRow("", dlg.effect)
        dlg.add_row(_("Contact person"), dlg.contact)
        dlg.add_row(_("Phone"), dlg.phone)
        dlg.add_row(_("Note"), dlg.note)
        dlg.projects = []  # (title, investment_yuan) of the entry's projects, for the type preview
        dlg.old_type = None
        dlg.version = None
        if partner_id is not None:
            with self.ctx.db.read_session() as s:
                p = s.get(Partner, partner_id)
                dlg.name.setText(p.name)
                dlg.type.setCurrentText(p.type)
                dlg.contact.setText(p.contact or "")
                dlg.phone.setText(p.phone or "")
                dlg.note.setPlainText(p.note or "")
                dlg.old_type = p.type
                dlg.version = p.version  # a save of an entry changed since is refused (StaleRecord)
                dlg.projects = [(pr.title, pr.investment_yuan) for pr in partner_service.projects_of(s, p)]
        else:
            dlg.type.setCurrentText(vocab.PARTNER_TYPE_OTHER)
        dlg.base = self._form_data(dlg)  # the values loaded: who changed what, in a conflict
        dlg.check = lambda: "" if dlg.name.text().strip() else _("Fill in: {fields}").format(fields=_("Institution name"))
        dlg.name.textChanged.connect(dlg.validate)
        dlg.type.currentTextChanged.connect(lambda _t: self._preview(dlg))
        self._preview(dlg)
        dlg.validate()
        dlg.resize(560, 380)
        self.dialog = dlg
        dlg.open()
        return dlg

    @staticmethod
    def _changed_subsidies(projects, old_type, new_type) -> list[tuple[str, int, int]]:
        out = []
        for title, investment in projects:
            before = subsidy_rules.decide(investment, old_type).amount_yuan
            after = subsidy_rules.decide(investment, new_type).amount_yuan
            if before != after:
                out.append((title, before, after))
        return out

    def _preview(self, dlg) -> None:
        """Say, before saving, whose subsidy a type change moves (the amount follows the type)."""
        new_type = dlg.type.currentText()
        if dlg.partner_id is None or new_type == dlg.old_type:
            dlg.effect.setText(_("{n} projects point at this entry.").format(n=len(dlg.projects))
                               if dlg.projects else "")
            return
        changed = self._changed_subsidies(dlg.projects, dlg.old_type, new_type)
        if changed:
            dlg.effect.setText("⚠ " + _("Changing the type changes the subsidy of {n} projects: {list}").format(
                n=len(changed), list="；".join(_("{title} {before} → {after} 万元").format(
                    title=t, before=wan_text(b), after=wan_text(a)) for t, b, a in changed)))
        else:
            dlg.effect.setText(_("The subsidy of none of its {n} projects changes.").format(n=len(dlg.projects)))

    @staticmethod
    def _form_data(dlg) -> dict:
        return {"name": dlg.name.text(), "type": dlg.type.currentText(), "contact": dlg.contact.text(),
                "phone": dlg.phone.text(), "note": dlg.note.toPlainText()}

    def _save(self, dlg) -> Job:
        data = self._form_data(dlg)
        db, partner_id, version = self.ctx.db, dlg.partner_id, dlg.version

        def done(saved: partner_service.PartnerSaved) -> None:
            if saved.affected:
                messages.info(self, _("The subsidy follows the new type for {n} projects:").format(
                    n=len(saved.affected)) + "\n" + "\n".join(_("{title} {before} → {after} 万元").format(
                        title=t, before=wan_text(b), after=wan_text(a)) for t, b, a in saved.affected))
            self.list.select_id(saved.partner_id)

        def failed(exc: KnownError) -> None:
            if isinstance(exc, StaleRecord):
                self._conflict(dlg, exc, data)
            else:
                messages.known_error(dlg, exc)

        return run_op(dlg, self.ctx, lambda: partner_service.save_partner(db, partner_id, data,
                                                                          expected_version=version),
                      on_done=done, on_error=failed)

    def _conflict(self, dlg, exc: StaleRecord, data: dict) -> bool:
        """Saved by someone else since the form was opened: the side-by-side, then as chosen."""
        from qoffice.ui import conflict_dialog

        labels = {"name": _("Institution name"), "type": _("Type"), "contact": _("Contact person"),
                  "phone": _("Phone"), "note": _("Note")}
        choice = conflict_dialog.resolve(dlg, exc, data, lambda key: labels.get(key, key), base=dlg.base)
        if choice == conflict_dialog.KEEP_MINE:
            dlg.version, dlg.base = exc.version, dict(exc.stored)
            dlg.accept()  # save again (the refused operation is over)
            return False
        if choice == conflict_dialog.TAKE_THEIRS:
            stored = exc.stored
            dlg.name.setText(stored.get("name") or "")
            dlg.type.setCurrentText(stored.get("type") or vocab.PARTNER_TYPE_OTHER)
            dlg.contact.setText(stored.get("contact") or "")
            dlg.phone.setText(stored.get("phone") or "")
            dlg.note.setPlainText(stored.get("note") or "")
            dlg.old_type, dlg.version, dlg.base = stored.get("type"), exc.version, self._form_data(dlg)
            self._preview(dlg)
        return False

    def delete(self, ids) -> Job:
        db = self.ctx.db
        return run_op(self, self.ctx, lambda: partner_service.delete_partners(db, ids))

    # ---- merge -----------------------------------------------------------------------------
    def merge_selected(self, ids) -> FormDialog | None:
        if len(ids) != 2:
            messages.info(self, _("Select exactly two entries (hold Ctrl and click) to merge them."))
            return None
        with self.ctx.db.read_session() as s:
            rows = {r.partner.id: (r.partner.name, r.partner.type, r.projects, r.signups)
                    for r in partner_service.directory(s) if r.partner.id in ids}
        dlg = FormDialog(_("Merge two partner entries"), self._merge, self, save_text=_("Merge"))
        dlg.ids = list(ids)
        dlg.rows = rows
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        group = QButtonGroup(dlg)
        dlg.keep_buttons = {}
        for pid in ids:
            name, type_, n_proj, n_su = rows[pid]
            button = QRadioButton(_("Keep “{name}” ({type}; {projects} projects, {signups} sign-ups)").format(
                name=name, type=type_, projects=n_proj, signups=n_su))
            group.addButton(button)
            dlg.keep_buttons[pid] = button
            v.addWidget(button)
        dlg.keep_buttons[ids[0]].setChecked(True)
        dlg.explain = QLabel()
        dlg.explain.setObjectName("merge_explain")
        dlg.explain.setWordWrap(True)
        v.addWidget(dlg.explain)
        dlg.add_row(_("Entry to keep"), box)

        def explain() -> None:
            keep, drop = dlg.keep_and_drop()
            dlg.explain.setText(_("The projects and sign-ups of “{drop}” move to “{keep}”, its contact details fill "
                                  "empty ones, and “{drop}” is removed. The type of “{keep}” ({type}) stays and "
                                  "decides the subsidy. The audit log records the merge.").format(
                drop=rows[drop][0], keep=rows[keep][0], type=rows[keep][1]))

        def keep_and_drop():
            keep = next(pid for pid, b in dlg.keep_buttons.items() if b.isChecked())
            return keep, next(pid for pid in dlg.ids if pid != keep)

        dlg.keep_and_drop = keep_and_drop
        group.buttonToggled.connect(lambda *_a: explain())
        explain()
        dlg.validate()
        dlg.resize(640, 280)
        self.dialog = dlg
        dlg.open()
        return dlg

    def _merge(self, dlg) -> Job | bool:
        keep, drop = dlg.keep_and_drop()
        if not messages.ask(dlg, _("Merge “{drop}” into “{keep}”? This cannot be undone.").format(
                drop=dlg.rows[drop][0], keep=dlg.rows[keep][0])):
            return False
        db = self.ctx.db

        def done(merged: partner_service.Merged) -> None:
            messages.info(self, _("Merged: {projects} projects and {signups} sign-ups moved to “{keep}”.").format(
                projects=merged.moved["projects"], signups=merged.moved["signups"], keep=dlg.rows[keep][0]))
            self.list.select_id(keep)

        return run_op(dlg, self.ctx, lambda: partner_service.merge_partners(db, keep, drop), on_done=done,
                      on_error=lambda exc: messages.known_error(dlg, exc))
