"""Working at the same time on the server (issue 16, shared-db.md): two real connections each."""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from qoffice.db.database import open_database

DAY = dt.date(2024, 5, 1)


@pytest.fixture
def two(pg_url):
    """Two clerks' programs: two open databases (two connection pools) on one server database."""
    a, b = open_database(pg_url, "create"), open_database(pg_url, "create")
    yield a, b
    a.close()
    b.close()


def _people(name):
    from qoffice.services.meeting_signups import AttendeeIn

    return [AttendeeIn(name, "经理", "13800000000")]


def test_the_last_place_taken_by_two_clerks_at_once(two, builders):
    """Clerk A signs up enterprise 1 for the last place and has not committed yet; clerk B signs up
    enterprise 2 at that moment. B waits for A's row lock on the meeting, then lands on the waiting
    list: the capacity holds and the waiting list is right."""
    from qoffice.db.models import MatchmakingMeeting
    from qoffice.services import meeting_signups, meetings

    a, b = two
    with a.session() as s:
        e0, e1, e2 = (builders.make_enterprise(s).id for _ in range(3))
        m, _ = meetings.get_or_create_meeting(s, 2024, dt.date(2024, 6, 18))
        meetings.update_meeting(s, m, {"capacity": 2})
        meeting_signups.sign_up(s, m, e0, _people("甲"), today=DAY)
        mid = m.id
    out = {}
    with a.session() as sa:
        ra = meeting_signups.sign_up(sa, sa.get(MatchmakingMeeting, mid), e1, _people("乙"), today=DAY)
        sa.flush()

        def clerk_b():
            try:
                with b.session() as sb:
                    out["b"] = meeting_signups.sign_up(sb, sb.get(MatchmakingMeeting, mid), e2, _people("丙"), today=DAY).signup.status
            except BaseException as exc:  # noqa: BLE001 - reported below
                out["error"] = exc

        t = threading.Thread(target=clerk_b)
        t.start()
        t.join(1.5)
        out["waited"] = t.is_alive()
    t.join(20)
    assert "error" not in out, out.get("error")
    assert ra.signup.status == "已报名"
    assert out["waited"], "clerk B did not wait for clerk A's lock on the meeting"
    assert out["b"] == "候补"
    with a.read_session() as s:
        m = s.get(MatchmakingMeeting, mid)
        c = meeting_signups.counts(s, m)
        assert (c.taken, c.capacity) == (2, 2)
        assert [w.enterprise_id for w in meeting_signups.waiting_list(s, m)] == [e2]


def test_a_lost_update_is_refused_across_two_connections(two, builders):
    from qoffice.db.models import Enterprise
    from qoffice.errors import StaleRecord
    from qoffice.services import enterprises

    a, b = two
    with a.session() as s:
        eid = builders.make_enterprise(s, name="南通甲乙机械有限公司").id
    with a.read_session() as s:
        va = s.get(Enterprise, eid).version
    with b.read_session() as s:
        vb = s.get(Enterprise, eid).version
    with a.session() as s:
        enterprises.update_enterprise(s, s.get(Enterprise, eid), {"contact": "甲某"}, expected_version=va)
    with pytest.raises(StaleRecord) as err:
        with b.session() as s:
            enterprises.update_enterprise(s, s.get(Enterprise, eid), {"contact": "乙某"}, expected_version=vb)
    assert err.value.stored["contact"] == "甲某"
    with b.read_session() as s:
        assert s.get(Enterprise, eid).contact == "甲某"


def test_two_writers_of_one_row_in_flight_the_second_is_refused_not_lost(two, builders):
    """Both load version N; A's UPDATE is in flight (not committed) when B's arrives: B waits for the row,
    then finds the version moved on (StaleDataError from version_id_col), never overwrites."""
    from sqlalchemy.orm.exc import StaleDataError

    from qoffice.db.models import Enterprise

    a, b = two
    with a.session() as s:
        eid = builders.make_enterprise(s).id
    out = {}
    with a.session() as sa:
        ent_a = sa.get(Enterprise, eid)
        sb = b._factory()
        ent_b = sb.get(Enterprise, eid)
        ent_a.contact = "甲某"
        sa.flush()

        def clerk_b():
            try:
                ent_b.contact = "乙某"
                sb.commit()
            except BaseException as exc:  # noqa: BLE001
                out["error"] = exc
                sb.rollback()

        t = threading.Thread(target=clerk_b)
        t.start()
        t.join(1.0)
    t.join(20)
    sb.close()
    assert isinstance(out.get("error"), StaleDataError)
    with a.read_session() as s:
        assert s.get(Enterprise, eid).contact == "甲某"


def _raise_sqlstate(session, state):
    from sqlalchemy import text

    session.execute(text(f"DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '{state}'; END $$"))


@pytest.mark.parametrize("state", ["40001", "40P01"])
def test_a_serialization_failure_or_deadlock_reruns_the_whole_unit(pg_url, builders, state):
    from sqlalchemy import func, select

    from qoffice.db.models import Enterprise

    db = open_database(pg_url, "create")
    attempts = []

    def unit(s):
        attempts.append(1)
        builders.make_enterprise(s)
        if len(attempts) < 3:
            _raise_sqlstate(s, state)
        return len(attempts)

    try:
        assert db.run_unit(unit) == 3
        with db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(Enterprise)) == 1  # the failed tries left nothing
    finally:
        db.close()


def test_after_three_retries_the_failure_is_one_line(pg_url, builders):
    from sqlalchemy import func, select

    from qoffice.db.models import Enterprise
    from qoffice.errors import DatabaseError

    db = open_database(pg_url, "create")
    attempts = []

    def unit(s):
        attempts.append(1)
        builders.make_enterprise(s)
        _raise_sqlstate(s, "40001")

    try:
        with pytest.raises(DatabaseError) as err:
            db.run_unit(unit)
        assert len(attempts) == 4  # the first try and three retries
        assert "冲突" in err.value.message and "\n" not in err.value.message
        with db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(Enterprise)) == 0
    finally:
        db.close()


def test_a_real_deadlock_is_retried(two, builders):
    """Two units lock two rows in opposite orders: the server kills one (40P01); run_unit runs it again."""
    from sqlalchemy import text

    from qoffice.db.models import Enterprise

    a, b = two
    with a.session() as s:
        e1, e2 = builders.make_enterprise(s).id, builders.make_enterprise(s).id
    barrier = threading.Barrier(2, timeout=10)
    tries = {"a": 0, "b": 0}

    def unit(name, first, second):
        def work(s):
            tries[name] += 1
            s.execute(text("UPDATE enterprise SET contact = :c WHERE id = :i"), {"c": name, "i": first})
            if tries[name] == 1:
                barrier.wait()
            s.execute(text("UPDATE enterprise SET contact = :c WHERE id = :i"), {"c": name, "i": second})
        return work

    errors = []

    def run(db, name, first, second):
        try:
            db.run_unit(unit(name, first, second))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    ta = threading.Thread(target=run, args=(a, "a", e1, e2))
    tb = threading.Thread(target=run, args=(b, "b", e2, e1))
    ta.start(), tb.start()
    ta.join(30), tb.join(30)
    assert errors == []
    assert sorted(tries.values()) == [1, 2]  # one of them was chosen as the deadlock victim and ran again
    with a.read_session() as s:
        contacts = {s.get(Enterprise, e1).contact, s.get(Enterprise, e2).contact}
        assert len(contacts) == 1  # one whole unit won the last write of both rows


def test_other_clerks_changes_are_announced_within_seconds(two, builders):
    """LISTEN/NOTIFY: a change committed by clerk B reaches clerk A's listener with the table names."""
    from qoffice.db.pg import ChangeListener

    a, b = two
    got, ready = [], threading.Event()

    def on_change(tables):
        got.append(set(tables))
        ready.set()

    listener = ChangeListener(a.url, on_change)
    listener.start()
    try:
        assert listener.wait_listening(10)
        t0 = time.monotonic()
        with b.session() as s:
            builders.make_enterprise(s)
        assert ready.wait(5), "no change announced"
        assert time.monotonic() - t0 < 5
        assert "enterprise" in set().union(*got)
        # a rolled-back change announces nothing
        got.clear()
        ready.clear()
        with pytest.raises(RuntimeError):
            with b.session() as s:
                builders.make_enterprise(s)
                s.flush()
                raise RuntimeError("cancelled")
        assert not ready.wait(1.5)
    finally:
        listener.stop()



@pytest.mark.slow
def test_the_server_stopped_mid_import_leaves_nothing_and_work_resumes(tmp_path, qoffice_home, pg_private_cluster):
    """pg_ctl stop -m immediate while an import writes: one clear line, no row of it on the server after
    the restart, and the same import then works."""
    from qoffice.db.pgadmin import create_schema
    from qoffice.domain.uscc import make_valid
    from qoffice.errors import DatabaseError
    from qoffice.services import imports

    cluster = pg_private_cluster()
    cluster.admin('CREATE DATABASE "killed"')
    url = cluster.url("killed")
    create_schema(url)
    rows = 3000
    path = tmp_path / "企业.csv"
    path.write_text("统一社会信用代码,企业名称\n" + "".join(
        f"{make_valid(f'9132068{n:010d}')},南通停机测试{n}有限公司\n" for n in range(rows)), encoding="utf-8")
    parsed = imports.parse_file(path, "enterprises")
    db = open_database(url, "create")
    stopped = []

    def progress(done, total, message):
        if not stopped and done > 0:
            stopped.append(cluster.pg_ctl("-m", "immediate", "-w", "stop", check=False).returncode)

    try:
        with pytest.raises(DatabaseError) as err:
            imports.run_import(db, "enterprises", path, parsed=parsed, progress=progress)
    finally:
        db.close()
    assert stopped == [0]
    message = err.value.message
    assert "\n" not in message and ("连接中断" in message or "无法连接" in message), message
    cluster.pg_ctl("-l", f"{cluster.base}/log", "-o", cluster.opts, "-w", "-t", "30", "start")
    db = open_database(url, "create")
    try:
        assert db.query("SELECT count(*) FROM enterprise") == [(0,)]
        assert db.query("SELECT count(*) FROM import_batch") == [(0,)]
        result = imports.run_import(db, "enterprises", path, parsed=parsed)
        assert result.created == rows
        assert db.query("SELECT count(*) FROM enterprise") == [(rows,)]
    finally:
        db.close()


def test_an_import_while_another_clerk_edits_the_same_enterprise(two, builders, tmp_path):
    """Clerk A has saved-but-not-committed a change to an enterprise (its row is locked) while clerk B
    imports a roster that updates the same enterprise: B waits for the row, then goes on; A's change to a
    field the roster does not hold survives, the roster's field is the import's, the version moved on twice."""
    from qoffice.db.models import Enterprise
    from qoffice.services import enterprises, imports

    a, b = two
    with a.session() as s:
        ent = builders.make_enterprise(s, name="南通同时编辑有限公司", contact="原联系人")
        eid, code, v0 = ent.id, ent.uscc, ent.version
    path = tmp_path / "企业.csv"
    path.write_text(f"统一社会信用代码,企业名称,联系电话\n{code},南通同时编辑有限公司,0513-81234567\n", encoding="utf-8")
    parsed = imports.parse_file(path, "enterprises")
    out = {}
    with a.session() as sa:
        enterprises.update_enterprise(sa, sa.get(Enterprise, eid), {"contact": "甲改的联系人"}, expected_version=v0)
        sa.flush()

        def clerk_b():
            try:
                out["result"] = imports.run_import(b, "enterprises", path, parsed=parsed)
            except BaseException as exc:  # noqa: BLE001
                out["error"] = exc

        t = threading.Thread(target=clerk_b)
        t.start()
        t.join(1.5)
        out["waited"] = t.is_alive()
    t.join(30)
    assert "error" not in out, out.get("error")
    assert out["waited"]
    assert out["result"].updated == 1
    with a.read_session() as s:
        e = s.get(Enterprise, eid)
        assert e.contact == "甲改的联系人" and e.phone == "0513-81234567"
        assert e.version >= v0 + 2
