"""Screenshot of 该记录已被他人修改 (the conflict dialog) over the enterprise editor, zh_CN.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots_conflict.py [OUT_DIR]

Writes conflict-dialog.png (the dialog) and conflict-dialog-over-editor.png (the screen) into
docs/screenshots/ (or OUT_DIR): window B of an enterprise saves after window A changed 联系人.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screenshots import start_session  # noqa: E402


def main() -> int:
    home, app, _settle, _save = start_session("qoffice-shot-")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    from qoffice.db.database import open_database
    from qoffice.db.models import Enterprise
    from qoffice.domain.uscc import make_valid
    from qoffice.services import enterprises
    from qoffice.ui import conflict_dialog
    from qoffice.ui.enterprise_editor import EnterpriseEditor

    db = open_database(home / "qoffice.db", "create")
    with db.session() as s:
        eid = enterprises.create(s, {"uscc": make_valid("91320602MA1MXXXX0"), "name": "南通中远海运船务工程有限公司",
                                     "county": "崇川区", "trade": "海工船舶及配套", "legal_rep": "王建国",
                                     "phone": "0513-85512345"}).id
    editor = EnterpriseEditor(db, eid)
    editor.move(40, 40)
    editor.show()
    with db.session() as s:  # window A saves 联系人 and 电话 meanwhile
        enterprises.update_enterprise(s, s.get(Enterprise, eid), {"contact": "甲某", "phone": "0513-85123456"})
    editor.w["cqo_name"].setText("李秀英")
    editor.w["phone"].setText("0513-85599999")

    def shoot(dialog) -> str:
        dialog.move(260, 220)
        dialog.show()
        dialog.raise_()
        for _ in range(20):
            app.processEvents()
        dialog.grab().save(str(out / "conflict-dialog.png"))
        screen = app.primaryScreen().grabWindow(0)
        screen.save(str(out / "conflict-dialog-over-editor.png"))
        print("rows:", dialog.shown_rows())
        return conflict_dialog.CANCEL

    conflict_dialog.set_responder(shoot)
    assert editor.save().wait()  # the save runs on the worker; its refusal shows the dialog
    editor._saved_values = enterprises.clean(editor.values())
    editor.close()
    db.close()
    print(out / "conflict-dialog.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
