"""PGPASSWORD for the command line without a credential store (issue 16): qoffice hands the password to
libpq itself, as a connection parameter, instead of leaving libpq to read the environment — on Windows
libpq's getenv() gives the ANSI code page's bytes (GBK on a Chinese PC), so a 密码-style password
reached the server in the wrong encoding and was refused (seen under Wine in the installer test)."""
from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from qoffice.db import credentials, pg


@pytest.fixture
def no_store(monkeypatch):
    monkeypatch.setattr(credentials, "get_password", lambda url: None)


def test_pgpassword_is_passed_as_the_connection_password(no_store, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "办公室-密码-7x")
    url = pg.with_stored_password(make_url("postgresql+psycopg://clerk@127.0.0.1:5432/qoffice"))
    assert url.password == "办公室-密码-7x"
    assert "密码" not in str(url)  # the URL's text (logs, messages) still hides it


def test_a_password_in_the_store_wins_over_pgpassword(monkeypatch):
    monkeypatch.setattr(credentials, "get_password", lambda url: "from-the-store")
    monkeypatch.setenv("PGPASSWORD", "from-the-environment")
    url = pg.with_stored_password(make_url("postgresql+psycopg://clerk@127.0.0.1/qoffice"))
    assert url.password == "from-the-store"


def test_without_either_no_password_is_set(no_store, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = pg.with_stored_password(make_url("postgresql+psycopg://clerk@127.0.0.1/qoffice"))
    assert url.password is None  # libpq's PGPASSFILE still applies


def test_a_non_ascii_value_is_quoted_in_the_connection_string():
    """libpq splits an unquoted conninfo value where its C runtime's isspace() says so; under Wine's
    msvcrt that includes byte 0xA0 (cp1252's no-break space), which is inside the UTF-8 of 码 (E7 A0 81):
    "missing '=' after …" and a crash report instead of a connection. psycopg quotes only values with
    whitespace as Python sees it, so every path to a connection (connect_args) makes it quote non-ASCII
    values too — quoted values are copied byte for byte."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    pg.connect_args()
    conninfo = make_conninfo(host="127.0.0.1", user="clerk", password="办公室密码-7x")
    assert "password='办公室密码-7x'" in conninfo
    assert conninfo_to_dict(conninfo)["password"] == "办公室密码-7x"
    assert "host=127.0.0.1" in conninfo  # ASCII values as before
