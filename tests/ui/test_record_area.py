"""The record-area base (qoffice.ui.record_area) and the one refresh hook (ctx.publish): an area
refreshes when an operation's Changes touch a table it watches, and not for another table; the
Changes of an operation are published even when the screen that started it has gone meanwhile."""
from __future__ import annotations

import threading

import pytest
import shiboken6

from qoffice.services import partners as partner_service
from qoffice.services.changes import Changes
from qoffice.ui.context import AppContext
from qoffice.ui.operations import run_op
from qoffice.ui.partners import PartnersArea

pytestmark = pytest.mark.gui


def add_partner(db, name):
    with db.session() as s:
        return partner_service.create_partner(s, {"name": name, "type": "高等院校"}).id


@pytest.fixture
def shared(db):
    add_partner(db, "南通大学")
    return AppContext(db, 2025)


def area_on(qtbot, ctx):
    w = PartnersArea(ctx)
    qtbot.addWidget(w)
    w.show()
    w.refresh()
    return w


def test_an_area_refreshes_when_a_watched_table_changes_and_only_then(qtbot, db, shared):
    area = area_on(qtbot, shared)
    assert area.list.model.total_count == 1
    add_partner(db, "江苏大学")  # written behind the area's back: nothing tells it yet
    shared.publish(Changes.of("award"))  # a table 合作单位 does not watch
    assert area.list.model.total_count == 1
    shared.publish(Changes.of("partner"))
    assert area.list.model.total_count == 2


def test_an_area_on_its_own_context_hears_what_another_area_published(qtbot, db, shared):
    listening = area_on(qtbot, shared.for_area())
    writer = shared.for_area()
    add_partner(db, "江苏大学")
    writer.publish(Changes.of("partner"))
    assert listening.list.model.total_count == 2


def test_changes_are_published_even_if_the_screen_that_started_the_operation_closed(qtbot, db, shared):
    listening = area_on(qtbot, shared)
    starter = PartnersArea(shared.for_area())  # the screen (and its context) that runs the op
    starter.ctx.setParent(starter)
    go = threading.Event()

    def op():
        assert go.wait(10)
        add_partner(db, "江苏大学")
        return Changes.of("partner")

    job = run_op(starter, starter.ctx, op)
    starter.close()
    shiboken6.delete(starter)  # gone, with its context, before the operation ends
    assert not shiboken6.isValid(starter)
    go.set()
    assert job.wait()
    assert listening.list.model.total_count == 2
