"""The enterprise editor: every field of the quality file; its yearly figures and change log are the
tabs of qoffice.ui.enterprise_panels.

Validation runs as the clerk types, through the same services.enterprises.check() the imports use,
so the form and the import can never disagree about what is valid.
"""
from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDate, QRegularExpression, Qt, Signal
from PySide6.QtGui import QIntValidator, QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qoffice.domain import county as county_rules
from qoffice.domain import vocab
from qoffice.errors import KnownError, StaleRecord, ValidationFailed
from qoffice.i18n import N_, _
from qoffice.services import enterprises
from qoffice.services import settings as settings_service
from qoffice.ui import messages
from qoffice.ui.context import AppContext
from qoffice.ui.dates import open_on_today
from qoffice.ui.enterprise_panels import AuditPanel, FiguresPanel, field_label
from qoffice.ui.operations import run_op
from qoffice.ui.style import ERROR_STYLE, WARNING_STYLE, required

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
