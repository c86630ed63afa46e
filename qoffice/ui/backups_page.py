"""设置 → 备份与恢复: the backups with date, kind and size; 立即备份, 从备份恢复, 打开备份文件夹.

Backing up and restoring run on the worker (qoffice.ui.worker). A restore replaces the database
file under the window's feet, so the page first lets go of every SQLite connection
(`Database.release_connections`; the next query opens the restored file), keeps holding the writer lock, and
afterwards tells every area to reload. The window is never left on a closed database: the same
Database object stays open, only its connections are renewed.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qoffice.db import backup as bk
from qoffice.db.database import GUI_PROGRAM
from qoffice.errors import KnownError
from qoffice.i18n import _
from qoffice.services import backups as backups_service
from qoffice.services.changes import Changes
from qoffice.ui import messages
from qoffice.ui.worker import run_in_background

log = logging.getLogger("qoffice.ui")

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def size_text(size: int) -> str:
    """Bytes as a clerk reads them: 812 KB, 3.4 MB (a display size, not an amount of money)."""
    if size < 1024:
        return _("{n} bytes").format(n=size)
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def kind_text(row: backups_service.BackupRow, import_labels: dict[str, str] | None = None) -> str:
    """每日 / 手动 / 事件（升级前）: an event backup names what it was made before — for an import,
    its kind and file (事件（导入前：企业，名录.xlsx））, from the import history."""
    if row.kind == "event":
        label = (import_labels or {}).get(row.path.name) or row.kind_label
        event = _("Event")
        return event if label == event else _("Event ({reason})").format(reason=label)
    return row.kind_label


def policy_text() -> str:
    return _("qoffice backs the database up by itself the first time it starts each day and keeps the "
             "newest {daily} daily, {weekly} weekly and {monthly} monthly backups. Before an upgrade, a "
             "restore or an import it makes an event backup; the last {events} of those are kept. "
             "Backups made with “Back up now” are never removed.").format(
        daily=bk.DAILY_KEEP, weekly=bk.WEEKLY_KEEP, monthly=bk.MONTHLY_KEEP, events=bk.EVENT_KEEP)


def open_url(url: QUrl) -> bool:
    """QDesktopServices.openUrl, one name to replace in tests (no file manager pops up there)."""
    return QDesktopServices.openUrl(url)


def choose_file(parent) -> str:
    """The file dialog of 从其他文件恢复 (replaced in tests). Returns "" when cancelled."""
    from PySide6.QtWidgets import QFileDialog

    path, _filter = QFileDialog.getOpenFileName(parent, _("Restore from another file…"), "",
                                                _("qoffice database (*.db);;All files (*)"))
    return path


def reload_everything(ctx) -> None:
    """After a restore every area shows the restored data: all tables changed, settings too."""
    from qoffice.db.models import Base
    from qoffice.services.changes import Changes

    ctx.settingsChanged.emit()
    ctx.publish(Changes.of(*Base.metadata.tables))


class BackupsPage(QWidget):
    """The page; `rows` are the listed backups (newest first), `last_job` the latest worker job."""

    restored = Signal()
    statusText = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("backups_page")
        self.ctx = ctx
        self.rows: list[backups_service.BackupRow] = []
        self.last_job = None
        layout = QVBoxLayout(self)

        policy = QGroupBox(_("Automatic backups"))
        pv = QVBoxLayout(policy)
        self.policy_label = QLabel(policy_text())
        self.policy_label.setWordWrap(True)
        pv.addWidget(self.policy_label)
        self.last_label = QLabel()
        self.last_label.setObjectName("last_backup")
        pv.addWidget(self.last_label)
        self.folder_label = QLabel()
        self.folder_label.setObjectName("backup_folder")
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        pv.addWidget(self.folder_label)
        layout.addWidget(policy)

        bar = QHBoxLayout()
        self.backup_button = QPushButton(_("Back up now"))
        self.backup_button.setObjectName("backup_now")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton(_("Restore from backup…"))
        self.restore_button.setObjectName("restore")
        self.restore_button.clicked.connect(self.restore_selected)
        self.file_button = QPushButton(_("Restore from another file…"))
        self.file_button.setObjectName("restore_file")
        self.file_button.setToolTip(_("A backup kept elsewhere, e.g. on a USB stick"))
        self.file_button.clicked.connect(self.restore_file)
        self.folder_button = QPushButton(_("Open backup folder"))
        self.folder_button.setObjectName("open_folder")
        self.folder_button.clicked.connect(self.open_folder)
        for b in (self.backup_button, self.restore_button, self.file_button, self.folder_button):
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("backups")
        self.table.setHorizontalHeaderLabels([_("Date"), _("Kind"), _("Size"), _("File")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.restore_selected())
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(_("No backups yet. Click “Back up now” to make the first one."))
        self.empty_label.setObjectName("empty")
        self.empty_label.setStyleSheet("color: palette(mid);")
        layout.addWidget(self.empty_label)
        self.reload()

    # ---- what it shows -------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        if getattr(self.ctx.db, "is_server", False):  # a server: the backups this PC made of it
            from qoffice.db.pgcopy import pseudo_path

            return pseudo_path(self.ctx.db)
        return Path(self.ctx.db.path)

    def reload(self) -> None:
        self.rows = backups_service.list_backups(self.db_path)
        labels = self._import_labels() if any(r.kind == "event" for r in self.rows) else {}
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            cells = (row.at.strftime(DATE_FORMAT), kind_text(row, labels), size_text(row.size), row.path.name)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(row.path))
                if col == 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(i, col, item)
        self.table.setVisible(bool(self.rows))
        self.empty_label.setVisible(not self.rows)
        last = self.rows[0] if self.rows else None
        self.last_label.setText(_("Last backup: {time}").format(time=last.at.strftime("%Y-%m-%d %H:%M"))
                                if last else _("No backup yet"))
        self.folder_label.setText(_("Backup folder: {path}").format(path=bk.backups_dir_for(self.db_path)))
        self._update_buttons()

    def _import_labels(self) -> dict[str, str]:
        """The 导入前 backups' imports (file and kind), from the import history; none when unreadable."""
        from qoffice.services import import_history

        try:
            with self.ctx.db.read_session() as s:
                return import_history.backup_labels(s)
        except Exception:  # the labels are a help, never a reason for the page not to show
            log.warning("import labels of the backups could not be read", exc_info=True)
            return {}

    def _update_buttons(self) -> None:
        readonly = bool(self.ctx.db.readonly)
        server = getattr(self.ctx.db, "is_server", False)  # restoring a server is the owner's `qoffice restore`
        self.restore_button.setEnabled(self.selected() is not None and not readonly and not server)
        self.file_button.setEnabled(not readonly and not server)
        self.restore_button.setToolTip(
            _("A server database is restored by its administrator (qoffice restore FILE --db ADDRESS).") if server
            else _("The database is open read-only; close the other qoffice to restore.") if readonly
            else _("Choose a backup in the list first.") if self.selected() is None else "")

    def selected(self) -> backups_service.BackupRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def select_path(self, path: Path) -> None:
        for i, row in enumerate(self.rows):
            if row.path == Path(path):
                self.table.selectRow(i)
                return

    # ---- actions -------------------------------------------------------------------------
    def busy(self) -> bool:
        return self.last_job is not None and not self.last_job.finished

    def backup_now(self):
        if self.busy():
            return None
        path = self.db_path

        def done(made: Path) -> None:
            log.info("manual backup %s", made.name)
            self.reload()
            self.select_path(made)
            self.ctx.publish(Changes.of("backup"))  # the status bar's last backup time
            messages.info(self, _("The database was backed up to {path}.").format(path=made))

        def failed(exc: KnownError) -> None:
            messages.known_error(self, exc)

        db = self.ctx.db
        if getattr(db, "is_server", False):  # the same verified SQLite file, from one snapshot of the server
            from qoffice.db.pgcopy import server_backup

            def work(progress):
                return server_backup(db, "manual")
        else:
            def work(progress):
                return backups_service.backup_now(path)

        self.last_job = run_in_background(self, work,
                                          title=_("Back up now"), label=_("Backing up the database…"),
                                          on_done=done, on_error=failed, cancellable=False)
        return self.last_job

    def restore_selected(self):
        if self.busy():
            return None
        row = self.selected()
        if row is None:
            messages.info(self, _("Choose a backup in the list first."))
            return None
        if self.ctx.db.readonly or self.ctx.db.lock is None:
            messages.error(self, _("The database is open read-only; close the other qoffice to restore."))
            return None
        question = _("Restore the backup of {date} ({kind})?\n\nEverything entered after {date} is replaced "
                     "by the backup. The current database is backed up first, so nothing is lost: you can "
                     "return to it by restoring that backup.").format(
            date=row.at.strftime("%Y-%m-%d %H:%M"), kind=kind_text(row, self._import_labels()))
        if not messages.ask(self, question, default=False):
            return None
        return self._restore(row.path)

    def restore_file(self):
        """从其他文件恢复: a qoffice database from anywhere, checked by the service before anything
        changes (not ours, damaged or newer: refused, nothing changed)."""
        if self.busy():
            return None
        if self.ctx.db.readonly or self.ctx.db.lock is None:
            messages.error(self, _("The database is open read-only; close the other qoffice to restore."))
            return None
        chosen = choose_file(self)
        if not chosen:
            return None
        try:
            backups_service.check_backup_file(chosen)
        except KnownError as exc:
            messages.known_error(self, exc)
            return None
        question = _("Restore the database from {file}?\n\nEverything in the current database is replaced by "
                     "that file. The current database is backed up first, so nothing is lost: you can return "
                     "to it by restoring that backup.").format(file=chosen)
        if not messages.ask(self, question, default=False):
            return None
        return self._restore(Path(chosen))

    def _restore(self, backup_file: Path):
        db = self.ctx.db
        path = self.db_path
        lock = db.lock
        db.release_connections()

        def work(progress):
            result = backups_service.restore_from(path, backup_file, lock=lock, program=GUI_PROGRAM)
            if result.needs_upgrade:  # an older qoffice wrote it: upgrade as opening it would
                from qoffice.db.migrate import upgrade

                bk.make_backup(path, "event", reason="migrate")
                upgrade(path)
            return result

        def finish() -> None:
            db.release_connections()  # a query during the restore may have opened the old file again
            self.reload()
            reload_everything(self.ctx)
            self.restored.emit()

        def done(result) -> None:
            from qoffice.db.schema import SCHEMA_HEAD

            db.revision = SCHEMA_HEAD
            finish()
            log.info("restored from %s", result.restored_from.name)
            text = _("The database was restored from {file}.").format(file=result.restored_from.name)
            if result.safety_backup is not None:
                text += "\n" + _("The database as it was before is kept as {file}.").format(
                    file=result.safety_backup.name)
            messages.info(self, text)

        def failed(exc: KnownError) -> None:
            finish()
            messages.known_error(self, exc)

        self.last_job = run_in_background(self, work, title=_("Restore from backup…"),
                                          label=_("Restoring the database…"), on_done=done,
                                          on_error=failed, cancellable=False)
        return self.last_job

    def open_folder(self) -> None:
        try:
            folder = backups_service.backups_folder(self.db_path)
        except KnownError as exc:
            messages.known_error(self, exc)
            return
        if not open_url(QUrl.fromLocalFile(str(folder))):
            messages.warning(self, _("The folder {path} could not be opened.").format(path=folder))
