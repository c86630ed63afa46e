"""Issue 13 leftover: the sign-in sheet PDF goes through the one output rule (excel.outputs), as
the cover PDF does — never over the database, a device or a FIFO; written beside, then moved."""
from __future__ import annotations

import datetime as dt
import os
import stat

import pytest

from qoffice.errors import OutputNotWritable
from qoffice.excel.outputs import protect_database
from qoffice.ui.signin_sheet import SheetInfo, write_signin_pdf

pytestmark = pytest.mark.gui

INFO = SheetInfo("2024年质量对接会", dt.date(2024, 5, 20), "如东县会议中心", "如东县市场监督管理局")
ROWS = [("南通甲有限公司", "张三", "经理", "13800000001")]


def test_the_signin_pdf_refuses_the_database(qapp, tmp_path):
    tmp_path = tmp_path / "data"
    tmp_path.mkdir()
    db = tmp_path / "qoffice.db"
    db.write_bytes(b"SQLite format 3\x00" + b"x" * 100)
    protect_database(db)
    before = db.read_bytes()
    with pytest.raises(OutputNotWritable):
        write_signin_pdf(db, INFO, ROWS, 5)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qoffice.db"]


def test_the_signin_pdf_refuses_a_fifo_without_blocking(qapp, tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader, so a wrong open would not block the test
    try:
        with pytest.raises(OutputNotWritable):
            write_signin_pdf(fifo, INFO, ROWS, 5)
        try:
            written = os.read(reader, 65536)
        except BlockingIOError:
            written = b""
        assert written == b""  # nothing went into the pipe
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_the_signin_pdf_is_written_whole_with_no_temp_file_left(qapp, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    out = tmp_path / "签到表.pdf"
    out.write_bytes(b"old")
    assert write_signin_pdf(out, INFO, ROWS, 5) >= 1
    assert out.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["签到表.pdf"]
