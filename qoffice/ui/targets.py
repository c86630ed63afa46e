"""The county's 17 targets (目标值 of the return's 汇总 sheet), edited in the settings area.

Stored as settings target.1 … target.17 (services.settings validates them, the CLI's
`settings set target.N` uses the same rule); an empty box means "no target" and leaves 完成率 empty.
"""
from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout

from qoffice.domain import indicators as ind
from qoffice.errors import UsageError
from qoffice.i18n import _
from qoffice.services import settings as settings_service

NUMBER_PATTERN = r"^\d{0,12}(\.\d{0,4})?$"  # non-negative, up to four decimals (万元 to the yuan)
SIGNED_PATTERN = r"^-?\d{0,12}(\.\d{0,4})?$"  # row 10: a change in percentage points, the goal a fall
ROWS_PER_COLUMN = 9


class TargetsEditor(QGroupBox):
    """17 boxes in two columns, each labelled with the indicator's number, name and unit."""

    changed = Signal()

    def __init__(self, db, parent=None):
        super().__init__(_("Targets of the county (目标值 in the return)"), parent)
        self.setObjectName("targets")
        self.db = db
        outer = QVBoxLayout(self)
        note = QLabel(_("Leave a box empty when there is no target; its completion rate then stays empty. "
                        "Rows 9 and 10 have no completion rate (lower is better)."))
        note.setWordWrap(True)
        outer.addWidget(note)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        self.boxes: dict[int, QLineEdit] = {}
        validator = QRegularExpressionValidator(QRegularExpression(NUMBER_PATTERN), self)
        signed = QRegularExpressionValidator(QRegularExpression(SIGNED_PATTERN), self)
        for i, (number, name, unit) in enumerate(ind.DEFINITIONS):
            row, col = i % ROWS_PER_COLUMN, (i // ROWS_PER_COLUMN) * 2
            label = QLabel(f"{number}. {name}（{unit}）")
            label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            box = QLineEdit()
            box.setObjectName(f"target_{number}")
            box.setValidator(signed if ind.TARGET_RANGES[number][0] < 0 else validator)
            box.setAlignment(Qt.AlignRight)
            box.setMaximumWidth(100)
            box.textChanged.connect(lambda _t: self.changed.emit())
            label.setBuddy(box)
            grid.addWidget(label, row, col)
            grid.addWidget(box, row, col + 1)
            self.boxes[number] = box
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        outer.addLayout(grid)
        self.load()

    def load(self) -> None:
        with self.db.read_session() as s:
            targets = settings_service.targets(s)
        for number, box in self.boxes.items():
            value = targets.get(number)
            box.blockSignals(True)
            box.setText("" if value is None else format(value, "f"))
            box.blockSignals(False)

    def values(self) -> dict[int, str]:
        return {n: b.text().strip() for n, b in self.boxes.items()}

    def problems(self) -> list[str]:
        """Why a box cannot be saved (the service's own reason), one line per box."""
        out = []
        for number, text in self.values().items():
            try:
                settings_service.validate(f"target.{number}", text)
            except UsageError as exc:
                out.append(f"{number}: {exc.message}")
        return out

    def settings(self) -> dict[str, str]:
        """The boxes as the settings they are saved to (target.1 … target.17)."""
        return {f"target.{number}": text for number, text in self.values().items()}

    def save(self, session) -> None:
        for key, text in self.settings().items():
            settings_service.set_value(session, key, text)
