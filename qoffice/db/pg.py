"""Every PostgreSQL-specific piece in one place: the server URL, connections, roles, errors
(the counterpart of qoffice/db/sqlite.py; see shared-db.md).

What the SQLite side has and the server side does instead (or, reasoned, does not need):
- the writer lock file (db/lock.py): not needed — the server locks rows itself; a blocked writer
  gives up after LOCK_TIMEOUT_MS (`lock_timeout` on every connection) instead of waiting forever,
  and every statement after STATEMENT_TIMEOUT_MS (`statement_timeout`).
- PRAGMA foreign_keys / busy_timeout / journal_mode / synchronous: not needed — foreign keys are
  always enforced, durability is the server's (its fsync and WAL settings are the DBA's), and the
  busy timeout's counterpart is `lock_timeout`.
- BEGIN IMMEDIATE (take the write lock up front): not needed — READ COMMITTED plus the record
  versions (version_id_col) refuse a lost update, and the meeting's capacity takes a row lock;
  serialization failures and deadlocks (40001, 40P01) are retried by `run_unit`.
- file backups before an upgrade or an import: the owner's `qoffice backup` (a SQLite file) is the
  backup; `db upgrade` makes one first; an import's batch and its undo are the safety net.
- the online backup API (backup_file): `db/pgcopy.py` copies table by table into a SQLite file.
- integrity_check / foreign_key_check: not needed — the server's pages are checksummed by the
  server and its foreign keys cannot be broken by a half-written file.
- hot journals, side files, fsync of folders, network-share warnings: not applicable.
- read-only readers (connect_reader): a connection with default_transaction_read_only=on.
- bulk writes (imports, db/bulk.py): sqlite.run_bulk_write's page-cache tuning is not needed (the
  server's shared buffers and WAL), nor indexes_built_after (COPY maintains indexes in bulk, and a
  clerk may not run DDL); rows go in by COPY (copy_writer) with ids taken from the sequence first
  (next_ids); run_bulk_write retries the whole import like any unit of work; a dry run is a
  transaction rolled back (dry_run_engine) where SQLite works on an in-memory copy.
"""
from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from qoffice.db import urls
from qoffice.db.credentials import describe
from qoffice.errors import DatabaseError, DatabaseNeedsUpgrade, DatabaseNewer, UsageError
from qoffice.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

T = TypeVar("T")

LOCK_TIMEOUT_MS = 10_000  # as long as SQLite's busy timeout: a clerk waits this long for a row, then is told
STATEMENT_TIMEOUT_MS = 300_000  # one statement; an import is many statements
CONNECT_TIMEOUT_S = 10
RETRY_SQLSTATES = ("40001", "40P01")  # serialization failure, deadlock: the whole unit is run again
MAX_ATTEMPTS = 4  # the first try and up to three retries
CLERK_ROLE, VIEWER_ROLE = "qoffice_clerk", "qoffice_viewer"
CHANGE_CHANNEL = "qoffice_changes"


# --- the address: qoffice/db/urls.py (light, asked before anything heavy is imported) -------------
is_url, is_server_url = urls.is_url, urls.is_server_url
SERVER_SCHEMES = urls.SERVER_SCHEMES

def check_url(value: str) -> str:
    """`value` when it is a PostgreSQL URL qoffice can use; otherwise a UsageError naming the forms."""
    value = value.strip()
    if not is_server_url(value):
        raise UsageError(_("“{db}” is an address qoffice cannot use: give the path of a .db file or a "
                           "PostgreSQL address such as postgresql://user@server:5432/qoffice.").format(
            db=redact(value)))
    sa_url(value)  # a malformed one (a port that is not a number) is refused here
    return value


SSL_MODES = ("disable", "prefer", "require", "verify-full")


def build_url(host: str, port: int, database: str, user: str, sslmode: str = "prefer",
              ca_file: str | None = None) -> str:
    """The address of 设置 → 数据库's fields (no password: that is the credential store's). A host that
    is a folder (a unix socket directory) goes in ?host=, as libpq takes it."""
    from urllib.parse import quote, urlencode

    host, database, user = host.strip(), database.strip(), user.strip()
    query = {}
    if host.startswith("/"):
        query["host"] = host
        query["port"] = str(port)
        netloc = f"{quote(user, safe='')}@" if user else ""
    else:
        netloc = (f"{quote(user, safe='')}@" if user else "") + (f"[{host}]" if ":" in host else host) + f":{port}"
    if sslmode and sslmode != "prefer":
        query["sslmode"] = sslmode
    if ca_file and sslmode == "verify-full":
        query["sslrootcert"] = ca_file
    return f"postgresql://{netloc}/{quote(database, safe='')}" + (f"?{urlencode(query)}" if query else "")


def split_url(value: str) -> dict:
    """The fields of an address, for 设置 → 数据库 (the inverse of build_url)."""
    url = sa_url(value)
    q = {k: (v[0] if isinstance(v, tuple) else v) for k, v in url.query.items()}
    host = url.host or q.get("host") or ""
    port = url.port or int(q.get("port") or 5432)
    return {"host": host, "port": port, "database": url.database or "", "user": url.username or "",
            "sslmode": q.get("sslmode", "prefer"), "ca_file": q.get("sslrootcert", "")}


def test_connection(value: str, password: str | None = None) -> dict:
    """Connect once (测试连接): {'server_version', 'role', 'revision'}; a failure is DatabaseError's one line."""
    url = sa_url(check_url(value))
    if password:
        url = url.set(password=password)
    else:
        url = with_stored_password(url)
    revision, _ours, role, version = _probe(url)
    return {"server_version": version, "role": role, "revision": revision}


def take_password(value: str, note: Callable[[str], None] | None = None) -> str:
    """A URL with a password in it is accepted once: the password goes to the credential store and the
    URL without it is returned (with a note). Without a store the password is used for this run only,
    and the note says to use PGPASSWORD / PGPASSFILE."""
    url = sa_url(value)
    if url.password is None:
        return value
    from qoffice.db.credentials import store_password

    bare = url.set(password=None)
    if store_password(bare, url.password):
        if note:
            note(_("The password in the address was saved in the system's credential store for {where}; "
                   "leave it out of the address from now on.").format(where=describe(url)))
        return bare.render_as_string(hide_password=False)
    if note:
        note(_("There is no credential store on this computer, so the password was used for this command "
               "only; use PGPASSWORD or a PGPASSFILE instead of writing it in the address."))
    return value


def sa_url(value: str) -> URL:
    """The SQLAlchemy URL (driver psycopg 3) of a postgresql://, postgres:// or postgresql+psycopg:// value."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(value.strip())
        url = url.set(drivername="postgresql+psycopg")
        url.port  # noqa: B018 - a port that is not a number raises here
    except Exception as exc:  # sqlalchemy.exc.ArgumentError, ValueError
        raise UsageError(_("“{db}” is not a valid PostgreSQL address ({reason}).").format(
            db=redact(value), reason=exc)) from exc
    if not url.database:
        raise UsageError(_("“{db}” names no database: add it after the server, as in "
                           "postgresql://user@server:5432/qoffice.").format(db=redact(value)))
    return url


def redact(value: str) -> str:
    """The address without its password (for messages, logs and the window title)."""
    return re.sub(r"(://[^:/@?#]*):[^@/?#]*@", r"\1:***@", value.strip())


# --- connections ----------------------------------------------------------------------------------
@functools.cache
def _quote_non_ascii_conninfo_values() -> None:
    """Make psycopg quote every conninfo value holding a non-ASCII character, not only those with
    whitespace. Written by hand because psycopg's quoting follows Python's idea of whitespace while
    libpq's parser follows its C runtime's isspace(): under Wine's msvcrt byte 0xA0 (inside the UTF-8
    of 码) is a space, so an unquoted 密码 password was cut in two ("missing '=' after …"). A quoted
    value is copied byte for byte. tests/test_db_pgpassword.py fails if psycopg renames what this sets."""
    import psycopg.conninfo

    psycopg.conninfo.re_space = re.compile(r"[\s\x80-\U0010ffff]")


def connect_args(readonly: bool = False) -> dict:
    """The keyword arguments of every connection to a server (engines, probes, raw psycopg reads)."""
    _quote_non_ascii_conninfo_values()
    options = f"-c lock_timeout={LOCK_TIMEOUT_MS} -c statement_timeout={STATEMENT_TIMEOUT_MS}"
    if readonly:
        options += " -c default_transaction_read_only=on"
    return {"options": options, "connect_timeout": CONNECT_TIMEOUT_S, "application_name": "qoffice"}


def make_engine(url: URL, *, readonly: bool = False, password: str | None = None) -> Engine:
    from sqlalchemy import create_engine

    if password is not None and url.password is None:
        url = url.set(password=password)
    return create_engine(url, connect_args=connect_args(readonly), pool_pre_ping=True,
                         pool_size=3, max_overflow=5, hide_parameters=True)


def psycopg_conninfo(url: URL, *, readonly: bool = False) -> dict:
    """Keyword arguments for psycopg.connect() of `url` (the raw reads of lists and settings)."""
    kw: dict[str, Any] = {}
    for key, value in url.query.items():
        kw[key] = value[0] if isinstance(value, tuple) else value
    if url.host:
        kw["host"] = url.host
    if url.port:
        kw["port"] = url.port
    if url.username:
        kw["user"] = url.username
    if url.password is not None:
        kw["password"] = url.password
    kw["dbname"] = url.database
    kw.update(connect_args(readonly))
    return kw


def error_kind(exc: BaseException) -> str | None:
    """What kind of server problem `exc` is: 'down', 'password', 'no_password', 'no_database',
    'no_role', 'tls', 'not_allowed', 'lost', 'lock_timeout', 'statement_timeout', 'retry',
    'permission', 'read_only' or None."""
    orig = getattr(exc, "orig", None) or exc
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return None
    if not isinstance(orig, psycopg.Error):
        return None
    state = getattr(orig, "sqlstate", None)
    text = str(orig).lower()
    if state in RETRY_SQLSTATES:
        return "retry"
    if state == "55P03":
        return "lock_timeout"
    if state == "57014":
        return "statement_timeout"
    if state == "42501":
        return "permission"
    if state == "25006":
        return "read_only"
    if state == "28P01" or "password authentication failed" in text:
        return "password"
    if "no password supplied" in text:
        return "no_password"
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return "no_database"
    if "role" in text and "does not exist" in text:
        return "no_role"
    if "pg_hba.conf" in text and "no encryption" not in text:
        return "not_allowed"
    if "ssl" in text or "certificate" in text or "tls" in text or "no encryption" in text:
        return "tls"
    if ("server closed the connection" in text or "terminating connection" in text
            or "connection is lost" in text or "consuming input failed" in text or "connection is closed" in text
            or state in ("57P01", "57P02", "57P03", "08006", "08003")):
        return "lost"
    if isinstance(orig, psycopg.OperationalError):
        return "down"
    return None


def error_message(exc: BaseException, where: str) -> str | None:
    """One translated line for a server problem (None when `exc` is not one)."""
    kind = error_kind(exc)
    messages = {
        "down": _("Cannot reach the database server {where}: check that the server is running and the "
                  "address and port are right, then try again (重试)."),
        "password": _("The database server {where} refused the password: check the user name and password."),
        "no_password": _("The database server {where} asks for a password and none is stored: enter it in "
                         "设置 → 数据库 (or set PGPASSWORD for the command line)."),
        "no_database": _("The database server {where} has no such database: check the database name."),
        "no_role": _("The database server {where} has no such user: check the user name, or ask the "
                     "administrator to add it with “qoffice db init”."),
        "tls": _("The secure (SSL) connection to {where} failed: check the SSL mode and the CA file, or ask "
                 "the administrator whether the server has SSL turned on."),
        "not_allowed": _("The database server {where} does not let this computer or user in (pg_hba.conf): "
                         "ask the administrator."),
        "lost": _("The connection to the database server {where} was lost; nothing of the unfinished work "
                  "was saved. Try again (重试) once the server is back."),
        "lock_timeout": _("Another clerk is changing the same records right now ({where}); nothing was saved. "
                          "Try again in a moment."),
        "statement_timeout": _("The database server {where} took too long to answer; nothing was saved. "
                               "Try again later."),
        "retry": _("The database server {where} kept reporting conflicting changes by other clerks; "
                   "nothing was saved. Try again."),
        "permission": _("Your database account has no right to do this on {where}; ask the administrator."),
        "read_only": _("Your database account on {where} may only read; nothing was changed."),
    }
    if kind is None:
        return None
    return messages[kind].format(where=where)


def raise_known(exc: BaseException, where: str) -> None:
    """Raise DatabaseError (one line, exit 2) in place of a server error of a known kind."""
    msg = error_message(exc, where)
    if msg is not None:
        raise DatabaseError(msg) from exc


# --- what is in the database --------------------------------------------------------------------
QOFFICE_TABLES = frozenset({"enterprise", "year_figures", "setting", "project", "award", "partner"})
NO_VERSION = ""


def read_revision(conn) -> tuple[str | None, bool]:
    """As sqlite.read_revision, on an open SQLAlchemy connection to the server."""
    from sqlalchemy import text

    tables = {r[0] for r in conn.execute(text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"))}
    if not tables:
        return None, True
    row = None
    if "alembic_version" in tables:
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    if row and row[0]:
        return row[0], True
    if tables & QOFFICE_TABLES:
        return NO_VERSION, True
    return None, False


def role_of(conn) -> str:
    """'owner' (owns the schema's tables or is a superuser), 'clerk', 'viewer' or 'other'."""
    from sqlalchemy import text

    row = conn.execute(text(
        "SELECT r.rolsuper, "
        " coalesce((SELECT pg_has_role(current_user, t.tableowner, 'MEMBER') FROM pg_tables t "
        "           WHERE t.schemaname = current_schema() AND t.tablename = 'alembic_version'), "
        "          pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), "
        "                      'MEMBER')), "
        " EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :clerk) AND pg_has_role(current_user, :clerk, 'MEMBER'), "
        " EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :viewer) AND pg_has_role(current_user, :viewer, 'MEMBER') "
        "FROM pg_roles r WHERE r.rolname = current_user"), {"clerk": CLERK_ROLE, "viewer": VIEWER_ROLE}).first()
    superuser, owner, clerk, viewer = (bool(x) for x in row)
    if superuser or owner:
        return "owner"
    if clerk:
        return "clerk"
    if viewer:
        return "viewer"
    return "other"


def server_version(conn) -> str:
    from sqlalchemy import text

    return conn.execute(text("SHOW server_version")).scalar() or ""


# --- the open database ----------------------------------------------------------------------------
class _Reader:
    """A psycopg connection that takes the SQLite style of `?` parameters (what list and settings
    reads are written in), in autocommit, read-only."""

    def __init__(self, conn, where: str):
        self._conn = conn
        self._where = where

    def execute(self, sql: str, params: Sequence[Any] = ()):
        try:
            return self._conn.execute(_translated(sql), tuple(params))
        except Exception as exc:
            raise_known(exc, self._where)
            raise

    def close(self) -> None:
        self._conn.close()

    def interrupt(self) -> None:
        """sqlite3's Connection.interrupt, used to cancel a superseded count. psycopg's cancel opens a
        new connection to the server (milliseconds; more on a slow network): sent from another thread,
        so the keystroke that cancels does not wait for it."""
        _cancels().put(self._conn)


_cancel_queue = None
_cancel_lock = threading.Lock()


def _cancels():
    """The queue of one long-lived thread that sends the cancel requests (started on first use)."""
    global _cancel_queue
    with _cancel_lock:
        if _cancel_queue is None:
            import queue

            _cancel_queue = queue.SimpleQueue()
            threading.Thread(target=_send_cancels, args=(_cancel_queue,), name="qoffice-pg-cancel",
                             daemon=True).start()
        return _cancel_queue


def _send_cancels(jobs) -> None:
    while True:
        conn = jobs.get()
        try:
            conn.cancel_safe()
        except Exception:  # already finished or closed: nothing to cancel
            pass


def sqlite_like_loaders(conn) -> None:
    """Raw reads (query(), connect_reader()) give what sqlite3 gives for the same statement: dates and
    times as ISO text (SQLAlchemy's SQLite result processors, which the list pages use, parse text)."""
    from psycopg.types.string import TextLoader

    for name in ("date", "timestamp", "timestamptz", "time"):
        conn.adapters.register_loader(name, TextLoader)


def from_sqlite(sql: str) -> str:
    """The list statements are compiled once, for SQLite (ui/listmodel.py); the one SQLite-only function
    they use, group_concat(x, sep), is PostgreSQL's string_agg(x, sep). Everything else they use (LIKE
    with ESCAPE, CASE, count, max, COALESCE, LIMIT/OFFSET) is standard SQL."""
    return _GROUP_CONCAT.sub("string_agg(", sql) if "group_concat" in sql else sql


_GROUP_CONCAT = re.compile(r"\bgroup_concat\(", re.IGNORECASE)


@functools.lru_cache(maxsize=512)
def _translated(sql: str) -> str:
    """from_sqlite + to_pyformat of a list statement, once per statement text (a keystroke reruns the same)."""
    return to_pyformat(from_sqlite(sql))


def to_pyformat(sql: str) -> str:
    """`?` parameters (qmark, sqlite3) as `%s` (psycopg); a literal % doubled; `?` inside quotes kept."""
    out, quote = [], None
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


# --- bulk writes (imports; the counterparts of sqlite.py's) ---------------------------------------
@contextmanager
def copy_writer(conn, table, names: list[str]) -> Iterator[Callable[[list[list]], None]]:
    """COPY ... FROM STDIN into the columns `names` of `table`, in the transaction of `conn` (a
    SQLAlchemy Connection): the server's bulk load, one stream instead of a statement per row.
    Yields write(columns): the rows whose values per column of `names` are `columns`. Row and
    statement triggers (the change notification) and constraints apply as for INSERT; an error,
    here or in the caller, aborts the COPY and with it the transaction."""
    prep = conn.dialect.identifier_preparer
    sql = f"COPY {prep.format_table(table)} ({', '.join(prep.quote(n) for n in names)}) FROM STDIN"
    with conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as copy:
        write_row = copy.write_row

        def write(columns: list[list]) -> None:
            for row in zip(*columns):
                write_row(row)

        yield write


def next_ids(conn, table, count: int) -> list[int]:
    """`count` ids taken from the sequence of `table`'s id column (ascending): nobody else is given
    them, whatever other clerks insert meanwhile."""
    from sqlalchemy import text

    # The sequence is looked up once (per row, pg_get_serial_sequence took 7 of the 8 tenths of a second
    # that 100,000 ids cost), and the ids come back as one array, not 100,000 rows.
    ids = conn.scalar(text("SELECT array_agg(nextval((SELECT pg_get_serial_sequence(:t, 'id'))::regclass)) "
                           "FROM generate_series(1, :n)"), {"t": table.name, "n": count})
    return sorted(ids or ())


def run_bulk_write(db: ServerDatabase, work: Callable[[Any], T]) -> T:
    """`work(session)` (an import) in one transaction: run_unit, so a serialization failure or deadlock
    runs it again. Nothing to tune per transaction here, unlike SQLite's page cache (the server's
    shared buffers and WAL do that work); no whole-server backup before it (shared-db.md)."""
    return db.run_unit(work)


def dry_run_engine(db: ServerDatabase) -> Engine:
    """Where a dry run works (db.bulk.run_bulk): a connection of its own, its transaction rolled back."""
    return make_engine(db.url)


from qoffice.db.base import Database  # noqa: E402


class ServerDatabase(Database):
    """An open qoffice database on a PostgreSQL server: the same session(), read_session(), query()
    and connect_reader() as db.database.Database (a subclass, so code that takes "a Database" takes it),
    every file-bound part overridden; no lock file, no file backups."""

    is_server = True
    lock = None
    upgraded_from = None
    backup_made = None
    path = None  # no file: db.url / db.label name it

    def __init__(self, url: URL, readonly: bool, revision: str | None, *, role: str = "other",
                 readonly_reason: str | None = None, server_version: str = ""):
        self.url = url
        self.label = describe(url)
        self.readonly = readonly
        self.revision = revision
        self.role = role
        self.readonly_reason = readonly_reason
        self.server_version = server_version
        self._reader: _Reader | None = None
        self._reader_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ServerDatabase({self.label!r}, readonly={self.readonly}, revision={self.revision!r}, role={self.role!r})"

    @cached_property
    def engine(self) -> Engine:
        from sqlalchemy import event

        engine = make_engine(self.url, readonly=self.readonly)
        where = self.label

        @event.listens_for(engine, "handle_error")
        def _on_error(context):
            kind = error_kind(context.original_exception)
            if kind is not None and kind != "retry":
                raise DatabaseError(error_message(context.original_exception, where)) from context.original_exception

        return engine

    @contextmanager
    def session(self) -> Iterator[Any]:
        """A write session: commit on success, rollback on error. Use run_unit() for work that may be
        retried after a serialization failure or deadlock."""
        if self.readonly:
            raise DatabaseError(self.readonly_reason or _("The database is open read-only, so nothing can be changed."))
        with self._factory() as s:
            try:
                yield s
                s.commit()
            except BaseException as exc:
                try:
                    s.rollback()
                except Exception:
                    pass
                if error_kind(exc) not in (None, "retry"):
                    raise_known(exc, self.label)
                raise

    def run_unit(self, work: Callable[[Any], T], *, attempts: int = MAX_ATTEMPTS) -> T:
        """Run `work(session)` in one transaction; a serialization failure (40001), a deadlock (40P01) or a
        row changed under it by another clerk (StaleDataError) runs the whole unit again, up to three more
        times, then is reported as one line."""
        from sqlalchemy.orm.exc import StaleDataError

        for attempt in range(attempts):
            try:
                with self.session() as s:
                    return work(s)
            except Exception as exc:
                # StaleDataError: a row this unit read was changed by another clerk's commit while the
                # unit waited for it (version_id_col); a new run reads it as it is now. A form's save
                # that must not overwrite is refused before that, by its expected version (StaleRecord).
                stale = isinstance(exc, StaleDataError)
                if error_kind(exc) != "retry" and not stale:
                    raise
                if attempt == attempts - 1:
                    raise DatabaseError(_("The database server {where} kept reporting conflicting changes by "
                                          "other clerks; nothing was saved. Try again.").format(where=self.label)) from exc
                import random
                import time

                time.sleep(0.02 * (attempt + 1) + random.random() * 0.05)
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def read_session(self) -> Iterator[Any]:
        from sqlalchemy.orm import Session

        with Session(bind=self.read_engine, expire_on_commit=False) as s:
            try:
                yield s
            finally:
                try:
                    s.rollback()
                except Exception:
                    pass

    def _connect_raw(self) -> _Reader:
        import psycopg

        try:
            conn = psycopg.connect(**psycopg_conninfo(self.url, readonly=True), autocommit=True)
        except Exception as exc:
            raise_known(exc, self.label)
            raise
        sqlite_like_loaders(conn)
        return _Reader(conn, self.label)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._reader_lock:
            if self._reader is None:
                self._reader = self._connect_raw()
            try:
                cur = self._reader.execute(sql, params)
            except DatabaseError:
                self._drop_reader()
                raise
            try:
                return cur.fetchall() if cur.description is not None else []
            finally:
                cur.close()

    def _drop_reader(self) -> None:
        if self._reader is not None:
            try:
                self._reader.close()
            except Exception:
                pass
            self._reader = None

    def connect_reader(self) -> _Reader:
        return self._connect_raw()

    def release_connections(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
        with self._reader_lock:
            self._drop_reader()

    def close(self) -> None:
        self.release_connections()


def _probe(url: URL):
    """(revision, ours, role, server version) of the database at `url`; connection errors as one line."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, connect_args=connect_args(), poolclass=NullPool, hide_parameters=True)
    try:
        with engine.connect() as conn:
            revision, ours = read_revision(conn)
            return revision, ours, role_of(conn), server_version(conn)
    except DatabaseError:
        raise
    except Exception as exc:
        raise_known(exc, describe(url))
        raise
    finally:
        engine.dispose()


def open_server(value: str, mode: str) -> ServerDatabase:
    """Open the server database `value` per `mode` (db.database.MODES). Nothing is ever created or
    upgraded here: `qoffice db init` and `qoffice db upgrade` (the owner) do that."""
    from qoffice.db.schema import KNOWN_REVISIONS, SCHEMA_HEAD

    url = sa_url(check_url(value))
    url = with_stored_password(url)
    where = describe(url)
    revision, ours, role, version = _probe(url)
    if not ours:
        raise DatabaseError(_("The database {where} holds tables of another program, not qoffice's; "
                              "nothing was changed.").format(where=where))
    if revision is None:
        raise DatabaseError(_("The database {where} is empty: the administrator sets it up once with "
                              "“qoffice --db ADDRESS db init”.").format(where=where))
    if revision == NO_VERSION and mode != "check":
        raise DatabaseError(_("The database {where} has qoffice's tables but no schema version record "
                              "(alembic_version); nothing was changed. Ask the administrator to restore a backup.")
                            .format(where=where))
    if revision not in KNOWN_REVISIONS and revision != NO_VERSION:
        raise DatabaseNewer(_("The database {where} was set up by a newer version of qoffice (schema {rev}). "
                              "Please install the newer version; nothing was changed.").format(where=where, rev=revision))
    readonly = mode in ("dry", "check", "view", "read")
    reason = None
    if role == "viewer":
        readonly, reason = True, _("Your database account may only read (领导查看); nothing can be changed.")
    if revision not in (SCHEMA_HEAD, NO_VERSION):
        if mode in ("dry", "view"):
            raise DatabaseNeedsUpgrade(upgrade_message(where))
        readonly, reason = True, upgrade_message(where)
    return ServerDatabase(url, readonly, revision, role=role, readonly_reason=reason, server_version=version)


def upgrade_message(where: str) -> str:
    return _("The database {where} uses an older schema and is open read-only: 请联系管理员升级数据库 "
             "(the administrator runs “qoffice --db ADDRESS db upgrade”).").format(where=where)


def with_stored_password(url: URL) -> URL:
    """`url` with the password from the credential store when it has none, else PGPASSWORD's (libpq's
    PGPASSFILE applies when neither is there).

    PGPASSWORD is read here rather than left to libpq: libpq's getenv() on Windows returns the ANSI
    code page's bytes (GBK on a Chinese PC), so a non-ASCII password reached the server mis-encoded and
    was refused; Python reads the environment as Unicode and psycopg sends the parameter as UTF-8."""
    if url.password is not None:
        return url
    try:
        from qoffice.db.credentials import get_password
    except ImportError:
        get_password = None
    password = (get_password(url) if get_password else None) or os.environ.get("PGPASSWORD") or None
    return url.set(password=password) if password else url


# --- other clerks' changes ------------------------------------------------------------------------
class ChangeListener:
    """LISTEN on the change channel in a thread of its own; `on_change(tables)` gets the set of table
    names changed by committed transactions (of anyone, this program's too), gathered over
    `gather` seconds so a burst of commits is one call. Reconnects after a lost connection."""

    def __init__(self, url: URL, on_change: Callable[[set[str]], None], *, gather: float = 0.25,
                 reconnect_after: float = 3.0):
        self.url = url
        self.on_change = on_change
        self.gather = gather
        self.reconnect_after = reconnect_after
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="qoffice-changes", daemon=True)
        self._thread.start()

    def wait_listening(self, timeout: float) -> bool:
        return self._listening.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(**psycopg_conninfo(self.url, readonly=True), autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANGE_CHANNEL}")
                    self._listening.set()
                    while not self._stop.is_set():
                        tables = {n.payload for n in conn.notifies(timeout=0.5)}
                        if not tables:
                            continue
                        deadline = self.gather
                        tables |= {n.payload for n in conn.notifies(timeout=deadline)}
                        try:
                            self.on_change(tables)
                        except Exception:  # the receiver's own problem must not end the listening
                            pass
            except Exception:
                self._listening.clear()
                self._stop.wait(self.reconnect_after)
