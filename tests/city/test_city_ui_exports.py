"""The 市级汇总 area's files (issue 14: long work off the GUI thread): 导出全市汇总, 反馈单 (.xlsx and
PDF), 下发目标 and the summary PDF read the database and write their workbooks on the worker, behind a
progress dialog that can cancel; only the PDF is laid out on the GUI thread (Qt), from data computed on
the worker. A locked target gives the one Chinese line, and nothing is left half-written: no temp file,
an old file kept, no half of a set of files."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from qoffice.excel import city_writer  # noqa: E402
from qoffice.services import city as svc  # noqa: E402
from qoffice.services import city_targets  # noqa: E402
from tests.city import test_city_ui as base  # noqa: E402

area, answers = base.area, base.answers  # the area's fixtures

LOCKED = "请先关闭Excel中打开的该文件"


def _save_as(monkeypatch, path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def _lock(monkeypatch, *targets: Path) -> None:
    """Excel holds these files: the rename over them is refused."""
    real_replace = os.replace
    locked = {Path(t) for t in targets}

    def replace(src, dst):
        if Path(dst) in locked:
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr("qoffice.excel.outputs.os.replace", replace)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_files_are_read_and_written_on_the_worker(area, tmp_path, monkeypatch, answers):
    from PySide6.QtWidgets import QFileDialog

    ran_on = []

    def spy(module, name):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, **k: ran_on.append((name, threading.current_thread()))
                            or real(*a, **k))

    for name in ("write", "write_feedback", "write_targets"):
        spy(city_writer, name)
    spy(svc, "report")
    out = tmp_path / "out"
    out.mkdir()
    _save_as(monkeypatch, out / "city.xlsx")
    job = area.export()
    assert job.wait() and job.error is None
    assert (out / "city.xlsx").is_file() and answers[-1][0] == "info"
    area.board.selectRow(1)
    _save_as(monkeypatch, out / "fb.xlsx")
    job = area.feedback()
    assert job.wait() and job.error is None
    assert (out / "fb.xlsx").is_file() and (out / "fb.pdf").read_bytes()[:4] == b"%PDF"
    targets = tmp_path / "targets"
    targets.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(targets))
    job = area.targets_out()
    assert job.wait() and job.error is None
    assert len(_names(targets)) == 8 and answers[-1][0] == "info"
    job = area.print_summary(str(out / "sum.pdf"))
    assert job.wait() and job.error is None
    assert (out / "sum.pdf").read_bytes()[:4] == b"%PDF"
    names = [name for name, _thread in ran_on]
    for name in ("write", "write_feedback", "write_targets", "report"):
        assert name in names
    assert threading.main_thread() not in [thread for _name, thread in ran_on]
    assert not [n for n in _names(out) if n.startswith(".~")]


def test_a_locked_city_workbook_gives_one_chinese_line_and_keeps_the_old_file(
        area, tmp_path, monkeypatch, answers):
    target = tmp_path / "out" / "city.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"old contents")
    _save_as(monkeypatch, target)
    _lock(monkeypatch, target)
    job = area.export()
    assert job.wait()
    assert answers[-1] == ("error", LOCKED)
    assert target.read_bytes() == b"old contents"
    assert _names(target.parent) == ["city.xlsx"]  # no temp file left behind


def test_feedback_with_a_locked_pdf_writes_neither_file(area, tmp_path, monkeypatch, answers):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "fb.pdf").write_bytes(b"old pdf")
    area.board.selectRow(1)
    _save_as(monkeypatch, folder / "fb.xlsx")
    _lock(monkeypatch, folder / "fb.pdf")
    job = area.feedback()
    assert job.wait()
    assert answers[-1] == ("error", LOCKED)
    assert _names(folder) == ["fb.pdf"] and (folder / "fb.pdf").read_bytes() == b"old pdf"


def test_targets_out_is_all_or_nothing(area, tmp_path, monkeypatch, answers):
    from PySide6.QtWidgets import QFileDialog

    folder = tmp_path / "targets"
    folder.mkdir()
    first = folder / city_targets.targets_filename(area.ctx.year, "崇川区")
    first.write_bytes(b"last year's targets")
    last = folder / city_targets.targets_filename(area.ctx.year, area.ctx.counties()[-1])
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    _lock(monkeypatch, last)  # the last county's file is open in Excel
    job = area.targets_out()
    assert job.wait()
    assert answers[-1] == ("error", LOCKED)
    assert _names(folder) == [first.name] and first.read_bytes() == b"last year's targets"


def test_the_city_workbook_can_be_cancelled_and_nothing_is_written(area, tmp_path, monkeypatch, answers):
    target = tmp_path / "out" / "city.xlsx"
    target.parent.mkdir()
    _save_as(monkeypatch, target)
    go = threading.Event()
    real_report = svc.report

    def slow_report(*a, **k):
        assert go.wait(30)
        return real_report(*a, **k)

    monkeypatch.setattr(svc, "report", slow_report)
    job = area.export()
    assert not job.finished
    job.cancel()  # the progress dialog's 取消
    go.set()
    assert job.wait()
    assert job.error is not None and type(job.error).__name__ == "Cancelled"
    assert _names(target.parent) == []


def test_a_finding_opens_a_copy_written_on_the_worker(area, monkeypatch, answers):
    import qoffice.ui.city as ui_city

    ran_on, opened = [], []
    real = svc.view_of
    monkeypatch.setattr(svc, "view_of", lambda *a, **k: ran_on.append(threading.current_thread()) or real(*a, **k))
    monkeypatch.setattr(ui_city, "open_file", opened.append)
    area.board.selectRow(1)
    area.open_finding(0)
    assert area.file_job.wait() and area.file_job.error is None
    assert ran_on and threading.main_thread() not in ran_on
    assert len(opened) == 1 and opened[0].is_file()


def test_a_received_file_that_cannot_be_written_gives_one_line(area, monkeypatch, answers):
    import qoffice.ui.city as ui_city

    def broken(*_a, **_k):
        raise PermissionError(13, "Permission denied", "received")

    monkeypatch.setattr(svc, "file_of", broken)
    monkeypatch.setattr(ui_city, "open_file", lambda path: pytest.fail("nothing to open"))
    area.board.selectRow(1)
    area.open_received()
    assert area.file_job.wait()
    assert answers[-1][0] == "error" and "Permission denied" in answers[-1][1]


def test_feedback_cancelled_while_it_is_written_leaves_nothing(area, tmp_path, monkeypatch, answers):
    folder = tmp_path / "out"
    folder.mkdir()
    staged, go = threading.Event(), threading.Event()
    real = svc.stage_feedback

    def slow(*a, **k):
        got = real(*a, **k)
        staged.set()
        assert go.wait(30)
        return got

    monkeypatch.setattr(svc, "stage_feedback", slow)
    area.board.selectRow(1)
    _save_as(monkeypatch, folder / "fb.xlsx")
    job = area.feedback()
    assert staged.wait(30)  # the .xlsx is written beside its target; the clerk cancels now
    job.cancel()
    go.set()
    assert job.wait()
    assert _names(folder) == [] and not [k for k, _t in answers if k == "info"]


def test_the_city_workbook_cancelled_while_it_is_written_leaves_nothing(area, tmp_path, monkeypatch, answers):
    target = tmp_path / "out" / "city.xlsx"
    target.parent.mkdir()
    _save_as(monkeypatch, target)
    written, go = threading.Event(), threading.Event()
    real = city_writer.write

    def slow(*a, **k):
        got = real(*a, **k)
        written.set()
        assert go.wait(30)
        return got

    monkeypatch.setattr(city_writer, "write", slow)
    job = area.export()
    assert written.wait(30)  # the workbook is written beside its target; the clerk cancels now
    job.cancel()
    go.set()
    assert job.wait()
    assert _names(target.parent) == [] and not [k for k, _t in answers if k == "info"]


def test_targets_out_cancelled_after_the_last_workbook_leaves_nothing(area, tmp_path, monkeypatch, answers):
    from PySide6.QtWidgets import QFileDialog

    folder = tmp_path / "targets"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    written, go = threading.Event(), threading.Event()
    real, count = city_writer.write_targets, []

    def slow(*a, **k):
        got = real(*a, **k)
        count.append(1)
        if len(count) == len(area.ctx.counties()):
            written.set()
            assert go.wait(30)
        return got

    monkeypatch.setattr(city_writer, "write_targets", slow)
    job = area.targets_out()
    assert written.wait(30)  # the last county's workbook is written beside its file; the clerk cancels now
    job.cancel()
    go.set()
    assert job.wait()
    assert _names(folder) == [] and not [k for k, _t in answers if k == "info"]
