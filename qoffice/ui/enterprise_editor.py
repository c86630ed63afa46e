"""The enterprise editor: every field of the quality file, yearly figures, and its change log.

Validation runs as the clerk types, through the same services.enterprises.check() the imports use,
so the form and the import can never disagree about what is valid.
"""
from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDate, QRegularExpression, Qt, Signal
from PySide6.QtGui import QIntValidator, QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qoffice.domain import county as county_rules
from qoffice.domain import enterprise as rules
from qoffice.domain import money, vocab
from qoffice.errors import KnownError, StaleRecord, ValidationFailed
from qoffice.i18n import N_, _
from qoffice.services import enterprises
from qoffice.services import settings as settings_service
from qoffice.ui import messages
from qoffice.ui.context import AppContext
from qoffice.ui.dates import open_on_today
from qoffice.ui.operations import run_op
from qoffice.ui.style import ERROR_STYLE, WARNING_STYLE, required

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
REQUIRED = ("uscc", "name")
GROUPS = (
    (N_("Basic information"), ("uscc", "name", "county", "address", "legal_rep", "contact", "phone")),
    (N_("Industry and status"), ("trade", "industry_group", "high_energy", "status", "status_year")),
    (N_("Quality mechanisms"), ("cqo_name", "cqo_post", "cqo_phone", "cqo_appointed", "excellence_year",
                                "benchmark", "benchmark_since", "research_centre", "incentive_fund")),
    (N_("Note"), ("note",)),
)
NO_DATE = QDate(1900, 1, 1)  # the date edit's "not given" value (shown as its special text)
PHONE_PATTERN = r"[0-9+\-()（）\s转、,/]{0,40}"


def field_label(key: str) -> str:
    return _(FIELD_LABELS.get(key, key))


required_label = required


class EnterpriseEditor(QDialog):
    """Add (enterprise_id None) or edit one enterprise. Emits `saved(id)` after each save.

    Its writes are operations on the worker (run_op) published through `ctx`, the context of the
    area that opened it (`adopt` hands it to another area); opened alone (tests, tools) it has a
    context of its own, which no screen hears."""

    saved = Signal(int)

    def __init__(self, db, enterprise_id: int | None = None, *, year: int | None = None, parent=None,
                 ctx=None):
        super().__init__(parent)
        self.db = db
        self.ctx = ctx if ctx is not None else AppContext(db)
        self.job = None  # the running (or last) save: qoffice.ui.worker.Job
        self.enterprise_id = enterprise_id
        self.year = year or dt.date.today().year
        self.setObjectName("enterprise_editor")
        self.setMinimumSize(980, 660)
        self.w: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self._touched: set[str] = set()
        self._loading = False
        self._saved_values: dict = {}

        counties = settings_service.counties(db)
        # 新增 starts on the office's own county; it counts as listed even if the list lacks it.
        self.office_county = (settings_service.get(db, "county") or "").strip()
        self.counties = counties + ([self.office_county] if self.office_county not in ("", *counties) else [])
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_form(counties), _("Quality file"))
        self.county_outside: county_rules.OutsideList | None = None
        self.messages["county"].linkActivated.connect(lambda _href: self.use_suggested_county())
        self.figures = FiguresPanel(db, self.year, ctx=self.ctx)
        self.tabs.addTab(self.figures, _("Yearly figures"))
        self.audit = AuditPanel(db)
        self.tabs.addTab(self.audit, _("Change log"))
        from qoffice.ui.projects import EnterpriseActivitiesPanel  # the 质量项目 area owns this read-only tab

        self.activities = EnterpriseActivitiesPanel(db)
        self.tabs.addTab(self.activities, _("Projects and awards"))

        bottom = QHBoxLayout()
        self.reason = QLabel()
        self.reason.setObjectName("reason")
        self.reason.setStyleSheet(ERROR_STYLE)
        self.reason.setWordWrap(True)
        bottom.addWidget(self.reason, 1)
        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("save")
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton(_("Close"))
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)
        outer.addLayout(bottom)
        QShortcut(QKeySequence.Save, self, activated=self.save)

        self.load(enterprise_id)

    def adopt(self, ctx) -> None:
        """Publish the saves through `ctx` from now on (an area that took over the open editor)."""
        self.ctx = self.figures.ctx = ctx

    # ---- building --------------------------------------------------------------------------
    def _build_form(self, counties: list[str]) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        boxes = []
        for title, keys in GROUPS:
            box = QGroupBox(_(title))
            form = QFormLayout(box)
            form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
            form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
            for key in keys:
                widget = self._make_widget(key, counties)
                self.w[key] = widget
                label = QLabel(required_label(field_label(key)) if key in REQUIRED else field_label(key))
                label.setTextFormat(Qt.RichText)
                label.setBuddy(widget)
                self.labels[key] = label
                msg = QLabel()
                msg.setObjectName(f"msg_{key}")
                msg.setWordWrap(True)
                msg.hide()
                self.messages[key] = msg
                cell = QWidget()
                v = QVBoxLayout(cell)
                v.setContentsMargins(0, 0, 0, 0)
                v.setSpacing(2)
                v.addWidget(widget)
                v.addWidget(msg)
                if key == "note":
                    form.addRow(cell)  # the group's title already says 备注
                else:
                    form.addRow(label, cell)
            boxes.append(box)
        grid.addWidget(boxes[0], 0, 0)
        grid.addWidget(boxes[1], 1, 0)
        grid.addWidget(boxes[2], 0, 1)
        grid.addWidget(boxes[3], 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(2, 1)
        return page

    def _make_widget(self, key: str, counties: list[str]) -> QWidget:
        widget = self._make_widget_for(key, counties)
        if isinstance(widget, QComboBox):
            widget.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        return widget

    def _make_widget_for(self, key: str, counties: list[str]) -> QWidget:
        if key in enterprises.BOOL_FIELDS:
            w = QCheckBox()
            w.toggled.connect(lambda _v, k=key: self._changed(k))
            return w
        if key == "county":
            w = QComboBox()
            w.setEditable(True)
            w.addItems([""] + counties)
            w.currentTextChanged.connect(lambda _t: self._changed("county"))
            return w
        if key == "trade":
            w = QComboBox()
            w.setEditable(True)
            w.addItems([""] + list(vocab.KNOWN_TRADES))
            w.currentTextChanged.connect(self._trade_changed)
            return w
        if key in ("industry_group", "status"):
            w = QComboBox()
            words = vocab.INDUSTRY_GROUPS if key == "industry_group" else vocab.ENTERPRISE_STATUSES
            w.addItems(([""] if key == "industry_group" else []) + list(words))
            w.currentTextChanged.connect(lambda _t, k=key: self._changed(k))
            return w
        if key == "cqo_appointed":
            holder = QWidget()
            h = QHBoxLayout(holder)
            h.setContentsMargins(0, 0, 0, 0)
            date = QDateEdit()
            date.setObjectName("cqo_appointed_date")
            date.setDisplayFormat("yyyy-MM-dd")
            date.setMinimumDate(NO_DATE)
            date.setSpecialValueText(_("(not given)"))
            open_on_today(date)  # not on January 1900, the "not given" value
            date.setDate(NO_DATE)
            date.dateChanged.connect(lambda _d: self._changed("cqo_appointed"))
            clear = QToolButton()
            clear.setText(_("Clear"))
            clear.clicked.connect(lambda: date.setDate(NO_DATE))
            h.addWidget(date, 1)
            h.addWidget(clear)
            holder.date = date  # type: ignore[attr-defined]
            return holder
        if key == "note":
            w = QPlainTextEdit()
            w.setMaximumHeight(90)
            w.textChanged.connect(lambda: self._changed("note"))
            return w
        w = QLineEdit()
        w.setObjectName(key)
        if key == "uscc":
            w.setMaxLength(30)  # room for pasted spaces; normalised on leaving the field
            w.setPlaceholderText(_("18 characters, e.g. 91320600MA1XXXXXXX"))
        elif key in enterprises.YEAR_FIELDS:
            w.setValidator(QIntValidator(0, enterprises.MAX_YEAR, w))
            w.setMaxLength(4)
            w.setPlaceholderText(_("e.g. {year}").format(year=self.year))
        elif key in ("phone", "cqo_phone"):
            w.setValidator(QRegularExpressionValidator(QRegularExpression(PHONE_PATTERN), w))
        w.textChanged.connect(lambda _t, k=key: self._changed(k))
        w.editingFinished.connect(lambda k=key: self._left(k))
        return w

    # ---- values ----------------------------------------------------------------------------
    def values(self) -> dict:
        out: dict = {}
        for key, w in self.w.items():
            if isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QComboBox):
                out[key] = w.currentText()
            elif isinstance(w, QPlainTextEdit):
                out[key] = w.toPlainText()
            elif key == "cqo_appointed":
                d = w.date.date()  # type: ignore[attr-defined]
                out[key] = None if d == NO_DATE else dt.date(d.year(), d.month(), d.day())
            else:
                out[key] = w.text()
        return out

    def set_values(self, data: dict) -> None:
        self._loading = True
        try:
            for key, w in self.w.items():
                value = data.get(key)
                if isinstance(w, QCheckBox):
                    w.setChecked(bool(value))
                elif isinstance(w, QComboBox):
                    text = "" if value is None else str(value)
                    if w.isEditable():
                        w.setEditText(text)
                    else:
                        i = w.findText(text)
                        w.setCurrentIndex(i if i >= 0 else 0)
                elif isinstance(w, QPlainTextEdit):
                    w.setPlainText(value or "")
                elif key == "cqo_appointed":
                    w.date.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)  # type: ignore
                else:
                    w.setText("" if value is None else str(value))
        finally:
            self._loading = False
        self._saved_values = enterprises.clean(self.values())
        self._conflict_base = dict(self._saved_values)  # the values loaded: who changed what, in a conflict
        self._touched.clear()
        self.validate()

    def load(self, enterprise_id: int | None) -> None:
        from qoffice.ui import editor_registry

        self.enterprise_id = enterprise_id
        self.version: int | None = None  # what a save hands the service: a record changed since is refused
        data: dict = {"status": vocab.STATUS_ACTIVE, "county": self.office_county or None}
        name = None
        record = enterprises.for_editor(self.db, enterprise_id) if enterprise_id is not None else None
        if record is not None:
            data, name, self.version = record.values, record.name, record.version
        editor_registry.rekey("enterprise", self, enterprise_id)  # one editor per enterprise
        self.set_values(data)
        self.setWindowTitle(_("Enterprise quality file — {name}").format(name=name) if name
                            else _("Enterprise quality file — new"))
        self.figures.set_enterprise(enterprise_id)
        self.audit.set_enterprise(enterprise_id)
        self.activities.set_enterprise(enterprise_id)

    def is_dirty(self) -> bool:
        return enterprises.clean(self.values()) != self._saved_values

    # ---- validation ------------------------------------------------------------------------
    def _changed(self, key: str) -> None:
        if self._loading:
            return
        if key in enterprises.BOOL_FIELDS or isinstance(self.w[key], QComboBox) or key == "cqo_appointed":
            self._touched.add(key)
        self.validate()

    def _left(self, key: str) -> None:
        if key == "uscc":
            w = self.w["uscc"]
            normal = enterprises.uscc_rules.normalize(w.text())
            if normal != w.text():
                w.setText(normal)
        self._touched.add(key)
        self.validate()

    def _trade_changed(self, text: str) -> None:
        implied = vocab.TRADE_GROUPS.get(text.strip())
        if implied and not self._loading:
            group = self.w["industry_group"]
            group.setCurrentIndex(group.findText(implied))
        self._changed("trade")

    def check(self) -> enterprises.Checked:
        return enterprises.check(enterprises.clean(self.values()))

    def validate(self) -> bool:
        """Show problems next to fields; enable 保存 only when nothing blocks it. True when valid."""
        values = self.values()
        status = values.get("status") or vocab.STATUS_ACTIVE
        year_w = self.w["status_year"]
        year_w.setEnabled(status != vocab.STATUS_ACTIVE)
        if status == vocab.STATUS_ACTIVE and year_w.text():
            self._loading = True
            year_w.clear()
            self._loading = False
        self.labels["status_year"].setText(required_label(field_label("status_year")) if status != vocab.STATUS_ACTIVE
                                           else field_label("status_year"))
        self.w["benchmark_since"].setEnabled(bool(values.get("benchmark")))
        checked = self.check()
        self.county_outside = county_rules.outside_list(values.get("county"), self.counties)
        code = enterprises.uscc_rules.normalize(values.get("uscc"))
        for key, label in self.messages.items():
            label.setTextFormat(Qt.AutoText)
            problem = checked.problems.get(key)
            warning = checked.warnings.get(key)
            visible = key in self._touched or (key == "uscc" and len(code) >= enterprises.uscc_rules.LENGTH) \
                or (key == "status_year" and "status" in self._touched)
            if key in REQUIRED and not str(values.get(key) or "").strip():
                problem = None  # a missing required field is said once, next to 保存
            if problem and visible:
                label.setText("⚠ " + problem)
                label.setStyleSheet(ERROR_STYLE)
                label.show()
            elif warning:
                label.setText(_("Note: {text}").format(text=warning))
                label.setStyleSheet(WARNING_STYLE)
                label.show()
            elif key == "county" and self.county_outside is not None:
                self._show_county_warning(label, self.county_outside)
            else:
                label.hide()
        missing = [field_label(k) for k in REQUIRED if not str(values.get(k) or "").strip()]
        if missing:
            reason = _("Fill in: {fields}").format(fields="、".join(missing))
        elif checked.problems:
            reason = _("Cannot save yet: {problem}").format(problem=next(iter(checked.problems.values())))
        else:
            reason = ""
        self.reason.setText(("⚠ " + reason) if reason else "")
        self.save_button.setEnabled(not reason)
        self.save_button.setToolTip(reason or _("Save (Ctrl+S)"))
        return not reason

    def _show_county_warning(self, label: QLabel, outside) -> None:
        """“如东” is not in the county list; did you mean “如东县”? — with a link that takes it."""
        text = html.escape(_("Note: {text}").format(text=outside.message))
        if outside.suggestion:
            text += ' <a href="county">{}</a>'.format(
                html.escape(_("Use “{county}”").format(county=outside.suggestion)))
        label.setTextFormat(Qt.RichText)
        label.setText(text)
        label.setStyleSheet(WARNING_STYLE)
        label.show()

    def use_suggested_county(self) -> None:
        """Put the closest listed county in place of the one typed."""
        if self.county_outside is not None and self.county_outside.suggestion:
            self.w["county"].setEditText(self.county_outside.suggestion)

    def field_message(self, key: str) -> str:
        label = self.messages[key]
        return label.text() if not label.isHidden() else ""

    # ---- saving and closing ----------------------------------------------------------------
    def save(self):
        """保存: the typed values saved by an operation on the worker; returns its Job (also kept on
        `self.job`; a retry after the conflict dialog, or a restore from the recycle bin, replaces
        it), or None when nothing is saved: a problem in the form, or a save still running. The
        questions come first: the county not in the list before the save; the stored values beside
        the typed ones (qoffice.ui.conflict_dialog) after a save refused as stale."""
        if self.job is not None and not self.job.finished:
            return None  # 保存 pressed twice: the second would meet its own first save as a conflict
        self._touched.update(self.w)
        if not self.validate():
            return None
        outside = self.county_outside
        if outside is not None and outside.suggestion and messages.ask(self, _(
                "The county “{county}” is not in the county list. Save it as “{suggestion}”?\n\n"
                "Choose No to keep “{county}” as typed.").format(county=outside.value,
                                                                  suggestion=outside.suggestion), default=True):
            self.use_suggested_county()
        data = enterprises.clean(self.values())
        db, enterprise_id, version = self.db, self.enterprise_id, self.version
        self.job = run_op(self, self.ctx,
                          lambda: enterprises.save_enterprise(db, enterprise_id, data, expected_version=version),
                          on_done=lambda saved: self._saved(saved.id),
                          on_error=lambda exc: self._save_refused(exc, data))
        return self.job

    def _saved(self, saved_id: int) -> None:
        self.load(saved_id)
        self.reason.setStyleSheet("color: palette(text);")
        self.reason.setText(_("Saved at {time}.").format(time=dt.datetime.now().strftime("%H:%M")))
        self.saved.emit(saved_id)

    def _save_refused(self, exc: KnownError, data: dict) -> None:
        if isinstance(exc, StaleRecord):
            self._resolve_conflict(exc, data)
        elif isinstance(exc, enterprises.DuplicateCode):
            if exc.deleted:
                if messages.ask(self, exc.message + "\n\n" + _("Restore it from the recycle bin now? "
                                                                "It opens here so you can check it."), default=True):
                    db, existing = self.db, exc.existing_id
                    self.job = run_op(self, self.ctx, lambda: enterprises.restore_from_recycle_bin(db, [existing]),
                                      on_done=lambda _changes: self._restored(existing))
                    return
            else:
                messages.error(self, exc.message)
            self._show_problem("uscc", exc.message)
        elif isinstance(exc, ValidationFailed):
            for key, text in exc.problems.items():
                if key in self.messages:
                    self._show_problem(key, text)
            messages.error(self, exc.message)
        else:
            messages.known_error(self, exc)

    def _restored(self, enterprise_id: int) -> None:
        self.load(enterprise_id)
        self.saved.emit(enterprise_id)

    def _resolve_conflict(self, exc: StaleRecord, data: dict) -> None:
        """Saved by someone else since it was loaded: the stored and the typed values side by side."""
        from qoffice.ui import conflict_dialog

        choice = conflict_dialog.resolve(self, exc, data, field_label, base=self._conflict_base)
        if choice == conflict_dialog.KEEP_MINE:
            self.version = exc.version
            self._conflict_base = enterprises.clean(exc.stored)  # the version the clerk saves over
            self.save()
        elif choice == conflict_dialog.TAKE_THEIRS and not exc.deleted:
            self.load(self.enterprise_id)

    def _show_problem(self, key: str, text: str) -> None:
        label = self.messages[key]
        label.setText("⚠ " + text)
        label.setStyleSheet(ERROR_STYLE)
        label.show()

    def reject(self) -> None:
        if self.is_dirty() and not messages.ask(self, _("Close without saving your changes?"), default=False):
            return
        super().reject()

    def closeEvent(self, event) -> None:
        if self.is_dirty() and not messages.ask(self, _("Close without saving your changes?"), default=False):
            event.ignore()
            return
        self._saved_values = enterprises.clean(self.values())  # reject() must not ask twice
        super().closeEvent(event)


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
        self.table.horizontalHeader().setStretchLastSection(True)
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
        self.table.resizeColumnsToContents()

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
