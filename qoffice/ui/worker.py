"""The one way to run long work off the GUI thread, with a cancellable progress dialog.

Modelled on Anki's CollectionOp/QueryOp: the screen hands over a function, the function runs on a
pool thread, progress shows only if the work takes longer than a moment, and the result or the
error comes back on the GUI thread.

    def work(progress):                       # runs on a worker thread; the service opens its session
        return services.imports.run_file(db, path, progress=progress)

    run_in_background(self, work, title=_("Import"),
                      on_done=lambda summary: self.show_summary(summary))

A write that screens must hear about goes through qoffice.ui.operations.run_op (built on this),
which publishes the Changes the service returns.

- `progress(done, total, message="")` is the services' callback (qoffice.services.Progress). It
  updates the dialog: the count is appended to the message ("正在导入" → "正在导入 3,200 / 10,000"),
  or placed by it ("正在导入 {done:,} / {total:,} 行" → "正在导入 3,200 / 10,000 行"); it raises qoffice.errors.Cancelled once the clerk pressed 取消; the service lets it
  propagate so its transaction rolls back and nothing is written.
- Results and errors arrive on the GUI thread: `on_done(result)`; Cancelled → `on_cancelled()`
  (default: nothing); a KnownError → `on_error(exc)` or, by default, messages.known_error; any other
  exception → the crash handler (logged, crash dialog).
- SQLite sessions are used from one thread at a time: never pass a GUI-thread Session into the
  function; open one inside it (the engine hands each thread its own connection).
- The returned Job has `finished` (bool) and `wait(timeout_ms)` for tests and benchmarks.

Quiet reads — a list's count, anything a screen reads while the clerk goes on — go through
`read_in_background(fn, on_done)`: no dialog, no progress, no message; `fn(read)` runs on a pool of
its own (never queued behind a long import or backup), `on_done(result)` comes on the GUI thread
unless the read was cancelled or superseded (`replacing=` an older read cancels it), or its
`owner` is gone. `read.cancel()` also stops what `fn` registered with `read.interruptible(…)` (a
sqlite3 connection's interrupt); `read.wait()` blocks until `fn` is over and gives its result
(None when it failed or was cancelled). A failed read is logged. The application's exit cancels
the reads still running and waits for them.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from qoffice.errors import Cancelled, KnownError
from qoffice.i18n import _
from qoffice.ui import crash, messages

log = logging.getLogger("qoffice.ui")

SHOW_AFTER_MS = 600  # quick work finishes without a dialog flashing up
_PROGRESS_EVERY_S = 0.05  # throttle: a 100,000-row import must not flood the event loop

_active: set[Job] = set()  # keeps jobs (and their signal objects) alive until they finish

# Jobs run on Qt's global pool (the application's end waits for it, so a running import ends
# first), but never on fewer threads than this: Qt sizes that pool by the core count, and on a
# one-core office PC a save or a newer read would queue behind a long export until it ended.
JOB_THREADS = 4


class _Signals(QObject):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        job = self.job
        try:
            result = job.fn(job._progress)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            job.signals.failed.emit(exc)
        else:
            job.signals.succeeded.emit(result)


class Job:
    """One piece of background work; created by run_in_background()."""

    def __init__(self, parent: QWidget | None, fn: Callable[[Callable], Any], *, title: str, label: str,
                 on_done, on_error, on_cancelled, cancellable: bool, show_after_ms: int,
                 on_result=None):
        self.fn = fn
        self.on_result = on_result  # called with the result even when the screen has gone
        self._when_done: list[Callable[[bool], None]] = []
        self.parent = parent
        self.label = label
        self.on_done, self.on_error, self.on_cancelled = on_done, on_error, on_cancelled
        self.finished = False
        self.cancelled = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self._last_emit = 0.0
        self.signals = _Signals()
        self.signals.progressed.connect(self._on_progress)
        self.signals.succeeded.connect(self._on_succeeded)
        self.signals.failed.connect(self._on_failed)
        self.dialog = QProgressDialog(label, _("Cancel") if cancellable else "", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(380)
        if not cancellable:
            self.dialog.setCancelButton(None)
        self.dialog.canceled.connect(self.cancel)
        self.dialog.hide()
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_dialog)
        self._timer.start(show_after_ms)

    # -- worker thread --
    def _progress(self, done: int, total: int, message: str = "") -> None:
        if self.cancelled.is_set():
            raise Cancelled()
        now = time.monotonic()
        if now - self._last_emit >= _PROGRESS_EVERY_S or done >= total:
            self._last_emit = now
            self.signals.progressed.emit(int(done), int(total), message or "")

    # -- GUI thread --
    def cancel(self) -> None:
        if not self.finished:
            self.cancelled.set()
            if isValid(self.dialog):
                self.dialog.setLabelText(_("Cancelling…"))

    def _show_dialog(self) -> None:
        if not self.finished and isValid(self.dialog):
            self.dialog.show()

    def orphaned(self) -> bool:
        """The screen that started the work is gone (a language switch rebuilt it): its dialog
        went with it, and its callbacks would touch deleted widgets."""
        return self.parent is not None and not isValid(self.parent)

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if self.finished or self.cancelled.is_set() or self.orphaned():
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total > 0 else 0)
        if "{done" in message:  # the message places the count itself: "正在导入 {done:,} / {total:,} 行"
            self.dialog.setLabelText(message.format(done=done, total=total))
            return
        count = _("{done:,} / {total:,}").format(done=done, total=total) if total > 0 else ""
        self.dialog.setLabelText(" ".join(p for p in (message or self.label, count) if p))

    def _finish(self) -> None:
        self.finished = True
        self._timer.stop()
        if isValid(self.dialog):
            self.dialog.hide()
            self.dialog.deleteLater()
        _active.discard(self)

    def when_done(self, fn: Callable[[bool], None]) -> None:
        """Call fn(succeeded) once the job is over, after its own on_done/on_error."""
        self._when_done.append(fn)

    def _over(self, succeeded: bool) -> None:
        for fn in self._when_done:
            fn(succeeded)

    def _on_succeeded(self, result: Any) -> None:
        self.result = result
        self._finish()
        if self.on_result is not None:
            self.on_result(result)
        if self.orphaned():
            log.info("work done after its screen closed: %s", self.label)
        elif self.on_done is not None:
            self.on_done(result)
        self._over(True)

    def _on_failed(self, exc: BaseException) -> None:
        self.error = exc
        self._finish()
        if isinstance(exc, Cancelled):
            log.info("work cancelled: %s", self.label)
            if self.on_cancelled is not None:
                self.on_cancelled()
        elif isinstance(exc, KnownError):
            if self.orphaned():
                log.info("work failed after its screen closed: %s: %s", self.label, exc.message)
            elif self.on_error is not None:
                self.on_error(exc)
            else:
                messages.known_error(self.parent, exc)
        else:
            crash.report_exception(exc)
        self._over(False)

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Process events until the job finished (tests, benchmarks). True when it did."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not self.finished and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.AllEvents, 50)
            time.sleep(0.005)
        return self.finished


def run_in_background(parent: QWidget | None, fn: Callable[[Callable], Any], *, title: str = "",
                      label: str = "", on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[KnownError], None] | None = None,
                      on_cancelled: Callable[[], None] | None = None, cancellable: bool = True,
                      show_after_ms: int = SHOW_AFTER_MS, on_result: Callable[[Any], None] | None = None) -> Job:
    """Run fn(progress) on a pool thread; see the module docstring."""
    job = Job(parent, fn, title=title or _("qoffice"), label=label or _("Working…"), on_done=on_done,
              on_error=on_error, on_cancelled=on_cancelled, cancellable=cancellable,
              show_after_ms=show_after_ms, on_result=on_result)
    _active.add(job)
    pool = QThreadPool.globalInstance()
    if pool.maxThreadCount() < JOB_THREADS:
        pool.setMaxThreadCount(JOB_THREADS)
    pool.start(_Runnable(job))
    return job


# ---- quiet reads ----------------------------------------------------------------------------------

READ_THREADS = 2  # a list's total and its filtered count side by side


class Read:
    """One quiet background read; created by read_in_background()."""

    def __init__(self, fn: Callable[[Read], Any], on_done: Callable[[Any], None] | None, owner: QObject | None):
        self.fn, self.on_done, self.owner = fn, on_done, owner
        self.result: Any = None
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._cancelled = False
        self._interrupt: Callable[[], None] | None = None
        self._over = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def finished(self) -> bool:
        """fn is over (its result, if any, is in `result`), delivered or not."""
        return self._over.is_set()

    @contextmanager
    def interruptible(self, interrupt: Callable[[], None]) -> Iterator[None]:
        """Within the block (on the read's thread), cancel() calls `interrupt()`; a read already
        cancelled raises Cancelled instead of entering it."""
        with self._lock:
            if self._cancelled:
                raise Cancelled()
            self._interrupt = interrupt
        try:
            yield
        finally:
            with self._lock:
                self._interrupt = None

    def cancel(self) -> None:
        """From any thread: nothing is delivered, and a running interruptible block is interrupted."""
        with self._lock:
            self._cancelled = True
            if self._interrupt is not None:
                self._interrupt()

    def wait(self) -> Any:
        """Block until fn is over; its result (None when it failed or was cancelled)."""
        self._over.wait()
        return self.result

    # -- the read's thread --
    def _run(self) -> None:
        try:
            if not self._cancelled:
                self.result = self.fn(self)
        except BaseException as exc:  # cancelled (interrupted), or the database went away
            self.result = None
            self.error = exc
            if not self._cancelled:
                log.warning("background read failed: %s", exc)
        finally:
            self._over.set()


class _ReadRunnable(QRunnable):
    def __init__(self, read: Read, signals: _ReadSignals):
        super().__init__()
        self.read, self.signals = read, signals
        self.setAutoDelete(True)

    def run(self) -> None:
        self.read._run()
        self.signals.over.emit(self.read)


class _ReadSignals(QObject):
    over = Signal(object)  # a Read whose fn is over (emitted on its thread, queued to the GUI thread)


_read_pool: QThreadPool | None = None
_read_signals: _ReadSignals | None = None
_reads: set[Read] = set()  # running or not yet delivered


def _deliver(read: Read) -> None:
    _reads.discard(read)
    if read.cancelled or read.error is not None or read.on_done is None:
        return
    if read.owner is not None and not isValid(read.owner):
        return
    read.on_done(read.result)


def _reads_started() -> tuple[QThreadPool, _ReadSignals]:
    global _read_pool, _read_signals
    if _read_pool is None:
        pool = QThreadPool()
        pool.setMaxThreadCount(READ_THREADS)
        # Its threads wait for the next read instead of ending: a keystroke must not wait for a
        # thread to come up (a millisecond or more on a busy two-core PC).
        pool.setExpiryTimeout(-1)
        signals = _ReadSignals()
        signals.over.connect(_deliver, Qt.QueuedConnection)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop_reads)
        import atexit

        atexit.register(stop_reads)  # no pool thread may run Python while the interpreter ends
        _read_pool, _read_signals = pool, signals
    return _read_pool, _read_signals  # type: ignore[return-value]


def read_in_background(fn: Callable[[Read], Any], on_done: Callable[[Any], None] | None = None, *,
                       owner: QObject | None = None, replacing: Read | None = None) -> Read:
    """Run fn(read) on the quiet-read pool; on_done(result) on the GUI thread (module docstring)."""
    if replacing is not None:
        replacing.cancel()
    pool, signals = _reads_started()
    read = Read(fn, on_done, owner)
    _reads.add(read)
    pool.start(_ReadRunnable(read, signals))
    return read


def stop_reads(timeout_ms: int = 10_000) -> bool:
    """Cancel every read still running and wait for the pool (the application's exit). True when
    the pool is idle."""
    for read in list(_reads):
        read.cancel()
    _reads.clear()
    return _read_pool.waitForDone(timeout_ms) if _read_pool is not None else True
