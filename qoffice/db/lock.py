"""One writer per database: a lock file next to the DB, honoured by the GUI and the CLI alike.

The lock is an OS lock (fcntl.flock / msvcrt.locking) on `<db>.lock`; the operating system drops
it when the holder dies, so a lock left by a crashed process is taken over safely without guessing
from PIDs. The file's text says who holds it (user, host, program, since) for the message shown
to the second user. Written by hand: the OS calls are a few lines, and the small lock libraries
do not let us read the holder's note while the lock is held.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
import sys
import time
from pathlib import Path

if sys.platform == "win32":  # pragma: no cover - exercised on Windows/Wine
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

    # msvcrt locks byte 0 exclusively, so the note is kept in a side file readable meanwhile.
    _NOTE_IN_SIDE_FILE = True
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    _NOTE_IN_SIDE_FILE = True


def lock_path_for(db_path: Path) -> Path:
    return Path(str(db_path) + ".lock")


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _open_lock_file(path: Path) -> int:
    """Open (or make) the lock file itself, never what a symbolic link in its place points at: a link
    there is removed — the link, not its target — and a real lock file made in its place."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o666)
    except OSError as exc:
        if not os.path.islink(path):
            raise  # a folder in its place (EISDIR), no permission, …: the caller names the lock file
        os.unlink(path)
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666)
        except FileExistsError:  # another qoffice made it meanwhile: use theirs (if it is a real file)
            return os.open(path, os.O_RDWR | _NOFOLLOW)
        except OSError:
            raise exc from None


def _note_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".lock.info")


class DatabaseLock:
    """Hold with `acquire()`; `holder()` describes the current holder when acquire fails."""

    def __init__(self, db_path: Path, program: str = "qoffice"):
        self.db_path = Path(db_path)
        self.program = program
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, wait_seconds: float = 0.0) -> bool:
        if self._fd is not None:
            return True
        fd = _open_lock_file(lock_path_for(self.db_path))
        deadline = time.monotonic() + wait_seconds
        while True:
            if _try_lock(fd):
                break
            if time.monotonic() >= deadline:
                os.close(fd)
                return False
            time.sleep(0.1)
        self._fd = fd
        note = {
            "user": _user(),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "program": self.program,
            "since": dt.datetime.now().isoformat(timespec="seconds"),
        }
        tmp = Path(str(_note_path(self.db_path)) + f".{os.getpid()}")
        try:  # written whole then renamed, so a reader never sees half a note
            tmp.unlink(missing_ok=True)  # never through a link left under that name
            tmp_fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666)
            with os.fdopen(tmp_fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(note, ensure_ascii=False))
            os.replace(tmp, _note_path(self.db_path))
        except OSError:  # the note is a courtesy; the OS lock is what counts
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            _note_path(self.db_path).unlink(missing_ok=True)
        except OSError:
            pass
        _unlock(self._fd)
        os.close(self._fd)
        self._fd = None

    def holder(self) -> dict | None:
        try:
            return json.loads(_note_path(self.db_path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def lock_holder(db_path: Path | str) -> dict | None:
    """Who holds the writer lock of `db_path` now: the holder's note (user, host, pid, program,
    since; {} if it has not written one yet), or None when nobody holds it.

    Asks the OS (a non-blocking try on the lock file), so a note left by a crashed process does not
    count. The GUI's second-instance dialog shows `describe_holder(lock_holder(path))`.
    """
    path = lock_path_for(Path(db_path))
    try:
        fd = os.open(path, os.O_RDWR | _NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError:  # cannot open it for writing (read-only folder): nobody can hold it to write
        return None
    try:
        if _try_lock(fd):
            _unlock(fd)
            return None
    finally:
        os.close(fd)
    return DatabaseLock(Path(db_path)).holder() or {}


def describe_holder(info: dict | None) -> str:
    from qoffice.i18n import _

    if not info:
        return _("another qoffice program")
    return _("{user} on {host} ({program}, since {since})").format(
        user=info.get("user", "?"), host=info.get("host", "?"), program=info.get("program", "?"),
        since=str(info.get("since", "?")).replace("T", " "))


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some service contexts
        return "?"
