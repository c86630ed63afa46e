"""Upgrades: every revision's fixture reaches head with its data intact; the create path and Alembic
make the same schema; start-up needs no Alembic; a failing or killed migration leaves the file as it was.

Fixtures are rebuilt with one command: `.venv/bin/python tools/make_fixture_db.py`.
"""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qoffice.db import database as dbmod
from qoffice.db import migrate, schema
from qoffice.db.database import open_database
from qoffice.errors import DatabaseError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "db"
sys.path.insert(0, str(ROOT / "tools"))
import make_fixture_db  # noqa: E402


def digest(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def tables(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                      "AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def dump(path: Path) -> dict[str, list[dict]]:
    """Every row of every table, as dicts, in primary-key order."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return {t: [dict(r) for r in con.execute(f'SELECT * FROM "{t}" ORDER BY 1, 2')] for t in tables(con)
                if t != "alembic_version"}
    finally:
        con.close()


def normalised_schema(path: Path) -> dict:
    """Columns, keys, foreign keys, indexes and CHECKs of every table, independent of DDL spelling."""
    con = sqlite3.connect(path)
    try:
        out = {}
        for t in tables(con):
            cols = [tuple(c[1:]) for c in con.execute(f'PRAGMA table_info("{t}")')]
            fks = sorted(tuple(f[2:]) for f in con.execute(f'PRAGMA foreign_key_list("{t}")'))
            idx = []
            for _seq, name, unique, origin, partial in con.execute(f'PRAGMA index_list("{t}")'):
                cols_ix = tuple(r[2] for r in con.execute(f'PRAGMA index_info("{name}")'))
                idx.append(("<auto>" if name.startswith("sqlite_autoindex") else name, unique, origin, partial, cols_ix))
            sql = con.execute("SELECT sql FROM sqlite_master WHERE name=?", (t,)).fetchone()[0]
            checks = sorted(part.strip() for part in sql.split("CHECK")[1:])
            out[t] = {"columns": cols, "fks": fks, "indexes": sorted(idx), "checks": checks}
        return out
    finally:
        con.close()


def revision_of(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


# --- head, create path and Alembic agree --------------------------------------------------------

def test_schema_head_equals_alembic_head():
    assert schema.SCHEMA_HEAD == migrate.alembic_head()
    assert schema.KNOWN_REVISIONS[-1] == schema.SCHEMA_HEAD


def test_known_revisions_are_alembics_history_in_order():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    history = [rev.revision for rev in script.walk_revisions()]  # head first
    assert tuple(reversed(history)) == schema.KNOWN_REVISIONS


def test_create_path_schema_equals_alembic_upgrade_from_empty(tmp_path):
    created = tmp_path / "created.db"
    open_database(created).close()
    migrated = tmp_path / "migrated.db"
    migrate.run_upgrade_in_place(migrated, "head")
    assert revision_of(created) == revision_of(migrated) == schema.SCHEMA_HEAD
    assert normalised_schema(created) == normalised_schema(migrated)


def test_alembic_schema_matches_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from qoffice.db.models import Base

    migrated = tmp_path / "migrated.db"
    migrate.run_upgrade_in_place(migrated, "head")
    engine = create_engine(f"sqlite:///{migrated}")
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_normalised_schema_sees_a_difference(tmp_path):
    """The comparison above could not pass by comparing nothing."""
    a = tmp_path / "a.db"
    open_database(a).close()
    before = normalised_schema(a)
    con = sqlite3.connect(a)
    con.execute("CREATE INDEX ix_extra ON enterprise (phone)")
    con.commit()
    con.close()
    assert normalised_schema(a) != before


def test_upgrade_commits_the_revision_row(tmp_path):
    """Alembic's steps and its alembic_version row land together (one committed transaction)."""
    p = tmp_path / "m.db"
    migrate.run_upgrade_in_place(p, schema.KNOWN_REVISIONS[0])
    assert revision_of(p) == schema.KNOWN_REVISIONS[0]


def test_startup_on_a_current_database_does_not_import_alembic(tmp_path):
    p = tmp_path / "a.db"
    open_database(p).close()
    code = textwrap.dedent(f"""
        import sys
        from qoffice.db.database import open_database
        db = open_database({str(p)!r})
        with db.read_session() as s:
            s.execute(__import__("sqlalchemy").text("select count(*) from enterprise")).scalar()
        db.close()
        print(sorted(m for m in sys.modules if m == "alembic" or m.startswith("alembic.")))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --- fixtures: one per revision, each upgrades to head with its data ------------------------------

def test_a_fixture_exists_for_every_revision():
    for rev in schema.KNOWN_REVISIONS:
        f = FIXTURES / f"{rev}.db"
        assert f.exists(), f"run: .venv/bin/python tools/make_fixture_db.py {rev}"
        assert revision_of(f) == rev
        assert f.stat().st_size < 200_000  # committed: keep it small


@pytest.mark.parametrize("rev", schema.KNOWN_REVISIONS)
def test_fixture_has_representative_rows_in_every_table(rev):
    rows = dump(FIXTURES / f"{rev}.db")
    empty = [t for t, r in rows.items() if not r]
    assert rows and empty == []


@pytest.mark.parametrize("rev", schema.KNOWN_REVISIONS)
def test_fixture_upgrades_to_head_with_data_intact(rev, tmp_path):
    p = tmp_path / "q.db"
    shutil.copyfile(FIXTURES / f"{rev}.db", p)
    before = dump(p)
    migrate.upgrade(p)  # Alembic, on a copy, then swapped in
    assert revision_of(p) == schema.SCHEMA_HEAD
    after = dump(p)
    for table, rows in before.items():
        assert table in after, f"table {table} lost"
        kept = [{k: r[k] for k in rows[0]} for r in after[table]]
        assert kept == rows, f"rows of {table} changed"
    # The upgraded fixture has exactly the schema a new database gets (a stale fixture fails here).
    fresh = tmp_path / "fresh.db"
    open_database(fresh).close()
    assert normalised_schema(p) == normalised_schema(fresh)
    # And the program reads it through the ORM.
    from sqlalchemy import select

    from qoffice.db.models import Enterprise, SignUp

    db = open_database(p, "existing")
    with db.read_session() as s:
        ents = s.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        assert ents[0].name == "南通示例精密机械有限公司"
        assert str(ents[0].cqo_appointed) == "2022-06-01"
        assert ents[1].deleted_at is not None
        assert [a.name for a in s.scalars(select(SignUp)).one().attendees] == ["王五", "钱六"]
    db.close()


def test_fixture_builder_fills_every_table(tmp_path):
    out = make_fixture_db.build(schema.SCHEMA_HEAD, tmp_path / "head.db")
    assert all(dump(out).values())


# --- a migration that fails or is killed leaves the original as it was ----------------------------

NEW_REV = "9001"


def _fake_migrations(tmp_path: Path, body: str) -> Path:
    """The real migrations plus a revision 9001 on top whose upgrade() is `body`."""
    folder = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / f"{NEW_REV}_test_step.py").write_text(textwrap.dedent(f'''
        """test step"""
        import os, time
        import sqlalchemy as sa
        from alembic import op

        revision = "{NEW_REV}"
        down_revision = "{schema.SCHEMA_HEAD}"
        branch_labels = None
        depends_on = None

        def upgrade():
        ''') + textwrap.indent(textwrap.dedent(body), "    ") + "\n\ndef downgrade():\n    pass\n", encoding="utf-8")
    return folder


def _use(monkeypatch, folder: Path):
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", folder)
    monkeypatch.setattr(dbmod, "KNOWN_REVISIONS", schema.KNOWN_REVISIONS + (NEW_REV,))
    monkeypatch.setattr(dbmod, "SCHEMA_HEAD", NEW_REV)


ADD_COLUMN = '''
with op.batch_alter_table("enterprise") as b:
    b.add_column(sa.Column("extra", sa.String(20), nullable=True))
op.execute("UPDATE enterprise SET extra = 'x'")
'''


def _old_db(tmp_path) -> Path:
    p = tmp_path / "q.db"
    shutil.copyfile(FIXTURES / f"{schema.SCHEMA_HEAD}.db", p)
    return p


def test_failing_migration_step_leaves_the_original_byte_identical(tmp_path, monkeypatch):
    p = _old_db(tmp_path)
    before = digest(p)
    _use(monkeypatch, _fake_migrations(tmp_path, ADD_COLUMN + 'raise RuntimeError("injected failure")\n'))
    with pytest.raises(DatabaseError) as exc:
        open_database(p)
    assert "保持原样" in exc.value.message
    assert digest(p) == before
    assert sorted(x.name for x in tmp_path.iterdir() if x.name.startswith("q.db")) == ["q.db", "q.db.lock"]
    monkeypatch.undo()
    db = open_database(p, "existing")  # the real program still opens it
    assert db.revision == schema.SCHEMA_HEAD
    db.close()


def test_successful_migration_keeps_data_and_a_backup_of_the_original(tmp_path, monkeypatch):
    from qoffice.db.backup import list_backups

    p = _old_db(tmp_path)
    before_digest, before_rows = digest(p), dump(p)
    _use(monkeypatch, _fake_migrations(tmp_path, ADD_COLUMN))
    db = open_database(p)
    assert (db.upgraded_from, db.revision) == (schema.SCHEMA_HEAD, NEW_REV)
    db.close()
    assert revision_of(p) == NEW_REV
    after = dump(p)
    assert [r["extra"] for r in after["enterprise"]] == ["x", "x"]
    assert [{k: r[k] for k in before_rows["enterprise"][0]} for r in after["enterprise"]] == before_rows["enterprise"]
    (b,) = list_backups(p)
    assert (b.kind, b.reason) == ("event", "migrate") and digest(b.path) != before_digest
    assert dump(b.path) == before_rows


SLOW_STEP = '''
op.create_table("bulk", sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.String(50)))
for i in range(200):
    op.execute(f"INSERT INTO bulk (v) VALUES ('row {i}')")
with op.batch_alter_table("enterprise") as b:
    b.add_column(sa.Column("extra", sa.String(20), nullable=True))
open(os.environ["QOFFICE_TEST_MARKER"], "w").close()
for i in range(100000):
    op.execute(f"INSERT INTO bulk (v) VALUES ('more {i}')")
    time.sleep(0.001)
'''


@pytest.mark.slow
def test_migration_killed_midway_leaves_the_original_byte_identical(tmp_path):
    p = _old_db(tmp_path)
    before = digest(p)
    folder = _fake_migrations(tmp_path, SLOW_STEP)
    script = textwrap.dedent(f"""
        import sys
        from qoffice.db import database, migrate, schema
        from pathlib import Path
        migrate.MIGRATIONS_DIR = Path({str(folder)!r})
        database.KNOWN_REVISIONS = schema.KNOWN_REVISIONS + ({NEW_REV!r},)
        database.SCHEMA_HEAD = {NEW_REV!r}
        database.open_database({str(p)!r}).close()
        print("finished")
    """)
    rng = random.Random(6)
    kills = 0
    for attempt in range(3):
        marker = tmp_path / f"marker{attempt}"
        env = dict(os.environ, QOFFICE_TEST_MARKER=str(marker))
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.5))  # somewhere in the middle of the step
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        kills += 1
        assert (tmp_path / "q.db.migrating").exists()  # it really was killed mid-way, on the copy
        assert digest(p) == before
        db = open_database(p, "existing")  # openable by the real program, still at the old revision
        assert db.revision == schema.SCHEMA_HEAD
        db.close()
        from qoffice.db.sqlite import integrity_ok

        assert integrity_ok(p) == (True, [])
    assert kills == 3
    # A later, good upgrade still works over the debris the killed runs left.
    ok_folder = _fake_migrations(tmp_path / "ok", ADD_COLUMN)
    ok_script = script.replace(str(folder), str(ok_folder))
    out = subprocess.run([sys.executable, "-c", ok_script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert revision_of(p) == NEW_REV
    assert not (tmp_path / "q.db.migrating").exists()
