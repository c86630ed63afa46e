"""Small helpers for the GUI tests."""
from __future__ import annotations


def accept(dlg):
    """保存 in a form whose save runs as an operation on the worker: press it and wait until the
    operation (and a retry it started, e.g. after 保留我的修改) is over."""
    dlg.accept()
    while getattr(dlg, "job", None) is not None and not dlg.job.finished:
        assert dlg.job.wait()
    return dlg
