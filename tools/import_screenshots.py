"""Screenshots of the import items of issue 13: the preview with its column mapping and the 导入记录
list (with an undone batch), on a throwaway database.

    QT_QPA_PLATFORM=xcb xvfb-run -a .venv/bin/python tools/import_screenshots.py docs/screenshots
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _code(i: int) -> str:
    from qoffice.domain.uscc import make_valid

    return make_valid(f"9132068{i:010d}")


def _wps_csv(path: Path) -> Path:
    lines = ['"如东县重点企业名录\n（2024年）",,,,,', '"填报单位：如东县市场监督管理局\n填报日期：2024-3-1",,,,,',
             '序号,"统一社会\n信用代码*","企业\n名称*","所属\n区县","联系方式","成立年份"']
    names = ["南通东方精密机械有限公司", "如东海达纺织有限公司", "南通恒瑞电子科技有限公司", "如东华冠食品有限公司",
             "南通中远船舶配件有限公司", "如东丰源新材料有限公司"]
    for i, name in enumerate(names, 1):
        code = _code(100 + i)
        if i == 3:
            code = code[:-1] + ("1" if code[-1] != "1" else "2")
        county = "如东" if i == 5 else "如东县"
        lines.append(f"{i},{code},{name},{county},1380000000{i},2019.0")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def _roster(path: Path, codes) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "区县"])
    for i in codes:
        ws.append([_code(i), f"南通示例企业{i}有限公司", "如东县"])
    wb.save(path)
    return path


def main(out: str) -> int:
    home = Path(tempfile.mkdtemp(prefix="qoffice-shots-"))
    os.environ["QOFFICE_HOME"] = str(home)
    from PySide6.QtWidgets import QApplication

    from qoffice.db.database import open_database
    from qoffice.i18n import set_language
    from qoffice.services import import_history, imports
    from qoffice.services import settings as settings_service
    from qoffice.ui.context import AppContext
    from qoffice.ui.import_history import ImportHistoryDialog
    from qoffice.ui.import_wizard import ImportWizard

    set_language("zh_CN")
    app = QApplication.instance() or QApplication([])
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(home / "qoffice.db", "create")
    with db.session() as s:
        settings_service.set_value(s, "operator", "张晓梅")
    files = home / "files"
    files.mkdir()
    first = imports.run_import(db, "enterprises", _roster(files / "2023年企业名录.xlsx", range(1, 36)))
    imports.run_import(db, "enterprises", _roster(files / "2023年企业名录.xlsx", range(1, 36)))
    late = imports.run_import(db, "enterprises", _roster(files / "补充企业.xlsx", range(40, 44)))
    import_history.undo(db, late.batch_id)
    ctx = AppContext(db, 2024)

    wizard = ImportWizard(ctx, "enterprises")
    wizard.file_edit.setText(str(_wps_csv(files / "如东县企业名录（WPS）.csv")))
    wizard.resize(1280, 640)
    wizard.show()
    job = wizard.preview()
    job.wait(30_000)
    for _ in range(30):
        app.processEvents()
    wizard.grab().save(str(out_dir / "import-preview-mapping.png"))
    wizard.close()

    dialog = ImportHistoryDialog(ctx)
    dialog.page.select_batch(first.batch_id)
    dialog.resize(1280, 420)
    dialog.show()
    for _ in range(30):
        app.processEvents()
    dialog.page.select_batch(first.batch_id)
    for _ in range(10):
        app.processEvents()
    dialog.grab().save(str(out_dir / "import-history.png"))
    dialog.close()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
