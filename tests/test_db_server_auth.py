"""Passwords and TLS on a server (issue 16): a cluster of this module's own on 127.0.0.1 with
scram-sha-256 and ssl=on (the socket cluster of the other tests trusts every local user and has no TLS).
The password lives in the credential store (an in-memory keyring backend here) or, where there is
none, in PGPASSWORD; it never reaches a log, a crash report, the database or a file."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from cli_run import one_line as _one_line
from cli_run import run as _run

from qoffice.cli.main import main

PASSWORD = "Right-pw-密码-7x"
CLERK = "clerk_auth"


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _make_certs(folder: Path) -> None:
    """A CA, a server certificate for 127.0.0.1 signed by it, and a second CA that signed nothing."""
    (folder / "san.cnf").write_text("subjectAltName = IP:127.0.0.1\n", encoding="ascii")
    for ca in ("ca", "wrong_ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN=qoffice test {ca}",
                 "-keyout", f"{ca}.key", "-out", f"{ca}.crt", cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
             "-out", "server.csr", cwd=folder)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "san.cnf", "-out", "server.crt", cwd=folder)


@pytest.fixture(scope="module")
def tls_server(pg_tools):
    certs = Path(tempfile.mkdtemp(prefix="pgcerts-"))
    _make_certs(certs)
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        for p in (certs, *certs.iterdir()):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    os.chmod(certs / "server.key", 0o600)
    hba = ("local all postgres trust\n"
           "hostssl all all 127.0.0.1/32 scram-sha-256\n")
    port = 58000 + os.getpid() % 1000
    cluster = pg_tools.start(port, listen="127.0.0.1", hba=hba, conf_lines=(
        "ssl = on", f"ssl_cert_file = '{certs}/server.crt'", f"ssl_key_file = '{certs}/server.key'",
        "password_encryption = 'scram-sha-256'"))
    try:
        cluster.admin('CREATE DATABASE "qauth"')
        owner_url = cluster.url("qauth")  # over the socket, as postgres (trust for the local superuser only)
        os.environ["QPW_INIT"] = PASSWORD
        try:
            assert main(["--db", owner_url, "db", "init", "--clerk", CLERK, "--password-env", "QPW_INIT"]) == 0
        finally:
            os.environ.pop("QPW_INIT", None)
        yield {"port": port, "certs": certs, "cluster": cluster}
    finally:
        pg_tools.stop(cluster)
        shutil.rmtree(certs, ignore_errors=True)


def _url(server, *, password=None, user=CLERK, sslmode="require", ca=None):
    auth = f"{user}:{password}" if password is not None else user
    q = f"sslmode={sslmode}" + (f"&sslrootcert={ca}" if ca else "")
    return f"postgresql://{auth}@127.0.0.1:{server['port']}/qauth?{q}"


class MemoryKeyring:
    """An in-memory keyring backend (as root on a headless machine there is no real store)."""

    def __new__(cls):
        from keyring.backend import KeyringBackend

        class _Backend(KeyringBackend):
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

        return _Backend()


@pytest.fixture
def memory_keyring():
    import keyring

    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring(monkeypatch):
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PGPASSFILE", raising=False)
    monkeypatch.setenv("HOME", tempfile.mkdtemp(prefix="nohome-"))  # no ~/.pgpass
    yield
    keyring.set_keyring(before)


def _server_text(server) -> str:
    """Every row of every table of the server database, as text."""
    cluster = server["cluster"]
    names = [r[0] for r in cluster.admin("SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
                                         dbname="qauth")]
    out = []
    for n in names:
        out += [str(r[0]) for r in cluster.admin(f'SELECT row_to_json(t)::text FROM "{n}" t', dbname="qauth")]
    return "\n".join(out)


def _all_files_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file())


def test_the_password_goes_to_the_credential_store_and_nowhere_else(tls_server, memory_keyring, qoffice_home,
                                                                   capsys, monkeypatch):
    seen = []
    code, out, err = _run(capsys, "--db", _url(tls_server, password=PASSWORD), "settings", "set", "operator", "王五")
    seen += [out, err]
    assert code == 0, err
    assert "凭据" in err  # the note: moved into the store
    assert list(memory_keyring.items.values()) == [PASSWORD]
    # from now on the address has no password: the store gives it
    code, out, err = _run(capsys, "--db", _url(tls_server), "settings", "show")
    seen += [out, err]
    assert code == 0, err and "王五" in out
    code, out, err = _run(capsys, "--db", _url(tls_server), "check")
    seen += [out, err]
    assert code == 0, err
    # a crash report written while connected
    from qoffice.cli.commands import settings as settings_cmd

    def boom(args):
        from qoffice.cli.common import open_db

        open_db(args, "read")
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(settings_cmd, "run_show", boom)
    code, out, err = _run(capsys, "--db", _url(tls_server, password=PASSWORD), "settings", "show")
    seen += [out, err]
    assert code == 2
    log = qoffice_home / "logs" / "qoffice.log"
    assert log.is_file() and "RuntimeError" in log.read_text(encoding="utf-8")
    for where, text in (("output", "\n".join(seen)), ("data folder (log, crash report, settings)",
                                                      _all_files_text(qoffice_home)),
                        ("database", _server_text(tls_server))):
        assert PASSWORD not in text, where


def test_without_a_store_pgpassword_is_used(tls_server, no_keyring, capsys, monkeypatch):
    code, _, err = _run(capsys, "--db", _url(tls_server), "settings", "show")
    assert code == 2 and "需要密码" in _one_line(err)
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    code, _, err = _run(capsys, "--db", _url(tls_server), "settings", "show")
    line = _one_line(err)
    assert code == 2 and "拒绝了密码" in line and "not-the-password" not in line
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    code, out, err = _run(capsys, "--db", _url(tls_server), "settings", "show")
    assert code == 0, err
    monkeypatch.delenv("PGPASSWORD")
    code, out, err = _run(capsys, "--db", _url(tls_server, password=PASSWORD), "settings", "show")
    assert code == 0, err
    assert "PGPASSWORD" in err and PASSWORD not in out + err  # the note: no store, this command only


def test_tls_verify_full_with_the_right_ca_and_refused_with_a_wrong_one(tls_server, memory_keyring, capsys):
    from qoffice.db.credentials import store_password
    from qoffice.db.pg import sa_url

    store_password(sa_url(_url(tls_server)), PASSWORD)
    certs = tls_server["certs"]
    code, out, err = _run(capsys, "--db", _url(tls_server, sslmode="verify-full", ca=certs / "ca.crt"), "check")
    assert code == 0, err
    code, _, err = _run(capsys, "--db", _url(tls_server, sslmode="verify-full", ca=certs / "wrong_ca.crt"), "check")
    assert code == 2 and "SSL" in _one_line(err)
    # a client that refuses TLS meets a server that requires it
    code, _, err = _run(capsys, "--db", _url(tls_server, sslmode="disable"), "check")
    assert code == 2 and "SSL" in _one_line(err)


def test_the_connection_is_encrypted(tls_server, memory_keyring):
    from qoffice.db.credentials import store_password
    from qoffice.db.database import open_database
    from qoffice.db.pg import sa_url

    store_password(sa_url(_url(tls_server)), PASSWORD)
    db = open_database(_url(tls_server), "view")
    try:
        assert db.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") == [(True,)]
        assert db.role == "clerk"
    finally:
        db.close()
