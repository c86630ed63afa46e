"""The 年度报表 page through its widgets: 17 rows with targets and completion, errors block the
export and open their record, an export with warnings is recorded in 报送记录, a locked target
gives the Chinese message with the old file intact, the cover PDF holds the expected text, and the
targets editor writes target.N."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtWidgets import QProgressBar

from qoffice.services import demo
from qoffice.services import settings as settings_service
from qoffice.ui import list_export
from qoffice.ui.context import AppContext
from qoffice.ui.enterprise_editor import EnterpriseEditor
from qoffice.ui.returns_page import ReturnsPage
from tests.ui.helpers import saved

pytestmark = pytest.mark.gui

YEAR = 2024
TODAY = dt.date(2024, 11, 20)


@pytest.fixture
def answers(answers):
    """The shared auto-answerer (tests/ui/conftest.py), saying no to every question."""
    answers.reply = False
    return answers


class Out:
    """The output folder, and the default file names the save dialogs were asked with."""

    def __init__(self, path: Path, asked: list):
        self.path, self.asked = path, asked


@pytest.fixture
def out_dir(monkeypatch, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    asked = []

    def ask(parent, title, name, *a):
        asked.append(name)
        return out / name

    monkeypatch.setattr(list_export, "ask_save_path", ask)
    monkeypatch.setattr(list_export, "open_folder", lambda path: None)
    return Out(out, asked)


@pytest.fixture
def demo_db(db):
    with db.session() as s:
        demo.generate(s, enterprises=120, seed=7, today=TODAY)
        settings_service.set_value(s, "target.2", "10")
        settings_service.set_value(s, "target.9", "1")
        settings_service.set_value(s, "target.12", "0")
    return db


def loaded_page(qtbot, db) -> ReturnsPage:
    page = ReturnsPage(AppContext(db, YEAR))
    qtbot.addWidget(page)
    page.resize(1300, 850)
    page.show()
    job = page.refresh()
    assert job.wait(60_000)
    return page


def test_page_shows_17_indicators_targets_and_completion(qtbot, demo_db, answers):
    page = loaded_page(qtbot, demo_db)
    assert page.table.rowCount() == 17
    assert [page.table.item(i, 0).text() for i in range(17)] == [str(n) for n in range(1, 18)]
    rows = {r.number: r for r in page.preview.indicators}
    assert page.table.item(1, 3).text() == str(rows[2].value)
    assert page.table.item(1, 4).text() == "10"
    bar = page.table.cellWidget(1, 5)
    assert isinstance(bar, QProgressBar) and bar.text() == f"{rows[2].completion}%"  # text, not colour alone
    assert page.table.cellWidget(8, 5) is None and "越低越好" in page.table.item(8, 5).text()  # row 9
    assert page.table.cellWidget(11, 5) is None and "未设目标" in page.table.item(11, 5).text()  # target 0
    assert page.chart.rows and len(page.chart.rows) == 17
    assert not page.preview.errors and page.preview.warnings
    assert page.export_button.isEnabled() and page.banner.isHidden()


def test_export_with_warnings_is_recorded_and_viewable(qtbot, demo_db, answers, out_dir):
    page = loaded_page(qtbot, demo_db)
    county = page.ctx.setting("county")
    job = page.export()
    assert job is not None and job.wait(60_000)
    assert out_dir.asked == [f"{county}_{YEAR}年度质量强企报表.xlsx"]
    path = out_dir.path / out_dir.asked[0]
    assert path.exists()
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames[-1] == "校验" and len(list(wb["校验"].iter_rows())) > 1
    assert any("校验" in text for kind, text in answers if kind == "question")
    assert page.refresh().wait(60_000)
    assert page.submission_table.rowCount() == 1
    assert page.submission_table.item(0, 2).text() == str(path.resolve())
    dialog = page.show_submission(0)
    qtbot.addWidget(dialog)
    shown = {dialog.table.item(i, 0).text(): dialog.table.item(i, 3).text() for i in range(17)}
    assert shown["2"] == str(next(r.value for r in page.preview.indicators if r.number == 2))


def test_errors_block_the_export_and_open_the_record(qtbot, db, builders, answers, out_dir):
    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量办")
        ent = builders.make_enterprise(s, county="崇川区")
        eid = ent.id
        s.flush()
        ent.name = ""  # as an old database might hold it: the check names the missing field
    page = loaded_page(qtbot, db)
    assert page.preview.errors
    assert not page.export_button.isEnabled()
    assert page.checks.item(0, 0).text() == "错误" and not page.checks.item(0, 0).icon().isNull()
    assert page.export() is None and out_dir.asked == []
    assert answers[-1][0] == "error"
    editor = page.open_problem(0)
    qtbot.addWidget(editor)
    assert isinstance(editor, EnterpriseEditor) and editor.isVisible()
    assert editor.enterprise_id == eid


def test_empty_county_or_office_is_said_and_offers_the_settings(qtbot, db, answers, out_dir):
    page = loaded_page(qtbot, db)
    assert not page.banner.isHidden() and "区县" in page.banner_text.text()
    assert not page.export_button.isEnabled()
    assert page.export() is None
    assert answers[-1][0] == "question" and "设置" in answers[-1][1]
    assert out_dir.asked == []


def test_locked_target_gives_the_chinese_message_and_keeps_the_old_file(qtbot, demo_db, answers, out_dir,
                                                                        monkeypatch):
    page = loaded_page(qtbot, demo_db)
    target = out_dir.path / f"{page.ctx.setting('county')}_{YEAR}年度质量强企报表.xlsx"
    target.write_bytes(b"old contents")
    real_replace = os.replace

    def locked(src, dst):
        if Path(dst) == target:
            raise PermissionError(13, "Permission denied", str(dst))  # Excel holds the file
        return real_replace(src, dst)

    monkeypatch.setattr("qoffice.excel.cells.os.replace", locked)
    job = page.export()
    assert job.wait(60_000)
    assert ("error", "请先关闭Excel中打开的该文件") in answers
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in out_dir.path.iterdir()] == [target.name]  # no temp file left behind


def test_cover_pdf_has_the_cover_lines_and_the_summary(qtbot, demo_db, answers, out_dir):
    page = loaded_page(qtbot, demo_db)
    path = page.export_pdf()
    assert path is not None and path.exists() and path.suffix == ".pdf"
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4
    cover = reader.pages[0].extract_text()
    for words in ("填报单位（盖章）", "填报人", "审核人", "填报日期", page.ctx.setting("office")):
        assert words in cover
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    descendants = [d.get_object() for f in fonts for d in f.get("/DescendantFonts", [])]
    assert any("/FontFile2" in d["/FontDescriptor"] for d in descendants)  # the CJK font is embedded
    summary = reader.pages[1].extract_text()
    for _n, name, _unit in __import__("qoffice.domain.indicators", fromlist=["x"]).DEFINITIONS:
        assert name in summary
    assert "审核人" in summary


def test_targets_editor_saves_target_settings(qtbot, db, answers):
    from qoffice.ui.targets import TargetsEditor

    editor = TargetsEditor(db)
    qtbot.addWidget(editor)
    assert len(editor.boxes) == 17
    editor.boxes[16].setText("50.0001")
    editor.boxes[3].setText("")
    qtbot.keyClicks(editor.boxes[1], "-x")  # the validator refuses what is not a number
    assert editor.boxes[1].text() == ""
    assert editor.problems() == []
    with db.session() as s:
        editor.save(s)
    with db.read_session() as s:
        targets = settings_service.targets(s)
    assert targets[16] == Decimal("50.0001") and targets[3] is None and targets[1] is None
    editor.boxes[16].setText("")
    editor.load()
    assert editor.boxes[16].text() == "50.0001"


def test_settings_area_saves_the_targets(qtbot, db, answers):
    from qoffice.ui.settingsarea import SettingsArea

    with db.session() as s:
        settings_service.set_value(s, "county", "崇川区")
        settings_service.set_value(s, "office", "崇川区质量办")
    area = SettingsArea(AppContext(db, YEAR))
    qtbot.addWidget(area)
    area.targets.boxes[17].setText("80")
    assert saved(area)
    with db.read_session() as s:
        assert settings_service.targets(s)[17] == Decimal("80")
