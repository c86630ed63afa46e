"""Screenshots of the 市级汇总 area (issue 15) at 1366×768, from `demo-data --level city`.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/city_screenshots.py [OUT_DIR]
Writes city-board.png (the main window at city level, a county with warnings selected),
city-values.png (its 17 values beside its targets), city-chart.png (综合完成率 and the ranking),
city-history.png, city-remind.png and city-targets.png (the county × indicator targets).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import start_session  # noqa: E402


def main() -> int:
    home, qapp, settle, save = start_session("qoffice-shots-city-")

    from qoffice.db.database import GUI_PROGRAM, open_database
    from qoffice.services import city_demo
    from qoffice.services import settings as settings_service
    from qoffice.ui.context import AppContext
    from qoffice.ui.mainwindow import MainWindow

    db = open_database(home / "qoffice.db", "create", program=GUI_PROGRAM)
    summary = city_demo.generate(db)
    with db.session() as s:
        settings_service.set_value(s, settings_service.DEADLINE, f"{summary.years[1] + 1}-01-31")
    window = MainWindow(AppContext(db, summary.years[1]))
    window.setGeometry(0, 0, 1366, 768)
    window.show()
    settle()
    area = window.show_area("city")
    area.refresh_job.wait()  # the board is read on the worker
    settle()
    area.board.selectRow(1)  # 通州区: a hand-edited 汇总
    save(window, "city-board.png")
    area.tabs.setCurrentIndex(1)
    save(window, "city-values.png")
    area.tabs.setCurrentIndex(2)
    save(window, "city-chart.png")
    area.tabs.setCurrentIndex(3)
    save(window, "city-history.png")
    area.tabs.setCurrentIndex(4)
    save(window, "city-remind.png")
    area.tabs.setCurrentIndex(5)
    save(window, "city-targets.png")
    window.close()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
