"""The 企业档案 area (list + editor) and the 回收站 area (deleted enterprises, 恢复)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout

from qoffice.domain import vocab
from qoffice.i18n import N_, _, ngettext
from qoffice.services import settings as settings_service
from qoffice.ui import start_sql
from qoffice.ui.enterprise_search import ENTERPRISE_SEARCH_HINT, enterprise_search
from qoffice.ui.listarea import ListAction
from qoffice.ui.listmodel import Column, Filter, ListDefinition, ListSql, StartSql, credit_code_column, vocab_order
from qoffice.ui.operations import run_op
from qoffice.ui.record_area import RecordArea

if TYPE_CHECKING:
    from qoffice.ui.enterprise_editor import EnterpriseEditor
    from qoffice.ui.worker import Job

# The editor, the services and the models are imported when first used, not at start-up: this
# module opens the window's first list, which must not wait for SQLAlchemy (see listmodel).

_FIELDS = ("id", "uscc", "name", "county", "industry_group", "trade", "status", "status_year", "cqo_name",
           "phone", "deleted_at")
_STATUS_YEAR = _FIELDS.index("status_year")


def _status_text(value, row) -> str:
    """在营, or 注销（2023）: the year a closure took effect matters for the return."""
    year = row[_STATUS_YEAR]
    return f"{value} ({year})" if value and value != vocab.STATUS_ACTIVE and year else (value or "")


def _utc_text(value, _row) -> str:
    """Timestamps are stored in UTC; the clerk reads local time."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _sql(live: bool) -> ListSql:
    from sqlalchemy import select

    from qoffice.db.models import Enterprise

    return ListSql(
        select=select(*(getattr(Enterprise, f) for f in _FIELDS)),
        # Names sort in pinyin order (东 丰 华 凯 中), as WPS and Excel sort, not by code point.
        sorts={"name": Enterprise.name_pinyin,
               "industry_group": vocab_order(Enterprise.industry_group, vocab.INDUSTRY_GROUPS),
               "status": vocab_order(Enterprise.status, vocab.ENTERPRISE_STATUSES)},
        search=enterprise_search(),
        where=[Enterprise.deleted_at.is_(None) if live else Enterprise.deleted_at.is_not(None)])

ENTERPRISES = ListDefinition(
    name="enterprises",
    fields=_FIELDS,
    sql=lambda: _sql(live=True),
    columns=[
        credit_code_column(),
        Column("name", N_("Enterprise name"), sortable=True, width=230),
        Column("county", N_("County"), sortable=True, width=150),
        Column("industry_group", N_("Industry group"), sortable=True, width=80),
        Column("trade", N_("Trade"), sortable=True, width=120),
        Column("status", N_("Status"), sortable=True, format=_status_text, width=96),
        Column("cqo_name", N_("Chief quality officer"), sortable=True, width=88),
        Column("phone", N_("Phone"), width=120),
    ],
    search_hint=ENTERPRISE_SEARCH_HINT,
    filters=[
        Filter("county", N_("County"), choices=settings_service.counties, all_title=N_("All counties")),
        Filter("industry_group", N_("Industry group"), choices=vocab.INDUSTRY_GROUPS,
               all_title=N_("All industry groups")),
        Filter("status", N_("Status"), choices=vocab.ENTERPRISE_STATUSES, all_title=N_("All statuses")),
    ],
    default_sort=("name", "asc"),
    indexed_sorts=("name",),  # ix_enterprise_live_search: pinyin name order with name, code and initials
    # The list the window opens on: its default view's SQL as SQLAlchemy compiles this definition,
    # written by tools/gen_start_sql.py (tests/test_start_sql.py keeps it fresh).
    start=StartSql(count=start_sql.COUNT["enterprises"], page=start_sql.PAGE["enterprises"]),
)

RECYCLE_BIN = ListDefinition(
    name="recycle-bin",
    fields=_FIELDS,
    sql=lambda: _sql(live=False),
    columns=[
        credit_code_column(),
        Column("name", N_("Enterprise name"), sortable=True, width=280),
        Column("county", N_("County"), sortable=True, width=150),
        Column("status", N_("Status"), format=_status_text, width=100),
        Column("deleted_at", N_("Deleted at"), sortable=True, format=_utc_text, width=150),
    ],
    search_hint=ENTERPRISE_SEARCH_HINT,
    default_sort=("deleted_at", "desc"),
)

class EnterprisesArea(RecordArea):
    definition = ENTERPRISES
    kind = "enterprises"
    export_title = N_("Enterprises")
    watches = ("enterprise",)
    follows_year = False  # every enterprise, whatever the year

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx, parent, on_new=self.new, on_edit=self.edit, on_delete=self.delete,
            delete_question=lambda ids: ngettext(
                "Move the selected enterprise to the recycle bin? It can be restored from there.",
                "Move the {n} selected enterprises to the recycle bin? They can be restored from there.",
                len(ids)).format(n=len(ids)),
            empty_text=_("No enterprise files yet. Click “New” to add them one by one, "
                         "or “Import” to bring in an Excel file."))
        QVBoxLayout(self).addWidget(self.list)
        self.editor: EnterpriseEditor | None = None

    def open_editor(self, enterprise_id: int | None) -> EnterpriseEditor:
        """The enterprise's editor: the one already open is brought to the front (one per record)."""
        from qoffice.ui import editor_registry
        from qoffice.ui.enterprise_editor import EnterpriseEditor

        def new() -> EnterpriseEditor:
            return EnterpriseEditor(self.ctx.db, enterprise_id, year=self.ctx.year, parent=self, ctx=self.ctx)

        editor = editor_registry.open_editor("enterprise", enterprise_id, new)
        if getattr(editor, "saved_to_area", None) is not self:  # new, or opened elsewhere / before a rebuild
            editor.adopt(self.ctx)  # its saves are published to this area's screens
            editor.saved.connect(self._saved)
            editor.saved_to_area = self
        self.editor = editor
        return editor

    def new(self) -> None:
        self.open_editor(None)

    def edit(self, enterprise_id) -> None:
        self.open_editor(enterprise_id)

    def _saved(self, enterprise_id: int) -> None:
        self.list.select_id(enterprise_id)  # the save's operation published the change: the list reloaded

    def delete(self, ids: list) -> Job:
        from qoffice.services import enterprises as enterprise_service

        db = self.ctx.db
        return run_op(self, self.ctx, lambda: enterprise_service.move_to_recycle_bin(db, ids))


class RecycleBinArea(RecordArea):
    definition = RECYCLE_BIN
    watches = ("enterprise",)
    follows_year = False
    export_title = None  # no 导出: only 恢复 and 彻底删除

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent, actions=[ListAction(_("Restore"), self.restore),
                                               ListAction(_("Delete permanently"), self.purge)],
                         empty_text=_("The recycle bin is empty. Deleted enterprises wait here until "
                                      "you restore them."))
        QVBoxLayout(self).addWidget(self.list)

    def restore(self, ids: list) -> Job | None:
        if not ids:
            return None
        from qoffice.services import enterprises as enterprise_service

        db = self.ctx.db
        return run_op(self, self.ctx, lambda: enterprise_service.restore_from_recycle_bin(db, ids))

    def purge(self, ids: list) -> Job | None:
        """彻底删除 (qoffice.ui.purge): the question names what goes; its records go too."""
        from qoffice.ui.purge import purge_enterprises

        return purge_enterprises(self, self.ctx, ids)
