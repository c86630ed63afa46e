"""The open database (`Database`): SQLAlchemy sessions for the services, plain sqlite3 for reads.

Apart from qoffice.db.database (open_database: create / back up and upgrade / refuse) so that the
server implementation (db/pg.py), which subclasses it and which open_database calls, imports no
module that imports it back.
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qoffice.db import sqlite as sq
from qoffice.db.lock import DatabaseLock
from qoffice.errors import DatabaseError, OutputNotWritable
from qoffice.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session


class Database:
    """An open qoffice database: SQLAlchemy sessions for the services, plain sqlite3 for reads.

    The SQLAlchemy engine is made on first use: importing SQLAlchemy takes longer than the whole
    rest of the start-up, and the window's first page and settings are read with `query()`.
    """

    def __init__(self, path: Path, readonly: bool, revision: str | None, *, upgraded_from: str | None = None,
                 backup_made: Path | None = None):
        self.path = path
        self.readonly = readonly
        self.revision = revision
        self.lock: DatabaseLock | None = None
        self.upgraded_from = upgraded_from
        self.backup_made = backup_made
        self._reader: sqlite3.Connection | None = None
        self._reader_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r}, readonly={self.readonly}, revision={self.revision!r})"

    # ---- SQLAlchemy, made when first needed ------------------------------------------------
    @cached_property
    def engine(self) -> Engine:
        return sq.make_engine(self.path, readonly=self.readonly)

    @cached_property
    def read_engine(self) -> Engine:
        return self.engine.execution_options(qoffice_read=True)

    @cached_property
    def _factory(self):
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(bind=self.engine, expire_on_commit=False)

    @cached_property
    def _read_factory(self):
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(bind=self.read_engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A write session: BEGIN IMMEDIATE, commit on success, rollback on error.

        Disk full, a read-only disk, no permission or a file held by another program become one
        clerk's line (OutputNotWritable); the rollback leaves the previous data as it was.
        """
        if self.readonly:
            raise DatabaseError(_("The database is open read-only, so nothing can be changed. "
                                  "Close the other qoffice first to edit."))
        from sqlalchemy import exc as sa_exc

        with self._factory() as s:
            try:
                yield s
                s.commit()
            except BaseException as exc:
                try:
                    s.rollback()
                except Exception:  # the connection may be gone with the disk; the journal restores it
                    pass
                if isinstance(exc, (sa_exc.OperationalError, sqlite3.OperationalError)) and sq.io_problem_kind(exc):
                    raise OutputNotWritable(sq.io_problem_message(exc, self.path)) from exc
                if isinstance(exc, (sa_exc.DBAPIError, sqlite3.DatabaseError)):
                    sq.raise_if_damage(exc, self.path)
                raise

    def run_unit(self, work):
        """Run `work(session)` as one unit of work in one write transaction (a server database reruns it
        after a serialization failure or deadlock: db/pg.py; SQLite's writers never meet mid-way)."""
        with self.session() as s:
            return work(s)

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with self._read_factory() as s:
            try:
                yield s
            finally:
                try:
                    s.rollback()
                except Exception:  # a damaged file may fail the rollback too; the first error counts
                    pass

    # ---- plain sqlite3 reads -----------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Every row of one read statement, on a shared read-only sqlite3 connection."""
        with self._reader_lock:
            if self._reader is None:
                self._reader = sq.connect_reader(self.path)
            try:
                cursor = self._reader.execute(sql, params)
                try:
                    return cursor.fetchall()
                finally:
                    cursor.close()
            except sqlite3.DatabaseError as exc:
                sq.raise_if_damage(exc, self.path)
                raise

    def connect_reader(self) -> sqlite3.Connection:
        """A read-only sqlite3 connection of its own (for a background thread); the caller closes it."""
        return sq.connect_reader(self.path)

    def release_connections(self) -> None:
        """Close every SQLite connection (the next query opens a new one): before the file is
        replaced, as a restore does — on Windows an open file cannot be replaced, and a connection
        kept open would go on reading the old file."""
        if "engine" in self.__dict__:
            self.engine.dispose()
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def close(self) -> None:
        self.release_connections()
        if self.lock is not None:
            self.lock.release()
            self.lock = None
