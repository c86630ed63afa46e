"""设置 → 导入目标 (city.md "Back to the counties"): the county imports the city's 下发目标 workbook
into its 17 targets — the GUI's side of `qoffice import targets FILE`, the same service.

The file is read and checked against this county first (nothing written; a file for another county
is refused with its one line), the clerk confirms, then services.city_targets.import_targets_file runs
through run_op and its Changes are published; the settings area's boxes show the new targets.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QPushButton

from qoffice.errors import KnownError
from qoffice.i18n import _
from qoffice.services import city_targets
from qoffice.ui import messages
from qoffice.ui.operations import run_op


def import_button(area) -> QPushButton:
    button = QPushButton(_("Import targets from the city…"))
    button.setObjectName("import_targets")
    button.setToolTip(_("Read the targets workbook (下发目标) the city office sent to this county."))
    button.clicked.connect(lambda: import_targets(area))
    return button


def import_targets(area, path: str | None = None):
    """Pick the workbook, check it, ask, import; the running job is kept on `area.job`."""
    if path is None:
        path, _filter = QFileDialog.getOpenFileName(area, _("Import targets from the city"), "",
                                                    _("Excel workbook (*.xlsx)"))
        if not path:
            return None
    db = area.ctx.db
    try:
        got = city_targets.check_targets(db, path)
    except KnownError as exc:
        messages.known_error(area, exc)
        return None
    count = sum(1 for v in got.targets.values() if v is not None)
    if not messages.ask(area, _("Replace this county's 17 targets with the city's targets for {county}, "
                                "{year} ({n} set)?").format(county=got.county, year=got.year, n=count),
                        default=True):
        return None

    def done(_result) -> None:
        area.targets.load()
        area.ctx.settingsChanged.emit()
        messages.info(area, _("Targets of {county} for {year}: {n} set.").format(
            county=got.county, year=got.year, n=count))

    area.job = run_op(area, area.ctx, lambda: city_targets.import_targets_file(db, path), on_done=done,
                      title=_("Import targets from the city"), label=_("Importing the targets…"))
    return area.job
