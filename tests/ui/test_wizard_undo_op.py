"""撤销本次导入 in the import wizard is a service operation (services.import_history.undo) run on the
worker through run_op: its Changes (the kind's table and import_batch) reach every screen through
the one hook, and a record changed while the clerk was answering the question refuses the undo
(the service checks again inside its unit of work) instead of overwriting that change."""
from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from qoffice.db.models import Enterprise
from qoffice.services import enterprises as enterprise_service
from qoffice.ui import messages
from qoffice.ui.context import AppContext
from qoffice.ui.worker import Job
from tests.ui.test_import_wizard import drive_preview

pytestmark = pytest.mark.gui


def imported(qtbot, db, builders, tmp_path):
    ctx = AppContext(db, 2024)
    path = tmp_path / "one.xlsx"
    wb = Workbook()
    wb.active.append(["统一社会信用代码", "企业名称"])
    wb.active.append([builders.code(9201), "南通二号有限公司"])
    wb.save(path)
    wizard = drive_preview(qtbot, ctx, path)
    assert wizard.confirm().wait(30_000)
    return ctx, wizard


def count(db):
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(Enterprise))


def test_undo_runs_on_the_worker_and_publishes_its_changes(qtbot, db, builders, answers, tmp_path):
    ctx, wizard = imported(qtbot, db, builders, tmp_path)
    heard = []
    ctx.changed.connect(heard.append)
    job = wizard.undo()
    assert isinstance(job, Job) and job.wait(30_000)
    assert count(db) == 0
    assert heard and heard[-1].touches({"enterprise"}) and heard[-1].touches({"import_batch"})
    assert not wizard.undo_button.isEnabled() and wizard.undone


def test_a_record_changed_while_the_question_was_open_refuses_the_undo(qtbot, db, builders, answers, tmp_path):
    ctx, wizard = imported(qtbot, db, builders, tmp_path)
    shown = []

    def respond(kind, title, text, details):
        shown.append((kind, text))
        if kind == "question":  # another clerk edits the imported record meanwhile
            with db.session() as s:
                enterprise_service.update_enterprise(s, s.scalar(select(Enterprise)), {"county": "海门区"})
        return True

    messages.set_responder(respond)
    job = wizard.undo()
    if isinstance(job, Job):
        job.wait(30_000)
    assert count(db) == 1  # the record and its change kept
    with db.read_session() as s:
        assert s.scalar(select(Enterprise)).county == "海门区"
    assert not wizard.undone
    assert any(kind in ("error", "warning") and "修改" in text for kind, text in shown)
