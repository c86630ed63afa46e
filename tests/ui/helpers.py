"""Small helpers for the GUI tests."""
from __future__ import annotations


def accept(dlg):
    """保存 in a form whose save runs as an operation on the worker: press it and wait until the
    operation (and a retry it started, e.g. after 保留我的修改) is over."""
    dlg.accept()
    while getattr(dlg, "job", None) is not None and not dlg.job.finished:
        assert dlg.job.wait()
    return dlg


def saved(form) -> bool:
    """保存 in a form whose save() starts an operation on the worker and returns its Job (None when
    nothing is saved: a problem in the form): wait until it, and whatever it started after (a retry
    after 保留我的修改, a restore from the recycle bin), is over. True when the last one succeeded."""
    if not form.save():
        return False
    while not form.job.finished:
        assert form.job.wait()
    return form.job.error is None
