"""Start the GUI: QApplication, look and language, open the database safely, first run, main window.

run_gui() is what `qoffice` with no command calls (cli/main.py). Exit codes: 0 normal; 2 the
database cannot be used (newer, locked, not ours — the file is left untouched); 3 in the
unattended smoke mode when a prompt would have blocked the start (smoke.py).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from qoffice.errors import DatabaseLocked, KnownError
from qoffice.i18n import _

log = logging.getLogger("qoffice.ui")

BASE_FONT_PT = 11  # comfortable for older eyes; Ctrl+= / Ctrl+- change it
CJK_FONTS = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei",
             "Noto Sans CJK SC", "Source Han Sans SC")


def _make_app(qt_args: list[str]):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    from qoffice.paths import resources_dir
    from qoffice.ui import state

    app = QApplication.instance()
    if app is None:
        # Qt 6 scales for High-DPI by itself; pass fractional factors through (125 %, 150 % screens).
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication([sys.argv[0] if sys.argv and sys.argv[0] else "qoffice", *qt_args])
    app.setApplicationName("qoffice")
    app.setOrganizationName("qoffice")
    app.setStyle("Fusion")
    families = set(QFontDatabase.families())
    font = QFont(app.font())
    family = next((f for f in CJK_FONTS if f in families), None)
    if family:
        font.setFamily(family)
    size = state.FONT_PT.get() or BASE_FONT_PT
    try:
        font.setPointSizeF(float(size))
    except (TypeError, ValueError):
        font.setPointSizeF(BASE_FONT_PT)
    app.setFont(font)
    icon = resources_dir() / "icons" / "qoffice.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def _smoke_responder(kind, title, text, details):
    """Smoke mode: a prompt must never block; it is logged and the start counts as failed."""
    log.error("prompt during unattended start (%s): %s", kind, text)
    _prompts.append(text)
    return False


_prompts: list[str] = []


def _exit(code: int, **report) -> int:
    from qoffice.ui import smoke

    if smoke.exit_after_show() or report:
        smoke.write_report(exit=code, **report)
    return code


def _database_unusable(exc: KnownError, language: str) -> int:
    """Newer, not ours, unreadable: one message, exit 2, file untouched."""
    from qoffice.ui import messages

    messages.error(None, exc.message)
    return _exit(2, prompt=exc.message, language=language)


def _open_server(url: str, language: str):
    """The office server's database, or an exit code: a server that cannot be reached (network, server
    down, password) is offered again with 重试 until it opens or the person chooses 退出 (exit 2)."""
    from qoffice.db import database as database_module
    from qoffice.db.database import GUI_PROGRAM
    from qoffice.ui import messages

    while True:
        try:
            return database_module.open_database(url, "create", program=GUI_PROGRAM)
        except KnownError as exc:
            if not messages.retry(None, exc.message):
                return _exit(2, prompt=exc.message, language=language)


def _database_locked(exc: DatabaseLocked, language: str) -> int:
    """Another qoffice holds the database: one message naming the holder, exit 2 (the smoke mode,
    and a program that holds SQLite's own lock without our lock file)."""
    from qoffice.ui import messages

    messages.error(None, exc.message)
    return _exit(2, prompt=exc.message, language=language)


def _second_instance(path: Path, exc: DatabaseLocked, language: str):
    """The second-instance dialog: (read-only Database, holder) for 只读查看, or an exit code."""
    from qoffice.db.database import open_database
    from qoffice.db.lock import lock_holder
    from qoffice.ui.second_instance import VIEW, ask_second_instance

    holder = lock_holder(path)
    if holder is None and exc.holder is None:  # not our lock: nothing to view safely beside it
        return _database_locked(exc, language)
    if ask_second_instance(path, holder) != VIEW:
        return _exit(2, prompt=exc.message, language=language)
    try:
        return open_database(path, "view"), holder
    except KnownError as err:
        return _database_unusable(err, language)


def _daily_backup(path: Path, window):
    """The day's first start backs the database up (a real copy, verified: seconds on a big
    county's database), on a worker thread once the window shows, so the clerk is not kept
    waiting; the status bar's 上次备份 follows when it is done. Returns the Job, or None when
    today's backup exists."""
    from qoffice.db.backup import daily_backup_due, make_backup
    from qoffice.ui import messages
    from qoffice.ui.worker import run_in_background

    if not daily_backup_due(path):
        return None

    def work(_progress):
        return make_backup(path, kind="daily")

    def done(made) -> None:
        log.info("daily backup %s", made.name)
        window.refresh_status()

    # A failed backup must not keep the clerk out; say it and go on. No progress dialog: the
    # clerk works on while it runs.
    return run_in_background(window, work, on_done=done, cancellable=False, show_after_ms=BACKUP_NO_DIALOG_MS,
                             on_error=lambda exc: messages.warning(window, exc.message))


BACKUP_NO_DIALOG_MS = 24 * 3600 * 1000
WARM_UP_AFTER_MS = 150  # after the first page is painted, before a clerk can read and type
BACKUP_WAIT_AT_EXIT_MS = 30 * 60 * 1000  # the day's backup is finished before the app exits


def _ui_language(database) -> str | None:
    if os.environ.get("QOFFICE_LANG"):
        return None  # set_language(None) honours it
    from qoffice.services import settings as settings_service

    return settings_service.get(database, "language")


def run_gui(db: str | None, qt_args: list[str]) -> int:
    from qoffice.ui import crash, messages, smoke

    crash.setup_logging(rotating=False)  # rotating once the window shows (crash.use_rotating_log)
    app = _make_app(qt_args)
    restore_hooks = crash.install_hooks()
    from qoffice.ui.language import apply_language

    language = apply_language(None)
    previous_responder = None
    smoke_mode = smoke.exit_after_show()
    if smoke_mode and messages._responder is None:
        previous_responder = messages.set_responder(_smoke_responder)
    try:
        return _run(app, db, language, smoke_mode)
    except Exception as exc:  # a bug while starting: logged, crash dialog, non-zero exit
        crash.report_exception(exc)
        return _exit(smoke.EXIT_PROMPT if smoke_mode else 1, prompt=repr(exc), language=language)
    finally:
        restore_hooks()
        if smoke_mode and previous_responder is None:
            messages.set_responder(None)


def _run(app, db: str | None, language: str, smoke_mode: bool) -> int:
    from PySide6.QtCore import QTimer

    from qoffice.db.database import GUI_PROGRAM, open_database
    from qoffice.db.urls import is_url
    from qoffice.paths import default_db_path
    from qoffice.services import settings as settings_service
    from qoffice.ui import smoke
    from qoffice.ui.context import AppContext
    from qoffice.ui.language import apply_language
    from qoffice.ui.mainwindow import MainWindow

    if not db:  # 设置 → 数据库 on this PC may name the office server
        from qoffice.ui.database_page import configured_database

        db = configured_database()
    server = is_url(db or "")  # a server's address (db/urls.py): no lock, no file, no daily file backup
    path = db.strip() if server else (Path(db) if db else default_db_path())
    holder = None
    try:
        database = _open_server(path, language) if server else open_database(path, "create", program=GUI_PROGRAM)
        if isinstance(database, int):
            return database
    except DatabaseLocked as exc:
        if smoke_mode:  # the dialog would block an unattended start: logged, exit 2
            return _database_locked(exc, language)
        opened = _second_instance(path, exc, language)
        if isinstance(opened, int):
            return opened
        database, holder = opened
    except KnownError as exc:
        return _database_unusable(exc, language)
    try:
        wanted = _ui_language(database)
        if wanted is not None and wanted != language:  # the same catalogs are not loaded twice
            language = apply_language(wanted)
        first_run = settings_service.first_run_needed(database) and not database.readonly
        if first_run:
            if smoke_mode:
                _prompts.append("first-run settings dialog")
                log.error("first-run settings dialog would block an unattended start")
                return _exit(smoke.EXIT_PROMPT, prompt=_("Welcome to qoffice"), language=language)
            from qoffice.ui.settingsarea import FirstRunDialog

            if FirstRunDialog(database).exec() != FirstRunDialog.Accepted:
                return 0
        ctx = AppContext(database)
        window = MainWindow(ctx)
        from qoffice.ui.second_instance import make_read_only, network_notice

        if server:
            from qoffice.ui.server_db import mark_server_window

            mark_server_window(window, database)
        elif database.readonly:
            make_read_only(window, holder)
        if not server:
            network_notice(window, path)
        window.show()
        from qoffice.ui import crash

        QTimer.singleShot(0, lambda: crash.show_previous_crash(window))  # a hard crash of the last run, once
        # the holder makes it; a server's backups are the owner's scheduled `qoffice backup`
        backup = None if database.readonly or server else _daily_backup(path, window)
        QTimer.singleShot(WARM_UP_AFTER_MS, window.warm_up)
        QTimer.singleShot(WARM_UP_AFTER_MS, crash.use_rotating_log)
        if smoke_mode:
            def finish():
                rows = window.rows_shown()
                smoke.write_report(exit=0, title=window.windowTitle(), language=language,
                                   platform=app.platformName(), rows=rows, areas=list(window.areas))
                log.info("smoke start ok: %s rows shown", rows)
                app.exit(0)

            QTimer.singleShot(0, finish)
        code = app.exec()
        if backup is not None:
            backup.wait(BACKUP_WAIT_AT_EXIT_MS)
        window.save_state()
        if server:
            from qoffice.ui.server_db import stop_server_window

            stop_server_window(window)
        window.close()
        window.deleteLater()
        crash.finish_cleanly()
        return code
    finally:
        database.close()
