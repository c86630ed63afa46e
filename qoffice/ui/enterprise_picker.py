"""Pick enterprises from the file: a searchable list (the shared list model) and, for several, a
basket of the chosen ones with their count. Deleted enterprises are never offered."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)
from sqlalchemy import select

from qoffice.db.models import Enterprise
from qoffice.i18n import N_, _
from qoffice.services import settings as settings_service
from qoffice.ui.enterprise_search import ENTERPRISE_SEARCH_HINT, enterprise_search
from qoffice.ui.listarea import ListAction, ListArea
from qoffice.ui.listmodel import Column, Filter, ListDefinition, ListSql, credit_code_column

PICKER = ListDefinition(
    name="enterprise-picker",
    fields=("id", "uscc", "name", "county", "trade"),
    sql=lambda: ListSql(
        select=select(Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.county, Enterprise.trade),
        sorts={"name": Enterprise.name_pinyin},  # pinyin order, the index's
        search=enterprise_search(),
        where=[Enterprise.deleted_at.is_(None)]),
    columns=[
        Column("name", N_("Enterprise name"), sortable=True, width=260),
        credit_code_column(),
        Column("county", N_("County"), sortable=True, width=100),
        Column("trade", N_("Trade"), sortable=True, width=110),
    ],
    search_hint=ENTERPRISE_SEARCH_HINT,
    filters=[Filter("county", N_("County"), choices=settings_service.counties, all_title=N_("All counties"))],
    default_sort=("name", "asc"),
)


class EnterprisePicker(QDialog):
    """`multi=True`: add enterprises to the chosen list (double-click or 加入); `selected_ids()`.
    `multi=False`: the selected row is the choice; double-click picks it."""

    def __init__(self, db, *, multi: bool = True, selected=(), title: str | None = None, parent=None):
        super().__init__(parent)
        self.db = db
        self.multi = multi
        self.setObjectName("enterprise_picker")
        self.setWindowTitle(title or (_("Pick enterprises") if multi else _("Pick an enterprise")))
        self.resize(1000 if multi else 760, 560)
        outer = QVBoxLayout(self)
        body = QHBoxLayout()
        outer.addLayout(body, 1)
        self.list = ListArea(db, PICKER, on_edit=self._double_clicked,
                             actions=[ListAction(_("Add »"), self.add_ids)] if multi else [],
                             empty_text=_("The file has no enterprises yet. Add them in “Enterprises” first."))
        body.addWidget(self.list, 3)
        self.chosen = QListWidget()
        self.chosen.setObjectName("chosen")
        self.chosen.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.count_label = QLabel()
        self.count_label.setObjectName("chosen_count")
        if multi:
            side = QVBoxLayout()
            side.addWidget(self.count_label)
            side.addWidget(self.chosen, 1)
            remove = QPushButton(_("« Remove"))
            remove.setObjectName("remove")
            remove.clicked.connect(self.remove_selected)
            side.addWidget(remove)
            body.addLayout(side, 2)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(_("OK"), QDialogButtonBox.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.list.reload()
        self.list.selectionChanged.connect(self._update)
        if selected:
            self._add(list(selected))
        self._update()

    def _names(self, ids) -> dict[int, str]:
        with self.db.read_session() as s:
            return dict(s.execute(select(Enterprise.id, Enterprise.name).where(
                Enterprise.id.in_(list(ids)), Enterprise.deleted_at.is_(None))).all())

    def _add(self, ids) -> None:
        have = set(self.selected_ids()) if self.multi else set()
        names = self._names([i for i in ids if i not in have])
        for eid in ids:
            if eid in names:
                item = QListWidgetItem(names[eid])
                item.setData(Qt.UserRole, eid)
                self.chosen.addItem(item)
        self._update()

    def add_ids(self, ids) -> None:
        self._add(ids)

    def remove_selected(self) -> None:
        for item in self.chosen.selectedItems():
            self.chosen.takeItem(self.chosen.row(item))
        self._update()

    def _double_clicked(self, eid) -> None:
        if self.multi:
            self._add([eid])
        else:
            self.accept()

    def selected_ids(self) -> list[int]:
        if not self.multi:
            return self.list.selected_ids()[:1]
        return [self.chosen.item(i).data(Qt.UserRole) for i in range(self.chosen.count())]

    def _update(self) -> None:
        if self.multi:
            self.count_label.setText(_("Chosen: {n}").format(n=self.chosen.count()))
        else:
            self.ok_button.setEnabled(bool(self.list.selected_ids()))
