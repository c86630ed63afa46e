"""Issue 13: the first window on an old office PC's 1366×768 screen.

Before the fix the first window was 1280×800 whatever the screen (the status bar below the screen's
edge), the enterprise toolbar wrapped with 导出 alone on a second line, and 年度报表 scrolled its 17
rows with the chart's indicator names cut short. The probe runs in a child process on Qt's offscreen
platform given a 1366×768 screen (the real app font and style), with demo data.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QRect

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent("""
    import datetime as dt, json, sys
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QStyle
    from qoffice.db.database import open_database
    from qoffice.services import demo
    from qoffice.ui.app import _make_app
    from qoffice.ui.language import apply_language
    from qoffice.ui.context import AppContext
    from qoffice.ui.mainwindow import MainWindow

    app = _make_app([])
    apply_language("zh_CN")
    db = open_database(sys.argv[1], "create")
    with db.session() as s:
        demo.generate(s, enterprises=200, seed=5, today=dt.date(2025, 12, 1))
        from qoffice.domain.uscc import make_valid
        from qoffice.services import enterprises
        wide = make_valid("91320682MAWMWMWMW")  # wide letters: first by name (阿), on the first page
        enterprises.create(s, {"uscc": wide, "name": "阿尔法精密机械有限公司", "county": "如皋市"})
    window = MainWindow(AppContext(db, year=2025))
    window.show()
    for _ in range(10):
        app.processEvents()
    avail = window.screen().availableGeometry()
    out = {"available": [avail.x(), avail.y(), avail.width(), avail.height()]}
    frame = window.frameGeometry()
    out["frame"] = [frame.x(), frame.y(), frame.width(), frame.height()]
    bar = window.statusBar()
    out["status_bottom"] = bar.mapToGlobal(bar.rect().bottomLeft()).y()
    rows = {}
    for key in window.areas:
        area = window.show_area(key)
        for _ in range(5):
            app.processEvents()
        lists = [area.list] if getattr(area, "list", None) is not None else []
        lists += [w for w in vars(area).values() if type(w).__name__ == "ListArea" and w not in lists]
        for i, lst in enumerate(lists):
            ys = {b.geometry().y() for b in lst.buttons.values() if not b.isHidden()}
            rows[f"{key}/{i}"] = len(ys)
    out["toolbar_rows"] = rows
    # every credit code on the enterprise list's first page shows whole, and so does the last column
    lst = window.show_area("enterprises").list
    for _ in range(10):
        app.processEvents()
    table, model = lst.table, lst.table.model()
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Horizontal) == "信用代码")
    margin = 2 * (table.style().pixelMetric(QStyle.PM_FocusFrameHMargin, None, table) + 1)
    fm = table.fontMetrics()
    width = table.columnWidth(col) - margin
    codes = [model.index(r, col).data() for r in range(min(model.rowCount(), 50))]
    out["codes_cut"] = [c for c in codes if fm.elidedText(c, Qt.ElideRight, width) != c]
    out["wide_code_shown"] = wide in codes
    header = table.horizontalHeader()
    last = model.columnCount() - 1
    out["last_column_right"] = header.sectionViewportPosition(last) + header.sectionSize(last)
    out["viewport_width"] = table.viewport().width()
    page = window.show_area("returns")
    if page.job is not None:
        page.job.wait()
    for _ in range(10):
        app.processEvents()
    table = page.table
    viewport = table.viewport().rect()
    out["rows_visible"] = sum(1 for r in range(table.rowCount())
                              if viewport.contains(table.visualRect(table.model().index(r, 1))))
    page.chart.grab()  # paints it
    out["chart_labels"] = getattr(page.chart, "drawn_labels", [])
    out["chart_font_pt"] = getattr(page.chart, "smallest_font_pt", 0)
    window.close()
    db.close()
    print("RESULT " + json.dumps(out, ensure_ascii=False))
""")


@pytest.fixture(scope="module", params=[768, 728], ids=["1366x768", "taskbar-40px"])
def at_1366(tmp_path_factory, request):
    """The probe's findings; 728 high stands for the screen less a Windows taskbar (the offscreen
    platform has no taskbar, nor window frames: first_geometry still leaves room for one)."""
    folder = tmp_path_factory.mktemp("screen")
    config = folder / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "office-pc", "x": 0, "y": 0, "width": 1366,
                                               "height": request.param,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", QOFFICE_HOME=str(folder / "home"),
               QOFFICE_LANG="zh_CN")
    proc = subprocess.run([sys.executable, "-c", PROBE, str(folder / "q.db")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def test_the_first_window_fits_the_screen(at_1366):
    x, y, w, h = at_1366["frame"]
    ax, ay, aw, ah = at_1366["available"]
    assert ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah, at_1366
    assert at_1366["status_bottom"] < ay + ah


def test_no_toolbar_wraps_at_1366_wide(at_1366):
    wrapped = {key: n for key, n in at_1366["toolbar_rows"].items() if n > 1}
    assert not wrapped and at_1366["toolbar_rows"], at_1366["toolbar_rows"]


def test_credit_codes_show_whole_and_the_list_fits_the_width(at_1366):
    """A code cut to 91320682MADGU5EU… cannot be read off the screen or checked against a paper;
    widening its column must not push the last column (联系电话) off a 1366-wide screen."""
    assert at_1366["wide_code_shown"] and not at_1366["codes_cut"], at_1366["codes_cut"]
    assert at_1366["last_column_right"] <= at_1366["viewport_width"], at_1366


def test_the_return_shows_all_17_rows_and_whole_chart_labels(at_1366):
    assert at_1366["rows_visible"] == 17
    labels = at_1366["chart_labels"]
    assert len(labels) == 17 and not [t for t in labels if "…" in t], labels
    assert labels[0] == "1 卓越绩效管理模式导入企业数"
    assert at_1366["chart_font_pt"] >= 9


@pytest.mark.parametrize("available, fits_default", [
    (QRect(0, 0, 1920, 1040), True),    # a full-HD screen with its taskbar: the default size, centred
    (QRect(0, 0, 1366, 728), False),    # 1366×768 with a 40-pixel taskbar: fitted, maximized
    (QRect(0, 0, 1280, 984), False),
    (QRect(1920, 0, 1366, 768), False),  # a second screen to the right
])
def test_first_geometry_fits_the_available_area(available, fits_default):
    from qoffice.ui.mainwindow import first_geometry

    geometry, maximized = first_geometry(available)
    assert maximized is not fits_default
    assert available.contains(geometry.adjusted(-8, -31, 8, 8)), geometry  # with a window frame around it
    if fits_default:
        assert (geometry.width(), geometry.height()) == (1280, 800)
        assert geometry.center().x() - available.center().x() in (-1, 0, 1)
