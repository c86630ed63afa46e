"""The SQL-paged list model: pages, SQL search/filter/sort, counts; the list area and the worker."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import insert, select

from qoffice.db.models import Enterprise
from qoffice.domain.pinyin import initials
from qoffice.errors import Cancelled, ValidationFailed
from qoffice.ui import messages
from qoffice.ui.listarea import ListArea
from qoffice.ui.listmodel import (
    PAGE_SIZE,
    Column,
    Filter,
    ListDefinition,
    ListSql,
    SearchField,
    SqlListModel,
    vocab_order,
)
from qoffice.ui.worker import run_in_background

pytestmark = pytest.mark.gui

NAMES = ["南通海工船舶有限公司", "如皋精细化工有限公司", "启东新材料科技有限公司", "海门纺织家纺有限公司"]
COUNTIES = ["崇川区", "如皋市", "启东市", "海门区"]


def definition(deleted: bool = False) -> ListDefinition:
    return ListDefinition(
        name="test-enterprises",
        fields=("id", "uscc", "name", "county", "status"),
        sql=lambda: ListSql(
            select=select(Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.county, Enterprise.status),
            sorts={"status": vocab_order(Enterprise.status, ("在营", "停产", "注销", "迁出"))},
            search=[SearchField(Enterprise.name), SearchField(Enterprise.uscc, "upper"),
                    SearchField(Enterprise.name_initials, "initials")],
            where=[Enterprise.deleted_at.is_not(None) if deleted else Enterprise.deleted_at.is_(None)]),
        columns=[Column("uscc", "Credit code", sortable=True),
                 Column("name", "Enterprise name", sortable=True),
                 Column("county", "County", sortable=True),
                 Column("status", "Status", sortable=True)],
        search_hint="Name / credit code / pinyin initials",
        filters=[Filter("county", "County", choices=COUNTIES)],
        default_sort=("name", "asc"),
    )


def fill(db, builders, n: int) -> None:
    rows = []
    for i in range(n):
        name = f"{NAMES[i % 4][:-6]}{i:05d}有限公司"
        rows.append(dict(uscc=builders.code(100000 + i), name=name, name_initials=initials(name),
                         county=COUNTIES[i % 4], status="在营" if i % 10 else "停产",
                         status_year=None if i % 10 else 2020, high_energy=False, benchmark=False,
                         research_centre=False, incentive_fund=False))
    with db.session() as s:
        s.execute(insert(Enterprise), rows)


def test_model_loads_one_page_not_one_object_per_row(qtbot, db, builders):
    fill(db, builders, 10_000)
    model = SqlListModel(db, definition())
    model.reload()
    assert model.total_count == 10_000
    assert model.rowCount() == PAGE_SIZE  # only the first page is in memory
    assert model.loaded_row_count() == PAGE_SIZE
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE


def test_model_sorts_and_searches_in_sql(qtbot, db, builders):
    fill(db, builders, 600)
    model = SqlListModel(db, definition())
    model.reload()
    assert model.headerData(0, Qt.Horizontal) == "序号"
    assert model.data(model.index(0, 0)) == "1"
    names = [model.data(model.index(r, 2)) for r in range(model.rowCount())]
    assert names == sorted(names)
    model.sort(2, Qt.DescendingOrder)
    assert model.data(model.index(0, 2)) == max(names + [model.data(model.index(0, 2))])
    model.set_query("rg")  # pinyin initials of 如皋
    assert model.filtered_count == 150
    assert all("如皋" in model.data(model.index(r, 2)) for r in range(model.rowCount()))
    assert model.counts_text() == "共 600 条（筛选后 150 条）"
    model.set_query("")
    model.set_filter("county", "启东市")
    assert model.filtered_count == 150
    model.set_query("00017")  # a name part; searches combine with filters
    assert model.filtered_count == 0
    model.set_filter("county", None)
    assert model.filtered_count == 1


def test_search_treats_like_wildcards_literally(qtbot, db, builders):
    fill(db, builders, 20)
    model = SqlListModel(db, definition())
    model.reload()
    model.set_query("%")
    assert model.filtered_count == 0
    model.set_query("_")
    assert model.filtered_count == 0


def test_list_area_counts_empty_state_and_delete_confirmation(qtbot, db, builders, monkeypatch):
    deleted = []
    area = ListArea(db, definition(), on_new=lambda: None, on_edit=lambda i: None,
                    on_delete=lambda ids: deleted.extend(ids),
                    empty_text="还没有企业档案。点击「新增」逐条录入，或「导入」批量导入 Excel。")
    qtbot.addWidget(area)
    area.reload()
    assert area.stack.currentWidget() is area.empty_label
    assert "还没有企业档案" in area.empty_label.text()
    assert "import" not in area.buttons and "export" not in area.buttons  # no handler, no button
    fill(db, builders, 30)
    area.reload()
    assert area.stack.currentWidget() is area.table
    assert area.counts_label.text() == "共 30 条"
    assert "拼音首字母" in area.search_box.placeholderText()
    assert not area.buttons["delete"].isEnabled()
    area.table.selectRow(0)
    assert area.buttons["delete"].isEnabled()
    answers = []
    messages.set_responder(lambda kind, title, text, details: answers.append(text) or False)
    try:
        area.delete_selected()
        assert deleted == [] and answers  # refused: nothing deleted
        messages.set_responder(lambda *a: True)
        area.delete_selected()
        assert len(deleted) == 1
    finally:
        messages.set_responder(None)
    area.search_box.setText("no such thing")
    area.apply_search_now()
    assert area.stack.currentWidget() is area.empty_label
    assert area.counts_label.text() == "共 30 条（筛选后 0 条）"


def test_list_area_remembers_sort_order(qtbot, db, builders, qoffice_home):
    fill(db, builders, 5)
    area = ListArea(db, definition())
    qtbot.addWidget(area)
    area.reload()
    area.table.horizontalHeader().setSortIndicator(3, Qt.DescendingOrder)
    area.save_state()
    assert (qoffice_home / "ui.ini").exists()
    again = ListArea(db, definition())
    qtbot.addWidget(again)
    again.reload()
    assert again.model.sort_state() == ("county", True)


def test_worker_delivers_result_on_gui_thread(qtbot):
    seen = {}

    def work(progress):
        seen["thread"] = threading.current_thread()
        progress(1, 2, "")
        return 42

    job = run_in_background(None, work, on_done=lambda r: seen.setdefault("result", (r, threading.current_thread())))
    assert job.wait()
    assert seen["result"][0] == 42
    assert seen["result"][1] is threading.main_thread()
    assert seen["thread"] is not threading.main_thread()


def test_a_quiet_read_delivers_on_the_gui_thread_unless_cancelled_superseded_failed_or_orphaned(qtbot, caplog):
    """worker.read_in_background: no dialog; on_done(result) on the GUI thread; a cancelled (or
    superseded) read, a failed one (logged) and one whose owner is gone deliver nothing."""
    from PySide6.QtCore import QObject
    from shiboken6 import isValid

    from qoffice.ui import worker

    got = []
    ok = worker.read_in_background(lambda read: (threading.current_thread(), 5),
                                   lambda r: got.append(("ok", r[1], r[0] is threading.main_thread(),
                                                         threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert got == [("ok", 5, False, True)] and ok.finished and ok.wait()[1] == 5
    gate = threading.Event()
    first = worker.read_in_background(lambda read: gate.wait(5) and "first", got.append)
    second = worker.read_in_background(lambda read: "second", got.append, replacing=first)
    gate.set()
    assert first.cancelled and first.wait() in ("first", None)

    def fail(read):
        raise OSError("disk gone")

    failed = worker.read_in_background(fail, got.append)
    owner, gone = QObject(), threading.Event()
    orphaned = worker.read_in_background(lambda read: gone.wait(5) and "orphan", got.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not isValid(owner), timeout=5000)
    gone.set()
    qtbot.waitUntil(lambda: all(r.finished for r in (first, second, failed, orphaned)), timeout=5000)
    qtbot.waitUntil(lambda: "second" in got, timeout=5000)
    qtbot.wait(50)
    assert got[1:] == ["second"]
    assert failed.wait() is None and isinstance(failed.error, OSError)
    assert "background read failed: disk gone" in caplog.text


def test_a_cancelled_quiet_read_interrupts_its_sqlite_query(qtbot, tmp_path):
    import sqlite3
    import time

    from qoffice.ui import worker

    conn = sqlite3.connect(tmp_path / "slow.db", check_same_thread=False)
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    started = threading.Event()

    def count(read):
        started.set()
        with read.interruptible(conn.interrupt):
            return conn.execute(endless).fetchone()[0]

    got = []
    read = worker.read_in_background(count, got.append)
    assert started.wait(5)
    time.sleep(0.05)
    read.cancel()
    assert read.wait() is None and isinstance(read.error, sqlite3.OperationalError)  # "interrupted"
    qtbot.wait(50)
    assert got == []
    conn.close()


def test_worker_cancel_raises_cancelled_in_the_work(qtbot):
    started, stop = threading.Event(), threading.Event()
    outcome = []

    def work(progress):
        started.set()
        for i in range(1000):
            progress(i, 1000, "正在导入")
            stop.wait(0.01)
        return "finished"

    job = run_in_background(None, work, on_done=outcome.append, on_cancelled=lambda: outcome.append("cancelled"),
                            show_after_ms=0)
    started.wait(5)
    button = job.dialog.findChild(QPushButton)
    assert button.text() == "取消"
    button.click()
    assert job.wait()
    assert outcome == ["cancelled"]
    assert isinstance(job.error, Cancelled)


def test_worker_known_error_becomes_a_message(qtbot):
    shown = []
    messages.set_responder(lambda kind, title, text, details: shown.append((kind, text)))
    try:
        job = run_in_background(None, lambda progress: (_ for _ in ()).throw(ValidationFailed("名称不能为空")))
        assert job.wait()
    finally:
        messages.set_responder(None)
    assert shown == [("error", "名称不能为空")]


def test_worker_unexpected_error_goes_to_crash_handler(qtbot):
    from qoffice.ui import crash

    got = []
    messages.set_responder(lambda kind, title, text, details: got.append(kind))
    try:
        job = run_in_background(None, lambda progress: 1 / 0)
        assert job.wait()
    finally:
        messages.set_responder(None)
    assert got == ["crash"]
    assert "ZeroDivisionError" in crash.crashes[-1]


def test_worker_progress_dialog_shows_the_count(qtbot):
    go = threading.Event()

    def work(progress):
        progress(3200, 10000, "正在导入 {done:,} / {total:,} 行")
        go.wait(5)
        return None

    job = run_in_background(None, work, show_after_ms=0)
    qtbot.waitUntil(lambda: job.dialog.labelText() == "正在导入 3,200 / 10,000 行", timeout=5000)
    assert job.dialog.isVisible()
    go.set()
    assert job.wait()
    assert job.finished


def test_a_keystroke_of_the_same_shape_binds_new_values_to_the_compiled_statement(qtbot, db, builders):
    """Compiling is cached by shape (which fields each word can match, filters, order): the next
    word of the same shape must still find its own rows, never the previous word's."""
    fill(db, builders, 300)
    model = SqlListModel(db, definition())
    model.reload()
    names = lambda: [model.data(model.index(r, 2)) for r in range(model.rowCount())]  # noqa: E731
    model.set_query("如皋")
    shapes = len(model._compiled)
    assert names() and all("如皋" in n for n in names())
    model.set_query("启东")
    assert len(model._compiled) == shapes  # same shape: nothing compiled
    assert names() and all("启东" in n for n in names())
    assert model.filtered_count == 75
    model.set_query("启东 00010有限")  # two words: a new shape
    assert len(model._compiled) > shapes
    assert names() == ["启东新材料00010有限公司"]
    model.set_query("启东")
    model.set_filter("county", "海门区")  # no 启东 enterprise lies in 海门区
    assert model.rowCount() == 0 and model.filtered_count == 0
    model.set_filter("county", "启东市")
    assert model.filtered_count == 75
    model.sort(2, Qt.DescendingOrder)
    assert names() == sorted(names(), reverse=True) and len(names()) == 75


def test_reveal_clears_what_hides_a_record_and_loads_pages_until_it_shows(qtbot, db, builders):
    """A check on the 年度报表 page opens its record in the area's list, whatever the clerk's
    search and filter there, and however far down the list it lies."""
    fill(db, builders, 2 * PAGE_SIZE + 50)
    area = ListArea(db, definition())
    qtbot.addWidget(area)
    area.reload()
    with db.session() as s:
        last = s.scalars(select(Enterprise).order_by(Enterprise.name.desc())).first()
        last_id, last_county = last.id, last.county
    other = next(c for c in COUNTIES if c != last_county)
    area.search_box.setText("00001")
    area.apply_search_now()
    area.set_filter("county", other)
    assert area.model.row_of_id(last_id) < 0
    assert area.reveal_id(last_id)
    assert area.selected_ids() == [last_id] and area.current_id() == last_id
    assert area.search_box.text() == "" and area.filter_boxes["county"].currentData() is None
    assert area.model.loaded_row_count() == 2 * PAGE_SIZE + 50  # the last page was loaded for it
    # A long list's total is counted off the GUI thread (a quiet read of the worker's): it follows.
    qtbot.waitUntil(lambda: area.counts_label.text() == f"共 {2 * PAGE_SIZE + 50} 条", timeout=5000)
    with db.session() as s:
        gone = s.get(Enterprise, last_id)
        gone.deleted_at = gone.created_at
    area.reload()
    assert not area.reveal_id(last_id)  # in the recycle bin: not in this list at all
