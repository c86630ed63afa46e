"""The 设置 area and the first-run dialog: county, office, operator, phone, UI language."""
from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qoffice import i18n
from qoffice.i18n import N_, _
from qoffice.services import settings as settings_service
from qoffice.ui import style
from qoffice.ui.context import AppContext
from qoffice.ui.enterprise_editor import PHONE_PATTERN, required_label
from qoffice.ui.operations import run_op

FIELDS = (("county", N_("County")), ("office", N_("Reporting office")), ("operator", N_("Filled in by")),
          ("phone", N_("Phone")))
REQUIRED = ("county", "office")


class SettingsForm(QWidget):
    """The four office settings as a form; `values()` / `load()`; `valid` when county and office are set."""

    changed = Signal()

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.db = db
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.w: dict[str, QWidget] = {}
        counties = settings_service.counties(db)
        for key, label in FIELDS:
            if key == "county":
                w = QComboBox()
                w.setEditable(True)
                w.addItems([""] + counties)
                w.currentTextChanged.connect(lambda _t: self.changed.emit())
            else:
                w = QLineEdit()
                w.textChanged.connect(lambda _t: self.changed.emit())
                if key == "phone":
                    w.setValidator(QRegularExpressionValidator(QRegularExpression(PHONE_PATTERN), w))
            w.setObjectName(key)
            w.setMinimumWidth(280)
            self.w[key] = w
            text = _(label)
            lab = QLabel(required_label(text) if key in REQUIRED else text)
            lab.setTextFormat(Qt.RichText)
            form.addRow(lab, w)
        self.load()

    def load(self) -> None:
        stored = settings_service.get_all(self.db)
        for key, _label in FIELDS:
            w, value = self.w[key], stored.get(key) or ""
            w.setEditText(value) if isinstance(w, QComboBox) else w.setText(value)

    def values(self) -> dict[str, str]:
        return {k: (w.currentText() if isinstance(w, QComboBox) else w.text()).strip() for k, w in self.w.items()}

    def missing(self) -> list[str]:
        v = self.values()
        return [_(label) for key, label in FIELDS if key in REQUIRED and not v[key]]


class FirstRunDialog(QDialog):
    """Asked before anything else when county or office is empty (screens.md). 开始 saves by an
    operation on the worker (kept on `self.job`); the dialog closes when it succeeded."""

    def __init__(self, db, parent=None, *, ctx=None):
        super().__init__(parent)
        self.db = db
        self.ctx = ctx if ctx is not None else AppContext(db)  # no window yet: nobody else to tell
        self.job = None
        self.setObjectName("first_run")
        self.setWindowTitle(_("Welcome to qoffice"))
        layout = QVBoxLayout(self)
        intro = QLabel(_("Before you start, tell qoffice which county and office it works for. "
                         "They head every return; you can change them later under “Settings”."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.form = SettingsForm(db)
        layout.addWidget(self.form)
        # city.md: the first run asks which office this is (the city office gets the 市级汇总 area)
        level_row = QHBoxLayout()
        level_row.addWidget(QLabel(_("This office is")))
        self.level = QComboBox()
        self.level.setObjectName("first_run_level")
        self.level.addItem(_("a county office"), settings_service.LEVEL_COUNTY)
        self.level.addItem(_("the city office (receives the counties' returns)"), settings_service.LEVEL_CITY)
        self.level.setCurrentIndex(self.level.findData(settings_service.level(db)))
        level_row.addWidget(self.level, 1)
        layout.addLayout(level_row)
        bottom = QHBoxLayout()
        self.reason = QLabel()
        self.reason.setStyleSheet(style.ERROR_STYLE)
        bottom.addWidget(self.reason, 1)
        self.ok = QPushButton(_("Start"))
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.accept)
        cancel = QPushButton(_("Quit"))
        cancel.clicked.connect(self.reject)
        bottom.addWidget(self.ok)
        bottom.addWidget(cancel)
        layout.addLayout(bottom)
        self.form.changed.connect(self._validate)
        self._validate()
        self.setMinimumWidth(520)

    def _validate(self) -> None:
        missing = self.form.missing()
        self.reason.setText("⚠ " + _("Fill in: {fields}").format(fields="、".join(missing)) if missing else "")
        self.ok.setEnabled(not missing)

    def accept(self):
        if self.form.missing() or (self.job is not None and not self.job.finished):
            return None
        db, values = self.db, self.form.values() | {settings_service.LEVEL: self.level.currentData()}
        self.ok.setEnabled(False)  # until the save is over: 开始 again after a refused one
        self.job = run_op(self, self.ctx, lambda: settings_service.save_values(db, values),
                          on_done=lambda _changes: QDialog.accept(self))
        self.job.when_done(lambda _succeeded: self._validate())
        return self.job


class SettingsArea(QWidget):
    statusText = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.job = None  # the running (or last) write: 保存, or 导入目标 (qoffice.ui.city_targets_import)
        # Two tabs: the office settings, and 备份与恢复 (qoffice.ui.backups_page).
        from qoffice.ui.backups_page import BackupsPage

        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        QVBoxLayout(self).addWidget(self.tabs)
        general = QWidget()
        # Scrolls, so the 17 targets never make the window taller than a 768-pixel screen.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(general)
        self.tabs.addTab(scroll, _("General"))
        self.backups = BackupsPage(ctx)
        self.backups.restored.connect(self.activated)
        self.tabs.addTab(self.backups, _("Backup and restore"))
        from qoffice.ui.database_page import DatabasePage  # 本机数据库 / 办公室服务器 (issue 16)

        self.database_page = DatabasePage(ctx)
        self.tabs.addTab(self.database_page, _("Database"))
        from qoffice.ui.import_history import ImportHistoryPage  # 导入记录: earlier imports, undo (issue 13)

        self.import_history = ImportHistoryPage(ctx)
        self.tabs.addTab(self.import_history, _("Import history"))
        outer = QHBoxLayout(general)
        column = QWidget()
        column.setMaximumWidth(760)  # a form stretched over a wide screen is hard to read
        outer.addWidget(column, 1)
        outer.addStretch(0)
        layout = QVBoxLayout(column)
        office = QGroupBox(_("Office"))
        v = QVBoxLayout(office)
        self.form = SettingsForm(ctx.db)
        v.addWidget(self.form)
        layout.addWidget(office)
        from qoffice.ui.targets import TargetsEditor  # the county's 17 targets of the return

        self.targets = TargetsEditor(ctx.db)
        layout.addWidget(self.targets)
        from qoffice.ui.city_targets_import import import_button  # 导入目标: the city's 下发目标 workbook

        self.import_targets_button = import_button(self)
        layout.addWidget(self.import_targets_button, 0, Qt.AlignLeft)

        ui = QGroupBox(_("Display"))
        f = QFormLayout(ui)
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(i18n.current_language()), 0))
        f.addRow(_("Interface language"), self.language)
        note = QLabel(_("The language changes as soon as you save. Vocabulary words of the return "
                        "(区县, 在营 …) stay Chinese in every language."))
        note.setWordWrap(True)
        f.addRow("", note)
        layout.addWidget(ui)

        bottom = QHBoxLayout()
        self.reason = QLabel()
        self.reason.setStyleSheet(style.ERROR_STYLE)
        bottom.addWidget(self.reason, 1)
        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self.save)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)
        layout.addStretch(1)
        self.form.changed.connect(self._validate)
        self._validate()

    def activated(self) -> None:
        self.form.load()
        self.targets.load()
        self.backups.reload()

    def show_backups(self) -> None:
        self.tabs.setCurrentWidget(self.backups)

    def status_text(self) -> str:
        return ""

    def _validate(self) -> None:
        missing = self.form.missing()
        self.reason.setText("⚠ " + _("Fill in: {fields}").format(fields="、".join(missing)) if missing else "")
        self.save_button.setEnabled(not missing)

    def save(self):
        """保存: the office settings, the 17 targets and the language in one operation on the worker;
        its Job (kept on `self.job`), or None while one still runs. A refused save (a read-only
        database, a bad value) shows its message and changes nothing."""
        if self.job is not None and not self.job.finished:
            return None
        language = self.language.currentData()
        values = self.form.values() | self.targets.settings() | {"language": language}
        db = self.ctx.db
        self.job = run_op(self, self.ctx, lambda: settings_service.save_values(db, values),
                          on_done=lambda _changes: self._saved(language))
        return self.job

    def _saved(self, language: str) -> None:
        self.ctx.settingsChanged.emit()
        if language != i18n.current_language():
            self.ctx.languageChanged.emit(language)  # rebuilds every area, this one too
        else:
            self.reason.setStyleSheet("color: palette(text);")
            self.reason.setText(_("Settings saved."))
