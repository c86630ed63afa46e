"""Issue 13: a language switch rebuilds the areas; the old ones must not hear the context's signals.

Before the fix, areas that connected lambdas to the app context (年度报表, 对接会, 论坛, 项目 …)
stayed connected after they were destroyed: every later save, backup or restore raised
`RuntimeError: Internal C++ object … already deleted` from each of them (one crash dialog each).
pytest-qt fails a test on any exception raised inside a Qt slot or virtual method; the crash
hook is also asked (it must not have been called).
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from qoffice import i18n
from qoffice.services import settings as settings_service
from qoffice.ui import crash, messages
from qoffice.ui.context import AppContext
from qoffice.ui.mainwindow import MainWindow
from tests.ui.helpers import saved

pytestmark = pytest.mark.gui


@pytest.fixture
def answers():
    got = []
    messages.set_responder(lambda kind, title, text, details: got.append((kind, text)) or True)
    yield got
    messages.set_responder(None)


def deleted_later() -> None:
    """Run the deleteLater()s now, as the event loop would right after the switch."""
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QApplication.processEvents()


def switch_language(window: MainWindow, language: str) -> None:
    settings = window.show_area("settings")
    settings.language.setCurrentIndex(settings.language.findData(language))
    assert saved(settings)
    deleted_later()


def test_switching_language_with_every_area_shown_then_save_backup_restore(qtbot, db, builders, answers):
    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量强区工作领导小组办公室")
        first = builders.make_enterprise(s, name="南通甲有限公司").id
    crashes_before = len(crash.crashes)
    window = MainWindow(AppContext(db, 2025))
    qtbot.addWidget(window)
    try:
        for key in list(window.areas):
            window.show_area(key)
        switch_language(window, "en")
        assert window.nav.item(0).text() == "Enterprises"
        for key in list(window.areas):  # the new areas are built and shown too
            window.show_area(key)
        switch_language(window, "zh_CN")
        assert window.nav.item(0).text() == "企业档案"

        # a save of an enterprise, through its editor
        enterprises = window.show_area("enterprises")
        editor = enterprises.open_editor(first)
        qtbot.addWidget(editor)
        editor.w["contact"].setText("甲某")
        assert saved(editor)
        # a backup, then a restore of it
        page = window.show_area("settings").backups
        job = page.backup_now()
        assert job.wait()
        page.reload()
        page.table.selectRow(0)
        job = page.restore_selected()
        assert job is not None and job.wait()
        deleted_later()
        window.show_area("returns")
        window.show_area("meeting")
        window.ctx.yearChanged.emit(2024)
        window.ctx.settingsChanged.emit()
    finally:
        i18n.set_language("zh_CN")
    assert crash.crashes[crashes_before:] == []
    assert not [a for a in answers if a[0] in ("crash", "error")], answers


def test_area_contexts_relay_every_signal_once_and_go_with_their_area(qtbot, db):
    from PySide6.QtWidgets import QWidget

    shared = AppContext(db, 2025)
    heard: list[tuple[str, object]] = []
    shared.dataChanged.connect(lambda t: heard.append(("shared", t)))
    a_owner, b_owner = QWidget(), QWidget()
    a, b = shared.for_area(a_owner), shared.for_area(b_owner)
    a.dataChanged.connect(lambda t: heard.append(("a", t)))
    b.dataChanged.connect(lambda t: heard.append(("b", t)))
    b.yearChanged.connect(lambda y: heard.append(("b-year", y)))

    a.dataChanged.emit("enterprise")
    assert sorted(heard) == [("a", "enterprise"), ("b", "enterprise"), ("shared", "enterprise")]
    heard.clear()
    shared.dataChanged.emit("forum")
    assert sorted(heard) == [("a", "forum"), ("b", "forum"), ("shared", "forum")]
    heard.clear()
    a.set_year(2024)  # the year is shared
    assert shared.year == b.year == 2024 and heard == [("b-year", 2024)]
    assert a.db is db and a.setting("county") is None
    heard.clear()

    # a listener that emits while handling a relayed signal: its emission reaches everyone too
    b.dataChanged.connect(lambda t: t == "forum" and b.dataChanged.emit("signup"))
    a.dataChanged.emit("forum")
    assert heard.count(("a", "signup")) == 1 and heard.count(("shared", "signup")) == 1
    assert heard.count(("b", "signup")) == 1
    heard.clear()

    b_owner.deleteLater()  # the area goes, and every connection it made to its context
    deleted_later()
    shared.dataChanged.emit("enterprise")
    a.dataChanged.emit("award")
    assert sorted(heard) == [("a", "award"), ("a", "enterprise"), ("shared", "award"), ("shared", "enterprise")]
    a_owner.deleteLater()
    deleted_later()


def test_background_work_whose_screen_was_destroyed_ends_quietly(qtbot):
    import threading

    from PySide6.QtWidgets import QWidget

    from qoffice.ui.worker import run_in_background

    screen = QWidget()
    go = threading.Event()
    done = []

    def work(progress):
        go.wait(5)
        progress(1, 2)
        return 42

    job = run_in_background(screen, work, on_done=done.append, show_after_ms=0)
    QApplication.processEvents()
    screen.deleteLater()
    deleted_later()
    go.set()
    assert job.wait()
    assert job.result == 42 and done == []  # no callback into the deleted screen, no crash


def test_an_open_editor_survives_a_language_switch(qtbot, db, builders, answers):
    from shiboken6 import isValid

    from qoffice.db.models import Enterprise

    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量强区工作领导小组办公室")
        first = builders.make_enterprise(s, name="南通甲有限公司").id
    window = MainWindow(AppContext(db, 2025))
    qtbot.addWidget(window)
    try:
        editor = window.show_area("enterprises").open_editor(first)
        editor.w["contact"].setText("甲某")  # typed, not saved yet
        switch_language(window, "en")
        assert isValid(editor) and editor.isVisible()  # the clerk's typing is not thrown away
        assert saved(editor)
        deleted_later()
    finally:
        i18n.set_language("zh_CN")
    with db.read_session() as s:
        assert s.get(Enterprise, first).contact == "甲某"
    assert not [a for a in answers if a[0] in ("crash", "error")], answers


def test_the_navigation_shows_its_entries_whole_after_a_switch_to_english(qtbot, db, answers):
    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量强区工作领导小组办公室")
    window = MainWindow(AppContext(db, 2025))
    qtbot.addWidget(window)
    window.resize(1350, 729)
    window.show()
    try:
        switch_language(window, "en")
        nav = window.nav
        fm = nav.fontMetrics()
        widest = max(fm.horizontalAdvance(nav.item(i).text()) for i in range(nav.count()))
        assert nav.width() >= widest + nav.iconSize().width() + 2 * nav.frameWidth() + 12, (nav.width(), widest)
    finally:
        i18n.set_language("zh_CN")
