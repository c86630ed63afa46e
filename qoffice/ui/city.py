"""市级汇总 (city.md "The screen"): the county board with status colours, the chosen county's findings
(double-click opens the received file at its sheet and row) and its 17 values beside its targets, a completion chart,
退回 with a reason, 导出全市汇总, the history of received files and the 催报 list. Files are received
by the 收取报表 button or by dropping them on the area.

Everything is computed by qoffice.services.city (one report per refresh) and read through
qoffice.services.city_screen on the worker, as are the files (导出, 反馈单, 下发目标, a received file):
written beside their target and put in place whole; only a PDF's pages are laid out here (Qt). The
writes are operations (run_op). This module only shows it.
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QDate, QRectF, Qt, QUrl
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from qoffice.domain import city as dcity
from qoffice.domain import indicators as ind
from qoffice.errors import KnownError
from qoffice.i18n import _
from qoffice.services import city as city_service
from qoffice.services import city_screen, city_targets
from qoffice.services import settings as settings_service
from qoffice.ui import messages
from qoffice.ui.operations import run_op
from qoffice.ui.worker import read_in_background, run_in_background

log = logging.getLogger("qoffice.ui")

GREY, GREEN, AMBER, RED = QColor("#9e9e9e"), QColor("#2e7d32"), QColor("#ef8f00"), QColor("#c62828")


def status_colour(status: str, warnings: int) -> QColor:
    """未报送 grey; 已报送 and 已更新 green, amber with warnings; 已退回 red."""
    if status in (dcity.ST_RECEIVED, dcity.ST_UPDATED):
        return AMBER if warnings else GREEN
    if status == dcity.ST_WITHDRAWN:
        return RED
    return GREY


def open_file(path: Path) -> None:
    """Hand a file to the program the OS opens it with (Excel, WPS, LibreOffice)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _item(value, *, align_right=False) -> QTableWidgetItem:
    it = QTableWidgetItem("" if value is None else str(value))
    if len(it.text()) > 12:
        it.setToolTip(it.text())
    it.setFlags(it.flags() & ~Qt.ItemIsEditable)
    if align_right:
        it.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return it


def _table(headers) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.setSelectionMode(QAbstractItemView.SingleSelection)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _time(value: dt.datetime | None) -> str:
    from qoffice.excel.city_writer import local_time

    v = local_time(value)
    return "" if v is None else v.strftime("%m-%d %H:%M")


class CompletionChart(QWidget):
    """Bars per county: 综合完成率, or for a chosen indicator the value against the target."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(220)
        self.bars: list[tuple[str, float | None, float | None]] = []  # (county, value, target)
        self.unit = "%"

    def set_bars(self, bars, unit: str) -> None:
        self.bars, self.unit = list(bars), unit
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        rect = self.rect().adjusted(10, 10, -10, -34)
        p.fillRect(self.rect(), self.palette().base())
        if not self.bars:
            p.drawText(self.rect(), Qt.AlignCenter, _("No county has reported yet."))
            return
        top = max([abs(v) for _c, v, _t in self.bars if v is not None] +
                  [abs(t) for _c, _v, t in self.bars if t is not None] + [1.0])
        n = len(self.bars)
        slot = rect.width() / n
        base_y = rect.bottom()
        for i, (county, value, target) in enumerate(self.bars):
            x = rect.left() + i * slot
            if value is not None:
                h = rect.height() * abs(value) / top
                colour = GREEN if target is None or value >= target else AMBER
                p.fillRect(QRectF(x + slot * 0.2, base_y - h, slot * 0.6, h), colour)
                p.setPen(self.palette().text().color())
                p.drawText(QRectF(x, base_y - h - 18, slot, 16), Qt.AlignCenter, f"{value:g}")
            if target is not None:
                ty = base_y - rect.height() * abs(target) / top
                p.setPen(QPen(RED, 2, Qt.DashLine))
                p.drawLine(int(x + slot * 0.1), int(ty), int(x + slot * 0.9), int(ty))
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(x, base_y + 4, slot, 28), Qt.AlignHCenter | Qt.AlignTop | Qt.TextWordWrap, county)
        p.end()


class CityArea(QWidget):
    """Not a RecordArea: a board of the counties with tabs beside it, filled from one report (not a
    paged list of records over one table); its writes are operations all the same (run_op)."""

    watches = ("city_return",)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("city_area")
        self.setAcceptDrops(True)
        self.report: city_service.CityReport | None = None
        self.job = None  # the running (or last) write: receive, 退回, the targets (qoffice.ui.worker.Job)
        self.deadline_job = None  # the deadline is stored by one operation at a time
        self.file_job = None  # the running (or last) file written: 导出, 反馈单, 下发目标, the summary PDF
        self.refresh_job = None  # the newest read of the board (qoffice.ui.worker.Job); older ones are dropped
        self.remind_read = None  # a 催报 list being read for the date shown (a quiet read), None once shown
        self.history_rows: list = []
        self.deadline_edits = 0  # dates the clerk chose: a read started before one does not put the old one back
        self._build()
        ctx.yearChanged.connect(self._year_changed)  # bound methods: cut when the area goes
        ctx.settingsChanged.connect(self.refresh)
        ctx.changed.connect(self._on_changes)
        self.refresh()

    def _year_changed(self, _year: int) -> None:
        self.refresh()

    def _on_changes(self, changes) -> None:
        if changes.touches(self.watches):
            self.refresh()

    # ---- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        bar.addWidget(self.title, 1)
        self.receive_button = QPushButton(_("Receive returns…"))
        self.receive_button.setObjectName("city_receive")
        self.receive_button.setToolTip(_("Choose one or more county returns (.xlsx); you can also drop files here."))
        self.receive_button.clicked.connect(lambda _c=False: self.choose_files())
        self.withdraw_button = QPushButton(_("Send back…"))
        self.withdraw_button.setObjectName("city_withdraw")
        self.withdraw_button.clicked.connect(lambda _c=False: self.withdraw())
        self.export_button = QPushButton(_("Export city summary…"))
        self.export_button.setObjectName("city_export")
        self.export_button.clicked.connect(lambda _c=False: self.export())
        self.feedback_button = QPushButton(_("Feedback…"))
        self.feedback_button.setObjectName("city_feedback")
        self.feedback_button.setToolTip(_("The selected county's 反馈单 as .xlsx and PDF, to mail back"))
        self.feedback_button.clicked.connect(lambda _c=False: self.feedback())
        self.print_button = QPushButton(_("Print summary…"))
        self.print_button.setObjectName("city_print")
        self.print_button.setToolTip(_("全市汇总 and 考核排名 on A4, to a printer or a PDF"))
        self.print_button.clicked.connect(lambda _c=False: self.print_summary())
        for b in (self.receive_button, self.withdraw_button, self.feedback_button, self.export_button,
                  self.print_button):
            bar.addWidget(b)
        outer.addLayout(bar)

        split = QSplitter(Qt.Horizontal)
        self.board = _table([_("County"), _("Report status"), _("Received"), _("Warnings")])
        self.board.setObjectName("city_board")
        self.board.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.board.itemSelectionChanged.connect(self._county_selected)
        split.addWidget(self.board)

        self.tabs = QTabWidget()
        self.findings = _table([_("Level"), _("Sheet"), _("Row"), _("Message")])
        self.findings.setObjectName("city_findings")
        self.findings.setWordWrap(True)
        self.findings.setToolTip(_("Double-click a finding to open the county's file at that sheet and row."))
        self.findings.cellDoubleClicked.connect(lambda row, _col: self.open_finding(row))
        self.values = _table([_("No."), _("Indicator"), _("Value"), _("Target"), _("Completion (%)"), _("Met")])
        self.values.setObjectName("city_values")
        chart_page = QWidget()
        cl = QVBoxLayout(chart_page)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Show")))
        self.chart_choice = QComboBox()
        self.chart_choice.addItem(_("Overall completion (%)"), 0)
        for n, name, _unit in ind.DEFINITIONS:
            self.chart_choice.addItem(f"{n} {name}", n)
        self.chart_choice.currentIndexChanged.connect(lambda _i: self._fill_chart())
        row.addWidget(self.chart_choice, 1)
        cl.addLayout(row)
        self.chart = CompletionChart()
        cl.addWidget(self.chart, 1)
        self.ranking = _table([_("Rank"), _("County"), _("Overall completion (%)"), _("Indicators met"),
                               _("Indicators not met")])
        cl.addWidget(self.ranking, 1)
        self.history = _table([_("Received"), _("County"), _("File"), _("Filled in on"), _("State")])
        self.history.setObjectName("city_history")
        self.history.cellDoubleClicked.connect(lambda r, _c: self._open_history(r))
        remind = QWidget()
        rl = QVBoxLayout(remind)
        drow = QHBoxLayout()
        drow.addWidget(QLabel(_("Deadline")))
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.dateChanged.connect(lambda _d: self._deadline_changed())
        drow.addWidget(self.deadline)
        drow.addStretch(1)
        rl.addLayout(drow)
        self.remind = _table([_("County"), _("Report status"), _("Office phone"), _("Filled in by")])
        self.remind.setObjectName("city_remind")
        rl.addWidget(self.remind)
        self.tabs.addTab(self.findings, _("Findings"))
        self.tabs.addTab(self.values, _("Values and targets"))
        self.tabs.addTab(chart_page, _("Completion"))
        self.tabs.addTab(self.history, _("History"))
        self.tabs.addTab(remind, _("Reminders"))
        targets_page = QWidget()
        tl = QVBoxLayout(targets_page)
        trow = QHBoxLayout()
        save = QPushButton(_("Save targets"))
        save.setObjectName("city_targets_save")
        save.clicked.connect(lambda _c=False: self.save_targets())
        load = QPushButton(_("Import targets…"))
        load.setToolTip(_("An .xlsx laid out like 分县汇总: a 区县 column and the indicators' names as headers"))
        load.clicked.connect(lambda _c=False: self.import_targets())
        out = QPushButton(_("Targets to the counties…"))
        out.setToolTip(_("One workbook of targets per county (下发目标), for the counties to import"))
        out.clicked.connect(lambda _c=False: self.targets_out())
        for b in (save, load, out):
            trow.addWidget(b)
        trow.addStretch(1)
        tl.addLayout(trow)
        self.targets = QTableWidget(0, 17)
        self.targets.setObjectName("city_targets")
        self.targets_typed = False  # the clerk changed the table: a read does not refill it until it is saved
        self.targets.itemChanged.connect(self._target_typed)
        self.targets.setHorizontalHeaderLabels([str(n) for n, _nm, _u in ind.DEFINITIONS])
        for i, (n, name, unit) in enumerate(ind.DEFINITIONS):
            self.targets.horizontalHeaderItem(i).setToolTip(f"{n} {name}（{unit}）")
        tl.addWidget(self.targets, 1)
        self.tabs.addTab(targets_page, _("Targets"))
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setSizes([470, 790])
        outer.addWidget(split, 1)
        self.hint = QLabel(_("Drop county returns (.xlsx) anywhere here to receive them."))
        self.hint.setStyleSheet("color: gray")
        outer.addWidget(self.hint)

    # ---- data ------------------------------------------------------------------------------
    def refresh(self):
        """Read the board on the worker (services.city_screen.board: the report of eight counties of
        5,000 enterprises takes seconds), then fill the screen; a read started later wins. Its Job."""
        db, year, edits = self.ctx.db, self.ctx.year, self.deadline_edits
        job = run_in_background(self, lambda _progress: city_screen.board(db, year), title=_("City summary"),
                                label=_("Adding up the county returns…"), cancellable=False,
                                on_done=lambda board: self._loaded(job, year, board, edits),
                                on_error=lambda exc: self._load_failed(job, exc))
        self.refresh_job = job
        return job

    def _load_failed(self, job, exc: KnownError) -> None:
        if job is self.refresh_job:
            self.report = None
            self.title.setText(exc.message)

    def _loaded(self, job, year: int, board: city_screen.Board, edits: int) -> None:
        if job is not self.refresh_job:
            return  # a newer read is on its way
        self.report = rep = board.report
        self.history_rows = [(r.id, r.received_at, r.county, r.file_name, r.filled_date, self._state(r))
                             for r in board.history]
        self.title.setText(_("{year}: {n} of {total} counties reported").format(
            year=year, n=rep.received, total=len(rep.counties)))
        selected = self.selected_county()
        self.board.setRowCount(len(rep.lines))
        for i, line in enumerate(rep.lines):
            st = line.status
            self.board.setItem(i, 0, _item(line.county))
            status = _item(st.status)
            colour = status_colour(st.status, st.warnings)
            status.setForeground(QBrush(QColor("white")))
            status.setBackground(QBrush(colour))
            status.setData(Qt.UserRole, colour.name())
            self.board.setItem(i, 1, status)
            self.board.setItem(i, 2, _item(_time(st.received_at)))
            self.board.setItem(i, 3, _item(st.warnings if st.return_id else "", align_right=True))
        row = next((i for i, line in enumerate(rep.lines) if line.county == selected), 0)
        self.board.selectRow(row)
        self._county_selected()
        self._fill_chart()
        self._fill_history()
        if edits == self.deadline_edits:  # the clerk has not chosen a date since the read began
            d = city_screen.deadline_date(board.deadline, year)
            self.deadline.blockSignals(True)
            self.deadline.setDate(QDate(d.year, d.month, d.day))
            self.deadline.blockSignals(False)
            if self.remind_read is not None:
                self.remind_read.cancel()  # the board's list is for the deadline now shown
                self.remind_read = None
            self._show_remind(d, board.late)
        else:
            self._read_remind()  # for the date the clerk chose
        if not self.targets_typed:
            self._fill_targets(board.targets)

    def _target_typed(self, _item) -> None:
        self.targets_typed = True

    def _fill_targets(self, table: dict) -> None:
        self.targets.blockSignals(True)
        try:
            self.targets.setRowCount(len(table))
            self.targets.setVerticalHeaderLabels(list(table))
            for i, values in enumerate(table.values()):
                for j in range(17):
                    v = values.get(j + 1)
                    self.targets.setItem(i, j, QTableWidgetItem("" if v is None else format(v, "f")))
        finally:
            self.targets.blockSignals(False)
        self.targets.resizeColumnsToContents()

    def _target_texts(self) -> dict:
        out = {}
        for i in range(self.targets.rowCount()):
            county = self.targets.verticalHeaderItem(i).text()
            out[county] = {j + 1: (self.targets.item(i, j).text() if self.targets.item(i, j) else None)
                           for j in range(17)}
        return out

    def save_targets(self):
        """保存目标: the table as typed, saved by an operation on the worker; its Job. A bad value is
        refused with its county and indicator, and nothing is saved."""
        db, table = self.ctx.db, self._target_texts()
        self.job = run_op(self, self.ctx, lambda: city_targets.save_target_table(db, table),
                          on_done=lambda _changes: self._targets_saved())
        return self.job

    def _targets_saved(self) -> None:
        self.targets_typed = False  # saved: the next read fills the table again
        self.ctx.settingsChanged.emit()  # every screen showing targets; this one refreshes

    def import_targets(self):
        """导入目标: the workbook read and its targets saved by one operation on the worker (a bad
        file or value is its one message, nothing saved); its Job, or None when no file was chosen."""
        path, _f = QFileDialog.getOpenFileName(self, _("Import targets"), "", _("Excel workbooks (*.xlsx)"))
        if not path:
            return None
        db, counties = self.ctx.db, self.ctx.counties()

        def done(got: city_targets.TableImport) -> None:
            self._targets_saved()
            messages.info(self, _("Targets of {n} counties imported.").format(n=got.counties))

        self.job = run_op(self, self.ctx, lambda: city_targets.import_target_table(db, path, counties), on_done=done)
        return self.job

    def _files(self, work, *, title: str, label: str, on_done, cancellable: bool = True):
        """A file (or files) read and written on the worker, behind a progress dialog that can cancel;
        nothing is left half-written (the services write beside the target, then rename). Its Job;
        on_done(result) is not called once the clerk cancelled, even if the work was over by then."""
        def done(result) -> None:
            if not job.cancelled.is_set():
                on_done(result)

        job = run_in_background(self, work, title=title, label=label, on_done=done, cancellable=cancellable)
        self.file_job = job
        return job

    def targets_out(self):
        """下发目标: one workbook per county, all or none, in a folder chosen. The Job, or None."""
        folder = QFileDialog.getExistingDirectory(self, _("Targets to the counties"))
        if not folder:
            return None
        db, year = self.ctx.db, self.ctx.year
        return self._files(lambda progress: city_screen.targets_out(db, year, folder, progress),
                           title=_("Targets to the counties"), label=_("Writing the targets of each county…"),
                           on_done=lambda paths: messages.info(self, _(
                               "{n} target workbooks written in {folder}.").format(n=len(paths), folder=folder)))

    def feedback(self):
        """反馈单: the .xlsx written on the worker, the PDF laid out here from the same content; both
        are put in place together, or neither. The Job, or None."""
        line = self._line()
        if line is None or (line.ret is None and line.status.status != dcity.ST_WITHDRAWN):
            messages.info(self, _("Choose a county that has sent its return."))
            return None
        name = city_service.feedback_filename(self.ctx.year, line.county)
        target, _f = QFileDialog.getSaveFileName(self, _("Feedback"), name, _("Excel workbooks (*.xlsx)"))
        if not target:
            return None
        db, year, county = self.ctx.db, self.ctx.year, line.county
        job = self._files(lambda progress: city_screen.feedback(db, year, county, target, progress),
                          title=_("Feedback"), label=_("Writing the feedback…"),
                          on_done=lambda got: self._feedback_written(got, year, county))
        job.when_done(lambda _ok: job.result.staged.discard() if job.result is not None else None)
        return job

    def _feedback_written(self, got: city_screen.StagedFeedback, year: int, county: str) -> None:
        from qoffice.ui import city_print

        xlsx = got.staged
        pdf = None
        placed = []
        try:
            pdf = city_print.stage_pdf(city_print.feedback_html(got.feedback, dt.date.today()),
                                       Path(xlsx.shown).with_suffix(".pdf"), f"{county}{year}年度报表审核反馈单")
            for staged in (xlsx, pdf):
                staged.place()
                placed.append(staged)
        except KnownError as exc:
            for staged in placed:
                staged.undo()
            messages.known_error(self, exc)
            return
        finally:
            for staged in (xlsx, pdf):
                if staged is not None and staged not in placed:
                    staged.discard()
        for staged in placed:
            staged.finish()
        messages.info(self, _("Feedback written: {xlsx} and {pdf}").format(xlsx=xlsx.shown, pdf=pdf.shown))

    def print_summary(self, pdf_path: str | None = None):
        """To a printer (the print dialog), or to `pdf_path` without asking: the report read on the
        worker, the pages laid out here (Qt). The Job, or None."""
        if self.report is None or self.report.received == 0:
            messages.info(self, _("No county has reported yet."))
            return None
        db, year = self.ctx.db, self.ctx.year
        return self._files(lambda _progress: city_screen.summary(db, year), title=_("Print the city summary"),
                           label=_("Adding up the county returns…"),
                           on_done=lambda rep: self._print_summary(rep, pdf_path))

    def _print_summary(self, rep, pdf_path: str | None) -> None:
        from qoffice.ui import city_print

        if rep.received == 0:
            messages.info(self, _("No county has reported yet."))
            return
        text = city_print.summary_html(rep, dt.date.today())
        if pdf_path:
            try:
                city_print.write_pdf(text, pdf_path, f"{rep.year}年度全市质量强企工作汇总表")
            except KnownError as exc:
                messages.known_error(self, exc)
        else:
            city_print.print_with_dialog(text, self)

    @staticmethod
    def _state(r) -> str:
        if r.current:
            return _("current")
        if r.withdrawn_at is not None:
            return _("sent back: {reason}").format(reason=r.withdraw_reason or "")
        return _("replaced")

    def selected_county(self) -> str | None:
        rows = self.board.selectionModel().selectedRows() if self.board.selectionModel() else []
        if not rows:
            return None
        item = self.board.item(rows[0].row(), 0)
        return item.text() if item else None

    def _line(self):
        county = self.selected_county()
        if self.report is None or county is None:
            return None
        return next((line for line in self.report.lines if line.county == county), None)

    def _county_selected(self) -> None:
        line = self._line()
        found = line.findings if line else []
        self.findings.setRowCount(len(found))
        for i, f in enumerate(found):
            for j, v in enumerate((f.level, f.sheet or "", f.row or "", f.message)):
                self.findings.setItem(i, j, _item(v))
            self.findings.item(i, 0).setData(Qt.UserRole, (f.sheet, f.row))
        self.findings.resizeRowsToContents()
        self.values.setRowCount(17)
        for i, (n, name, unit) in enumerate(ind.DEFINITIONS):
            value = line.values.get(n) if line and line.values else None
            target = line.targets.get(n) if line else None
            shown = ind.present(n, value)
            met = dcity.meets(n, value, target)
            cells = (n, f"{name}（{unit}）", shown, target, dcity.completion(n, value, target),
                     "" if met is None else (_("yes") if met else _("no")))
            for j, v in enumerate(cells):
                self.values.setItem(i, j, _item(v, align_right=j in (0, 2, 3, 4)))
        self.values.resizeColumnsToContents()
        self.withdraw_button.setEnabled(bool(line and line.ret is not None))

    def _fill_chart(self) -> None:
        rep = self.report
        if rep is None:
            return
        n = self.chart_choice.currentData() or 0
        bars = []
        if n == 0:
            for line in rep.lines:
                if line.ret is not None:
                    a = line.assessment
                    bars.append((line.county, float(a.overall) if a.overall is not None else None, 100.0))
            unit = "%"
        else:
            for line in rep.lines:
                if line.ret is not None:
                    v = ind.present(n, line.values.get(n))
                    t = line.targets.get(n)
                    bars.append((line.county, None if v is None else float(v), None if t is None else float(t)))
            unit = dict((k, u) for k, _nm, u in ind.DEFINITIONS)[n]
        self.chart.set_bars(bars, unit)
        self.ranking.setRowCount(len(rep.ranking))
        for i, a in enumerate(rep.ranking):
            cells = (a.rank or "", a.county, a.overall if a.has_return and a.overall is not None else "",
                     a.met if a.has_return else "", a.unmet_names() if a.has_return else "")
            for j, v in enumerate(cells):
                self.ranking.setItem(i, j, _item(v))

    def _fill_history(self) -> None:
        self.history.setRowCount(len(self.history_rows))
        for i, (rid, at, county, name, filled, state) in enumerate(self.history_rows):
            for j, v in enumerate((_time(at), county, name, filled.isoformat() if filled else "", state)):
                it = _item(v)
                it.setData(Qt.UserRole, rid)
                self.history.setItem(i, j, it)
        self.history.resizeColumnsToContents()

    def _read_remind(self) -> None:
        """The 催报 list for the date shown, read quietly beside the screen (a newer date replaces it)."""
        db, year, deadline = self.ctx.db, self.ctx.year, self.deadline.date().toPython()

        def read(_read):
            try:
                return city_screen.reminders(db, year, deadline)
            except KnownError:
                return []

        def done(late) -> None:
            if self.remind_read is current:
                self.remind_read = None
                self._show_remind(deadline, late)

        current = read_in_background(read, done, owner=self, replacing=self.remind_read)
        self.remind_read = current

    def _show_remind(self, deadline: dt.date, late: list) -> None:
        self.remind.setRowCount(len(late))
        for i, (st, phone, operator) in enumerate(late):
            for j, v in enumerate((st.county, st.status, phone or "", operator or "")):
                self.remind.setItem(i, j, _item(v))
        self.remind.resizeColumnsToContents()
        self.tabs.setTabText(4, _("Reminders ({n}, deadline {date})").format(n=len(late), date=deadline.isoformat()))

    def _deadline_changed(self) -> None:
        self.deadline_edits += 1
        self._read_remind()  # the list follows the date shown; storing it runs on the worker
        self._store_deadline()

    def _store_deadline(self) -> None:
        """One operation at a time (the date's arrows change it quickly): when one is over, the date
        shown then is stored if it is not the one just stored."""
        if self.deadline_job is not None and not self.deadline_job.finished:
            return
        db, value = self.ctx.db, self.deadline.date().toPython().isoformat()
        self.deadline_job = run_op(self, self.ctx, lambda: settings_service.save_values(
            db, {settings_service.DEADLINE: value}))
        self.deadline_job.when_done(lambda _ok: self._store_deadline() if isValid(self) and (
            self.deadline.date().toPython().isoformat() != value) else None)

    # ---- actions ---------------------------------------------------------------------------
    def choose_files(self) -> None:
        files, _f = QFileDialog.getOpenFileNames(self, _("Receive county returns"), "",
                                                 _("Excel workbooks (*.xlsx);;All files (*)"))
        if files:
            self.receive([Path(f) for f in files])

    def receive(self, paths: list[Path]):
        """收取报表 by an operation on the worker (its Job, kept on `self.job`). A file older than the
        return already received is refused; once it is over the clerk is asked about each such file,
        and those to replace the newer one are received again by a second operation."""
        db = self.ctx.db
        self.job = run_op(self, self.ctx, lambda: city_service.receive_files(db, paths),
                          on_done=lambda got: self._received(paths, got.outcomes),
                          title=_("Receive county returns"), label=_("Receiving the county returns…"))
        return self.job

    def _received(self, paths: list[Path], outcomes: list) -> None:
        again = [i for i, o in enumerate(outcomes) if o.status == city_service.REFUSED and o.newer_exists
                 and messages.ask(self, _("{file} is older than the return already received from {county}. "
                                          "Replace the newer one with it?").format(file=o.file, county=o.county))]
        if not again:
            messages.info(self, self.outcome_text(outcomes))
            return
        db, older = self.ctx.db, [paths[i] for i in again]

        def replaced(got) -> None:
            for i, outcome in zip(again, got.outcomes, strict=True):
                outcomes[i] = outcome
            messages.info(self, self.outcome_text(outcomes))

        self.job = run_op(self, self.ctx, lambda: city_service.receive_files(db, older, replace_newer=True),
                          on_done=replaced, title=_("Receive county returns"),
                          label=_("Receiving the county returns…"))

    @staticmethod
    def outcome_text(outcomes) -> str:
        words = {"accepted": _("received"), "replaced": _("received, replaces the earlier file"),
                 "unchanged": _("already received (same file)"), "refused": _("refused")}
        lines = []
        for o in outcomes:
            lines.append(f"{o.file}：{words[o.status]}" + (f"（{o.county} {o.year}）" if o.county else ""))
            for f in o.errors[:5]:
                lines.append(f"    {f.message}")
            if o.warnings and o.status != "unchanged":
                lines.append("    " + _("{n} warning(s)").format(n=len(o.warnings)))
        return "\n".join(lines)

    def withdraw(self):
        """退回: the reason asked first, then the return sent back by an operation (its Job)."""
        line = self._line()
        if line is None or line.ret is None:
            return None
        reason, ok = QInputDialog.getText(self, _("Send back"), _("Why is {county}'s return sent back?").format(
            county=line.county))
        if not ok or not reason.strip():
            return None
        db, year, county = self.ctx.db, self.ctx.year, line.county
        self.job = run_op(self, self.ctx, lambda: city_service.withdraw_return(db, year, county, reason))
        return self.job

    def export(self):
        """导出全市汇总: the report and the workbook on the worker, put in place here unless the clerk
        cancelled meanwhile. The Job, or None."""
        name = city_service.default_filename(self.ctx.year)
        target, _f = QFileDialog.getSaveFileName(self, _("Export city summary"), name,
                                                 _("Excel workbooks (*.xlsx)"))
        if not target:
            return None
        db, year = self.ctx.db, self.ctx.year
        job = self._files(lambda progress: city_screen.export(db, year, target, progress),
                          title=_("Export city summary"), label=_("Writing the city workbook…"),
                          on_done=self._exported)
        job.when_done(lambda _ok: job.result.staged.discard() if job.result is not None else None)
        return job

    def _exported(self, result: city_service.ExportResult) -> None:
        try:
            result.staged.place()
        except KnownError as exc:
            messages.known_error(self, exc)
            return
        result.staged.finish()
        messages.info(self, _("City workbook written: {path} ({n} counties reported, {w} warning(s))").format(
            path=result.path, n=result.counties_received, w=result.warnings))

    def open_received(self) -> None:
        line = self._line()
        if line is None or not line.status.return_id:
            return
        self._open(line.status.return_id)

    def open_finding(self, index: int) -> None:
        """The received file opened at the finding's sheet and row (a copy whose active cell is there)."""
        line = self._line()
        item = self.findings.item(index, 0)
        if line is None or not line.status.return_id or item is None:
            return
        sheet, row = item.data(Qt.UserRole) or (None, None)
        self._open(line.status.return_id, sheet, row)

    def _open_history(self, row: int) -> None:
        item = self.history.item(row, 0)
        if item is not None:
            self._open(item.data(Qt.UserRole))

    def _open(self, return_id: int, sheet: str | None = None, row: int | None = None):
        """The received file (or its copy at a finding, a workbook rewritten: seconds for 5,000
        enterprises) made on the worker, then handed to the program that opens it. The Job."""
        db = self.ctx.db

        def work(_progress) -> Path:
            try:
                return city_screen.received_file(db, return_id, sheet, row)
            except OSError as exc:  # the data folder cannot be written: one line, not a crash
                raise KnownError(str(exc)) from exc

        return self._files(work, title=_("City summary"), label=_("Opening the county's file…"), on_done=open_file,
                           cancellable=False)

    # ---- drop files on the area -------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.receive(paths)
