"""The one way the GUI writes: run a service operation on the worker, then refresh every screen.

    run_op(self, self.ctx, lambda: enterprise_service.move_to_recycle_bin(db, ids),
           on_done=lambda changes: self.list.select_id(changes.ids[0]))

The operation is a service function (no Qt) that opens its own session and returns what it
changed — a qoffice.services.changes.Changes, or a result with a `changes` attribute. It runs on
a pool thread (qoffice.ui.worker); when it succeeds, `ctx.publish(changes)` — the one hook — tells
every area, each of which refreshes if a table it watches is in it, and then `on_done(result)` runs.
A KnownError is shown (or handed to `on_error`) and nothing is published. Anything the clerk must
decide is asked BEFORE run_op (a dry run of the service gives its warnings): an operation never
waits on a question while it holds the database's write lock.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qoffice.services.changes import Changes
from qoffice.ui.worker import Job, run_in_background

QUICK_SHOW_AFTER_MS = 1500  # a single record's write: a dialog only if something is really slow


def changes_of(result: Any) -> Changes:
    if isinstance(result, Changes):
        return result
    return getattr(result, "changes", None) or Changes()


def run_op(parent, ctx, op: Callable[..., Any], *, on_done: Callable[[Any], None] | None = None,
           on_error=None, title: str = "", label: str = "",
           show_after_ms: int = QUICK_SHOW_AFTER_MS, with_progress: bool = False,
           cancellable: bool = False) -> Job:
    """Run `op()` on the worker; publish its changes through `ctx`, then call on_done(result).
    with_progress: a long operation, called as op(progress) (the worker's progress callback, which
    raises Cancelled when the clerk cancels a cancellable one)."""

    hub = getattr(ctx, "shared", ctx)  # the window's context: it outlives an area rebuilt meanwhile
    work = op if with_progress else (lambda _progress: op())
    return run_in_background(parent, work, title=title, label=label, on_done=on_done,
                             on_error=on_error, cancellable=cancellable, show_after_ms=show_after_ms,
                             on_result=lambda result: hub.publish(changes_of(result)))
