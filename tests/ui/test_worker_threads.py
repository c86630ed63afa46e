"""Background work never waits on the machine's core count (CI and old office PCs have one core):
Qt's global pool runs QThread.idealThreadCount() threads, so on a one-core PC a second job (a newer
read of the 市级汇总 board, a save while a long export runs) queued behind the first one until it
ended, and a test waiting for it timed out and left the first job to crash after the test was over."""
from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


@pytest.fixture
def one_core():
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool.globalInstance()
    before = pool.maxThreadCount()
    pool.setMaxThreadCount(1)  # what Qt picks on a one-core machine
    yield
    pool.waitForDone(10_000)
    pool.setMaxThreadCount(before)


def test_a_second_job_runs_while_the_first_one_waits(qtbot, one_core):
    from qoffice.ui.worker import run_in_background

    second_started = threading.Event()
    first = run_in_background(None, lambda _p: second_started.wait(10), show_after_ms=60_000)
    second = run_in_background(None, lambda _p: second_started.set() or "done", show_after_ms=60_000)
    assert second.wait(10_000) and second.result == "done"
    assert first.wait(10_000) and first.result is True


def test_the_jobs_share_qts_global_pool(qtbot, one_core):
    """Qt waits for its global pool when the application ends, so a running job ends first."""
    from PySide6.QtCore import QThreadPool

    from qoffice.ui import worker

    job = worker.run_in_background(None, lambda _p: 1, show_after_ms=60_000)
    assert job.wait(10_000)
    assert QThreadPool.globalInstance().maxThreadCount() >= worker.JOB_THREADS >= 3
