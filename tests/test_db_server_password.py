"""`db init` never sends a password as text: ALTER ROLE gets the SCRAM-SHA-256 verifier computed on this
PC (libpq's PQencryptPasswordConn), so a server logging every statement (log_statement=all) logs no
password — and the verifier is the password's (RFC 5802/7677)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

from qoffice.cli.main import main


def _verifies(verifier: str, password: str) -> bool:
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key, server_key = (base64.b64decode(k) for k in keys.split(":"))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return (method == "SCRAM-SHA-256" and hashlib.sha256(client_key).digest() == stored_key
            and hmac.new(salted, b"Server Key", hashlib.sha256).digest() == server_key)


def test_db_init_sends_no_password_in_any_statement(pg_empty_url, capsys, monkeypatch):
    import psycopg
    from sqlalchemy import event
    from sqlalchemy.engine import Engine, make_url

    from qoffice.db import pg

    secret = "s3cret-不给看'quote"
    monkeypatch.setenv("QPW", secret)
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(f"{statement} {parameters!r}")

    event.listen(Engine, "before_cursor_execute", record)
    try:
        clerk, viewer = f"clerk_{os.getpid()}_pw", f"viewer_{os.getpid()}_pw"
        code = main(["--db", pg_empty_url, "db", "init", "--clerk", clerk, "--viewer", viewer, "--password-env", "QPW"])
        out, err = capsys.readouterr()
        assert code == 0, out + err
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert any("ALTER ROLE" in s for s in sent)
    assert not [s for s in sent if "s3cret" in s]
    with psycopg.connect(**pg.psycopg_conninfo(make_url(pg_empty_url).set(username="postgres")),
                         autocommit=True) as conn:
        rows = conn.execute("SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN (%s, %s)",
                            (clerk, viewer)).fetchall()
    assert len(rows) == 2 and all(_verifies(r[1], secret) for r in rows)
    assert rows[0][1] != rows[1][1]  # a salt of its own for each
