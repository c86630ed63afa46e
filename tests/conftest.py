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
def db(qoffice_home, backend, request):
    """An open database: a new SQLite file, or (backend 'postgresql') a new database on the test server."""
    from qoffice.db.database import open_database

    target = request.getfixturevalue("pg_url") if backend == "postgresql" else qoffice_home / "qoffice.db"
    database = open_database(target, "create")
    yield database
    database.close()


_unanswered: list[tuple[str, str]] = []  # messages shown while no test was answering them


@pytest.fixture(scope="session", autouse=True)
def no_modal_message_box():
    """In tests no message box is ever modal: with no responder of a test's own, a message (or the
    crash dialog, which asks messages first) is recorded here and answered with its default, and the
    test that was running fails (no_work_left_behind). A real box would wait for a click that never
    comes on the offscreen screen, hanging the whole run (a CI run did)."""
    try:
        from qoffice.ui import conflict_dialog, messages
    except ImportError:  # no Qt: nothing can be shown
        yield
        return

    def fallback(kind, title, text, details):
        _unanswered.append((kind, text))

    def conflict_fallback(dialog):
        _unanswered.append(("conflict", dialog.windowTitle()))
        return conflict_dialog.CANCEL

    real = {messages: messages.set_responder, conflict_dialog: conflict_dialog.set_responder}
    for module, answer in ((messages, fallback), (conflict_dialog, conflict_fallback)):
        module.set_responder = lambda responder, real_set=real[module], answer=answer: real_set(responder or answer)
        module.set_responder(None)
    yield
    for module, real_set in real.items():
        module.set_responder = real_set
        real_set(None)


@pytest.fixture(autouse=True)
def no_work_left_behind(no_modal_message_box):
    """Background jobs a test started end inside it: a job still running when its test is over (the
    test failed early, or never waited) would report to a screen that is gone. So the test waits
    for its jobs here, and fails if one is stuck, or if a message came with no one to answer it
    (a crash after the test, or one the test did not expect)."""
    _unanswered.clear()
    yield
    import sys

    worker = sys.modules.get("qoffice.ui.worker")
    stuck = [job.label for job in list(worker._active) if not job.wait(30_000)] if worker else []
    if stuck:
        for job in list(worker._active):
            job.cancel()
        pytest.fail(f"background work still running 30 s after the test: {stuck}")
    if _unanswered:
        kind, text = _unanswered[0]
        pytest.fail(f"a message no one answered ({kind}), after or outside the test's own answers:\n{text}")


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


def add_enterprises(path: Path, n: int) -> None:
    """`n` more enterprises in the SQLite database at `path` (created when missing)."""
    from qoffice.db.database import open_database

    database = open_database(path)
    with database.session() as s:
        for _ in range(n):
            make_enterprise(s)
    database.close()


def enterprise_count(path: Path) -> int:
    """How many enterprises the SQLite file at `path` holds, read with plain sqlite3 (not through
    qoffice, whose own state is what a test checks)."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM enterprise").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def builders():
    """Access to the data builders as a fixture (make_enterprise, code, add_enterprises, count)."""

    class B:
        pass

    B.make_enterprise = staticmethod(make_enterprise)
    B.code = staticmethod(code)
    B.add_enterprises = staticmethod(add_enterprises)
    B.count = staticmethod(enterprise_count)
    return B


@pytest.fixture
def enterprise_and_partner(db):
    """One enterprise (南通海星电子股份有限公司) and one partner (南通大学, 高等院校) in `db`: their ids as
    {"ent": …, "uni": …} — what the activity forms' conflict tests sign up and pick."""
    from qoffice.services import partners as partner_service

    with db.session() as s:
        ent = make_enterprise(s, name="南通海星电子股份有限公司")
        uni = partner_service.create_partner(s, {"name": "南通大学", "type": "高等院校"})
        return {"ent": ent.id, "uni": uni.id}


@pytest.fixture
def count():
    """count(path) -> the number of enterprises in a SQLite file (plain sqlite3)."""
    return enterprise_count


@pytest.fixture
def dbfile(tmp_path, request) -> Path:
    """A closed SQLite database tmp_path/data/q.db with DBFILE_ENTERPRISES enterprises (a module may
    set that constant; 3 by default)."""
    path = tmp_path / "data" / "q.db"
    add_enterprises(path, getattr(request.module, "DBFILE_ENTERPRISES", 3))
    return path


# ==== PostgreSQL (issue 16; helper C) ===============================================================
# A throwaway cluster for the session (shared/recipes/postgresql): socket only, owned by the
# `postgres` user (initdb refuses root), in a private folder under /tmp (tmp_path's 0700 parent
# keeps the postgres user out). TEST_PG_URL (a superuser's URL) points the tests at an existing
# server instead. Each test gets its own database cloned from a template that Alembic built once.
#
# Which suites run against both backends: a test that uses the `db` fixture in one of PG_SUITES
# (see pytest_generate_tests below) runs once on SQLite and once on PostgreSQL; `pg_url` /
# `pg_admin_url` give a test the server directly. A PostgreSQL test that cannot run is a FAILURE,
# not a skip, under `make test` / `make test-fast` (QOFFICE_REQUIRE_PG=1) and under CI=true.
import glob as _glob  # noqa: E402
import itertools as _itertools  # noqa: E402
import pwd as _pwd  # noqa: E402
import shutil as _shutil  # noqa: E402
import subprocess as _subprocess  # noqa: E402
import tempfile as _tempfile  # noqa: E402

PG_SUITES = ("tests/services/", "tests/cli/", "tests/test_return_export.py", "tests/test_db_server",
             "tests/excel/test_import_counts", "tests/excel/test_excel_import_")
_pg_names = _itertools.count(1)


def pg_required() -> bool:
    return os.environ.get("QOFFICE_REQUIRE_PG") == "1" or os.environ.get("CI", "").lower() == "true"


def pg_bindir():
    found = sorted(_glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for d in reversed(found):
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    return None


def _as_pg_user(user, cmd):
    return ["runuser", "-u", user, "--", *cmd] if os.geteuid() == 0 else cmd


class PgCluster:
    """A cluster this test session made (or, with TEST_PG_URL, one it was given)."""

    def __init__(self, base=None, port=None, bindir=None, user=None, admin_url=None, data=None):
        self.base, self.port, self.bindir, self.user, self.data = base, port, bindir, user, data
        self.admin_url = admin_url  # a superuser's URL to the `postgres` database

    def url(self, dbname, user="postgres", password=None):
        from sqlalchemy.engine import make_url

        u = make_url(self.admin_url).set(database=dbname, username=user)
        if password is not None:
            u = u.set(password=password)
        return u.render_as_string(hide_password=False)

    def pg_ctl(self, *args, check=True):
        return _subprocess.run(_as_pg_user(self.user, [f"{self.bindir}/pg_ctl", "-D", self.data, *args]),
                               check=check, capture_output=True, text=True)

    def admin(self, *statements, dbname="postgres"):
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(self.url(dbname))
        kw = {"dbname": dbname, "user": u.username or "postgres"}
        if u.host:
            kw["host"] = u.host
        if u.port:
            kw["port"] = u.port
        for k, v in u.query.items():
            kw[k] = v[0] if isinstance(v, tuple) else v
        if u.password:
            kw["password"] = u.password
        with psycopg.connect(**kw, autocommit=True) as conn:
            out = None
            for st in statements:
                cur = conn.execute(st)
                out = cur.fetchall() if cur.description else None
            return out


def start_pg_cluster(port: int, *, extra_opts: str = "", hba: str | None = None, listen: str = "",
                     conf_lines: tuple[str, ...] = (), auth: str = "trust", password: str | None = None) -> PgCluster:
    """initdb + pg_ctl start of a private cluster (socket in its own folder; TCP only with `listen`)."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL binaries not found (the bootstrap installs Debian's postgresql)")
    user = "postgres" if os.geteuid() == 0 else _pwd.getpwuid(os.getuid()).pw_name
    base = _tempfile.mkdtemp(prefix="pgtest-")
    if os.geteuid() == 0:
        pw = _pwd.getpwnam(user)
        os.chown(base, pw.pw_uid, pw.pw_gid)
    data, log = os.path.join(base, "data"), os.path.join(base, "log")
    initdb = [f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", auth, "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"]
    pwfile = None
    if password is not None:
        pwfile = os.path.join(base, "pw")
        with open(pwfile, "w") as fh:
            fh.write(password)
        if os.geteuid() == 0:
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        initdb += ["--pwfile", pwfile, "--auth-host", auth, "--auth-local", "trust"]
    _subprocess.run(_as_pg_user(user, initdb), check=True, capture_output=True)
    if pwfile:
        os.unlink(pwfile)
    if hba is not None:
        with open(os.path.join(data, "pg_hba.conf"), "w") as fh:
            fh.write(hba)
    if conf_lines:
        with open(os.path.join(data, "postgresql.conf"), "a") as fh:
            fh.write("\n".join(conf_lines) + "\n")
    opts = (f"-p {port} -k {base} -c listen_addresses='{listen}' -c fsync=off -c synchronous_commit=off "
            f"-c full_page_writes=off {extra_opts}")
    _subprocess.run(_as_pg_user(user, [f"{bindir}/pg_ctl", "-D", data, "-l", log, "-o", opts, "-w", "-t", "30",
                                       "start"]), check=True, capture_output=True)
    cluster = PgCluster(base, port, bindir, user, f"postgresql+psycopg://postgres@/postgres?host={base}&port={port}",
                        data)
    cluster.opts = opts
    return cluster


def stop_pg_cluster(cluster: PgCluster) -> None:
    if cluster.data:
        cluster.pg_ctl("-m", "immediate", "-w", "stop", check=False)
        _shutil.rmtree(cluster.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster():
    if os.environ.get("TEST_PG_URL"):
        yield PgCluster(admin_url=os.environ["TEST_PG_URL"])
        return
    if pg_bindir() is None:
        msg = "PostgreSQL binaries not found: the bootstrap (tools/bootstrap.sh) installs Debian's postgresql"
        if pg_required():
            pytest.fail(msg)
        pytest.skip(msg)
    cluster = start_pg_cluster(55432 + os.getpid() % 1000)
    try:
        yield cluster
    finally:
        stop_pg_cluster(cluster)


@pytest.fixture
def pg_private_cluster():
    """Start a cluster of the test's own (to stop, kill or reconfigure): pg_private_cluster(**start_pg_cluster
    options) -> PgCluster; stopped and removed after the test."""
    if pg_bindir() is None:
        pytest.fail("PostgreSQL binaries not found") if pg_required() else pytest.skip("PostgreSQL binaries not found")
    made = []

    def start(**kw):
        port = kw.pop("port", None) or 57000 + (os.getpid() + len(made) * 7) % 2000
        made.append(start_pg_cluster(port, **kw))
        return made[-1]

    yield start
    for cluster in made:
        stop_pg_cluster(cluster)


@pytest.fixture(scope="session")
def pg_tools():
    """start_pg_cluster / stop_pg_cluster for a module's own cluster (the password and TLS tests)."""
    if pg_bindir() is None:
        pytest.fail("PostgreSQL binaries not found") if pg_required() else pytest.skip("PostgreSQL binaries not found")

    class Tools:
        start = staticmethod(start_pg_cluster)
        stop = staticmethod(stop_pg_cluster)

    return Tools


@pytest.fixture(scope="session")
def pg_template(pg_cluster):
    """A database with qoffice's schema built by Alembic once; each test's database is a clone of it."""
    from qoffice.db.pgadmin import create_schema

    name = f"qoffice_tpl_{os.getpid()}"
    pg_cluster.admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    create_schema(pg_cluster.url(name))
    pg_cluster.admin(f"ALTER DATABASE \"{name}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
    yield name
    pg_cluster.admin(f"ALTER DATABASE \"{name}\" WITH IS_TEMPLATE false", f'DROP DATABASE IF EXISTS "{name}"')


def _new_pg_database(cluster, template) -> str:
    name = f"qtest_{os.getpid()}_{next(_pg_names)}"
    cluster.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def _drop_pg_database(cluster, name) -> None:
    try:
        cluster.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception:  # the server was stopped by the test; the session's cluster goes anyway
        pass


class _PgWorkDatabase:
    """One database of the session reused by every `pg_url` test: emptied after each (DELETE of every
    table, sequences back to 1: ~10 ms, where a clone of the template takes ~0.5 s on this machine)."""

    def __init__(self, cluster, template):
        self.cluster, self.template = cluster, template
        self.name = _new_pg_database(cluster, template)
        self._conn = None

    def _admin(self):
        import psycopg
        from sqlalchemy.engine import make_url

        if self._conn is None or self._conn.closed:
            u = make_url(self.cluster.url(self.name))
            kw = {"dbname": self.name, "user": u.username or "postgres", "autocommit": True}
            for k, v in u.query.items():
                kw[k] = v[0] if isinstance(v, tuple) else v
            if u.host:
                kw["host"] = u.host
            if u.port:
                kw["port"] = u.port
            if u.password:
                kw["password"] = u.password
            self._conn = psycopg.connect(**kw, options="-c lock_timeout=3000")
        return self._conn

    def reset(self) -> None:
        try:
            conn = self._admin()
            # Connections the test left open would keep their locks: end them first.
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            rev = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            tabs = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                               "AND tablename <> 'alembic_version'")]
            from qoffice.db.schema import SCHEMA_HEAD

            if rev != [(SCHEMA_HEAD,)] or len(tabs) != self._tables():
                raise RuntimeError("schema changed by the test")
            seqs = [r[0] for r in conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")]
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")
                for t in tabs:
                    conn.execute(f'DELETE FROM "{t}"')
                for q in seqs:
                    conn.execute(f"SELECT setval('\"{q}\"', 1, false)")
        except Exception:  # the server was restarted, a lock stayed, the schema was changed: a new clone
            if self._conn is not None:
                try:
                    self._conn.close()
                except Exception:
                    pass
                self._conn = None
            _drop_pg_database(self.cluster, self.name)
            self.name = _new_pg_database(self.cluster, self.template)

    _ntables = None

    def _tables(self):
        if _PgWorkDatabase._ntables is None:
            _PgWorkDatabase._ntables = self.cluster.admin(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'",
                dbname=self.name)[0][0]
        return _PgWorkDatabase._ntables

    def close(self):
        if self._conn is not None:
            self._conn.close()
        _drop_pg_database(self.cluster, self.name)


@pytest.fixture(scope="session")
def _pg_work(pg_cluster, pg_template):
    work = _PgWorkDatabase(pg_cluster, pg_template)
    work._tables()
    yield work
    work.close()


@pytest.fixture
def pg_url(_pg_work):
    """The URL of an empty qoffice database (schema at head, no rows) on the test server, as a superuser
    (the owner). A test that changes the schema or roles of it gets a new clone after it."""
    yield _pg_work.cluster.url(_pg_work.name)
    _pg_work.reset()


@pytest.fixture
def pg_empty_url(pg_cluster):
    """The URL of an empty database (no tables) on the test server, as a superuser."""
    name = _new_pg_database(pg_cluster, "template0")
    yield pg_cluster.url(name)
    _drop_pg_database(pg_cluster, name)


@pytest.fixture
def backend(request):
    """'sqlite' unless the test is parametrized over both (pytest_generate_tests)."""
    return getattr(request, "param", "sqlite")


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames or "db" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return  # a SQLite file's own behaviour (its backups, pragmas, lock file)
    rel = os.path.relpath(str(metafunc.definition.path), str(Path(__file__).resolve().parent.parent))
    if rel.startswith(PG_SUITES) or metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True, ids=["sqlite", "pg"])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    callspec = getattr(item, "callspec", None)
    on_pg = (callspec is not None and callspec.params.get("backend") == "postgresql") or \
        any(n in getattr(item, "fixturenames", ()) for n in ("pg_url", "pg_cluster", "pg_empty_url", "pg_private_cluster", "pg_tools"))
    if on_pg and report.skipped and pg_required() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"a PostgreSQL test was skipped under make test / CI (not allowed): {report.longrepr}"
