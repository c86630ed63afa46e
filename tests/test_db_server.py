"""The shared office database on PostgreSQL (issue 16, shared-db.md): the test server itself, --db
URLs, connections, roles, db init/upgrade, older schemas, check."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import one_line as _one_line
from cli_run import run as _run

from qoffice.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _forms(url: str) -> list[str]:
    """The same database as postgresql://, postgres:// and postgresql+psycopg:// with ?host=…&port=…"""
    rest = url.split("://", 1)[1]
    return [f"postgresql://{rest}", f"postgres://{rest}", f"postgresql+psycopg://{rest}"]


# --- step 1: the test server --------------------------------------------------------------------------
PROBE = """
import os, pytest
def test_probe(pg_url):
    pytest.skip("pretending the server could not be used")
"""


@pytest.mark.parametrize("required", ["QOFFICE_REQUIRE_PG", "CI", None])
def test_a_skipped_postgresql_test_fails_under_make_test_and_ci(tmp_path, pg_cluster, required):
    """make test sets QOFFICE_REQUIRE_PG=1; CI=true does the same: a skip of a server test is a failure."""
    probe = ROOT / "tests" / f"test_zz_pg_probe_{os.getpid()}.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("QOFFICE_REQUIRE_PG", "CI")}
    env["TEST_PG_URL"] = pg_cluster.admin_url
    if required == "QOFFICE_REQUIRE_PG":
        env["QOFFICE_REQUIRE_PG"] = "1"
    elif required == "CI":
        env["CI"] = "true"
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(probe)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    finally:
        probe.unlink()
    if required:
        assert proc.returncode == 1, proc.stdout
        assert "1 failed" in proc.stdout
    else:
        assert proc.returncode == 0, proc.stdout
        assert "1 skipped" in proc.stdout


def test_the_db_fixture_runs_the_chosen_suites_on_both_backends(request, db, backend):
    """This file is one of PG_SUITES: the test runs twice, and the server variant is a server database."""
    assert backend in ("sqlite", "postgresql")
    assert getattr(db, "is_server", False) == (backend == "postgresql")


def test_the_makefile_requires_the_server_and_the_bootstrap_installs_it():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("test:", "test-fast:"):
        block = make.split(f"\n{target}", 1)[1].split("\n\n", 1)[0]
        assert "QOFFICE_REQUIRE_PG=1" in block, target
    boot = (ROOT / "tools" / "bootstrap.sh").read_text(encoding="utf-8")
    assert " postgresql " in boot.split("APT_PKGS=", 1)[1].split('"', 2)[1] + " "


# --- step 2: connecting ---------------------------------------------------------------------------------
def test_every_url_form_opens_the_server_database(pg_url, qoffice_home, capsys):
    for i, url in enumerate(_forms(pg_url)):
        code, out, err = _run(capsys, "--db", url, "settings", "set", "county", f"崇川区{i}" if i else "崇川区")
        assert code == 0, err
        code, out, err = _run(capsys, "settings", "show", "--db", url)  # --db after the command too
        assert code == 0, err
        assert "崇川区" in out
    # no lock file, no backups, no database file: nothing written beside the data folder but the log
    assert [f for f in _files(qoffice_home) if not f.startswith("logs")] == []


@pytest.mark.parametrize("url", ["sqlite:///q.db", "file://q.db", "https://example.org/q.db", "mysql://u@h/q"])
def test_other_schemes_are_refused_and_create_nothing(tmp_path, capsys, monkeypatch, url):
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "--db", url, "settings", "show")
    assert code == 2
    line = _one_line(err)
    assert "PostgreSQL" in line and "地址" in line
    assert _files(tmp_path) == []


def test_every_connection_sets_lock_timeout_and_statement_timeout(pg_url):
    from sqlalchemy import text

    from qoffice.db import pg
    from qoffice.db.database import open_database

    db = open_database(pg_url, "create")
    try:
        with db.session() as s:
            assert s.execute(text("SHOW lock_timeout")).scalar() == f"{pg.LOCK_TIMEOUT_MS // 1000}s"
            assert s.execute(text("SHOW statement_timeout")).scalar() == f"{pg.STATEMENT_TIMEOUT_MS // 60000}min"
        with db.read_session() as s:
            assert s.execute(text("SHOW lock_timeout")).scalar() == f"{pg.LOCK_TIMEOUT_MS // 1000}s"
        assert db.query("SHOW lock_timeout") == [(f"{pg.LOCK_TIMEOUT_MS // 1000}s",)]
        assert db.query("SHOW statement_timeout") == [(f"{pg.STATEMENT_TIMEOUT_MS // 60000}min",)]
        reader = db.connect_reader()
        try:
            assert reader.execute("SHOW lock_timeout").fetchall() == [(f"{pg.LOCK_TIMEOUT_MS // 1000}s",)]
            assert reader.execute("SHOW transaction_read_only").fetchall() == [("on",)]
        finally:
            reader.close()
    finally:
        db.close()


def test_raw_reads_take_sqlite_style_parameters(pg_url):
    from qoffice.db.database import open_database
    from qoffice.services.settings import set_value

    db = open_database(pg_url, "create")
    try:
        with db.session() as s:
            set_value(s, "office", "质监 50%?")
        assert db.query("SELECT value FROM setting WHERE key = ? AND value LIKE '%50%?'", ("office",)) == \
            [("质监 50%?",)]
    finally:
        db.close()


def _url_with(url: str, **change) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    query = dict(u.query)
    if "port" in change:
        query["port"] = change.pop("port")
    return u.set(query=query, **change).render_as_string(hide_password=False)


@pytest.mark.parametrize("case", ["down", "no_database", "no_role"])
def test_connection_failures_are_one_chinese_line_exit_2(pg_url, capsys, case):
    url = {"down": _url_with(pg_url, port="1"), "no_database": _url_with(pg_url, database="no_such_db"),
           "no_role": _url_with(pg_url, username="nobody_here")}[case]
    expected = {"down": "无法连接", "no_database": "没有这个数据库", "no_role": "没有这个用户"}[case]
    for argv in (["settings", "show"], ["settings", "set", "county", "崇川区"], ["check"]):
        code, _, err = _run(capsys, "--db", url, *argv)
        assert code == 2, err
        assert expected in _one_line(err)


def test_an_empty_server_database_is_not_set_up_by_a_clerk_command(pg_empty_url, capsys):
    code, _, err = _run(capsys, "--db", pg_empty_url, "settings", "set", "county", "崇川区")
    assert code == 2
    assert "db init" in _one_line(err)
    from sqlalchemy import create_engine

    from qoffice.db import pg

    eng = create_engine(pg.sa_url(pg_empty_url))
    try:
        with eng.connect() as conn:
            assert pg.read_revision(conn) == (None, True)  # still empty: nothing implicit on a server
    finally:
        eng.dispose()


def test_check_reports_server_version_schema_and_role(pg_url, capsys):
    code, out, err = _run(capsys, "--db", pg_url, "check")
    assert code == 0, err
    assert "PostgreSQL 1" in out and "所有者" in out
    code, out, err = _run(capsys, "--db", pg_url, "check", "--json")
    import json

    report = json.loads(out)
    from qoffice.db.schema import SCHEMA_HEAD

    assert report["revision"] == SCHEMA_HEAD and report["role"] == "owner"
    assert report["server_version"].split(".")[0].isdigit()


# --- step 3: roles, db init, db upgrade, an older schema --------------------------------------------
_role_names = iter(range(1, 10_000))


def _names(*kinds):
    n = next(_role_names)
    return [f"{k}_{os.getpid()}_{n}" for k in kinds]


def _as_user(url: str, user: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=user).render_as_string(hide_password=False)


def _raw(url: str, user: str, sql: str):
    import psycopg
    from sqlalchemy.engine import make_url

    from qoffice.db import pg

    kw = pg.psycopg_conninfo(make_url(url).set(username=user))
    with psycopg.connect(**kw, autocommit=True) as conn:
        return conn.execute(sql)


def test_db_init_makes_schema_roles_and_grants(pg_empty_url, capsys, monkeypatch):
    clerk, viewer = _names("clerk", "viewer")
    monkeypatch.setenv("QPW", "s3cret-不给看")
    code, out, err = _run(capsys, "--db", pg_empty_url, "db", "init", "--clerk", clerk, "--viewer", viewer,
                          "--password-env", "QPW", "--json")
    assert code == 0, out + err
    assert "s3cret" not in out + err
    import json

    assert json.loads(out)["clerks"] == [clerk]
    # the schema is Alembic's head
    code, out, err = _run(capsys, "--db", _as_user(pg_empty_url, clerk), "check", "--json")
    assert code == 0, err
    report = json.loads(out)
    from qoffice.db.schema import SCHEMA_HEAD

    assert report["revision"] == SCHEMA_HEAD and report["role"] == "clerk"
    # the clerk writes rows …
    code, out, err = _run(capsys, "--db", _as_user(pg_empty_url, clerk), "settings", "set", "county", "崇川区")
    assert code == 0, err
    # … but runs no DDL
    import psycopg

    for ddl in ("ALTER TABLE enterprise ADD COLUMN x integer", "DROP TABLE setting", "CREATE TABLE t (x int)",
                "TRUNCATE setting", "UPDATE alembic_version SET version_num = '9999'"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _raw(pg_empty_url, clerk, ddl)
    # the viewer reads everything and writes nothing
    code, out, err = _run(capsys, "--db", _as_user(pg_empty_url, viewer), "settings", "show")
    assert code == 0 and "崇川区" in out
    code, out, err = _run(capsys, "--db", _as_user(pg_empty_url, viewer), "settings", "set", "county", "通州区")
    assert code == 2
    assert "只能查看" in _one_line(err)
    for dml in ("INSERT INTO setting (key, value) VALUES ('x', 'y')", "UPDATE setting SET value = 'x'",
                "DELETE FROM setting"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _raw(pg_empty_url, viewer, dml)
    code, out, err = _run(capsys, "--db", _as_user(pg_empty_url, viewer), "check", "--json")
    assert json.loads(out)["role"] == "viewer"
    # the passwords were set (scram hashes in pg_authid), never the plain text
    rows = _raw(pg_empty_url, "postgres", f"SELECT rolpassword FROM pg_authid WHERE rolname IN ('{clerk}', '{viewer}')"
                ).fetchall()
    assert len(rows) == 2 and all(r[0].startswith("SCRAM-SHA-256$") for r in rows)
    # a second init on the (no longer empty) database changes nothing
    code, out, err = _run(capsys, "--db", pg_empty_url, "db", "init", "--clerk", clerk, "--password-env", "QPW")
    assert code == 2 and "不是空的" in _one_line(err)


def test_db_init_refuses_a_bad_name_and_a_missing_password(pg_empty_url, capsys, monkeypatch):
    code, _, err = _run(capsys, "--db", pg_empty_url, "db", "init", "--clerk", "Bad-Name", "--password-env", "QPW")
    assert code == 2 and "用户名" in _one_line(err)
    monkeypatch.delenv("QPW", raising=False)
    (clerk,) = _names("clerk")
    code, _, err = _run(capsys, "--db", pg_empty_url, "db", "init", "--clerk", clerk, "--password-env", "QPW")
    assert code == 2 and "QPW" in _one_line(err)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    code, _, err = _run(capsys, "--db", pg_empty_url, "db", "init", "--clerk", clerk)
    assert code == 2 and "--password-env" in _one_line(err)


def test_a_clerk_on_an_older_schema_opens_read_only_until_the_owner_upgrades(pg_empty_url, capsys, tmp_path,
                                                                             qoffice_home):
    import sqlite3

    from qoffice.db.pgadmin import init_database
    from qoffice.db.schema import KNOWN_REVISIONS, SCHEMA_HEAD

    older = KNOWN_REVISIONS[-2]
    clerk, = _names("clerk")
    init_database(pg_empty_url, [clerk], [], {clerk: "pw"}, schema_revision=older)
    curl = _as_user(pg_empty_url, clerk)
    code, out, err = _run(capsys, "--db", curl, "settings", "show")
    assert code == 0, err  # reading works
    code, out, err = _run(capsys, "--db", curl, "settings", "set", "county", "崇川区")
    assert code == 2
    assert "请联系管理员升级数据库" in _one_line(err)
    code, out, err = _run(capsys, "--db", curl, "check")
    assert code == 1 and "请联系管理员升级数据库" in out
    # the clerk cannot upgrade
    code, out, err = _run(capsys, "--db", curl, "db", "upgrade")
    assert code == 2 and "所有者" in _one_line(err)
    # the owner can: a backup first (a SQLite file at the old schema), then the schema at head
    code, out, err = _run(capsys, "--db", pg_empty_url, "db", "upgrade", "--json")
    assert code == 0, err
    import json

    result = json.loads(out)
    assert (result["from"], result["to"]) == (older, SCHEMA_HEAD)
    backup = Path(result["backup"])
    assert backup.is_file() and str(backup).startswith(str(qoffice_home))
    con = sqlite3.connect(backup)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(older,)]
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()
    code, out, err = _run(capsys, "--db", curl, "settings", "set", "county", "崇川区")
    assert code == 0, err  # the clerk writes again (grants renewed for the new tables)
    code, out, err = _run(capsys, "--db", pg_empty_url, "db", "upgrade")
    assert code == 0 and SCHEMA_HEAD in out


def test_db_init_and_upgrade_need_a_server(tmp_path, capsys):
    code, _, err = _run(capsys, "--db", tmp_path / "q.db", "db", "upgrade")
    assert code == 2 and "postgresql://" in _one_line(err)


# --- step 6: moving data: db copy both ways, backup from a server, restore into it -------------------
@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """A SQLite database with every kind of record (the demo generator), made once for the module."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    old = os.environ.get("QOFFICE_HOME")
    os.environ["QOFFICE_HOME"] = str(folder)
    try:
        assert main(["--db", str(path), "demo-data", "--enterprises", "120", "--seed", "3"]) == 0
    finally:
        if old is None:
            os.environ.pop("QOFFICE_HOME", None)
        else:
            os.environ["QOFFICE_HOME"] = old
    return path


def _all_rows(target) -> dict[str, list[tuple]]:
    """Every row of every model table, typed by the models, in primary-key order."""
    from sqlalchemy import select

    from qoffice.db.database import open_database
    from qoffice.db.models import Base

    db = open_database(target, "check")
    try:
        out = {}
        with db.read_session() as s:
            for t in Base.metadata.sorted_tables:
                out[t.name] = [tuple(r) for r in s.execute(select(t).order_by(*t.primary_key.columns))]
        return out
    finally:
        db.close()


def test_db_copy_from_a_file_to_the_server_and_back(demo_file, pg_url, tmp_path, capsys):
    import json

    source = _all_rows(demo_file)
    assert sum(map(len, source.values())) > 500 and all(source[t] for t in ("enterprise", "signup", "year_figures"))
    before = demo_file.read_bytes()
    code, out, err = _run(capsys, "db", "copy", "--from", demo_file, "--to", pg_url, "--json")
    assert code == 0, out + err
    assert json.loads(out)["total"] == sum(map(len, source.values()))
    assert demo_file.read_bytes() == before  # the source is only read
    assert _all_rows(pg_url) == source
    # the sequences were reset: the next record gets a new id
    from qoffice.db.database import open_database
    from qoffice.domain.uscc import make_valid
    from qoffice.services import enterprises as ent_service

    db = open_database(pg_url, "create")
    try:
        with db.session() as s:
            new = ent_service.create(s, {"uscc": make_valid("91320600999999990"), "name": "南通新增有限公司",
                                         "county": "崇川区"})
            assert new.id == max(r[0] for r in source["enterprise"]) + 1
    finally:
        db.close()
    # back to a new file: the same rows, a database qoffice opens
    back = tmp_path / "back.db"
    code, out, err = _run(capsys, "db", "copy", "--from", pg_url, "--to", back)
    assert code == 0, err
    rows = _all_rows(back)
    assert rows["enterprise"][:-1] == source["enterprise"] and len(rows["enterprise"]) == len(source["enterprise"]) + 1
    assert {k: v for k, v in rows.items() if k not in ("enterprise", "audit_log")} == \
        {k: v for k, v in source.items() if k not in ("enterprise", "audit_log")}


def test_db_copy_refuses_a_target_with_data_unless_replace(demo_file, pg_url, tmp_path, capsys):
    code, _, err = _run(capsys, "db", "copy", "--from", demo_file, "--to", pg_url)
    assert code == 0, err
    snapshot = _all_rows(pg_url)
    code, _, err = _run(capsys, "db", "copy", "--from", demo_file, "--to", pg_url)
    assert code == 2 and "--replace" in _one_line(err)
    assert _all_rows(pg_url) == snapshot
    code, _, err = _run(capsys, "db", "copy", "--from", demo_file, "--to", pg_url, "--replace")
    assert code == 0, err
    assert _all_rows(pg_url) == snapshot
    # a file target with data: refused the same way; with --replace, replaced
    target = tmp_path / "t.db"
    target.write_bytes(demo_file.read_bytes())
    code, _, err = _run(capsys, "db", "copy", "--from", pg_url, "--to", target)
    assert code == 2 and "--replace" in _one_line(err)
    assert target.read_bytes() == demo_file.read_bytes()
    code, _, err = _run(capsys, "db", "copy", "--from", pg_url, "--to", target, "--replace")
    assert code == 0, err
    # two files, or two servers: refused
    code, _, err = _run(capsys, "db", "copy", "--from", demo_file, "--to", target)
    assert code == 2 and "postgresql://" in _one_line(err)


def test_backup_of_a_server_is_a_verified_sqlite_file(demo_file, pg_url, qoffice_home, tmp_path, capsys):
    import json
    import sqlite3

    from qoffice.db.schema import SCHEMA_HEAD

    assert _run(capsys, "db", "copy", "--from", demo_file, "--to", pg_url)[0] == 0
    code, out, err = _run(capsys, "--db", pg_url, "backup", "--json")
    assert code == 0, out + err
    made = Path(json.loads(out)["path"])
    assert made.is_file() and made.parent == qoffice_home / "server" / "backups" and made.suffix == ".db"
    con = sqlite3.connect(made)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(SCHEMA_HEAD,)]
    con.close()
    assert _all_rows(made) == _all_rows(pg_url)
    out_file = tmp_path / "manual.db"
    code, out, err = _run(capsys, "--db", pg_url, "backup", "-o", out_file)
    assert code == 0, err
    assert _all_rows(out_file) == _all_rows(pg_url)


def test_restore_into_the_server_replaces_its_data_in_one_go(demo_file, pg_url, tmp_path, capsys):
    import json

    from qoffice.db.database import open_database
    from qoffice.services.settings import set_value

    db = open_database(pg_url, "create")
    with db.session() as s:
        set_value(s, "county", "通州区")
    db.close()
    before = _all_rows(pg_url)
    code, out, err = _run(capsys, "--db", pg_url, "restore", demo_file, "--json")
    assert code == 0, out + err
    result = json.loads(out)
    assert _all_rows(pg_url) == _all_rows(demo_file)
    assert _all_rows(result["previous_saved_as"]) == before  # the server's data before, kept as a backup
    # sequences reset after the restore
    db = open_database(pg_url, "create")
    try:
        from sqlalchemy import text

        with db.session() as s:
            s.execute(text("INSERT INTO setting (key, value) VALUES ('x.restore', '1')"))
        assert db.query("SELECT max(id) FROM enterprise")[0][0] == max(r[0] for r in _all_rows(demo_file)["enterprise"])
    finally:
        db.close()


def test_only_the_owner_restores_into_the_server(demo_file, pg_empty_url, capsys, monkeypatch):
    (clerk,) = _names("clerk")
    monkeypatch.setenv("QPW", "pw")
    assert _run(capsys, "--db", pg_empty_url, "db", "init", "--clerk", clerk, "--password-env", "QPW")[0] == 0
    assert _run(capsys, "--db", pg_empty_url, "settings", "set", "county", "通州区")[0] == 0
    before = _all_rows(pg_empty_url)
    code, _, err = _run(capsys, "--db", _as_user(pg_empty_url, clerk), "restore", demo_file)
    assert code == 2 and "所有者" in _one_line(err)
    assert _all_rows(pg_empty_url) == before

