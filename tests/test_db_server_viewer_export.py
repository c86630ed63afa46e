"""A viewer (领导查看) exports the return: the file is written, no 报送记录 is added, and the command says
so (shared-db.md); a clerk's export is recorded as before."""
from __future__ import annotations

import datetime as dt
import json
import os

from cli_run import run as _run


def _as_user(url: str, user: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=user).render_as_string(hide_password=False)


def _submissions(url: str) -> int:
    from sqlalchemy import create_engine, text

    from qoffice.db import pg

    eng = create_engine(pg.sa_url(url))
    try:
        with eng.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM return_submission")).scalar_one()
    finally:
        eng.dispose()


def test_a_viewers_export_writes_the_file_but_no_submission_and_says_so(pg_empty_url, tmp_path, capsys,
                                                                         monkeypatch):
    viewer = f"viewer_{os.getpid()}_x"
    monkeypatch.setenv("QPW", "view-pw-1")
    code, out, err = _run(capsys, "--db", pg_empty_url, "db", "init", "--viewer", viewer, "--password-env", "QPW")
    assert code == 0, out + err
    code, out, err = _run(capsys, "--db", pg_empty_url, "demo-data", "--enterprises", "100", "--seed", "4")
    assert code == 0, out + err
    year = str(dt.date.today().year)
    target = tmp_path / "viewer.xlsx"
    code, out, err = _run(capsys, "--db", _as_user(pg_empty_url, viewer), "export-return", "--year", year,
                          "-o", target)
    assert code == 0, out + err
    assert target.is_file()
    assert "未记入报送记录" in out and "Traceback" not in out + err
    assert _submissions(pg_empty_url) == 0
    code, out, err = _run(capsys, "--db", _as_user(pg_empty_url, viewer), "export-return", "--year", year,
                          "-o", tmp_path / "v2.xlsx", "--json")
    assert code == 0, out + err
    data = json.loads(out)
    assert data["recorded"] is False and data["path"]
    # the owner's (a clerk's) export is recorded
    code, out, err = _run(capsys, "--db", pg_empty_url, "export-return", "--year", year, "-o", tmp_path / "o.xlsx",
                          "--json")
    assert code == 0, out + err
    assert json.loads(out)["recorded"] is True
    assert _submissions(pg_empty_url) == 1
