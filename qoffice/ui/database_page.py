"""设置 → 数据库: 本机数据库 (a SQLite file on this PC) or 办公室服务器 (PostgreSQL), with 测试连接.

The choice is this person's, on this PC (the per-user settings file, as the window layout), never in
the shared database; the password goes to the system's credential store (keyring), never to a file.
The new choice is used from the next start of qoffice.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qoffice.i18n import _

MODE_KEY, URL_KEY = "database/mode", "database/url"
LOCAL, SERVER = "local", "server"


def configured_database() -> str | None:
    """The server address chosen in 设置 → 数据库 on this PC, or None for the local file."""
    from qoffice.ui.state import ui_settings

    s = ui_settings()
    if s.value(MODE_KEY, LOCAL) == SERVER:
        url = s.value(URL_KEY, "") or ""
        return url or None
    return None


def ssl_label(mode: str) -> str:
    return {"disable": _("disable (no encryption)"), "prefer": _("prefer (encrypt when the server can)"),
            "require": _("require (always encrypted)"),
            "verify-full": _("verify-full (encrypted, server certificate checked with a CA file)")}[mode]


class DatabasePage(QWidget):
    saved = Signal(str)

    def __init__(self, ctx=None, parent=None):
        super().__init__(parent)
        from qoffice.db.pg import SSL_MODES

        self.ctx = ctx
        self.last_job = None
        layout = QVBoxLayout(self)
        self.local_radio = QRadioButton(_("This computer's database (本机数据库)"))
        self.server_radio = QRadioButton(_("The office server (办公室服务器, PostgreSQL)"))
        group = QButtonGroup(self)
        group.addButton(self.local_radio)
        group.addButton(self.server_radio)
        layout.addWidget(self.local_radio)
        layout.addWidget(self.server_radio)
        self.server_box = QGroupBox(_("Office server"))
        form = QFormLayout(self.server_box)
        self.host = QLineEdit()
        self.host.setObjectName("db_host")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("qoffice")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.password.setPlaceholderText(_("kept in the system's credential store"))
        self.sslmode = QComboBox()
        for mode in SSL_MODES:
            self.sslmode.addItem(ssl_label(mode), mode)
        self.sslmode.setCurrentIndex(SSL_MODES.index("prefer"))
        self.ca_file = QLineEdit()
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(browse)
        form.addRow(_("Server (host name or address)"), self.host)
        form.addRow(_("Port"), self.port)
        form.addRow(_("Database"), self.database)
        form.addRow(_("User"), self.user)
        form.addRow(_("Password"), self.password)
        form.addRow(_("SSL mode"), self.sslmode)
        form.addRow(_("CA file (verify-full)"), ca_row)
        layout.addWidget(self.server_box)
        buttons = QHBoxLayout()
        self.test_button = QPushButton(_("Test connection"))
        self.test_button.setObjectName("test_connection")
        self.test_button.clicked.connect(self.test_now)
        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("save_database")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.result = QLabel("")
        self.result.setObjectName("db_result")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.local_radio.toggled.connect(self._update)
        self.sslmode.currentIndexChanged.connect(self._update)
        self.load()

    # ---- fields ----------------------------------------------------------------------------
    def load(self) -> None:
        from qoffice.db import pg
        from qoffice.ui.state import ui_settings

        s = ui_settings()
        url = s.value(URL_KEY, "") or ""
        if url:
            try:
                f = pg.split_url(url)
            except Exception:  # a hand-edited settings file: the fields stay as they are
                f = None
            if f:
                self.host.setText(f["host"])
                self.port.setValue(int(f["port"]))
                self.database.setText(f["database"])
                self.user.setText(f["user"])
                self.sslmode.setCurrentIndex(max(0, self.sslmode.findData(f["sslmode"])))
                self.ca_file.setText(f["ca_file"])
        (self.server_radio if s.value(MODE_KEY, LOCAL) == SERVER else self.local_radio).setChecked(True)
        self._update()

    def url(self) -> str:
        from qoffice.db import pg

        return pg.build_url(self.host.text(), self.port.value(), self.database.text(), self.user.text(),
                            self.sslmode.currentData(), self.ca_file.text().strip() or None)

    def _update(self, *_args) -> None:
        server = self.server_radio.isChecked()
        self.server_box.setEnabled(server)
        self.test_button.setEnabled(server)
        self.ca_file.setEnabled(self.sslmode.currentData() == "verify-full")

    def _choose_ca(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("CA file"), "", _("Certificates (*.crt *.pem);;All files (*)"))
        if path:
            self.ca_file.setText(path)

    def _missing(self) -> str | None:
        if not self.host.text().strip() or not self.database.text().strip() or not self.user.text().strip():
            return _("Fill in the server, the database and the user.")
        if self.sslmode.currentData() == "verify-full" and not self.ca_file.text().strip():
            return _("verify-full needs the CA file that signed the server's certificate.")
        return None

    # ---- actions ---------------------------------------------------------------------------
    def test_now(self):
        """测试连接 on a worker thread (a server that does not answer takes up to 10 s); the fields stay."""
        from qoffice.db import pg
        from qoffice.ui.worker import run_in_background

        problem = self._missing()
        if problem:
            self.result.setText(problem)
            return None
        url, password = self.url(), self.password.text() or None
        self.result.setText(_("Connecting…"))
        self.test_button.setEnabled(False)

        def done(info) -> None:
            self.test_button.setEnabled(True)
            roles = {"owner": _("owner"), "clerk": _("clerk"), "viewer": _("viewer (read-only)"), "other": _("other")}
            self.result.setText(_("Connected: PostgreSQL {version}, as {role}, schema {rev}.").format(
                version=info["server_version"], role=roles.get(info["role"], info["role"]),
                rev=info["revision"] or "-"))

        def failed(exc) -> None:
            self.test_button.setEnabled(True)
            self.result.setText(exc.message + " " + _("Check the fields and click “Test connection” again (重试)."))

        self.last_job = run_in_background(self, lambda progress: pg.test_connection(url, password),
                                          title=_("Test connection"), label=_("Connecting…"), on_done=done,
                                          on_error=failed, cancellable=False)
        return self.last_job

    def save(self) -> bool:
        from qoffice.db import pg
        from qoffice.db.credentials import store_password
        from qoffice.ui.state import ui_settings

        s = ui_settings()
        if self.local_radio.isChecked():
            s.setValue(MODE_KEY, LOCAL)
            s.sync()
            self.result.setText(_("Saved: this computer's database, from the next start of qoffice."))
            self.saved.emit(LOCAL)
            return True
        problem = self._missing()
        if problem:
            self.result.setText(problem)
            return False
        url = self.url()
        note = ""
        if self.password.text():
            if store_password(pg.sa_url(url), self.password.text()):
                note = " " + _("The password is kept in the system's credential store.")
            else:
                note = " " + _("There is no credential store on this computer: set PGPASSWORD or a PGPASSFILE.")
            self.password.clear()
        s.setValue(MODE_KEY, SERVER)
        s.setValue(URL_KEY, url)
        s.sync()
        self.result.setText(_("Saved: the office server {where}, from the next start of qoffice.").format(
            where=pg.describe(pg.sa_url(url))) + note)
        self.saved.emit(SERVER)
        return True
