"""Every SQLite-specific piece in one place: pragmas, BEGIN IMMEDIATE, the backup API, checks.

Kept small so a PostgreSQL implementation of each could slot in beside it (architecture.md).
"""
from __future__ import annotations

import errno
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000


def connect_reader(db_path: Path) -> sqlite3.Connection:
    """A plain read-only sqlite3 connection in autocommit mode, without SQLAlchemy.

    Lists and settings are read this way on start-up (importing SQLAlchemy costs more than the
    whole first page) and a list's pages always: a statement holds SQLite's shared lock only
    while it runs, so a reader never keeps a writer waiting.
    """
    con = sqlite3.connect(f"file:{_uri_path(db_path)}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                          check_same_thread=False, isolation_level=None)
    con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return con


def make_engine(db_path: Path, *, readonly: bool = False) -> Engine:
    """An engine whose writes begin with BEGIN IMMEDIATE, so two writers wait instead of failing."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import QueuePool

    path = Path(db_path)
    if readonly:
        # A creator, not a URL: SQLAlchemy would unquote the file: URI and a '#' or '?' in a
        # folder name would cut the path short.
        uri = f"file:{_uri_path(path)}?mode=ro"

        def _connect():
            return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

        engine = create_engine(_url_of(path), creator=_connect, poolclass=QueuePool)
    else:
        # A creator with a plain file name (never a URL): '?', '#' and '%' in a folder name stay
        # part of the path, and sqlite3 never takes it for a URI.
        filename = os.fspath(path)

        def _connect():
            return sqlite3.connect(filename, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

        engine = create_engine(_url_of(path), creator=_connect, poolclass=QueuePool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not readonly:
            # DELETE, not WAL: WAL needs shared memory that network shares do not provide.
            cur.execute("PRAGMA journal_mode=DELETE")
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if readonly or conn.get_execution_options().get("qoffice_read"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    install_damage_handler(engine, path)
    return engine


def _url_of(path: Path):
    """The engine's URL, built (never parsed: '?' or '#' in a folder name stay in the path) so that
    `engine.url.database` names the file — the services use it to keep outputs off the database."""
    from sqlalchemy.engine import URL

    return URL.create("sqlite", database=os.fspath(path))


SQLITE_READONLY_ROLLBACK = 776  # a read-only connection found a hot journal it may not roll back


def read_revision(db_path: Path) -> tuple[str | None, bool]:
    """(alembic revision or None, looks_like_qoffice) without SQLAlchemy or Alembic.

    After a crash mid-write (power cut, kill) the file has a hot journal that a read-only
    connection may not roll back; SQLite's own recovery is run once, then the read retried.
    """
    try:
        return _read_revision(db_path)
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", None) != SQLITE_READONLY_ROLLBACK:
            raise
    recover_hot_journal(db_path)
    return _read_revision(db_path)


# qoffice's own tables (a few that every revision has): a file holding them but no version row is a
# damaged qoffice database, never an empty one to initialise.
QOFFICE_TABLES = frozenset({"enterprise", "year_figures", "setting", "project", "award", "partner"})
NO_VERSION = ""  # read_revision's answer for such a file


def _read_revision(db_path: Path) -> tuple[str | None, bool]:
    """(None, True) only for a file with no tables at all; (NO_VERSION, True) for qoffice's tables
    without an alembic_version row; (None, False) for another program's database."""
    con = sqlite3.connect(f"file:{_uri_path(db_path)}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return None, True  # empty file: treat as new
        row = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        if row and row[0]:
            return row[0], True
        if tables & QOFFICE_TABLES:
            return NO_VERSION, True
        return None, False
    finally:
        con.close()


def integrity_ok(db_path: Path) -> tuple[bool, list[str]]:
    con = sqlite3.connect(f"file:{_uri_path(db_path)}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    problems = [r for r in rows if r != "ok"]
    problems += [f"foreign key: {r}" for r in fk]
    return not problems, problems


def backup_file(src_path: Path, dst_path: Path) -> None:
    """Copy a live database consistently with SQLite's online backup API."""
    dst_path = Path(dst_path)
    dst_path.parent.mkdir(parents=True, exist_ok=True)
    # mode=rw (never creates; falls back to reading a write-protected file) so SQLite can roll
    # back a crashed writer's hot journal before reading, which a mode=ro connection cannot.
    src = sqlite3.connect(f"file:{_uri_path(src_path)}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(str(dst_path))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _uri_path(path: Path | str) -> str:
    """A path for a file: URI, percent-encoded (?, # and % would otherwise end or escape the path)."""
    from urllib.parse import quote

    posix = Path(path).as_posix()
    if posix.startswith("//"):  # \\server\share: "file://server/…" would name a host
        posix = "//" + posix
    return quote(posix, safe="/:")


# --- a damaged database: one clerk's line ------------------------------------------------------

SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
_DAMAGE_WORDS = ("malformed", "file is not a database", "database corruption", "file is encrypted")


def is_damage(exc: BaseException) -> bool:
    """True for SQLite's "database disk image is malformed" / "file is not a database" (and SQLAlchemy's
    wrapper of them): the file itself is damaged, which no retry mends."""
    orig = getattr(exc, "orig", None)
    if orig is not None:
        exc = orig
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return any(w in text for w in _DAMAGE_WORDS)


def damage_message(exc: BaseException, path: Path | str) -> str:
    from qoffice.i18n import _

    orig = getattr(exc, "orig", None) or exc
    return _("The database {path} is damaged ({reason}). Nothing was changed. Run “qoffice check” to see "
             "what is wrong, then restore a backup (备份与恢复, or “qoffice restore FILE”).").format(
        path=path, reason=orig)


def raise_if_damage(exc: BaseException, path: Path | str) -> None:
    """Raise DatabaseDamaged (a KnownError, exit 2) in place of a SQLite damage error."""
    if is_damage(exc):
        from qoffice.errors import DatabaseDamaged

        raise DatabaseDamaged(damage_message(exc, path)) from exc


def install_damage_handler(engine: Engine, path: Path | str) -> None:
    """Any statement of `engine` that finds the file damaged raises DatabaseDamaged (one line),
    whichever service ran it — not a sqlite3.DatabaseError traceback."""
    from sqlalchemy import event

    @event.listens_for(engine, "handle_error")
    def _on_error(context):
        raise_if_damage(context.original_exception, path)


def is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head == b"SQLite format 3\x00" or head == b""


# --- files beside a database ------------------------------------------------------------------

SIDE_SUFFIXES = ("-journal", "-wal", "-shm")


def remove_db_file(path: Path) -> None:
    """Remove a (temporary) database file and its side files.

    A stale `-journal` left by a killed process next to a temp name would be taken for a hot
    journal of the next file made under that name and rolled back into it, so it goes too.
    """
    path = Path(path)
    for p in (path, *(Path(str(path) + s) for s in SIDE_SUFFIXES)):
        p.unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles for this, and needs none."""
    if sys.platform == "win32":  # pragma: no cover
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def recover_hot_journal(db_path: Path) -> None:
    """Let SQLite roll back a journal left by a crash before the file is copied or replaced.

    A read-only connection cannot do it, and a journal left beside a file that is then replaced
    would be rolled back into the new file. A damaged file is left as it is (the caller copies it raw).
    """
    db_path = Path(db_path)
    if not Path(str(db_path) + "-journal").exists():
        return
    try:
        con = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            con.isolation_level = None
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
        finally:
            con.close()
    except sqlite3.Error:
        pass


# --- turning I/O failures into a clerk's message ----------------------------------------------

ERROR_SHARING_VIOLATION = 32  # Windows: "the process cannot access the file because it is being used"
ERROR_LOCK_VIOLATION = 33


def io_problem_kind(exc: BaseException) -> str | None:
    """'full', 'readonly', 'denied', 'in_use', 'folder' or None, for OSError and sqlite3 errors alike."""
    orig = getattr(exc, "orig", None)  # sqlalchemy wraps the DBAPI error
    if orig is not None:
        exc = orig
    if isinstance(exc, OSError):
        if getattr(exc, "winerror", None) in (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION):
            return "in_use"
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG):
            return "full"
        if exc.errno == errno.EROFS:
            return "readonly"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "denied"
        if exc.errno in (errno.EBUSY, getattr(errno, "ETXTBSY", -1)):
            return "in_use"
        if exc.errno == errno.EISDIR:
            return "folder"
        return None
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        if "disk is full" in text or "database or disk is full" in text:
            return "full"
        if "readonly" in text or "read-only" in text:
            return "readonly"
        if "unable to open database file" in text:
            return "denied"
        if "database is locked" in text or "database table is locked" in text:
            return "in_use"
    return None


def io_problem_message(exc: BaseException, path: Path | str) -> str:
    """One translated line for a failed write of `path`; always says the old data is intact."""
    from qoffice.i18n import _

    kind = io_problem_kind(exc)
    if kind == "full":
        msg = _("The disk is full, so {path} could not be written. Free some space and try again; "
                "the previous data is unchanged.")
    elif kind == "readonly":
        msg = _("{path} is on a read-only disk or in a read-only folder. Choose a folder you can "
                "write to; the previous data is unchanged.")
    elif kind == "denied":
        msg = _("You have no permission to write {path}. Choose a folder you can write to, or ask "
                "the administrator; the previous data is unchanged.")
    elif kind == "folder":
        msg = _("{path} is a folder, where qoffice needs a file. Rename or remove that folder and try again; "
                "the previous data is unchanged.")
    elif kind == "in_use":
        msg = _("{path} is in use by another program (Excel, a backup or antivirus tool, or "
                "another qoffice). Close it and try again; the previous data is unchanged.")
    else:
        reason = getattr(getattr(exc, "orig", None), "args", None) or getattr(exc, "strerror", None) or exc
        if isinstance(reason, tuple):
            reason = reason[0] if reason else exc
        return _("Could not write {path} ({reason}); the previous data is unchanged.").format(
            path=path, reason=reason)
    return msg.format(path=path)


# --- network shares ---------------------------------------------------------------------------

DRIVE_REMOTE = 4
NETWORK_FS_TYPES = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "ceph",
                    "glusterfs", "fuse.sshfs", "fuse.glusterfs", "davfs", "fuse.davfs2"}


def _windows_drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes

    try:
        return int(ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))
    except Exception:  # no windll (not Windows) or the call failed: do not guess
        return 0


def _linux_mounts() -> str:
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def is_network_path(path: Path | str, *, windows: bool | None = None, drive_type=None,
                    mounts: str | None = None) -> bool:
    """True for UNC paths, mapped network drives (Windows) and network file systems (Linux).

    `windows`, `drive_type` (root -> GetDriveTypeW code) and `mounts` (/proc/self/mounts text)
    are injectable so each platform's branch can be tested anywhere.
    """
    raw = str(path)
    if windows is None:
        windows = sys.platform == "win32"
    norm = raw.replace("/", "\\")
    if norm.startswith("\\\\"):
        # \\?\C:\… and \\.\C:\… are local long-path/device forms; \\?\UNC\server\share is remote.
        if norm[2:4] in ("?\\", ".\\"):
            rest = norm[4:]
            if rest.upper().startswith("UNC\\"):
                return True
            norm = rest
        else:
            return True
    if windows:
        if len(norm) >= 2 and norm[1] == ":" and norm[0].isalpha():
            root = norm[0].upper() + ":\\"
        else:
            cwd = os.getcwd().replace("/", "\\")
            if cwd.startswith("\\\\"):
                return True
            root = cwd[:3]
        probe = drive_type or _windows_drive_type
        return probe(root) == DRIVE_REMOTE
    text = _linux_mounts() if mounts is None else mounts
    if not text:
        return False
    try:
        target = os.path.abspath(raw)
    except (OSError, ValueError):
        return False
    best, best_type = "", ""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, best_type = point, parts[2]
    return best_type in NETWORK_FS_TYPES


def network_share_warning(path: Path | str, **probe) -> str | None:
    """The translated warning for a database on a network share, or None when it is local."""
    if not is_network_path(path, **probe):
        return None
    from qoffice.i18n import _

    return _("The database {path} is on a network drive. SQLite databases on network drives can be "
             "damaged when the connection drops or two computers write at once. Keep the database on "
             "this computer's own disk and share backups instead.").format(path=path)


# --- bulk writes (imports) ---------------------------------------------------------------------

BULK_WRITE_CACHE_KIB = 64 * 1024  # SQLite page cache while one transaction writes many rows


@contextmanager
def tuned_for_bulk_write(conn) -> Iterator[None]:
    """Room for a whole import's write in the page cache of `conn` (a SQLAlchemy Connection inside
    its transaction), restored afterwards. A transaction that outgrows the cache spills dirty pages
    to the file mid-way, each spill writing and syncing the rollback journal first
    (journal_mode=DELETE, synchronous=FULL); that doubled the time of a 100,000-row roster.
    On PostgreSQL there is nothing to tune per transaction (the server's shared buffers and WAL
    do this work): its counterpart is pg.run_bulk_write."""
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")


REBUILD_INDEXES_FROM = 10_000  # new rows from which a table's plain indexes are built afresh after the insert


@contextmanager
def indexes_built_after(conn, table: str, adding: int) -> Iterator[None]:
    """Insert `adding` rows into `table` inside this block with its plain (non-unique, CREATE INDEX)
    indexes dropped first and created again after it, when the rows at least double the table and
    are many: building an index from all its rows at once (sorted) costs about a third of what
    100,000 random inserts into it cost (the pinyin key of a new roster: ix_enterprise_live_search),
    and leaves it smaller. The same CREATE INDEX statements run again, in the same transaction, so
    the schema is as before; an error inside the block must roll the transaction back (as every
    write session does), which brings the indexes back with everything else. Unique indexes and
    constraints stay, so a duplicate is refused as the rows go in.
    On PostgreSQL not needed (and a clerk may not run DDL): the server's COPY keeps its indexes up
    to date in bulk."""
    if adding < REBUILD_INDEXES_FROM or adding < conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar():
        yield
        return
    plain = [name for _seq, name, unique, origin, *_rest in conn.exec_driver_sql(f'PRAGMA index_list("{table}")')
             if not unique and origin == "c"]
    statements = [sql for name in plain for sql in conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ? AND sql IS NOT NULL", (name,)).scalars()]
    for name in plain:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for sql in statements:
        conn.exec_driver_sql(sql)


def run_bulk_write(db, work: Callable[[Any], T]) -> T:
    """`work(session)` (an import) in one write transaction of `db` (a Database), with room for it in
    the page cache (tuned_for_bulk_write). The backup before it is the caller's (db/bulk.py)."""
    with db.session() as session, tuned_for_bulk_write(session.connection()):
        return work(session)


def dry_run_engine(db) -> Engine:
    """Where a dry run works (db.bulk.run_bulk): an in-memory copy of the file, thrown away after."""
    return memory_copy_engine(db.path)


def memory_copy_engine(db_path: Path) -> Engine:
    """An engine over an in-memory copy of the database file (a dry run applies everything there
    and throws it away); a damaged page reads as one clerk's line, as on the file itself."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import StaticPool

    mem = sqlite3.connect(":memory:", check_same_thread=False)
    src = sqlite3.connect(f"file:{_uri_path(db_path)}?mode=ro", uri=True)
    try:
        src.backup(mem)
    finally:
        src.close()
    mem.isolation_level = None
    mem.execute("PRAGMA foreign_keys=ON")
    engine = create_engine("sqlite://", creator=lambda: mem, poolclass=StaticPool)
    install_damage_handler(engine, db_path)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine
