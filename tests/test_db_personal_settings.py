"""Per-person settings (UI language, 填报人) are kept on each PC, for the person (shared-db.md); the
office's settings stay in the database. Both backends: a server, and a SQLite file (where an operator
stored in the database before this change is still read until the person sets their own)."""
from __future__ import annotations

import json

from cli_run import run as _run


def test_personal_settings_stay_on_each_pc_office_settings_in_the_server(pg_url, tmp_path, capsys, monkeypatch):
    """填报人 and the language are the person's, on their PC; the county and office are the office's."""
    from sqlalchemy import create_engine, text

    from qoffice.db import pg

    pc1, pc2 = tmp_path / "pc1", tmp_path / "pc2"
    monkeypatch.setenv("QOFFICE_HOME", str(pc1))
    assert _run(capsys, "--db", pg_url, "settings", "set", "operator", "张三")[0] == 0
    assert _run(capsys, "--db", pg_url, "settings", "set", "county", "崇川区")[0] == 0
    code, out, _ = _run(capsys, "--db", pg_url, "settings", "show")
    assert code == 0 and "张三" in out and "崇川区" in out
    monkeypatch.setenv("QOFFICE_HOME", str(pc2))
    code, out, _ = _run(capsys, "--db", pg_url, "settings", "show")
    assert code == 0 and "张三" not in out and "崇川区" in out
    assert _run(capsys, "--db", pg_url, "settings", "set", "operator", "李四")[0] == 0
    eng = create_engine(pg.sa_url(pg_url))
    try:
        with eng.connect() as conn:
            keys = {r[0] for r in conn.execute(text("SELECT key FROM setting"))}
    finally:
        eng.dispose()
    assert "county" in keys and "operator" not in keys
    monkeypatch.setenv("QOFFICE_HOME", str(pc1))
    code, out, _ = _run(capsys, "--db", pg_url, "settings", "show")
    assert "张三" in out and "李四" not in out


def test_sqlite_keeps_an_operator_stored_before_and_the_persons_own_wins(tmp_path, capsys, monkeypatch):
    import sqlite3

    db = tmp_path / "shared" / "qoffice.db"
    db.parent.mkdir()
    monkeypatch.setenv("QOFFICE_HOME", str(tmp_path / "pc1"))
    assert _run(capsys, "--db", str(db), "settings", "set", "county", "崇川区")[0] == 0
    with sqlite3.connect(db) as conn:  # what an older version stored: the operator in the database
        conn.execute("INSERT INTO setting (key, value) VALUES ('operator', '老王')")
    code, out, _ = _run(capsys, "--db", str(db), "settings", "show", "--json")
    assert json.loads(out)["settings"]["operator"] == "老王"
    assert _run(capsys, "--db", str(db), "settings", "set", "operator", "张三")[0] == 0
    code, out, _ = _run(capsys, "--db", str(db), "settings", "show", "--json")
    assert json.loads(out)["settings"]["operator"] == "张三"
    assert _run(capsys, "--db", str(db), "settings", "set", "operator", "")[0] == 0  # cleared: not 老王 again
    code, out, _ = _run(capsys, "--db", str(db), "settings", "show", "--json")
    assert json.loads(out)["settings"]["operator"] is None
    monkeypatch.setenv("QOFFICE_HOME", str(tmp_path / "pc2"))  # another PC opening the same file
    code, out, _ = _run(capsys, "--db", str(db), "settings", "show", "--json")
    assert json.loads(out)["settings"]["operator"] == "老王"
    assert json.loads(out)["settings"]["county"] == "崇川区"


def test_a_damaged_personal_file_reads_as_empty(tmp_path, capsys, monkeypatch):
    home = tmp_path / "pc"
    home.mkdir()
    monkeypatch.setenv("QOFFICE_HOME", str(home))
    (home / "personal.json").write_bytes(b"\xff{not json")
    db = tmp_path / "qoffice.db"
    assert _run(capsys, "--db", str(db), "settings", "set", "county", "崇川区")[0] == 0
    code, out, err = _run(capsys, "--db", str(db), "settings", "show", "--json")
    assert code == 0, err
    assert _run(capsys, "--db", str(db), "settings", "set", "operator", "张三")[0] == 0
    code, out, _ = _run(capsys, "--db", str(db), "settings", "show", "--json")
    assert json.loads(out)["settings"]["operator"] == "张三"
