"""The 年度报表 page: the 17 indicators of the shared year with targets and completion bars, a chart
of this year against last year, the checks (errors block the export; each opens its record),
导出报表 with the default file name, 打印封面 / 导出PDF, and the 报送记录 of every exported return.

The numbers come from services.returns.preview on a worker, so a 100,000-enterprise database
never freezes the window; the export is services.returns.export on a worker as well.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QStyleOptionProgressBar,
    QStylePainter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qoffice.domain import checks as check_rules
from qoffice.domain import indicators as ind
from qoffice.domain.checks import Problem
from qoffice.errors import KnownError
from qoffice.i18n import _
from qoffice.services import returns as returns_service
from qoffice.services import settings as settings_service
from qoffice.ui import list_export, messages, style
from qoffice.ui.operations import run_op
from qoffice.ui.worker import SHOW_AFTER_MS, run_in_background

MIN_CHECKS_HEIGHT = 150  # the checks below the table: their summary and three lines at least
ERROR_COLOR = QColor(style.ERROR)
WARNING_BG = QColor(style.WARNING_BACKGROUND)
WARNING_FG = QColor(style.WARNING)
THIS_YEAR_COLOR = QColor(style.THIS_YEAR)
LAST_YEAR_COLOR = QColor(style.LAST_YEAR)
LAST_YEAR_TEXT = QColor(style.LAST_YEAR_TEXT)  # last year's numbers: quieter than this year's, still easy to read
MIN_CHART_FONT_PT = 9.0
VALUE_GAP = 8
# Where a problem's record lives: table → candidate area keys in the main window.
AREA_OF_TABLE = {
    check_rules.T_PROJECT: ("projects",),
    check_rules.T_AWARD: ("awards",),
    check_rules.T_FORUM: ("forums",),
    check_rules.T_SIGNUP: ("meeting", "meetings", "signups"),
    check_rules.T_MEETING: ("meeting", "meetings", "signups"),
}


def value_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class CompletionBar(QProgressBar):
    """The 完成率 cell: a bar, and the number too (not the bar alone), written beside the bar so its
    edge never runs through the number at any rate (drawn on the bar, “60.0%” was cut at 60 %)."""

    TEXT_GAP = 6

    def text_width(self) -> int:
        """Room for the number at the right: “100.0%” (or a longer one) and a gap before it."""
        fm = self.fontMetrics()
        return max(fm.horizontalAdvance("100.0%"), fm.horizontalAdvance(self.text())) + self.TEXT_GAP + 2

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        p = QStylePainter(self)
        option = QStyleOptionProgressBar()
        self.initStyleOption(option)
        text_w = self.text_width()
        option.rect = self.rect().adjusted(0, 2, -text_w, -2)  # the track, left of the number
        option.textVisible = False
        p.drawControl(QStyle.CE_ProgressBar, option)
        p.setPen(self.palette().color(QPalette.Text))
        p.drawText(QRect(self.width() - text_w, 0, text_w - 2, self.height()), Qt.AlignRight | Qt.AlignVCenter,
                   self.text())


def completion_bar(completion: Decimal) -> CompletionBar:
    """The 完成率 cell for `completion` (%): the bar is full from 100 % on."""
    bar = CompletionBar()
    bar.setRange(0, 1000)
    bar.setValue(int(min(Decimal(1000), completion * 10)))
    bar.setFormat(f"{completion}%")
    bar.setTextVisible(True)
    return bar


class ComparisonChart(QWidget):
    """Bars per indicator: this year against last year, each pair scaled to its larger value
    (the 17 rows have different units), numbers written at the bars — painted with QPainter."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("chart")
        self.year = 0
        self.rows: list[tuple[int, str, str, Decimal | int | None, Decimal | int | None]] = []
        self.drawn_labels: list[str] = []  # the indicator labels as last painted (tests read them)
        self.smallest_font_pt = 0.0
        self.setMinimumSize(QSize(420, 360))

    def label_width(self) -> int:
        """Room for the longest “N indicator name”, whole."""
        fm = QFontMetrics(self.font())
        return max((fm.horizontalAdvance(f"{n} {name}") for n, name, _u in ind.DEFINITIONS), default=0) + 10

    def value_font(self) -> QFont:
        small = QFont(self.font())
        small.setPointSizeF(max(MIN_CHART_FONT_PT, self.font().pointSizeF() * 0.85))
        return small

    def value_width(self) -> int:
        """Both numbers of a row side by side: this year's and last year's."""
        return 2 * QFontMetrics(self.value_font()).horizontalAdvance("00000.0000") + 3 * VALUE_GAP

    def wanted_width(self) -> int:
        """Labels whole, values whole, and bars of a readable length between them."""
        return 8 + self.label_width() + 140 + self.value_width() + 8

    def set_data(self, year: int, this_year: list[ind.IndicatorRow], last_year: list[ind.IndicatorRow] | None):
        last = {r.number: r.value for r in (last_year or [])}
        self.year = year
        self.rows = [(r.number, r.name, r.unit, r.value, last.get(r.number)) for r in this_year]
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(560, 480)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        fm = QFontMetrics(self.font())
        line = fm.height()
        margin = 8
        # Legend: colour and words, never colour alone.
        x = margin
        for color, text in ((THIS_YEAR_COLOR, _("{year} (this year)").format(year=self.year)),
                            (LAST_YEAR_COLOR, _("{year} (last year)").format(year=self.year - 1))):
            p.fillRect(QRectF(x, margin + 2, 14, line - 4), color)
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(x + 18, margin, fm.horizontalAdvance(text) + 4, line), Qt.AlignVCenter, text)
            x += 18 + fm.horizontalAdvance(text) + 20
        if not self.rows:
            return
        top = margin + line + 8
        label_w = min(int(self.width() * 0.5), self.label_width())
        small = self.value_font()
        sfm = QFontMetrics(small)
        self.smallest_font_pt = min(small.pointSizeF(), self.font().pointSizeF())
        self.drawn_labels = []
        # One line per indicator: its label, the two bars, then this year's and last year's numbers
        # side by side in two right-aligned columns (the unit is in the table beside the chart).
        texts = [(self.number_text(now, unit), self.number_text(before, unit)) for _n, _l, unit, now, before
                 in self.rows]
        now_w = max(sfm.horizontalAdvance(a) for a, _b in texts)
        before_w = max(sfm.horizontalAdvance(b) for _a, b in texts)
        bar_x = margin + label_w
        bar_w = max(20, self.width() - bar_x - now_w - before_w - 3 * VALUE_GAP - margin)
        slot = max(2.0 * 6 + 4, (self.height() - top - margin) / len(self.rows))
        bar_h = max(4.0, min(line * 0.45, (slot - 6) / 2))
        grid = QPen(self.palette().mid().color())
        grid.setStyle(Qt.DotLine)
        for i, (number, name, _unit, now, before) in enumerate(self.rows):
            y = top + i * slot
            p.setPen(self.palette().text().color())
            label = fm.elidedText(f"{number} {name}", Qt.ElideRight, label_w - 6)
            self.drawn_labels.append(label)
            p.drawText(QRectF(margin, y, label_w - 6, slot), Qt.AlignVCenter | Qt.AlignLeft, label)
            values = [abs(Decimal(v)) for v in (now, before) if v is not None]
            scale = max(values) if values and max(values) > 0 else None
            for j, (value, color) in enumerate(((now, THIS_YEAR_COLOR), (before, LAST_YEAR_COLOR))):
                by = y + (slot - 2 * bar_h) / 2 + j * bar_h
                width = 0.0 if value is None or scale is None else float(abs(Decimal(value)) / scale) * bar_w
                if width > 0:
                    p.fillRect(QRectF(bar_x, by, max(width, 1.5), bar_h - 1), color)
            p.setFont(small)
            x = bar_x + bar_w + VALUE_GAP
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(x, y, now_w, slot), Qt.AlignVCenter | Qt.AlignRight, texts[i][0])
            p.setPen(LAST_YEAR_TEXT)
            p.drawText(QRectF(x + now_w + 2 * VALUE_GAP, y, before_w, slot), Qt.AlignVCenter | Qt.AlignRight,
                       texts[i][1])
            p.setFont(self.font())
            p.setPen(grid)
            p.drawLine(int(bar_x), int(y + slot), int(bar_x + bar_w), int(y + slot))
        p.end()

    @staticmethod
    def number_text(value, unit: str) -> str:
        if value is None:
            return _("no data")
        return value_text(value) + ("%" if unit == "%" else "")


class SubmissionDialog(QDialog):
    """One 报送记录: its 17 numbers as exported, and its kept copy."""

    def __init__(self, submission: returns_service.Submission, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Return exported on {time}").format(time=local_time(submission.at)))
        layout = QVBoxLayout(self)
        info = QLabel(_("Year {year} · file {path} · {n} warnings").format(
            year=submission.year, path=submission.path, n=submission.warnings))
        info.setWordWrap(True)
        layout.addWidget(info)
        table = QTableWidget(len(ind.DEFINITIONS), 4)
        table.setObjectName("numbers")
        table.setHorizontalHeaderLabels(["序号", "指标", "单位", "本年数值"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        for i, (number, name, unit) in enumerate(ind.DEFINITIONS):
            for j, text in enumerate((str(number), name, unit, submission.indicators.get(str(number)) or "")):
                table.setItem(i, j, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(table)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        copy = QPushButton(_("Open the kept copy"))
        copy.setEnabled(submission.copy_exists)
        copy.clicked.connect(lambda: list_export.open_file(submission.copy_path))
        close = QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        buttons.addWidget(copy)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.table = table
        self.resize(560, 600)


def local_time(at: dt.datetime) -> str:
    """Stored times are UTC; the clerk reads local time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


class ReturnsPage(QWidget):
    """The 年度报表 area (takes the AppContext)."""

    statusText = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("returns_page")
        self.preview: returns_service.ReturnPreview | None = None
        self.last_year: list[ind.IndicatorRow] | None = None
        self.submissions: list[returns_service.Submission] = []
        self.job = None
        self._stale = True
        self._build()
        ctx.yearChanged.connect(self._changed)  # bound methods: cut when the page goes
        ctx.dataChanged.connect(self._changed)
        ctx.settingsChanged.connect(self._changed)

    # ---- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        top.addWidget(self.title, 1)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(_("Export the return"))
        self.export_button.setObjectName("export")
        self.export_button.clicked.connect(self.export)
        self.print_button = QPushButton(_("Print cover"))
        self.print_button.setObjectName("print")
        self.print_button.clicked.connect(self.print_cover)
        self.pdf_button = QPushButton(_("Export PDF"))
        self.pdf_button.setObjectName("pdf")
        self.pdf_button.clicked.connect(self.export_pdf)
        for b in (self.refresh_button, self.export_button, self.print_button, self.pdf_button):
            top.addWidget(b)
        layout.addLayout(top)

        self.banner = QWidget()
        self.banner.setObjectName("banner")
        self.banner.setStyleSheet(style.ERROR_BANNER_STYLE)
        b = QHBoxLayout(self.banner)
        self.banner_text = QLabel()
        self.banner_text.setObjectName("banner_text")
        self.banner_text.setWordWrap(True)
        b.addWidget(self.banner_text, 1)
        self.settings_button = QPushButton(_("Open the settings"))
        self.settings_button.clicked.connect(self.open_settings)
        b.addWidget(self.settings_button)
        self.banner.hide()
        layout.addWidget(self.banner)

        self.vsplit = QSplitter(Qt.Vertical)
        hsplit = QSplitter(Qt.Horizontal)
        self.table = QTableWidget(len(ind.DEFINITIONS), 6)
        self.table.setObjectName("indicators")
        self.table.setHorizontalHeaderLabels([_("No."), _("Indicator"), _("Unit"), _("This year"), _("Target"),
                                              _("Completion")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        # Compact rows: all 17 show without scrolling on a 1366×768 screen, the checks below them.
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        header = self.table.horizontalHeader()
        for col in (0, 2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(5, QHeaderView.Fixed)
        self.table.setColumnWidth(5, 150)
        for i, (number, name, unit) in enumerate(ind.DEFINITIONS):
            self.table.setItem(i, 0, QTableWidgetItem(str(number)))
            self.table.setItem(i, 1, QTableWidgetItem(name))
            self.table.setItem(i, 2, QTableWidgetItem(unit))
        hsplit.addWidget(self.table)
        self.chart = ComparisonChart()
        hsplit.addWidget(self.chart)
        hsplit.setStretchFactor(0, 3)
        hsplit.setStretchFactor(1, 2)
        hsplit.setSizes([760, 480])  # the indicator names must be readable in full
        self.hsplit = hsplit
        self._sized = False  # the splitters are fitted to the page once, when it first has its size
        self.vsplit.addWidget(hsplit)

        self.tabs = QTabWidget()
        checks = QWidget()
        cv = QVBoxLayout(checks)
        self.checks_summary = QLabel()
        self.checks_summary.setObjectName("checks_summary")
        self.checks_summary.setWordWrap(True)
        cv.addWidget(self.checks_summary)
        self.checks = QTableWidget(0, 4)
        self.checks.setObjectName("checks")
        self.checks.setHorizontalHeaderLabels([_("Level"), _("Sheet"), _("Row"), _("What was found")])
        self.checks.verticalHeader().hide()
        self.checks.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.checks.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.checks.setSelectionMode(QAbstractItemView.SingleSelection)
        self.checks.setToolTip(_("Click a line to open the record concerned."))
        ch = self.checks.horizontalHeader()
        for col in (0, 1, 2):
            ch.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        ch.setStretchLastSection(True)
        self.checks.cellClicked.connect(lambda row, _c: self.open_problem(row))
        self.checks.cellActivated.connect(lambda row, _c: self.open_problem(row))
        cv.addWidget(self.checks)
        self.tabs.addTab(checks, _("Checks"))

        subs = QWidget()
        sv = QVBoxLayout(subs)
        self.submission_table = QTableWidget(0, 4)
        self.submission_table.setObjectName("submissions")
        self.submission_table.setHorizontalHeaderLabels([_("Exported at"), _("Year"), _("File"), _("Warnings")])
        self.submission_table.verticalHeader().hide()
        self.submission_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.submission_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.submission_table.setSelectionMode(QAbstractItemView.SingleSelection)
        sh = self.submission_table.horizontalHeader()
        for col in (0, 1, 3):
            sh.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        sh.setSectionResizeMode(2, QHeaderView.Stretch)
        self.submission_table.cellDoubleClicked.connect(lambda row, _c: self.show_submission(row))
        sv.addWidget(self.submission_table)
        sb = QHBoxLayout()
        view = QPushButton(_("Show its 17 numbers"))
        view.clicked.connect(lambda: self.show_submission(self.submission_table.currentRow()))
        open_copy = QPushButton(_("Open the kept copy"))
        open_copy.clicked.connect(self.open_submission_copy)
        open_dir = QPushButton(_("Open the folder"))
        open_dir.clicked.connect(self.open_submission_folder)
        for w in (view, open_copy, open_dir):
            sb.addWidget(w)
        sb.addStretch(1)
        sv.addLayout(sb)
        self.tabs.addTab(subs, _("Submissions"))
        self.vsplit.addWidget(self.tabs)
        self.vsplit.setStretchFactor(0, 3)
        self.vsplit.setStretchFactor(1, 2)
        layout.addWidget(self.vsplit, 1)
        self._update_buttons()

    def table_height(self) -> int:
        """The indicator table's height with all 17 rows showing."""
        t = self.table
        return (t.horizontalHeader().sizeHint().height() + t.verticalHeader().length()
                + 2 * t.frameWidth() + 2)

    def table_width(self) -> int:
        t = self.table
        fm = t.fontMetrics()
        names = max(fm.horizontalAdvance(name) for _n, name, _u in ind.DEFINITIONS) + 16
        others = sum(t.horizontalHeader().sectionSize(c) for c in (0, 2, 3, 4, 5))
        return names + others + t.verticalScrollBar().sizeHint().width() + 2 * t.frameWidth() + 4

    def fit_splitters(self) -> None:
        """The table tall enough for its 17 rows (the checks take the rest), and as wide as its
        names need, so the chart has the room to write its labels whole."""
        height = self.vsplit.height()
        if height <= 0:
            return
        top = min(self.table_height(), max(height - MIN_CHECKS_HEIGHT, height // 2))
        self.vsplit.setSizes([top, max(0, height - top - self.vsplit.handleWidth())])
        width = self.hsplit.width()
        chart = min(self.chart.wanted_width(), max(self.chart.minimumWidth(), width - self.table_width()))
        self.hsplit.setSizes([max(0, width - chart - self.hsplit.handleWidth()), chart])

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if not self._sized and self.isVisible():
            self._sized = True
            self.fit_splitters()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            self.fit_splitters()

    # ---- what the main window calls -------------------------------------------------------------
    def activated(self) -> None:
        if self._stale:
            self.refresh()

    def status_text(self) -> str:
        if self.preview is None:
            return ""
        return _("{errors} errors, {warnings} warnings").format(errors=len(self.preview.errors),
                                                                warnings=len(self.preview.warnings))

    def _changed(self, *_what) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    # ---- loading -------------------------------------------------------------------------------
    def missing_settings(self) -> list[str]:
        missing = []
        if not (self.ctx.setting("county") or "").strip():
            missing.append(_("County"))
        if not (self.ctx.setting("office") or "").strip():
            missing.append(_("Reporting office"))
        return missing

    def refresh(self):
        """Compute the year on a worker; returns the Job."""
        year = self.ctx.year
        db = self.ctx.db
        self._stale = False
        self.title.setText(_("Return for {year}").format(year=year))

        def work(progress):
            progress(0, 3, _("Computing the return…"))
            with db.read_session() as s:
                this = returns_service.preview(s, year)
                progress(1, 3, _("Computing the return…"))
                last = ind.compute(returns_service.load(s, year - 1))
                progress(2, 3, _("Computing the return…"))
                subs = returns_service.list_submissions(s)
            return this, last, subs

        self.job = run_in_background(self, work, title=_("Annual return"), label=_("Computing the return…"),
                                     on_done=self._loaded)
        return self.job

    def _loaded(self, outcome) -> None:
        self.preview, self.last_year, self.submissions = outcome
        self._fill_indicators()
        self.chart.set_data(self.preview.year, self.preview.indicators, self.last_year)
        self._fill_checks()
        self._fill_submissions()
        self._update_buttons()
        self.statusText.emit(self.status_text())

    def _fill_indicators(self) -> None:
        for i, row in enumerate(self.preview.indicators):
            value = QTableWidgetItem(value_text(row.value))
            value.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            target = QTableWidgetItem(value_text(row.target))
            target.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.table.setItem(i, 3, value)
            self.table.setItem(i, 4, target)
            self.table.removeCellWidget(i, 5)
            if row.completion is None:
                reason = _("lower is better") if row.number in ind.NO_COMPLETION else (
                    _("no target") if row.target in (None, 0) else _("no data"))
                item = QTableWidgetItem("—  " + reason)
                item.setForeground(QBrush(self.palette().mid().color()))
                self.table.setItem(i, 5, item)
            else:
                self.table.setItem(i, 5, QTableWidgetItem(""))
                bar = completion_bar(row.completion)
                bar.setObjectName(f"completion_{row.number}")
                self.table.setCellWidget(i, 5, bar)

    def _fill_checks(self) -> None:
        problems = list(self.preview.errors) + list(self.preview.warnings)
        self.problems = problems
        self.checks.setRowCount(len(problems))
        qstyle = self.style()
        icons = {check_rules.ERROR: qstyle.standardIcon(QStyle.SP_MessageBoxCritical),
                 check_rules.WARNING: qstyle.standardIcon(QStyle.SP_MessageBoxWarning)}
        for i, p in enumerate(problems):
            level = QTableWidgetItem(icons[p.level], p.level)
            items = [level, QTableWidgetItem(p.sheet), QTableWidgetItem("" if p.row is None else str(p.row)),
                     QTableWidgetItem(p.message)]
            for j, item in enumerate(items):
                if p.level == check_rules.ERROR:
                    item.setForeground(QBrush(ERROR_COLOR))
                else:
                    item.setBackground(QBrush(WARNING_BG))
                    item.setForeground(QBrush(WARNING_FG))
                item.setToolTip(p.message)
                self.checks.setItem(i, j, item)
        n_err, n_warn = len(self.preview.errors), len(self.preview.warnings)
        if n_err:
            text = _("{errors} errors block the export; click one to open the record and fix it. "
                     "{warnings} warnings go into the 校验 sheet.").format(errors=n_err, warnings=n_warn)
            self.checks_summary.setStyleSheet(style.ERROR_STYLE + " font-weight: bold;")
        else:
            text = _("No errors: the return can be exported. {warnings} warnings go into the 校验 sheet.").format(
                warnings=n_warn)
            self.checks_summary.setStyleSheet("")
        self.checks_summary.setText(text)
        self.tabs.setTabText(0, _("Checks ({errors} errors, {warnings} warnings)").format(errors=n_err,
                                                                                          warnings=n_warn))

    def _fill_submissions(self) -> None:
        subs = self.submissions
        self.submission_table.setRowCount(len(subs))
        for i, s in enumerate(subs):
            for j, text in enumerate((local_time(s.at), str(s.year), s.path, str(s.warnings))):
                item = QTableWidgetItem(text)
                item.setToolTip(s.path)
                self.submission_table.setItem(i, j, item)
        self.tabs.setTabText(1, _("Submissions ({n})").format(n=len(subs)))

    def _update_buttons(self) -> None:
        missing = self.missing_settings()
        if missing:
            self.banner_text.setText(_("The return cannot be exported while {fields} is empty.").format(
                fields="、".join(missing)))
            self.banner.show()
        else:
            self.banner.hide()
        ready = self.preview is not None and self.preview.can_export and not missing
        self.export_button.setEnabled(ready)
        self.export_button.setToolTip("" if ready else _("Fix the errors listed under “Checks” first."))
        has = self.preview is not None
        self.print_button.setEnabled(has)
        self.pdf_button.setEnabled(has)

    # ---- problems → records --------------------------------------------------------------------
    def _main_window(self):
        w = self.window()
        return w if hasattr(w, "areas") and hasattr(w, "show_area") else None

    def open_problem(self, row: int):
        """Open the record a check is about: the enterprise editor, the settings, or its area."""
        if row < 0 or row >= len(getattr(self, "problems", [])):
            return None
        p: Problem = self.problems[row]
        mw = self._main_window()
        if p.table == check_rules.T_SETTING:
            return self.open_settings()
        enterprise_id = None
        if p.table == check_rules.T_ENTERPRISE:
            enterprise_id = p.record_id
        elif p.table == check_rules.T_FIGURES and p.record_id is not None:
            from qoffice.db.models import YearFigures

            with self.ctx.db.read_session() as s:
                fig = s.get(YearFigures, p.record_id)
                enterprise_id = fig.enterprise_id if fig is not None else None
        if enterprise_id is not None:
            return self.open_enterprise(int(enterprise_id))
        for key in AREA_OF_TABLE.get(p.table, ()):
            if mw is not None and key in mw.areas:
                area = mw.show_area(key)
                lst = getattr(area, "list", None)
                if lst is not None and p.record_id is not None:
                    lst.reload()
                    if not lst.reveal_id(p.record_id):  # not in this list at all: say what is wrong
                        messages.info(self, p.message)
                return area
        messages.info(self, p.message)
        return None

    def open_enterprise(self, enterprise_id: int):
        """The enterprise editor, as the enterprise area opens it (and in its place when there is one)."""
        mw = self._main_window()
        area = mw.areas.get("enterprises") if mw is not None else None
        if area is not None and hasattr(area, "open_editor"):
            return area.open_editor(enterprise_id)
        from qoffice.ui import editor_registry
        from qoffice.ui.enterprise_editor import EnterpriseEditor

        def new() -> EnterpriseEditor:
            return EnterpriseEditor(self.ctx.db, enterprise_id, year=self.ctx.year, parent=self,
                                    ctx=self.ctx)  # its saves are published through this page's context

        self.editor = editor_registry.open_editor("enterprise", enterprise_id, new)  # one per record
        return self.editor

    def open_settings(self):
        mw = self._main_window()
        if mw is not None and "settings" in mw.areas:
            return mw.show_area("settings")
        messages.info(self, _("Fill in the county and the reporting office under “Settings”."))
        return None

    # ---- export --------------------------------------------------------------------------------
    def export(self):
        """导出报表: the default file name, services.returns.export on a worker. Returns the Job or None."""
        missing = self.missing_settings()
        if missing:
            if messages.ask(self, _("The return cannot be exported while {fields} is empty. Open the settings "
                                    "now?").format(fields="、".join(missing)), default=True):
                self.open_settings()
            return None
        if self.preview is None or self.preview.errors:
            messages.error(self, _("The return has errors; fix the ones listed under “Checks” first."))
            return None
        year = self.ctx.year
        name = returns_service.default_filename(self.ctx.setting("county"), year)
        path = list_export.ask_save_path(self, _("Export the return"), name)
        if path is None:
            return None
        path = list_export.with_xlsx(path)
        db = self.ctx.db
        self.job = run_op(self, self.ctx, lambda progress: returns_service.export_return(db, year, path,
                                                                                           progress=progress),
                          title=_("Export the return"), label=_("Writing the return…"), on_done=self._exported,
                          on_error=self._export_failed, with_progress=True, cancellable=True,
                          show_after_ms=SHOW_AFTER_MS)
        return self.job

    def _exported(self, result: returns_service.ExportResult) -> None:
        list_export.remember_folder(result.path)
        text = _("The return for {year} was written to {path}.").format(year=self.ctx.year, path=result.path)
        if result.warnings:
            text += " " + _("{n} warnings are listed in its 校验 sheet.").format(n=len(result.warnings))
        list_export.offer_open_folder(self, text, result.path)
        if not self.isVisible():
            self.refresh()

    def _export_failed(self, exc: KnownError) -> None:
        messages.known_error(self, exc)
        if isinstance(exc, returns_service.ReturnHasErrors):
            self.refresh()

    # ---- 报送记录 --------------------------------------------------------------------------------
    def _submission(self, row: int) -> returns_service.Submission | None:
        return self.submissions[row] if 0 <= row < len(self.submissions) else None

    def show_submission(self, row: int):
        s = self._submission(row)
        if s is None:
            return None
        dialog = SubmissionDialog(s, self)
        dialog.show()
        self.submission_dialog = dialog
        return dialog

    def open_submission_copy(self) -> None:
        s = self._submission(self.submission_table.currentRow())
        if s is None:
            return
        if s.copy_exists:
            list_export.open_file(s.copy_path)
        else:
            messages.warning(self, _("The kept copy of this return is no longer there."))

    def open_submission_folder(self) -> None:
        s = self._submission(self.submission_table.currentRow())
        if s is not None:
            list_export.open_folder(Path(s.path))

    # ---- printing ------------------------------------------------------------------------------
    def _cover_data(self):
        from qoffice.ui.return_print import CoverData

        with self.ctx.db.read_session() as s:
            values = {k: settings_service.get(s, k) or "" for k in ("county", "office", "operator", "phone")}
        return CoverData(year=self.preview.year, county=values["county"], office=values["office"],
                         operator=values["operator"], phone=values["phone"], indicators=self.preview.indicators,
                         errors=len(self.preview.errors), warnings=len(self.preview.warnings))

    def export_pdf(self) -> Path | None:
        """导出PDF: the cover and summary on A4."""
        from qoffice.ui.return_print import write_pdf

        if self.preview is None:
            return None
        name = Path(returns_service.default_filename(self.ctx.setting("county"), self.preview.year)).stem + "_封面.pdf"
        path = list_export.ask_save_path(self, _("Export PDF"), name, "PDF (*.pdf)")
        if path is None:
            return None
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            write_pdf(self._cover_data(), path)
        except KnownError as exc:
            messages.known_error(self, exc)
            return None
        list_export.remember_folder(path)
        list_export.offer_open_folder(self, _("The cover was saved as {path}.").format(path=path), path)
        return path

    def print_cover(self) -> bool:
        """打印封面: the print dialog, then the same pages on the chosen printer."""
        from qoffice.ui.return_print import print_with_dialog

        if self.preview is None:
            return False
        return print_with_dialog(self._cover_data(), self)
