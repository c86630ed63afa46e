"""The bulk writes of an import (db/bulk.py), on SQLite and on a server: new rows and their ids, the
audit's "create" entries written by the database, one transaction whatever the backend, and a dry
run that leaves nothing behind."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, func, select

from qoffice.db import bulk
from qoffice.db.models import AuditEntry, Enterprise, ImportBatch
from qoffice.domain.pinyin import sort_key
from qoffice.services import import_history, imports
from qoffice.services import settings as settings_service
from qoffice.services.audit import AuditWriter
from qoffice.services.imports.enterprises import EnterprisesImporter


def enterprise_row(builders, n: int) -> dict:
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    name = f"南通批量企业{n}有限公司"
    return {"uscc": builders.code(5000 + n), "name": name, "name_initials": "", "name_pinyin": sort_key(name),
            "county": "如东县", "high_energy": n % 2 == 0, "benchmark": False, "research_centre": False,
            "incentive_fund": False, "status": "在营", "cqo_appointed": dt.date(2020, 1, n), "created_at": now,
            "updated_at": now, "version": 1}


def roster(path, builders, numbers):
    path.write_text("统一社会信用代码,企业名称,区县\n" + "".join(
        f"{builders.code(n)},南通批量企业{n}有限公司,如东县\n" for n in numbers), encoding="utf-8")
    return path


def test_new_rows_get_their_ids_in_the_order_of_the_rows(db, builders):
    with db.session() as s:
        first = builders.make_enterprise(s).id
    rows = [enterprise_row(builders, n) for n in (1, 2, 3)]
    with db.session() as s:
        ids = list(bulk.insert_new_rows(s.connection(), Enterprise.__table__, rows))
    assert len(set(ids)) == 3 and all(i > first for i in ids) and ids == sorted(ids)
    with db.read_session() as s:
        stored = {e.id: (e.uscc, e.name, e.high_energy, e.cqo_appointed, e.version)
                  for e in s.scalars(select(Enterprise).where(Enterprise.id.in_(ids)))}
    assert [stored[eid] for eid in ids] == [
        (row["uscc"], row["name"], row["high_energy"], row["cqo_appointed"], 1) for row in rows]
    with db.session() as s:  # the next row written the ordinary way does not collide with them
        assert builders.make_enterprise(s).id > max(ids)


def test_id_runs():
    assert bulk.id_runs(range(5, 9)) == [(5, 8)]
    assert bulk.id_runs(range(0)) == []
    assert bulk.id_runs([7, 3, 4, 5, 9, 10]) == [(3, 5), (7, 7), (9, 10)]


def test_create_entries_are_the_new_rows_only_when_their_ids_have_gaps(db, builders):
    """Ids need not be consecutive on a server (another clerk took one from the sequence meanwhile):
    the "create" entries cover exactly the import's own rows, the one between them gets none."""
    with db.session() as s:
        settings_service.set_value(s, "operator", "吴八")
    with db.session() as s:
        a, other, b = (builders.make_enterprise(s, name=f"南通间隔企业{n}有限公司").id for n in (1, 2, 3))
    with db.session() as s:
        batch = ImportBatch(kind="enterprises", source="间隔.csv")
        s.add(batch)
        s.flush()
        importer = EnterprisesImporter(s, None, AuditWriter(s, batch.id), None)
        importer.audit.add("enterprise", a, "update", enterprise_id=a, field="contact", old=None, new="甲")
        importer._audit_created(s.connection(), [a, b])
        batch_id = batch.id
    with db.read_session() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.batch_id == batch_id).order_by(AuditEntry.id)))
        s.expunge_all()  # read as they are now, after the session
    assert [(e.action, e.record_id, e.enterprise_id, e.field, e.old, e.new) for e in entries] == [
        ("update", a, a, "contact", None, "甲"),  # collected before: written first
        ("create", a, a, "name", None, "南通间隔企业1有限公司"),
        ("create", b, b, "name", None, "南通间隔企业3有限公司")]
    assert {e.table_name for e in entries} == {"enterprise"}
    assert {e.operator for e in entries} == {"吴八"} and None not in {e.os_user for e in entries}
    assert all(isinstance(e.at, dt.datetime) for e in entries)
    assert other not in {e.record_id for e in entries}


def test_an_import_audits_each_new_enterprise_once_and_undo_removes_them(db, builders, tmp_path):
    first = imports.run_import(db, "enterprises", roster(tmp_path / "a.csv", builders, [1, 2]))
    second = imports.run_import(db, "enterprises", roster(tmp_path / "b.csv", builders, range(1, 41)))
    assert (second.created, second.unchanged, second.rejected) == (38, 2, 0)
    with db.read_session() as s:
        created = s.execute(select(AuditEntry.record_id, AuditEntry.new).where(
            AuditEntry.batch_id == second.batch_id, AuditEntry.action == "create")).all()
        names = dict(s.execute(select(Enterprise.id, Enterprise.name)).all())
    assert len(created) == 38 and len({rid for rid, _n in created}) == 38
    assert all(names[rid] == name for rid, name in created)
    assert {name for _r, name in created} == {f"南通批量企业{n}有限公司" for n in range(3, 41)}
    import_history.undo(db, second.batch_id)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 2
    assert first.created == 2


def test_a_dry_run_leaves_nothing_and_a_real_run_one_transaction(db, builders, tmp_path):
    path = roster(tmp_path / "c.csv", builders, range(1, 6))
    dry = imports.run_import(db, "enterprises", path, dry_run=True)
    assert dry.created == 5 and dry.backup is None
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
    real = imports.run_import(db, "enterprises", path)
    assert real.created == 5
    assert (real.backup is not None) == (not getattr(db, "is_server", False))  # a file is backed up first


def test_a_failure_half_way_leaves_nothing_written(db, builders, tmp_path, monkeypatch):
    """The enterprises are written, then the audit fails: neither the rows nor the batch stay."""
    path = roster(tmp_path / "d.csv", builders, range(1, 6))

    def broken(self, conn, ids):
        raise RuntimeError("the audit failed")

    monkeypatch.setattr(EnterprisesImporter, "_audit_created", broken)
    with pytest.raises(RuntimeError):
        imports.run_import(db, "enterprises", path)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_rows_made_while_they_are_written_in_batches(db, builders, monkeypatch):
    """A generator of rows, some of the `most` announced never made (refused on the way), written in
    several batches: every row made is stored, with its id, in order."""
    monkeypatch.setattr(bulk, "BATCH", 4)
    made = [enterprise_row(builders, n) for n in range(1, 12)]
    with db.session() as s:
        ids = list(bulk.insert_new_rows(s.connection(), Enterprise.__table__, iter(made), most=15))
    assert len(ids) == 11 and ids == sorted(set(ids))
    with db.read_session() as s:
        stored = dict(s.execute(select(Enterprise.id, Enterprise.uscc)).all())
    assert [stored[i] for i in ids] == [r["uscc"] for r in made]
    with pytest.raises(ValueError), db.session() as s:  # more rows than announced
        bulk.insert_new_rows(s.connection(), Enterprise.__table__, iter([enterprise_row(builders, 20), enterprise_row(builders, 21)]), most=1)


def test_cancelled_while_the_new_rows_are_written_leaves_nothing(db, builders, tmp_path, monkeypatch):
    """取消 after a first batch of new enterprises went to the database (a server: mid-COPY)."""
    from qoffice.errors import Cancelled

    monkeypatch.setattr(bulk, "BATCH", 100)
    path = roster(tmp_path / "e.csv", builders, range(1, 1201))
    parsed = imports.parse_file(path, "enterprises")

    def progress(done, total, message):
        if done >= 1000:
            raise Cancelled()

    with pytest.raises(Cancelled):
        imports.run_import(db, "enterprises", path, parsed=parsed, progress=progress)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
    parsed = imports.parse_file(path, "enterprises")
    assert imports.run_import(db, "enterprises", path, parsed=parsed).created == 1200  # and it works after


def _schema(db) -> list[tuple]:
    return sorted(db.query("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


@pytest.mark.sqlite_only  # a SQLite file's own tuning (db/sqlite.py: indexes_built_after)
def test_many_new_rows_build_the_plain_indexes_afterwards_and_the_schema_stays(db, builders, monkeypatch):
    from qoffice.db import sqlite

    monkeypatch.setattr(sqlite, "REBUILD_INDEXES_FROM", 5)
    before = _schema(db)
    dropped = []
    real_exec = Connection.exec_driver_sql

    def spy(self, sql, *args, **kw):
        if sql.startswith("DROP INDEX"):
            dropped.append(sql)
        return real_exec(self, sql, *args, **kw)

    monkeypatch.setattr(Connection, "exec_driver_sql", spy)
    with db.session() as s:
        ids = bulk.insert_new_rows(s.connection(), Enterprise.__table__, [enterprise_row(builders, n) for n in range(1, 9)])
    assert len(ids) == 8
    assert {'DROP INDEX "ix_enterprise_live_search"', 'DROP INDEX "ix_enterprise_initials"'} <= set(dropped)
    assert not any("autoindex" in d for d in dropped)  # the credit code's uniqueness stays in force
    assert _schema(db) == before
    assert db.query("PRAGMA integrity_check") == [("ok",)]
    first = enterprise_row(builders, 1)
    plan = db.query("EXPLAIN QUERY PLAN SELECT id FROM enterprise WHERE deleted_at IS NULL ORDER BY name_pinyin, id")
    assert "ix_enterprise_live_search" in " ".join(str(r) for r in plan)
    assert db.query("SELECT name FROM enterprise WHERE name_pinyin = ? AND deleted_at IS NULL",
                    (first["name_pinyin"],)) == [(first["name"],)]

    dropped.clear()  # fewer new rows than the table holds: inserted into the indexes as they are
    with db.session() as s:
        bulk.insert_new_rows(s.connection(), Enterprise.__table__, [enterprise_row(builders, n) for n in range(9, 15)])
    assert dropped == [] and _schema(db) == before


@pytest.mark.sqlite_only
def test_a_failure_while_the_indexes_are_down_brings_them_back(db, builders, monkeypatch):
    from qoffice.db import sqlite

    monkeypatch.setattr(sqlite, "REBUILD_INDEXES_FROM", 2)
    before = _schema(db)
    with pytest.raises(ValueError), db.session() as s:
        bulk.insert_new_rows(s.connection(), Enterprise.__table__,
                             iter([enterprise_row(builders, n) for n in range(1, 6)]), most=3)
    assert _schema(db) == before
    assert db.query("SELECT count(*) FROM enterprise") == [(0,)]


def test_a_clerk_imports_and_undoes_on_the_server_and_a_viewer_is_refused(pg_empty_url, qoffice_home, builders,
                                                                          tmp_path):
    """COPY, the ids from the sequence and the audit's INSERT ... SELECT need no more than a clerk's
    grants (db init); a viewer's import is one line and writes nothing."""
    import os

    from sqlalchemy.engine import make_url

    from qoffice.db.database import open_database
    from qoffice.db.pgadmin import init_database
    from qoffice.errors import DatabaseError

    clerk, viewer = f"bulk_clerk_{os.getpid()}", f"bulk_viewer_{os.getpid()}"
    init_database(pg_empty_url, [clerk], [viewer], {clerk: "pw", viewer: "pw"})

    def as_user(user):
        return make_url(pg_empty_url).set(username=user).render_as_string(hide_password=False)

    path = roster(tmp_path / "f.csv", builders, range(1, 31))
    db = open_database(as_user(clerk), "existing")
    try:
        result = imports.run_import(db, "enterprises", path)
        assert result.created == 30
        with db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.batch_id == result.batch_id, AuditEntry.action == "create")) == 30
        import_history.undo(db, result.batch_id)
        with db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(Enterprise)) == 0
    finally:
        db.close()
    db = open_database(as_user(viewer), "existing")
    try:
        with pytest.raises(DatabaseError) as err:
            imports.run_import(db, "enterprises", path)
        assert "\n" not in err.value.message
        with db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(ImportBatch)) == 1  # the clerk's, undone
    finally:
        db.close()
