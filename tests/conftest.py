"""Shared fixtures: every test gets its own QOFFICE_HOME; builders for test data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qoffice.domain.uscc import make_valid  # noqa: E402


@pytest.fixture(autouse=True)
def qoffice_home(tmp_path, monkeypatch) -> Path:
    """Tests never touch a real user's data."""
    home = tmp_path / "qhome"
    home.mkdir()
    monkeypatch.setenv("QOFFICE_HOME", str(home))
    monkeypatch.delenv("QOFFICE_LANG", raising=False)
    from qoffice import i18n

    i18n.set_language("zh_CN")
    yield home
    i18n.set_language("zh_CN")


@pytest.fixture
def db(qoffice_home):
    from qoffice.db.database import open_database

    database = open_database(qoffice_home / "qoffice.db", "create")
    yield database
    database.close()


_counter = [0]


def code(n: int | None = None) -> str:
    """A valid credit code, distinct per n."""
    if n is None:
        _counter[0] += 1
        n = _counter[0]
    return make_valid(f"9132060{n:010d}")


def make_enterprise(session, **overrides):
    from qoffice.services import enterprises

    data = {"uscc": code(), "name": f"南通测试企业{_counter[0]}有限公司", "county": "崇川区"}
    data.update(overrides)
    return enterprises.create(session, data)


@pytest.fixture
def builders():
    """Access to the data builders as a fixture (make_enterprise, code)."""

    class B:
        pass

    B.make_enterprise = staticmethod(make_enterprise)
    B.code = staticmethod(code)
    return B
