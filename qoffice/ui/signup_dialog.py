"""The 对接会 sign-up form: the enterprise (from the file, or created on the spot with code and name),
its attendees, the cooperation need and the wanted partner; it says before saving where the
sign-up will land (a place, or the waiting list) and why it cannot be saved yet."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qoffice.db.models import Enterprise
from qoffice.domain.vocab import SU_WAITING
from qoffice.i18n import N_, _
from qoffice.services import enterprises as enterprise_service
from qoffice.services import meeting_signups
from qoffice.ui.activity_widgets import FormDialog
from qoffice.ui.enterprise_picker import EnterprisePicker
from qoffice.ui.style import ERROR_STYLE, WARNING_STYLE


class SignUpDialog(FormDialog):
    """One sign-up: the enterprise (from the file, or created here with code and name), several
    attendees, the cooperation need and the wanted partner."""

    ATTENDEE_COLUMNS = (N_("Name"), N_("Post"), N_("Phone"))

    def __init__(self, area, signup_id, partners, existing: dict | None):  # area: the MeetingArea
        super().__init__(_("Edit sign-up") if signup_id else _("New sign-up"), area._save_signup, area)
        self.area = area
        self.signup_id = signup_id
        self.enterprise_id: int | None = None
        self.resize(720, 600)
        # -- the enterprise
        ent_box = QWidget()
        ev = QVBoxLayout(ent_box)
        ev.setContentsMargins(0, 0, 0, 0)
        self.from_file = QRadioButton(_("From the file"))
        self.new_enterprise = QRadioButton(_("New enterprise (code and name; complete it later)"))
        group = QButtonGroup(self)
        group.addButton(self.from_file)
        group.addButton(self.new_enterprise)
        self.from_file.setChecked(True)
        pick_row = QHBoxLayout()
        self.enterprise_label = QLabel(_("(none chosen)"))
        self.enterprise_label.setObjectName("enterprise_label")
        self.pick_button = QPushButton(_("Choose…"))
        self.pick_button.clicked.connect(self.choose_enterprise)
        pick_row.addWidget(self.from_file)
        pick_row.addWidget(self.enterprise_label, 1)
        pick_row.addWidget(self.pick_button)
        ev.addLayout(pick_row)
        ev.addWidget(self.new_enterprise)
        new_row = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setObjectName("new_code")
        self.code.setPlaceholderText(_("Credit code (18 characters)"))
        self.code.setMaxLength(30)
        self.name = QLineEdit()
        self.name.setObjectName("new_name")
        self.name.setPlaceholderText(_("Enterprise name"))
        new_row.addWidget(self.code, 2)
        new_row.addWidget(self.name, 3)
        ev.addLayout(new_row)
        self.ent_problem = QLabel()
        self.ent_problem.setStyleSheet(ERROR_STYLE)
        ev.addWidget(self.ent_problem)
        # What saving will give — 已报名, or 候补 第 N 位 — told before the clerk saves.
        self.outcome = QLabel()
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.outcome.setMinimumHeight(2 * self.outcome.fontMetrics().lineSpacing() + 4)  # two lines, never squeezed
        self.already = ""  # the chosen enterprise already holds a sign-up: why saving is refused
        if existing is not None:
            fixed = QLabel(existing["enterprise"])
            fixed.setObjectName("enterprise_label")
            self.add_row(_("Enterprise"), fixed)
        else:
            self.add_row(_("Enterprise"), ent_box, mandatory=True)
        # -- attendees
        self.attendees = QTableWidget(0, 3)
        self.attendees.setObjectName("attendees")
        self.attendees.setHorizontalHeaderLabels([_(c) for c in self.ATTENDEE_COLUMNS])
        self.attendees.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.attendees.verticalHeader().hide()
        self.attendees.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.attendees.setMinimumHeight(130)
        att_box = QWidget()
        av = QVBoxLayout(att_box)
        av.setContentsMargins(0, 0, 0, 0)
        av.addWidget(self.attendees)
        ab = QHBoxLayout()
        add = QPushButton(_("Add a person"))
        add.clicked.connect(lambda: self.add_attendee())
        remove = QPushButton(_("Remove the selected person"))
        remove.clicked.connect(self.remove_attendee)
        ab.addWidget(add)
        ab.addWidget(remove)
        ab.addStretch(1)
        av.addLayout(ab)
        self.add_row(_("Attendees"), att_box, mandatory=True)
        self.need = QPlainTextEdit()
        self.need.setMaximumHeight(80)
        self.add_row(_("Cooperation need"), self.need)
        self.partner = QComboBox()
        self.partner.setObjectName("partner")
        self.partner.addItem(_("(none)"), None)
        for pid, text in partners:
            self.partner.addItem(text, pid)
        self.add_row(_("Wanted partner"), self.partner)
        if signup_id is None:
            self.add_row(_("On saving"), self.outcome)
        else:
            self.outcome.hide()

        if existing is not None:
            self.need.setPlainText(existing["need"] or "")
            i = self.partner.findData(existing["partner_id"]) if existing["partner_id"] is not None else 0
            self.partner.setCurrentIndex(max(i, 0))
            for row in existing["attendees"]:
                self.add_attendee(*row)
        if not self.attendees.rowCount():
            self.add_attendee()
        self.check = self._check
        for w in (self.code, self.name):
            w.textChanged.connect(self.validate)
        self.from_file.toggled.connect(self.update_outcome)
        self.attendees.itemChanged.connect(self.validate)
        self.update_outcome()

    # -- enterprise
    def choose_enterprise(self) -> EnterprisePicker:
        picker = EnterprisePicker(self.area.ctx.db, multi=False, parent=self)
        picker.accepted.connect(lambda: picker.selected_ids() and self.set_enterprise(picker.selected_ids()[0]))
        self.picker = picker
        picker.open()
        return picker

    def set_enterprise(self, enterprise_id: int) -> None:
        with self.area.ctx.db.read_session() as s:
            self.enterprise_label.setText(s.get(Enterprise, enterprise_id).name)
        self.enterprise_id = enterprise_id
        self.from_file.setChecked(True)
        self.update_outcome()

    def update_outcome(self, *_args) -> None:
        """Ask the service for a dry run of the sign-up and say what saving will give."""
        if self.signup_id is not None or self.area.meeting_id is None:
            return self.validate()
        enterprise_id = self.enterprise_id if self.from_file.isChecked() else None
        with self.area.ctx.db.read_session() as s:
            preview = meeting_signups.preview_sign_up(s, self.area._meeting(s), enterprise_id)
            name = s.get(Enterprise, enterprise_id).name if preview.existing else ""
        self.already = ""
        if preview.existing:
            status = (_("{status} (no. {n})").format(status=preview.status, n=preview.position)
                      if preview.position else preview.status)
            self.already = _("{name} has already signed up ({status}); an enterprise signs up once. "
                             "Edit its sign-up instead.").format(name=name, status=status)
            self.outcome.setText("")  # the reason beside 保存 says it
        elif preview.status == SU_WAITING:
            self.outcome.setText("⚠ " + _("The meeting is full: the sign-up goes on the waiting list (候补), "
                                          "no. {n}; it moves up when a place frees.").format(n=preview.position))
            self.outcome.setStyleSheet(WARNING_STYLE + "font-weight: bold;")
        else:
            self.outcome.setText(_("{status}: a place is free.").format(status=preview.status))
            self.outcome.setStyleSheet("")
        self.form.setRowVisible(self.outcome, bool(self.outcome.text()))
        self.validate()

    # -- attendees
    def add_attendee(self, name: str = "", post: str = "", phone: str = "") -> None:
        r = self.attendees.rowCount()
        self.attendees.insertRow(r)
        for c, text in enumerate((name, post, phone)):
            self.attendees.setItem(r, c, QTableWidgetItem(text))

    def remove_attendee(self) -> None:
        rows = sorted({i.row() for i in self.attendees.selectedIndexes()}, reverse=True)
        for r in rows:
            self.attendees.removeRow(r)
        self.validate()

    def set_attendees(self, rows) -> None:
        self.attendees.setRowCount(0)
        for row in rows:
            self.add_attendee(*row)
        self.validate()

    def attendee_rows(self) -> list[tuple[str, str, str]]:
        out = []
        for r in range(self.attendees.rowCount()):
            cells = tuple((self.attendees.item(r, c).text().strip() if self.attendees.item(r, c) else "")
                          for c in range(3))
            if any(cells):
                out.append(cells)
        return out

    def _check(self) -> str:
        if self.signup_id is None:
            if self.new_enterprise.isChecked():
                checked = enterprise_service.check(enterprise_service.clean(
                    {"uscc": self.code.text(), "name": self.name.text()}))
                problem = checked.problems.get("uscc") or checked.problems.get("name")
                if not self.code.text().strip() or not self.name.text().strip():
                    return _("Fill in the new enterprise's credit code and name.")
                if problem:
                    return problem
            elif self.enterprise_id is None:
                return _("Choose the enterprise from the file, or create it here.")
            elif self.already:
                return self.already
        rows = self.attendee_rows()
        if not rows:
            return _("Name at least one attendee.")
        for i, row in enumerate(rows, start=1):
            if not row[0]:
                return _("Attendee {n} needs a name.").format(n=i)
        return ""
