"""The settings area and the first-run dialog write through operations (issue 14): 保存 / 开始 run
services.settings.save_values on the worker, the one hook publishes what changed, and no session is
opened in the ui (tests/ui/test_ui_no_sessions.py)."""
from __future__ import annotations

import threading

import pytest

from qoffice.services import settings as settings_service
from qoffice.services.changes import Changes
from qoffice.ui.context import AppContext
from qoffice.ui.settingsarea import FirstRunDialog, SettingsArea

pytestmark = pytest.mark.gui


@pytest.fixture
def ran_on(monkeypatch):
    threads = []
    real = settings_service.save_values
    monkeypatch.setattr(settings_service, "save_values",
                        lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))
    return threads


def test_the_settings_areas_save_is_an_operation_published_to_every_screen(qtbot, db, answers, ran_on):
    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量办")
    ctx = AppContext(db, 2025)
    heard, settings_heard = [], []
    ctx.changed.connect(heard.append)
    ctx.settingsChanged.connect(lambda: settings_heard.append(True))
    area = SettingsArea(ctx)
    qtbot.addWidget(area)
    area.form.w["operator"].setText("王芳")
    area.targets.boxes[17].setText("80")
    job = area.save()
    assert area.save() is None  # pressed again while it runs
    assert job.wait() and job.error is None
    assert ran_on and threading.main_thread() not in ran_on
    assert heard == [Changes.of("setting")] and settings_heard == [True]
    assert area.reason.text() == "设置已保存。"
    assert settings_service.get(db, "operator") == "王芳" and settings_service.get(db, "target.17") == "80"


def first_run_filled_in(qtbot, db) -> FirstRunDialog:
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.form.w["county"].setEditText("如东县")
    dialog.form.w["office"].setText("如东县质量办")
    return dialog


def test_the_first_run_dialog_saves_on_the_worker_then_closes(qtbot, db, answers, ran_on):
    dialog = first_run_filled_in(qtbot, db)
    dialog.ok.click()
    assert not dialog.ok.isEnabled()  # until the save is over
    assert dialog.job.wait() and dialog.result() == FirstRunDialog.Accepted and not dialog.isVisible()
    assert ran_on and threading.main_thread() not in ran_on
    assert not settings_service.first_run_needed(db)
    assert settings_service.level(db) == settings_service.LEVEL_COUNTY


def test_a_refused_first_run_save_keeps_the_dialog_open(qtbot, db, answers, monkeypatch):
    from qoffice.errors import UsageError

    def refuse(_db, _values):
        raise UsageError("拒绝")

    monkeypatch.setattr(settings_service, "save_values", refuse)
    dialog = first_run_filled_in(qtbot, db)
    dialog.ok.click()
    assert dialog.job.wait() and dialog.job.error is not None
    assert dialog.isVisible() and dialog.ok.isEnabled()  # 开始 can be pressed again
    assert answers[-1][0] == "error" and "拒绝" in answers[-1][1]
