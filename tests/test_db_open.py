"""Opening a database: create, refuse newer/foreign files untouched, lock, pragmas, backups."""
import hashlib
import sqlite3

import pytest

from qoffice.db import schema
from qoffice.db.database import open_database
from qoffice.errors import DatabaseLocked, DatabaseMissing, DatabaseNewer, NotQofficeDatabase


def _digest(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_create_sets_head_revision(tmp_path):
    db = open_database(tmp_path / "a.db")
    db.close()
    con = sqlite3.connect(tmp_path / "a.db")
    assert con.execute("select version_num from alembic_version").fetchone()[0] == schema.SCHEMA_HEAD


def test_pragmas(tmp_path):
    db = open_database(tmp_path / "a.db")
    with db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    db.close()


def test_newer_schema_refused_untouched(tmp_path):
    p = tmp_path / "a.db"
    open_database(p).close()
    con = sqlite3.connect(p)
    con.execute("update alembic_version set version_num='9999'")
    con.commit()
    con.close()
    before = _digest(p)
    with pytest.raises(DatabaseNewer) as exc:
        open_database(p)
    assert "新版本" in exc.value.message
    assert _digest(p) == before


def test_foreign_sqlite_file_refused(tmp_path):
    p = tmp_path / "other.db"
    con = sqlite3.connect(p)
    con.execute("create table t(x)")
    con.commit()
    con.close()
    before = _digest(p)
    with pytest.raises(NotQofficeDatabase):
        open_database(p)
    assert _digest(p) == before


def test_random_bytes_refused(tmp_path):
    p = tmp_path / "junk.db"
    p.write_bytes(b"PK\x03\x04 not a database at all" * 50)
    with pytest.raises(NotQofficeDatabase):
        open_database(p)


def test_missing_database_for_existing_mode(tmp_path):
    with pytest.raises(DatabaseMissing):
        open_database(tmp_path / "none.db", "existing")
    assert not (tmp_path / "none.db").exists()


def test_second_writer_is_refused_with_holder(tmp_path):
    p = tmp_path / "a.db"
    first = open_database(p, program="qoffice")
    with pytest.raises(DatabaseLocked) as exc:
        open_database(p, lock_wait=5)  # a GUI holder: the CLI does not wait
    assert exc.value.holder
    first.close()
    open_database(p).close()


def test_read_only_modes_take_no_lock(tmp_path):
    p = tmp_path / "a.db"
    first = open_database(p)
    ro = open_database(p, "check")
    assert ro.readonly
    ro.close()
    first.close()


def test_backup_is_verified_copy(tmp_path):
    from qoffice.db.backup import list_backups, make_backup

    p = tmp_path / "a.db"
    open_database(p).close()
    b = make_backup(p, "manual")
    assert b.exists() and b.parent.name == "backups"
    assert [x.kind for x in list_backups(p)] == ["manual"]


def test_a_database_made_while_we_waited_for_the_lock_is_not_initialised_over(tmp_path, monkeypatch, builders):
    """issue 12 item 2: only a file with no tables is initialised — checked again under the lock, since
    another writer may have created the database while this one waited for it."""
    from qoffice.db import database as dbmod

    p = tmp_path / "new.db"
    real_acquire = dbmod.DatabaseLock.acquire
    made = []

    def acquire(self, wait_seconds=0.0):
        if not made:  # the other writer gets there first and writes a record
            made.append(True)
            other = open_database(p, lock=False)
            with other.session() as s:
                builders.make_enterprise(s)
            other.close()
        return real_acquire(self, wait_seconds)

    monkeypatch.setattr(dbmod.DatabaseLock, "acquire", acquire)
    db = open_database(p)
    db.close()
    con = sqlite3.connect(p)
    assert con.execute("select count(*) from enterprise").fetchone()[0] == 1
    con.close()
