"""导出报表 on the 年度报表 page is a service operation (services.returns.export_return) run through
run_op: the 报送记录 it adds is published by the one hook even when the page was closed while the
return was being written (the other screens still hear of it)."""
from __future__ import annotations

import threading

import pytest
import shiboken6

from qoffice.services import returns as returns_service
from qoffice.ui.context import AppContext
from qoffice.ui.returns_page import ReturnsPage
from tests.ui.test_returns_page import YEAR, answers, demo_db, out_dir  # noqa: F401 (fixtures)

pytestmark = pytest.mark.gui


def test_the_submission_is_published_even_if_the_page_closed_meanwhile(qtbot, demo_db, answers, out_dir,  # noqa: F811
                                                                         monkeypatch):
    shared = AppContext(demo_db, YEAR)
    page = ReturnsPage(shared)
    page.show()
    assert page.refresh().wait(60_000)
    go = threading.Event()
    original = returns_service.export

    def slow_export(*args, **kwargs):
        assert go.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(returns_service, "export", slow_export)
    heard = []
    shared.changed.connect(heard.append)
    job = page.export()
    assert job is not None
    page.close()
    shiboken6.delete(page)  # the page goes while the return is being written
    go.set()
    assert job.wait(60_000) and job.error is None
    assert any(c.touches({"return_submission"}) for c in heard)
