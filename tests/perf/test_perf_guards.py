"""Guards for the measured gains of `make bench` (no timings here): the enterprise list's SQL walks
its covering index and never ix_enterprise_deleted_at, a keystroke loads one page and counts a
full page off the GUI thread, and start-up imports neither Alembic nor openpyxl. (`qoffice --help`
importing no PySide6, openpyxl or sqlalchemy.orm is guarded in tests/test_architecture.py.)"""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import insert
from sqlalchemy.dialects import sqlite

from qoffice.db import sqlite as sq
from qoffice.db.models import Enterprise
from qoffice.domain.pinyin import initials

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["南通海工船舶有限公司", "如皋精细化工有限公司", "启东新材料科技有限公司", "海门纺织家纺有限公司"]


def fill(db, builders, n: int, deleted_every: int = 50) -> None:
    import datetime as dt

    rows = []
    for i in range(n):
        name = f"{NAMES[i % 4][:-6]}{i:05d}有限公司"
        rows.append(dict(uscc=builders.code(200000 + i), name=name, name_initials=initials(name), county="崇川区",
                         status="在营", high_energy=False, benchmark=False, research_centre=False,
                         incentive_fund=False, deleted_at=dt.datetime(2024, 1, 1) if i % deleted_every == 0 else None))
    with db.session() as s:
        s.execute(insert(Enterprise), rows)


@pytest.fixture
def statements(db, monkeypatch) -> list[str]:
    """Every SQL statement run on the database's plain read connections — the shared one of the GUI
    thread and the counting thread's own — as sqlite3's trace callback reports it (values filled in)."""
    seen: list[str] = []
    opener = sq.connect_reader

    def traced(path):
        con = opener(path)
        con.set_trace_callback(seen.append)
        return con

    monkeypatch.setattr(sq, "connect_reader", traced)
    db.release_connections()  # the next read opens a new, traced connection
    return seen


def selects(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("SELECT")]


def is_count(sql: str) -> bool:
    return sql.lstrip().lower().startswith("select count(")


def plan(db, sql: str) -> list[str]:
    """EXPLAIN QUERY PLAN on a connection of its own (not traced)."""
    con = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
    try:
        return [r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql)]
    finally:
        con.close()


def enterprise_model(db):
    from qoffice.ui.enterprises import ENTERPRISES
    from qoffice.ui.listmodel import SqlListModel

    return SqlListModel(db, ENTERPRISES)


def test_new_database_has_no_plain_index_on_deleted_at(db):
    rows = db.query("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='enterprise'")
    indexes = dict(rows)
    assert "ix_enterprise_deleted_at" not in indexes
    assert "WHERE deleted_at IS NOT NULL" in indexes["ix_enterprise_in_bin"]
    assert "WHERE deleted_at IS NULL" in indexes["ix_enterprise_live_search"]


@pytest.mark.parametrize("query", ["", "有限", "ntx", "9132", "海工 0001"])
def test_enterprise_list_sql_walks_the_live_index_never_the_deleted_at_index(qtbot, db, builders, statements,
                                                                            query):
    fill(db, builders, 600)
    with db.session() as s:  # plans follow the statistics of a real, large table
        s.connection().exec_driver_sql("ANALYZE")
    model = enterprise_model(db)
    model.reload()
    model.set_query(query)
    model.reload()  # as after a write: the total is counted again, beside the search
    # Both counts known before the statements are read: a search with few matches is its own filtered
    # count, while the total is still counted on the worker (reading total_count waits for it).
    assert model.filtered_count >= 0 and model.total_count >= 0
    run = selects(statements)
    counts, pages = [s for s in run if is_count(s)], [s for s in run if not is_count(s)]
    assert counts and pages, run
    for sql in run:
        steps = plan(db, sql)
        assert not any("ix_enterprise_deleted_at" in s for s in steps), (sql, steps)
        assert any("ix_enterprise_live_search" in s for s in steps), (sql, steps)
    for sql in pages:  # the page comes in index order: no sort of every match before the first row
        assert not any("TEMP B-TREE" in s for s in plan(db, sql)), sql
    for sql in counts:  # counting reads only the index (narrow), never the wide table
        assert all("COVERING INDEX" in s for s in plan(db, sql)), sql


def test_recycle_bin_uses_its_partial_index(qtbot, db, builders, statements):
    from qoffice.ui.enterprises import RECYCLE_BIN
    from qoffice.ui.listmodel import PAGE_SIZE, SqlListModel

    fill(db, builders, PAGE_SIZE + 5, deleted_every=1)  # a full page in the bin: its count runs
    model = SqlListModel(db, RECYCLE_BIN)
    model.reload()
    assert model.total_count == PAGE_SIZE + 5
    counts = [s for s in selects(statements) if is_count(s)]
    assert counts
    for sql in counts:
        assert any("ix_enterprise_in_bin" in s for s in plan(db, sql)), sql


def test_a_keystroke_fetches_one_page_and_counts_in_sql(qtbot, db, builders, statements):
    """No Python object per row for rows nobody looks at: every statement that returns list rows
    has a LIMIT, and the model holds one page whatever the number of matches."""
    from qoffice.ui.listmodel import PAGE_SIZE

    fill(db, builders, 3 * PAGE_SIZE + 7)
    model = enterprise_model(db)
    model.reload()
    model.set_query("有限")
    model.sort(2)
    assert model.filtered_count == 3 * PAGE_SIZE + 7 - 13  # every 50th is in the recycle bin
    run = selects(statements)
    assert any(is_count(s) for s in run) and any(not is_count(s) for s in run), run
    for sql in run:
        assert is_count(sql) or f"LIMIT {PAGE_SIZE}" in sql.upper(), sql
    assert model.loaded_row_count() == PAGE_SIZE


def test_full_page_is_counted_in_the_background_and_signalled(qtbot, db, builders):
    from qoffice.ui.listmodel import PAGE_SIZE

    fill(db, builders, 2 * PAGE_SIZE + 10, deleted_every=10_000)  # row 0 is in the recycle bin
    model = enterprise_model(db)
    model.reload()
    with qtbot.waitSignal(model.countsChanged, timeout=5000) as blocker:
        model.set_query("有限")
        assert model.rowCount() == PAGE_SIZE
        assert model.counting()  # the keystroke did not wait for the count
    assert blocker.args == [2 * PAGE_SIZE + 9, 2 * PAGE_SIZE + 9]
    assert not model.counting()
    # A page that is not full is its own count: nothing runs in the background.
    model.set_query("海工 0003")
    assert not model.counting()
    assert 0 < model.rowCount() < PAGE_SIZE
    assert model.filtered_count == model.rowCount()


def test_a_new_keystroke_cancels_the_previous_count(qtbot, db, builders):
    from qoffice.ui.listmodel import PAGE_SIZE

    n = 4 * PAGE_SIZE + 10
    fill(db, builders, n, deleted_every=10_000)  # row 0 is in the recycle bin
    model = enterprise_model(db)
    model.reload()
    counts = []
    model.countsChanged.connect(lambda total, shown: counts.append(shown))
    model.set_query("有限")
    assert model.counting()
    with qtbot.waitSignal(model.countsChanged, timeout=5000) as second:
        model.set_query("海工")  # every 4th name: a full page again, with a count of its own
        assert model.counting()
    assert second.args == [n - 1, len(range(4, n, 4))]
    assert model.filtered_count == len(range(4, n, 4))
    # Counts are run one after another and their results reach this thread in that order: the
    # first keystroke's count, had it reached the status bar, would be in `counts` by now.
    QApplication.processEvents()
    assert counts == [len(range(4, n, 4))]


def test_counts_are_quiet_reads_of_the_worker_never_a_thread_of_the_model_s_own(qtbot, db, builders, monkeypatch):
    """One way for background work (issue 14): the list's counts — its total and a search's
    matches — run as the worker's quiet reads (no dialog), not on a thread or queue of its own."""
    import threading

    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QProgressDialog

    from qoffice.ui import worker
    from qoffice.ui.listmodel import PAGE_SIZE

    fill(db, builders, 2 * PAGE_SIZE + 10, deleted_every=10_000)
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self.name))
    monkeypatch.setattr(QThread, "start", lambda self, *a: started.append(type(self).__name__))
    reads = []
    real = worker.read_in_background

    def spy(fn, on_done=None, **kwargs):
        read = real(fn, on_done, **kwargs)
        reads.append(read)
        return read

    monkeypatch.setattr(worker, "read_in_background", spy)
    model = enterprise_model(db)
    with qtbot.waitSignal(model.countsChanged, timeout=5000) as total:
        model.reload()  # a full first page: the total follows
        assert model.counting() and model.rowCount() == PAGE_SIZE
    assert total.args == [2 * PAGE_SIZE + 9] * 2
    with qtbot.waitSignal(model.countsChanged, timeout=5000) as matches:
        model.set_query("有限")
        model.set_query("有限公司")  # supersedes the first search's count: it is cancelled
    assert matches.args == [2 * PAGE_SIZE + 9] * 2
    assert len(reads) == 3 and reads[1].cancelled and not reads[2].cancelled
    assert all(r.finished for r in reads) and not model.counting()
    assert started == []  # no thread of the model's own (the worker's pool starts its threads in C++)
    assert not any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())


@pytest.mark.parametrize("name", ["ENTERPRISES"])
def test_start_sql_is_what_sqlalchemy_compiles_and_gives_the_same_rows(qtbot, db, builders, statements, name):
    """The list the window opens on carries its default view's SQL as text (no SQLAlchemy at
    start-up): it must stay exactly the SQL built from the definition, rows and all."""
    from qoffice.ui import enterprises
    from qoffice.ui.listmodel import PAGE_SIZE, SqlListModel, compile_sql

    definition = getattr(enterprises, name)
    n = 2 * PAGE_SIZE - 30
    fill(db, builders, n, deleted_every=7)
    live = n - len(range(0, n, 7))
    assert PAGE_SIZE < live <= 2 * PAGE_SIZE  # a full first page (so the total is counted), two pages in all
    model = SqlListModel(db, definition)
    model.reload()
    assert model.total_count == live  # waits for the count, a quiet read started after the page
    # The default view ran the definition's text: its first page, then its count.
    assert statements[-2:] == [definition.start.page.replace("?", str(PAGE_SIZE), 1).replace("?", "0", 1),
                               definition.start.count]
    page_sql, page_args = compile_sql(model.statement().limit(PAGE_SIZE).offset(PAGE_SIZE))
    assert (page_sql, page_args) == (definition.start.page, [PAGE_SIZE, PAGE_SIZE]), page_sql
    with db.read_engine.connect() as conn:
        sa_rows = [tuple(r) for r in conn.execute(model.statement())]
    start_rows = db.query(definition.start.page, [PAGE_SIZE, 0]) + db.query(definition.start.page, [PAGE_SIZE, PAGE_SIZE])
    assert start_rows == sa_rows
    assert len(sa_rows) == live
    # The model shows those records, in that order, and counts them.
    assert model.total_count == model.filtered_count == live
    while model.canFetchMore():
        model.fetchMore()
    ids = [model.row_id(r) for r in range(model.rowCount())]
    with db.read_engine.connect() as conn:
        assert ids == [r.id for r in conn.execute(model.statement())]
    # Leaving the default view builds the SQL; coming back gives the same first page.
    model.reload()
    first = [model.row_id(r) for r in range(model.rowCount())]
    model.set_query("有限")
    model.set_query("")
    assert [model.row_id(r) for r in range(model.rowCount())] == first


# Imported after the first page, if at all: the log's rotation (logging.handlers, with socket,
# pickle and queue: crash.use_rotating_log), importlib.resources (paths), strptime's module.
LATER = ("logging.handlers", "importlib.resources", "_strptime")


def test_the_window_opens_on_its_first_page_without_sqlalchemy(tmp_path):
    """Start-up reads the settings and the first page with plain sqlite3: SQLAlchemy (more than
    the whole rest of the start) is imported after the window shows, not before; nor is LATER."""
    db_path = tmp_path / "q.db"
    env = {**__import__("os").environ, "QOFFICE_HOME": str(tmp_path / "home")}
    for argv in (["demo-data", "--enterprises", "300", "--seed", "3"],):
        done = subprocess.run([sys.executable, "-m", "qoffice", "--db", str(db_path), *argv], env=env,
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert done.returncode == 0, done.stderr
    code = textwrap.dedent(f"""
        import json, os, sys
        os.environ["QOFFICE_EXIT_AFTER_SHOW"] = "1"
        os.environ["QOFFICE_SMOKE_REPORT"] = {str(tmp_path / "smoke.json")!r}
        from qoffice.main import main  # the entry point above ui/ and cli/
        code = main(["--db", {str(db_path)!r}, "-platform", "offscreen"])
        print(json.dumps({{"code": code, "sqlalchemy": sorted(m for m in sys.modules if m.startswith("sqlalchemy")),
                          "later": sorted(m for m in {LATER!r} if m in sys.modules)}}))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env=env)
    assert out.returncode == 0, out.stderr
    result = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "sqlalchemy": [], "later": []}
    report = __import__("json").loads((tmp_path / "smoke.json").read_text(encoding="utf-8"))
    assert report["rows"] == 200 and report["exit"] == 0


def test_search_skips_the_code_column_for_words_a_code_cannot_hold():
    from qoffice.ui.enterprises import ENTERPRISES
    from qoffice.ui.listmodel import search_clause

    def columns(word):
        return str(search_clause(ENTERPRISES.built().sql.search, word).compile(dialect=sqlite.dialect()))

    assert "uscc" in columns("9132")
    assert "uscc" not in columns("szz")  # S and Z never occur in a credit code
    assert "uscc" not in columns("有限")
    assert "name_initials" in columns("szz")


def test_opening_a_current_database_and_building_the_window_imports_neither_alembic_nor_openpyxl(tmp_path):
    """Alembic is for upgrades only; openpyxl for the first export or import, not for start-up."""
    code = textwrap.dedent(f"""
        import os, sys
        os.environ["QOFFICE_HOME"] = {str(tmp_path)!r}
        from qoffice.db.database import open_database
        open_database({str(tmp_path / "q.db")!r}).close()  # created: the newest schema, no Alembic
        from PySide6.QtWidgets import QApplication
        app = QApplication(["t", "-platform", "offscreen"])
        from qoffice.ui.context import AppContext
        from qoffice.ui.mainwindow import MainWindow
        db = open_database({str(tmp_path / "q.db")!r})
        window = MainWindow(AppContext(db))
        window.show()
        app.processEvents()
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("alembic", "openpyxl")
                     or m == "sqlalchemy.dialects.postgresql"))
        window.close()
        db.close()
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
