"""Take the README screenshots: a demo database built with services.enterprises, widgets grabbed to PNG.

Run under a real X server so fonts render as a clerk sees them:
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots.py [OUT_DIR]
Writes main-window.png, editor-validation.png, recycle-bin.png, first-run.png, settings.png.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIXES = ["南通", "江苏", "通州", "海门", "启东", "如皋", "海安", "如东", "崇川"]
CORES = ["中远海运", "华峰", "恒力", "振华", "天源", "润邦", "东方", "金鹰", "大生", "综艺", "罗莱", "通光",
         "星辰", "海晨", "联发", "泰富", "宏达", "永和", "瑞丰", "明德"]
TRADES = ["海工船舶及配套", "精细化工", "锻压机械", "纺织家纺", "轻工", "新能源", "新材料", "电子信息", "食品加工"]
SUFFIX = {"海工船舶及配套": "船舶工程", "精细化工": "化工", "锻压机械": "机床", "纺织家纺": "家纺",
          "轻工": "日用品", "新能源": "新能源科技", "新材料": "新材料", "电子信息": "电子", "食品加工": "食品"}
PEOPLE = ["王建国", "李秀英", "张伟", "陈静", "刘洋", "周敏", "吴强", "徐丽"]


def build_demo(db) -> None:
    from qoffice.db.models import Setting
    from qoffice.domain.uscc import make_valid
    from qoffice.domain.vocab import DEFAULT_COUNTIES
    from qoffice.services import enterprises
    from qoffice.services import settings as settings_service

    rng = random.Random(7)
    with db.session() as s:
        for key, value in (("county", "崇川区"), ("office", "崇川区质量强区工作领导小组办公室"),
                           ("operator", "王芳"), ("phone", "0513-85512345")):
            settings_service.set_value(s, key, value)
        s.merge(Setting(key="demo", value="1"))
        used = set()
        for i in range(120):
            trade = rng.choice(TRADES)
            while True:
                name = f"{rng.choice(PREFIXES)}{rng.choice(CORES)}{SUFFIX[trade]}有限公司"
                if name not in used:
                    used.add(name)
                    break
            status = rng.choices(["在营", "停产", "注销", "迁出"], [90, 4, 4, 2])[0]
            data = {
                "uscc": make_valid(f"913206{rng.randrange(10**11):011d}"),
                "name": name, "county": rng.choice(DEFAULT_COUNTIES), "trade": trade,
                "phone": f"0513-8{rng.randrange(10**6, 10**7)}", "status": status,
                "status_year": None if status == "在营" else rng.choice([2021, 2022, 2023]),
                "contact": rng.choice(PEOPLE), "legal_rep": rng.choice(PEOPLE),
            }
            if rng.random() < 0.5:
                data.update(cqo_name=rng.choice(PEOPLE), cqo_post="副总经理",
                            cqo_appointed=dt.date(rng.choice([2019, 2020, 2022]), rng.randrange(1, 13), 1))
            ent = enterprises.create(s, data)
            if i < 40:
                enterprises.set_figures(s, ent.id, 2024, loss_rate="1.25", checked=12, passed=12,
                                        benefit_yuan=rng.randrange(10, 900) * 1000)
            if i in (3, 17, 44):
                enterprises.soft_delete(s, ent)


def start_session(prefix: str):
    """A temp QOFFICE_HOME, the real application (font, style, zh_CN) and a `save(widget, name)`
    that lets the event loop settle and grabs the widget as PNG into the output folder."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["QOFFICE_HOME"] = str(home)
    os.environ.setdefault("QOFFICE_LANG", "zh_CN")

    from qoffice.ui import app as app_module
    from qoffice.ui.language import apply_language

    qapp = app_module._make_app([])
    apply_language("zh_CN")

    def settle():
        for _ in range(20):
            qapp.processEvents()

    def save(widget, name):
        settle()
        path = out / name
        widget.grab().save(str(path))
        print("wrote", path)

    return home, qapp, settle, save


def main() -> int:
    home, qapp, settle, save = start_session("qoffice-shots-")

    from qoffice.db.database import open_database
    from qoffice.ui.context import AppContext
    from qoffice.ui.enterprise_editor import EnterpriseEditor
    from qoffice.ui.mainwindow import MainWindow
    from qoffice.ui.settingsarea import FirstRunDialog

    fresh = open_database(home / "fresh.db", "create")
    dialog = FirstRunDialog(fresh)
    dialog.show()
    dialog.form.w["county"].setEditText("崇川区")
    save(dialog, "first-run.png")
    dialog.close()
    fresh.close()

    db = open_database(home / "qoffice.db", "create")
    build_demo(db)
    from qoffice.db.backup import make_backup

    make_backup(db.path, kind="daily")
    window = MainWindow(AppContext(db, year=2024))
    window.resize(1320, 820)
    window.show()
    save(window, "main-window.png")

    editor = EnterpriseEditor(db, year=2024, parent=window)
    editor.show()
    editor.w["uscc"].setText("91320602MA1MXXXX51")
    editor.w["uscc"].editingFinished.emit()
    editor.w["name"].setText("南通星辰精密机械有限公司")
    editor.w["county"].setEditText("崇川区")
    editor.w["trade"].setEditText("锻压机械")
    editor.w["phone"].setText("0513-85566778")
    editor.w["status"].setCurrentText("停产")
    editor._touched.add("status")
    editor.validate()
    save(editor, "editor-validation.png")
    editor._saved_values = None  # no unsaved-changes question while closing
    editor.hide()

    # an enterprise with figures: its 年度数据 and 修改记录 tabs (qoffice.ui.enterprise_panels)
    from qoffice.db.models import Enterprise
    from qoffice.services import enterprises

    with db.session() as s:
        first = s.get(Enterprise, 1)
        enterprises.set_figures(s, first.id, 2023, loss_rate="1.40", checked=10, passed=9, benefit_yuan=120000)
        enterprises.update_enterprise(s, first, {"contact": "陈静"})
        first_id = first.id
    shown = EnterpriseEditor(db, first_id, year=2024, parent=window)
    shown.show()
    shown.tabs.setCurrentIndex(1)
    save(shown, "editor-figures.png")
    shown.tabs.setCurrentIndex(2)
    save(shown, "editor-change-log.png")
    shown.hide()

    window.show_area("recycle")
    save(window, "recycle-bin.png")
    window.show_area("settings")
    save(window, "settings.png")
    window.close()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
