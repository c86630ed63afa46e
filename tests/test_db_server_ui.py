"""The window on a server database (issue 16): lists and search on both backends, the viewer's
read-only window (只读 in the status bar, edit controls disabled), other clerks' changes refreshing
the open lists through LISTEN/NOTIFY."""
from __future__ import annotations

import os

import pytest

from qoffice.services import settings as settings_service
from qoffice.ui.context import AppContext

pytestmark = pytest.mark.gui


@pytest.fixture
def answers():
    from qoffice.ui import messages

    got = []
    messages.set_responder(lambda kind, title, text, details: got.append((kind, text)) or True)
    yield got
    messages.set_responder(None)


def _ctx(db):
    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量办")
    return AppContext(db, year=2024)


@pytest.mark.parametrize("query, found", [("ntzy", 1), ("NTZY", 1), ("纺织", 30), ("中远海运", 1), ("如皋纺织1", 11)])
def test_the_list_and_its_search_on_both_backends(qtbot, db, builders, answers, query, found):
    """This file runs on SQLite and on the server (PG_SUITES): the same answers on both."""
    from qoffice.ui.enterprises import EnterprisesArea

    with db.session() as s:
        builders.make_enterprise(s, name="南通中远海运船务工程有限公司")
        for i in range(30):
            builders.make_enterprise(s, name=f"如皋纺织{i}厂")
    area = EnterprisesArea(_ctx(db))
    qtbot.addWidget(area)
    area.activated()
    assert area.list.model.total_count == 31
    area.list.search_box.setText(query)
    area.list.apply_search_now()
    assert area.list.model.filtered_count == found


def _names(*kinds):
    return [f"{k}_{os.getpid()}_ui" for k in kinds]


def _as_user(url, user):
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=user).render_as_string(hide_password=False)


def test_the_viewers_window_is_read_only(qtbot, pg_empty_url, answers, monkeypatch):
    from PySide6.QtWidgets import QLabel

    from qoffice.db.database import open_database
    from qoffice.db.pgadmin import init_database
    from qoffice.ui.mainwindow import MainWindow
    from qoffice.ui.server_db import mark_server_window, stop_server_window

    (viewer,) = _names("viewer")
    init_database(pg_empty_url, [], [viewer], {viewer: "pw"})
    owner = open_database(pg_empty_url, "create")
    _ctx(owner)
    owner.close()
    db = open_database(_as_user(pg_empty_url, viewer), "create")
    assert db.readonly and db.role == "viewer"
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    try:
        mark_server_window(window, db)
        window.show()
        label = window.statusBar().findChild(QLabel, "readOnlyLabel")
        assert label is not None and label.text() == "只读" and label.isVisible()
        area = window.areas["enterprises"]
        if not hasattr(area, "list"):
            area = window._make_area("enterprises") if hasattr(window, "_make_area") else area
        assert "只读" in window.windowTitle()
        assert "postgresql://" in window.db_label.text()
        for key in ("new", "import"):
            button = area.list.buttons.get(key)
            assert button is not None and not button.isEnabled(), key
        # and the server itself refuses a write the window did not stop
        from qoffice.errors import DatabaseError

        with pytest.raises(DatabaseError):
            with db.session() as s:
                settings_service.set_value(s, "county", "通州区")
    finally:
        stop_server_window(window)
        window.close()
        db.close()


def test_another_clerks_change_refreshes_the_open_list(qtbot, pg_url, builders, answers):
    from qoffice.db.database import open_database
    from qoffice.ui.mainwindow import MainWindow
    from qoffice.ui.server_db import mark_server_window, stop_server_window

    a = open_database(pg_url, "create")
    b = open_database(pg_url, "create")
    ctx = _ctx(a)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    heard = []
    ctx.dataChanged.connect(heard.append)
    try:
        mark_server_window(window, a)
        assert window.server_changes.listener.wait_listening(10)
        window.show()
        area = window.areas["enterprises"]
        area.activated()
        before = area.list.model.total_count
        with b.session() as s:
            builders.make_enterprise(s, name="南通别人新增有限公司")
        qtbot.waitUntil(lambda: "enterprise" in heard, timeout=5000)
        qtbot.waitUntil(lambda: area.list.model.total_count == before + 1, timeout=5000)
        assert "forum" not in heard and "partner" not in heard  # only the changed tables
    finally:
        stop_server_window(window)
        window.close()
        a.close()
        b.close()


def test_every_area_opens_on_a_server_with_demo_data(qtbot, pg_url, tmp_path, answers, qoffice_home):
    from qoffice.cli.main import main
    from qoffice.db.database import open_database
    from qoffice.ui.mainwindow import MainWindow
    from qoffice.ui.server_db import mark_server_window, stop_server_window

    demo = tmp_path / "demo.db"
    assert main(["--db", str(demo), "demo-data", "--enterprises", "150", "--seed", "5"]) == 0
    assert main(["db", "copy", "--from", str(demo), "--to", pg_url, "--replace"]) == 0
    db = open_database(pg_url, "create")
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    try:
        mark_server_window(window, db)
        window.show()
        for key in list(window.areas):
            area = window.areas[key]
            if hasattr(area, "activated"):
                area.activated()
            lst = getattr(area, "list", None)
            if lst is not None and key in ("enterprises", "forums", "projects", "awards", "partners"):
                assert lst.model.total_count > 0, key
                qtbot.waitUntil(lambda lst=lst: lst.model.rowCount() > 0, timeout=5000)
        assert not [a for a in answers if a[0] in ("error", "critical")], answers
    finally:
        stop_server_window(window)
        window.close()
        db.close()


@pytest.fixture
def memory_keyring():
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.items = {}

        def get_password(self, service, username):
            return self.items.get((service, username))

        def set_password(self, service, username, password):
            self.items[(service, username)] = password

        def delete_password(self, service, username):
            self.items.pop((service, username), None)

    before = keyring.get_keyring()
    ring = Memory()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


def test_settings_database_page_tests_and_saves_a_server(qtbot, pg_url, qoffice_home, memory_keyring, answers):
    from qoffice.db import pg
    from qoffice.ui.database_page import DatabasePage, configured_database

    page = DatabasePage()
    qtbot.addWidget(page)
    assert page.local_radio.isChecked() and not page.server_box.isEnabled()
    f = pg.split_url(pg_url)
    page.server_radio.setChecked(True)
    page.host.setText(f["host"])
    page.port.setValue(f["port"])
    page.database.setText("no_such_database")
    page.user.setText(f["user"])
    page.sslmode.setCurrentIndex(page.sslmode.findData("disable"))
    page.test_now()
    qtbot.waitUntil(lambda: "没有这个数据库" in page.result.text(), timeout=10000)
    assert "\n" not in page.result.text() and "重试" in page.result.text()
    assert page.database.text() == "no_such_database"  # the form is kept
    page.database.setText(f["database"])
    page.test_now()
    qtbot.waitUntil(lambda: "PostgreSQL" in page.result.text(), timeout=10000)
    assert "所有者" in page.result.text()
    page.password.setText("Secret-in-store-9")
    assert page.save()
    url = configured_database()
    assert url and "Secret" not in url and pg.split_url(url)["database"] == f["database"]
    assert list(memory_keyring.items.values()) == ["Secret-in-store-9"]
    text = "\n".join(p.read_bytes().decode("utf-8", "replace") for p in qoffice_home.rglob("*") if p.is_file())
    assert "Secret-in-store-9" not in text
    # reopened, the page shows the saved choice; 本机数据库 switches back
    again = DatabasePage()
    qtbot.addWidget(again)
    assert again.server_radio.isChecked() and again.database.text() == f["database"]
    again.local_radio.setChecked(True)
    assert again.save() and configured_database() is None


def test_build_url_and_split_url_round_trip():
    from qoffice.db import pg

    url = pg.build_url("db.office.local", 5433, "qoffice", "zhang", "verify-full", "/etc/ca.crt")
    assert url == "postgresql://zhang@db.office.local:5433/qoffice?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.crt"
    assert pg.split_url(url) == {"host": "db.office.local", "port": 5433, "database": "qoffice", "user": "zhang",
                                 "sslmode": "verify-full", "ca_file": "/etc/ca.crt"}
    sock = pg.build_url("/run/postgresql", 5432, "qoffice", "li", "prefer")
    assert pg.split_url(sock)["host"] == "/run/postgresql" and pg.is_server_url(sock)
