"""The enterprise editor's two other tabs — its yearly figures and its change log — and the field
labels both tabs and the editor's form show.
"""
from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QIntValidator, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
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

from qoffice.domain import enterprise as rules
from qoffice.domain import money
from qoffice.errors import KnownError, StaleRecord
from qoffice.i18n import N_, _
from qoffice.services import enterprises
from qoffice.ui import messages
from qoffice.ui.context import AppContext
from qoffice.ui.operations import run_op
from qoffice.ui.style import ERROR_STYLE

FIELD_LABELS = {
    "uscc": N_("Unified social credit code"),
    "name": N_("Enterprise name"),
    "county": N_("County"),
    "address": N_("Address"),
    "legal_rep": N_("Legal representative"),
    "contact": N_("Contact person"),
    "phone": N_("Phone"),
    "industry_group": N_("Industry group"),
    "trade": N_("Trade"),
    "high_energy": N_("High energy consumption enterprise"),
    "status": N_("Status"),
    "status_year": N_("Year the status took effect"),
    "cqo_name": N_("Chief quality officer"),
    "cqo_post": N_("CQO post"),
    "cqo_phone": N_("CQO phone"),
    "cqo_appointed": N_("CQO appointed on"),
    "excellence_year": N_("Performance-excellence model since"),
    "benchmark": N_("Municipal key benchmarking enterprise"),
    "benchmark_since": N_("Benchmarking since"),
    "research_centre": N_("Enterprise quality research centre"),
    "incentive_fund": N_("Quality incentive fund"),
    "note": N_("Note"),
    # yearly figures, for the change log
    "year": N_("Year"),
    "loss_rate_e4": N_("Quality loss rate (%)"),
    "checked": N_("Spot-check batches"),
    "passed": N_("Batches passed"),
    "benefit_yuan": N_("Quality-result benefit (10k yuan)"),
    # the enterprise's sign-ups and awards, for the change log
    "attendees": N_("Attendees"),
    "need": N_("Cooperation need"),
    "award": N_("Award"),
}
ACTION_LABELS = {"create": N_("Created"), "update": N_("Changed"), "delete": N_("Deleted"),
                 "restore": N_("Restored"), "merge": N_("Merged"), "purge": N_("Purged"), "undo": N_("Undone")}


def field_label(key: str) -> str:
    return _(FIELD_LABELS.get(key, key))


FigureRow = enterprises.FigureRow


class FiguresPanel(QWidget):
    """年度数据: one row per year; passed ≤ checked, both or neither, rate 0–100, money in 万元."""

    COLUMNS = (N_("Year"), N_("Quality loss rate (%)"), N_("Spot-check batches"), N_("Batches passed"),
               N_("Quality-result benefit (10k yuan)"))

    def __init__(self, db, year: int, parent=None, *, ctx=None):
        super().__init__(parent)
        self.db = db
        self.ctx = ctx if ctx is not None else AppContext(db)
        self.job = None  # the running (or last) save or delete: qoffice.ui.worker.Job
        self._keep_version: int | None = None  # 保留我的修改: the version the next save overwrites
        self._keep_base: dict = {}  # ... and its values, shown as the clerk's base in a later conflict
        self.enterprise_id: int | None = None
        layout = QVBoxLayout(self)
        self.hint = QLabel(_("Save the enterprise first; then its yearly figures can be entered here."))
        layout.addWidget(self.hint)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.itemSelectionChanged.connect(self._row_selected)
        layout.addWidget(self.table, 1)

        box = QGroupBox(_("Figures of one year"))
        form = QFormLayout(box)
        self.year = QSpinBox()
        self.year.setRange(enterprises.MIN_YEAR, enterprises.MAX_YEAR)
        self.year.setValue(year)
        self.year.valueChanged.connect(self._year_changed)
        self.rate = QLineEdit()
        self.rate.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,3}(\.\d{0,4})?"), self.rate))
        self.rate.setPlaceholderText(_("0–100, up to 4 decimals"))
        self.checked = QLineEdit()
        self.checked.setValidator(QIntValidator(0, 1_000_000, self.checked))
        self.passed = QLineEdit()
        self.passed.setValidator(QIntValidator(0, 1_000_000, self.passed))
        self.benefit = QLineEdit()
        self.benefit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,9}(\.\d{0,4})?"), self.benefit))
        self.benefit.setPlaceholderText(_("in 10k yuan, up to 4 decimals"))
        for label, w in ((N_("Year"), self.year), (N_("Quality loss rate (%)"), self.rate),
                         (N_("Spot-check batches"), self.checked), (N_("Batches passed"), self.passed),
                         (N_("Quality-result benefit (10k yuan)"), self.benefit)):
            form.addRow(_(label), w)
            if isinstance(w, QLineEdit):
                w.textChanged.connect(self.validate)
        self.problem = QLabel()
        self.problem.setObjectName("figures_problem")
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        form.addRow(self.problem)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(_("Save this year's figures"))
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton(_("Delete this year's figures"))
        self.delete_button.clicked.connect(self.delete)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        layout.addWidget(box)
        self.box = box
        self.rows: dict[int, FigureRow] = {}

    def set_enterprise(self, enterprise_id: int | None) -> None:
        self.enterprise_id = enterprise_id
        self.hint.setVisible(enterprise_id is None)
        self.table.setEnabled(enterprise_id is not None)
        self.box.setEnabled(enterprise_id is not None)
        self.refresh()

    def refresh(self) -> None:
        self.rows = {}
        if self.enterprise_id is not None:
            self.rows = {r.year: r for r in enterprises.figure_rows(self.db, self.enterprise_id)}
        self.table.setRowCount(len(self.rows))
        for i, (year, r) in enumerate(sorted(self.rows.items(), reverse=True)):
            cells = (str(year), rate_text(r.loss_rate_e4),
                     "" if r.checked is None else str(r.checked), "" if r.passed is None else str(r.passed),
                     money.format_wan(r.benefit_yuan, 2))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(i, j, item)
        self._year_changed(self.year.value())

    def _row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.year.setValue(int(self.table.item(rows[0].row(), 0).text()))

    def _year_changed(self, year: int) -> None:
        r = self.rows.get(year)
        self.rate.setText(rate_text(r.loss_rate_e4) if r else "")
        self.checked.setText("" if not r or r.checked is None else str(r.checked))
        self.passed.setText("" if not r or r.passed is None else str(r.passed))
        self.benefit.setText(money.format_wan(r.benefit_yuan, 2) if r else "")
        self.delete_button.setEnabled(r is not None)
        self.validate()

    def parsed(self) -> dict:
        def integer(w):
            return int(w.text()) if w.text().strip() else None

        rate = self.rate.text().strip()
        benefit = self.benefit.text().strip().rstrip(".")
        return {"loss_rate": rate.rstrip(".") or None, "checked": integer(self.checked),
                "passed": integer(self.passed),
                "benefit_yuan": money.wan_to_yuan(benefit)[0] if benefit else None}

    def validate(self) -> bool:
        v = self.parsed()
        problem = rules.figures_problem(v["checked"], v["passed"], v["loss_rate"])
        empty = all(v[k] is None for k in v)
        self.problem.setText(("⚠ " + problem) if problem else "")
        self.save_button.setEnabled(self.enterprise_id is not None and not problem and not empty)
        return not problem

    def save(self):
        """保存 this year's figures by an operation on the worker: its Job (kept on `self.job`), or
        None when nothing is saved (a problem shown, nothing typed, or no enterprise yet: when 保存 is
        disabled, as it shows)."""
        if not self.validate() or not self.save_button.isEnabled():
            return None
        v = self.parsed()
        year = self.year.value()
        loaded = self.rows.get(year)
        expected = self._keep_version or (loaded.version if loaded else 0)
        base = self._keep_base if self._keep_version else self._shown({k: getattr(loaded, k, None)
                                                                       for k in enterprises.FIGURE_FIELDS})
        self._keep_version = None
        db, enterprise_id = self.db, self.enterprise_id
        self.job = run_op(self, self.ctx, lambda: enterprises.save_figures(db, enterprise_id, year, **v,
                                                                          expected_version=expected),
                          on_done=lambda _changes: self.refresh(),
                          on_error=lambda exc: self._save_refused(exc, v, base))
        return self.job

    @staticmethod
    def _shown(stored: dict) -> dict:
        """Stored figures as the conflict dialog compares them with the typed ones."""
        out = dict(stored)
        if out.get("loss_rate_e4") is not None:
            out["loss_rate_e4"] = rate_text(out["loss_rate_e4"])
        if out.get("benefit_yuan") is not None:
            out["benefit_yuan"] = money.format_wan(out["benefit_yuan"], 2)
        return out

    def _save_refused(self, exc: KnownError, v: dict, base: dict | None = None) -> None:
        if not isinstance(exc, StaleRecord):
            messages.known_error(self, exc)
            return
        from qoffice.ui import conflict_dialog  # another window saved this year's figures meanwhile

        typed = {"loss_rate_e4": v["loss_rate"], "checked": v["checked"], "passed": v["passed"],
                 "benefit_yuan": v["benefit_yuan"]}
        exc.stored = self._shown(exc.stored)
        if typed["benefit_yuan"] is not None:
            typed["benefit_yuan"] = money.format_wan(typed["benefit_yuan"], 2)
        choice = conflict_dialog.resolve(self, exc, typed, field_label, base=base)
        if choice == conflict_dialog.KEEP_MINE:
            self._keep_version, self._keep_base = exc.version, dict(exc.stored)
            self.save()
        elif choice == conflict_dialog.TAKE_THEIRS:
            self.refresh()

    def delete(self):
        r = self.rows.get(self.year.value())
        if r is None or not messages.ask(self, _("Delete the figures of {year}?").format(year=r.year)):
            return None
        db = self.db
        self.job = run_op(self, self.ctx, lambda: enterprises.delete_figures_by_id(db, r.id),
                          on_done=lambda _changes: self.refresh())
        return self.job


class AuditPanel(QWidget):
    """变更记录: who changed which field when, from the audit log."""

    COLUMNS = (N_("Time"), N_("Action"), N_("Field"), N_("Old value"), N_("New value"), N_("Operator"))

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.db = db
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("audit_table")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(len(self.COLUMNS)):  # the values before and after share what is left, equally
            header.setSectionResizeMode(column, QHeaderView.Stretch if column in (3, 4)
                                        else QHeaderView.ResizeToContents)
        layout.addWidget(self.table)

    def set_enterprise(self, enterprise_id: int | None) -> None:
        rows = []
        if enterprise_id is not None:
            rows = [(e.at.strftime("%Y-%m-%d %H:%M") if e.at else "",
                     _(ACTION_LABELS.get(e.action, e.action)),
                     field_label(e.field) if e.field else "",
                     _value_text(e.field, e.old), _value_text(e.field, e.new), e.who)
                    for e in enterprises.change_log(self.db, enterprise_id)]
        self.table.setRowCount(len(rows))
        for i, cells in enumerate(rows):
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def row_texts(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]


def rate_text(scaled: int | None) -> str:
    """A stored loss rate (% × 10^4) as the clerk typed it: 1.25, not 1.2500 or 1.25E+0."""
    rate = money.scaled_to_rate(scaled)
    return "" if rate is None else format(rate.normalize(), "f")


def _value_text(field: str | None, value: str | None) -> str:
    """Stored audit text as a clerk reads it: scaled rates and yuan back to % and 万元."""
    if value is None:
        return ""
    try:
        if field == "loss_rate_e4":
            return rate_text(int(value))
        if field == "benefit_yuan":
            return money.format_wan(int(value), 2)
        if field == "attendees":
            from qoffice.services.meeting_signups import attendees_text

            return attendees_text(value)
    except ValueError:
        pass
    return value
