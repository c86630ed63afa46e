"""彻底删除 in the 回收站: say exactly what will go (services.enterprises.purge_preview), ask, then
purge on the worker (services.enterprises.purge_many).

Purging removes the enterprise with its yearly figures, projects, awards, sign-ups (with their
attendees) and forum attendances, and blanks the old/new values of its audit rows (PIPL: personal
data is not kept after the clerk chose to erase it). It cannot be undone except by restoring a
backup, so the question names every enterprise (name and credit code) and the counts.
"""
from __future__ import annotations

from qoffice.i18n import _
from qoffice.services import enterprises as enterprise_service
from qoffice.services.enterprises import PurgeItem
from qoffice.ui import messages
from qoffice.ui.operations import run_op
from qoffice.ui.worker import Job


def item_line(item: PurgeItem) -> str:
    c = item.counts
    name = _("{name} ({code})").format(name=item.name, code=item.uscc or _("no credit code"))
    # Two short lines: a message box is narrow and would break a long one mid-phrase.
    records = _("{figures} yearly figures, {projects} quality projects, {awards} awards").format(**c)
    activities = _("{signups} meeting sign-ups, {forums} forum attendances").format(**c)
    return f"• {name}\n    {records}\n    {activities}"


def confirmation_text(items: list[PurgeItem]) -> str:
    lines = "\n".join(item_line(item) for item in items)
    head = (_("Delete this enterprise permanently, with all its records?") if len(items) == 1 else
            _("Delete these {n} enterprises permanently, with all their records?").format(n=len(items)))
    tail = _("Their personal data in the change log is erased too. This cannot be undone "
             "(only by restoring a backup).")
    return f"{head}\n\n{lines}\n\n{tail}"


def purge_enterprises(parent, ctx, ids: list[int]) -> Job | None:
    """Ask, then purge on the worker (services.enterprises.purge_many). Returns the running job, or
    None when the clerk said no or nothing was left to purge."""
    if not ids:
        return None
    items = enterprise_service.purge_preview(ctx.db, ids)  # the dry run: what the question names
    if not items:
        return None
    if not messages.ask(parent, confirmation_text(items), default=False):
        return None
    db = ctx.db

    def done(_changes) -> None:
        messages.info(parent, _("{name} was deleted permanently.").format(name=items[0].name) if len(items) == 1
                      else _("{n} enterprises were deleted permanently.").format(n=len(items)))

    # A KnownError (read-only view, disk full…) is shown as a message: nothing was removed.
    return run_op(parent, ctx, lambda: enterprise_service.purge_many(db, [item.id for item in items]),
                  on_done=done)
