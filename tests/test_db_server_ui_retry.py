"""The window cannot reach the office server at start: the message offers 重试 (try again) instead of
only closing; each 重试 tries the server again, 退出 ends with exit 2 (issue 16)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_a_server_that_cannot_be_reached_at_start_offers_retry(qapp, monkeypatch):
    from qoffice.db import database as database_module
    from qoffice.ui import app, messages

    attempts = []
    real_open = database_module.open_database

    def counting_open(path, *a, **kw):
        attempts.append(str(path))
        return real_open(path, *a, **kw)

    monkeypatch.setattr(database_module, "open_database", counting_open)
    got = []
    replies = iter([True, True, False])  # 重试, 重试, 退出

    def respond(kind, title, text, details):
        got.append((kind, text))
        return next(replies) if kind == "retry" else None

    previous = messages.set_responder(respond)
    try:
        code = app._run(qapp, "postgresql://clerk@127.0.0.1:1/qoffice?connect_timeout=2", "zh_CN", False)
    finally:
        messages.set_responder(previous)
    assert code == 2
    assert len(attempts) == 3
    assert [k for k, _t in got] == ["retry"] * 3
    from qoffice.i18n import _

    assert _("Retry") == "重试" and _("Quit") == "退出"
    assert all("Traceback" not in t and "\n" not in t.strip().split("\n")[0] for _k, t in got)
