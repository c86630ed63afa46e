"""设置 → 导入目标 in the county GUI: the city's 下发目标 workbook picked in a file dialog, read and
confirmed first, then imported through run_op (services.city_targets.import_targets_file → Changes); a file
for another county is refused with its one line and changes nothing."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from decimal import Decimal  # noqa: E402

from PySide6.QtWidgets import QFileDialog, QPushButton  # noqa: E402

from qoffice.excel import city_writer  # noqa: E402
from qoffice.services import settings as st  # noqa: E402
from qoffice.ui import messages  # noqa: E402


@pytest.fixture
def answers():
    got = []
    messages.set_responder(lambda kind, title, text, details: got.append((kind, text)) or True)
    yield got
    messages.set_responder(None)


@pytest.fixture
def area(db, qtbot):
    from qoffice.ui.context import AppContext
    from qoffice.ui.settingsarea import SettingsArea

    with db.session() as s:
        st.set_value(s, "county", "崇川区")
        st.set_value(s, "target.2", "9")
    ctx = AppContext(db, 2025)
    w = SettingsArea(ctx)
    qtbot.addWidget(w)
    return w


def _targets_file(path, county):
    targets = {n: None for n in range(1, 18)} | {1: Decimal("2"), 8: Decimal("95.5")}
    return city_writer.write_targets(path, county, 2025, "南通市质量工作领导小组办公室", targets)


def _press(area, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    button = area.findChild(QPushButton, "import_targets")
    assert button is not None and button.isEnabled()
    button.click()
    job = getattr(area, "job", None)
    if job is not None:
        assert job.wait()


def test_import_targets_button_runs_the_import(area, db, tmp_path, monkeypatch, answers):
    heard = []
    area.ctx.changed.connect(heard.append)
    _press(area, monkeypatch, _targets_file(tmp_path / "t.xlsx", "崇川区"))
    with db.read_session() as s:
        t = st.targets(s)
    assert (t[1], t[8], t[2]) == (Decimal("2"), Decimal("95.5"), None)
    assert [k for k, _t in answers][0] == "question" and "崇川区" in answers[0][1]
    assert heard and "setting" in heard[0].tables  # published through run_op
    assert area.targets.values()[1] == "2" and area.targets.values()[8] == "95.5"  # the boxes show them


def test_import_targets_for_another_county_changes_nothing(area, db, tmp_path, monkeypatch, answers):
    _press(area, monkeypatch, _targets_file(tmp_path / "t.xlsx", "通州区"))
    with db.read_session() as s:
        assert st.targets(s)[2] == Decimal("9") and st.targets(s)[1] is None
    kinds = [k for k, _t in answers]
    assert "question" not in kinds and any("通州区" in t for _k, t in answers)
