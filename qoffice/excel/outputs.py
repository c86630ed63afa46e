"""Where qoffice may write a file for the user: one rule for every output (templates, list exports,
error rows, the yearly return and its kept copy).

`check_output(path)` is the rule. It refuses
- the database, its lock, its journal (-journal, -wal, -shm) and its backups folder — of the
  database in the data folder and of every database opened in this process (`protect_database`),
  compared after resolving links, and also through a hard link;
- anything that exists and is not an ordinary file (a folder, a device node, a FIFO, a socket),
  and a link pointing nowhere;
- a file name longer than the file system takes, and a folder that does not exist;
and gives the real file to write (a link to an ordinary file is written through).

`StagedFile` writes next to the target under a hidden temp name, with the user's usual file mode
(from the umask: a clerk mails these files, so not tempfile's 0600), and puts it in place with one
rename that only ever replaces an ordinary file; it can also undo that rename (the return does,
when its 报送记录 cannot be committed).

Light on purpose (standard library only): the CLI registers its database here before anything else.
"""
from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
import threading
from pathlib import Path

from qoffice.errors import OutputNotWritable
from qoffice.i18n import _

NAME_MAX = 255  # bytes in a file name on ext4, NTFS (UTF-16 units there), APFS
_SIDE_SUFFIXES = (".lock", ".lock.info", "-journal", "-wal", "-shm")
_protected: set[Path] = set()
_umask_lock = threading.Lock()


# --- the databases whose files are never an output ------------------------------------------------
def protect_database(db_path: Path | str) -> None:
    """Never write an output over this database or its files (the CLI's --db, an opened database)."""
    if db_path and "://" not in str(db_path):  # a server's address has no files here
        _protected.add(Path(db_path))


def _databases() -> set[Path]:
    out = set(_protected)
    try:
        from qoffice.paths import default_db_path

        out.add(default_db_path())
    except Exception:  # no data folder can be worked out: only the registered ones
        pass
    return out


def _absolute(path: Path) -> Path:
    """An absolute path with . and .. folded and links of the folder resolved (the name kept)."""
    path = Path(os.path.abspath(path))
    try:
        return Path(os.path.realpath(path.parent)) / path.name
    except (OSError, ValueError):
        return path


def _protected_places() -> tuple[set[Path], list[Path]]:
    """(files, folders): the files of each database and its backups folder, both as given and with
    every link resolved."""
    files: set[Path] = set()
    folders: list[Path] = []
    for db in _databases():
        for base in {_absolute(db), Path(os.path.realpath(db))}:
            files.add(base)
            files.update(Path(str(base) + s) for s in _SIDE_SUFFIXES)
            backups = base.parent / "backups"
            folders.append(backups)
            folders.append(Path(os.path.realpath(backups)))
    return files, folders


def _is_protected(real: Path, st: os.stat_result | None) -> bool:
    files, folders = _protected_places()
    candidates = {real, _absolute(real), Path(os.path.realpath(real))}
    if candidates & files:
        return True
    for c in candidates:
        for folder in folders:
            if c == folder or c.is_relative_to(folder):
                return True
    if st is not None:  # a hard link (or any other name) of a protected file
        for f in files:
            try:
                other = os.stat(f)
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                return True
    return False


# --- the rule ------------------------------------------------------------------------------------
def reason(exc: OSError) -> str:
    """Why a write failed, in the clerk's language for the usual causes (the system's words otherwise)."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG):
        return _("the disk is full")
    if code == errno.EROFS:
        return _("the disk is read-only")
    if code in (errno.EACCES, errno.EPERM):
        return _("no permission")
    if code == errno.ENOENT:
        return _("the folder does not exist")
    if code == errno.ENAMETOOLONG:
        return _("the name is too long")
    return getattr(exc, "strerror", None) or str(exc)


_reason = reason


def check_output(path: Path | str) -> Path:
    """The real file to write for the output `path`, or OutputNotWritable with one clerk's line."""
    raw = os.fspath(path)
    if not raw.strip():
        raise OutputNotWritable(_("No output file was given."))
    path = Path(raw)
    name_bytes = len(os.fsencode(path.name))
    if name_bytes > NAME_MAX:
        raise OutputNotWritable(_("The file name is too long ({n} bytes, at most {max}); choose a shorter "
                                  "one.").format(n=name_bytes, max=NAME_MAX))
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:  # ENAMETOOLONG (the whole path), ENOTDIR, ELOOP, EACCES…
        if exc.errno == errno.ENOTDIR:
            raise OutputNotWritable(_("The folder {folder} does not exist.").format(folder=path.parent)) from None
        raise OutputNotWritable(_("Cannot write {path}: {reason}").format(path=path, reason=_reason(exc))) from None
    real = path
    if st is not None and stat.S_ISLNK(st.st_mode):
        try:
            real = Path(os.path.realpath(path, strict=True))
            st = os.stat(real)
        except (OSError, RuntimeError):
            raise OutputNotWritable(_("{path} is a link to a file that does not exist; choose another file "
                                      "name.").format(path=path)) from None
    if _is_protected(real, st):
        raise OutputNotWritable(_("{path} is qoffice's database (or its lock, journal or backups); choose "
                                  "another file name.").format(path=path))
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputNotWritable(_("{path} is a folder, not a file.").format(path=path))
    folder = real.parent
    try:
        folder_ok = st is not None or stat.S_ISDIR(os.stat(folder).st_mode)
    except OSError:
        folder_ok = False
    if not folder_ok:
        raise OutputNotWritable(_("The folder {folder} does not exist.").format(folder=folder))
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputNotWritable(_("{path} is not an ordinary file (a device, a pipe or the like); choose "
                                  "another file name.").format(path=path))
    return _absolute(real)


# --- file modes ----------------------------------------------------------------------------------
def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("Umask:"):
                        return int(line.split()[1], 8)
        except (OSError, ValueError):
            pass
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def user_file_mode() -> int:
    """The mode a file the user creates gets: 0666 less the umask (0644 under umask 022)."""
    return 0o666 & ~current_umask()


def give_user_mode(path: Path | str) -> None:
    if sys.platform == "win32":  # pragma: no cover - modes mean little there
        return
    try:
        os.chmod(path, user_file_mode())
    except OSError:
        pass


def fsync_path(path: Path | str) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


# --- writing: a temp file beside the target, then one rename ------------------------------------
def _locked(exc: OSError) -> bool:
    if isinstance(exc, PermissionError):
        return True
    if getattr(exc, "winerror", None) in (5, 32, 33):
        return True
    return exc.errno in (errno.EACCES, errno.EPERM, errno.EBUSY, getattr(errno, "ETXTBSY", -1))


def _write_problem(path: Path, exc: OSError) -> OutputNotWritable:
    if _locked(exc):
        return OutputNotWritable(_("Please close the file in Excel first"))
    return OutputNotWritable(_("Cannot write {path}: {reason}").format(path=path, reason=_reason(exc)))


class StagedFile:
    """An output being written: `tmp` beside the real target until `place()`.

        staged = StagedFile(path)        # checks the target (check_output), makes the temp file
        write into staged.tmp …
        staged.ready()                   # flushed to disk, the user's file mode
        staged.place()                   # one rename over the target (the old file kept aside)
        staged.finish()  or  staged.undo()
    Every failure leaves the target as it was and no temp file behind.
    """

    def __init__(self, path: Path | str):
        self.shown = Path(path)  # as the user gave it, for messages
        self.target = check_output(path)
        folder = self.target.parent
        try:
            fd, name = tempfile.mkstemp(prefix=".~" + self.target.stem[:40], suffix=".tmp", dir=folder)
        except OSError as exc:
            raise OutputNotWritable(_("Cannot write in the folder {folder}: {reason}").format(
                folder=folder, reason=_reason(exc))) from exc
        os.close(fd)
        self.tmp = Path(name)
        self._old: Path | None = None  # the previous target, kept aside until finish()
        self.placed = False

    def ready(self) -> None:
        """The temp file is complete: make it durable and give it the user's file mode."""
        try:
            fsync_path(self.tmp)
        except OSError as exc:
            self.discard()
            raise _write_problem(self.shown, exc) from exc
        give_user_mode(self.tmp)

    def place(self) -> Path:
        """Rename the temp file over the target; it only ever replaces an ordinary file."""
        target = self.target
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            self.discard()
            raise _write_problem(self.shown, exc) from exc
        if st is not None and not stat.S_ISREG(st.st_mode):  # changed since the check
            self.discard()
            raise OutputNotWritable(_("{path} is not an ordinary file (a device, a pipe or the like); choose "
                                      "another file name.").format(path=self.shown))
        if st is not None:
            old = self.tmp.with_suffix(".old")
            try:
                os.link(target, old)
                self._old = old
            except OSError:  # no hard links here (FAT): undo can then only remove the new file
                self._old = None
        try:
            os.replace(self.tmp, target)
        except OSError as exc:
            self._drop_old()
            self.discard()
            raise _write_problem(self.shown, exc) from exc
        self.placed = True
        try:
            from qoffice.db.sqlite import fsync_dir

            fsync_dir(target.parent)
        except Exception:
            pass
        return target

    def undo(self) -> None:
        """After place(): put the previous file back (or remove the new one when there was none)."""
        if not self.placed:
            self.discard()
            return
        try:
            if self._old is not None:
                os.replace(self._old, self.target)
                self._old = None
            else:
                self.target.unlink(missing_ok=True)
        except OSError:
            pass
        self.placed = False
        self._drop_old()

    def finish(self) -> None:
        self._drop_old()

    def discard(self) -> None:
        try:
            self.tmp.unlink(missing_ok=True)
        except OSError:
            pass

    def _drop_old(self) -> None:
        if self._old is not None:
            try:
                self._old.unlink(missing_ok=True)
            except OSError:
                pass
            self._old = None


def copy_file(src: Path | str, dst: Path) -> Path:
    """Copy `src` to the new file `dst` whole or not at all: written beside it under a temp name,
    flushed, then renamed; a failure (disk full) removes the partial copy and raises OSError."""
    dst = Path(dst)
    fd, name = tempfile.mkstemp(prefix=".~" + dst.stem[:40], suffix=".part", dir=dst.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            while chunk := inp.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        give_user_mode(tmp)
        os.rename(tmp, dst)  # `dst` is a new name: nothing is replaced
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise
    return dst
