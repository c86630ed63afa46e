"""The 对接会 area: the year's matchmaking meeting, its sign-ups with the 候补 waiting list and the
counts at a glance, the check-in view for the day, the printable 签到表, and 转为项目 afterwards."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from qoffice.db.models import Attendee, Enterprise, MatchmakingMeeting, Partner, SignUp
from qoffice.domain import signups as signup_rules
from qoffice.domain import vocab
from qoffice.domain.vocab import SIGNUP_COUNTS_AGAINST_CAPACITY, SU_ATTENDED, SU_WAITING
from qoffice.errors import KnownError, StaleRecord
from qoffice.i18n import N_, _
from qoffice.services import enterprises as enterprise_service
from qoffice.services import meeting_signups, meetings
from qoffice.services import partners as partner_service
from qoffice.services import projects as project_service
from qoffice.services import settings as settings_service
from qoffice.services.changes import Changes
from qoffice.ui import messages, signin_sheet
from qoffice.ui.activity_widgets import (
    ORGANISER,
    badge,
    date_edit,
    get_date,
    optional_date_row,
    required,
    scope_list,
    set_date,
)
from qoffice.ui.enterprise_search import ENTERPRISE_SEARCH_HINT, enterprise_search
from qoffice.ui.listarea import ListAction, ListArea
from qoffice.ui.listmodel import Column, Filter, ListDefinition, ListSql, credit_code_column, vocab_order
from qoffice.ui.operations import run_op
from qoffice.ui.record_area import AreaBasics
from qoffice.ui.signin_sheet import SheetInfo
from qoffice.ui.signup_dialog import SignUpDialog
from qoffice.ui.worker import Job

_ATTENDEES = (select(func.group_concat(Attendee.name, "、")).where(Attendee.signup_id == SignUp.id)
              .correlate(SignUp).scalar_subquery())
_PHONES = (select(func.group_concat(Attendee.phone, "、")).where(Attendee.signup_id == SignUp.id)
           .correlate(SignUp).scalar_subquery())
_W, _WE = aliased(SignUp), aliased(Enterprise)
# Position on the waiting list: waiting sign-ups of live enterprises up to this one.
_WAIT_POS = (select(func.count()).select_from(_W).join(_WE, _WE.id == _W.enterprise_id)
             .where(_W.meeting_id == SignUp.meeting_id, _W.status == SU_WAITING, _WE.deleted_at.is_(None),
                    _W.waitlist_seq <= SignUp.waitlist_seq)
             .correlate(SignUp).scalar_subquery())
_SELECT = (select(SignUp.id, Enterprise.name.label("enterprise"), Enterprise.uscc, _ATTENDEES.label("attendees"),
                  _PHONES.label("phones"), SignUp.status, _WAIT_POS.label("wait_pos"), SignUp.need,
                  Partner.name.label("partner"), SignUp.signed_up_at, MatchmakingMeeting.date.label("meeting_date"))
           .join(Enterprise, Enterprise.id == SignUp.enterprise_id)
           .join(MatchmakingMeeting, MatchmakingMeeting.id == SignUp.meeting_id)
           .outerjoin(Partner, Partner.id == SignUp.partner_id))
_KEYS = list(_SELECT.selected_columns.keys())
_POS = _KEYS.index("wait_pos")
_MEETING_DATE = _KEYS.index("meeting_date")
CHECKIN_MARKS = {vocab.SU_ATTENDED: "✓", vocab.SU_ABSENT: "✕"}
# The count chips, one per status (已退出 and 缺席 shown only when there are some).
CHIP_STATUSES = (vocab.SU_REGISTERED, vocab.SU_CONFIRMED, vocab.SU_ATTENDED, vocab.SU_ABSENT, vocab.SU_WAITING,
                 vocab.SU_WITHDRAWN)


def _status_text(value, row) -> str:
    if value == SU_WAITING and row[_POS]:
        return _("{status} (no. {n})").format(status=value, n=row[_POS])
    return value or ""


def _checkin_text(value, _row) -> str:
    """✓ 已签到 / ✕ 缺席 / ○ 未签到 (已报名 or 已确认): a mark and words, never colour alone."""
    if value in CHECKIN_MARKS:
        return f"{CHECKIN_MARKS[value]} {value}"
    return "○ " + _("Not checked in")


def _day(value, row) -> str:
    """The sign-up day; one after the meeting (an import without 报名日期) is marked, never silent."""
    if not value:
        return ""
    day = value.date()
    if signup_rules.after_meeting(day, row[_MEETING_DATE]):
        return f"{day.isoformat()} ⚠ " + _("after the meeting")
    return day.isoformat()


def _state(values: dict | None, partner_ids) -> tuple:
    """The meeting form's content, comparable between what it shows and what is stored."""
    if values is None:
        return ()
    norm = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items() if k != "year"}
    return tuple(sorted(norm.items())), tuple(sorted(partner_ids))


SIGNUPS = ListDefinition(
    name="signups",
    fields=tuple(_KEYS),
    sql=lambda: ListSql(
        select=_SELECT,
        sorts={"enterprise": Enterprise.name_pinyin, "status": vocab_order(SignUp.status, vocab.SIGNUP_STATUSES),
               "partner": Partner.name_pinyin},  # names: pinyin order
        search=enterprise_search(),
        where=[Enterprise.deleted_at.is_(None)]),
    columns=[
        Column("enterprise", N_("Enterprise"), sortable=True, width=240),
        credit_code_column(),
        Column("attendees", N_("Attendees"), width=130),
        Column("status", N_("Sign-up status"), sortable=True, format=_status_text, width=120),
        Column("need", N_("Cooperation need"), width=180),
        Column("partner", N_("Wanted partner"), sortable=True, width=150),
        Column("signed_up_at", N_("Signed up on"), sortable=True, format=_day, width=100),
    ],
    search_hint=ENTERPRISE_SEARCH_HINT,
    filters=[Filter("status", N_("Sign-up status"), choices=vocab.SIGNUP_STATUSES,
                    all_title=N_("All sign-up statuses"))],
    default_sort=("signed_up_at", "asc"),
)

CHECKIN = ListDefinition(
    name="checkin",
    fields=tuple(_KEYS),
    sql=lambda: ListSql(
        select=_SELECT,
        sorts={"status": vocab_order(SignUp.status, (vocab.SU_REGISTERED, vocab.SU_CONFIRMED, vocab.SU_ATTENDED,
                                                     vocab.SU_ABSENT)),
               "enterprise": Enterprise.name_pinyin},
        search=enterprise_search(),
        where=[Enterprise.deleted_at.is_(None), SignUp.status.in_(SIGNUP_COUNTS_AGAINST_CAPACITY)]),
    columns=[
        Column("status", N_("Check-in"), sortable=True, format=_checkin_text, width=110),
        Column("enterprise", N_("Enterprise"), sortable=True, width=280),
        credit_code_column(),
        Column("attendees", N_("Attendees"), width=180),
        Column("phones", N_("Phone"), width=150),
    ],
    search_hint=ENTERPRISE_SEARCH_HINT,
    default_sort=("enterprise", "asc"),
)


class MeetingArea(AreaBasics, QWidget):
    counted_list = "signups"
    watches = ("meeting", "signup", "enterprise", "partner")  # published Changes that refresh it
    statusText = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = dt.date.today  # tests pin the day
        self.meeting_id: int | None = None
        self.dialog = None
        self.last_pdf: Path | None = None
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("meeting_title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        head.addWidget(self.title)
        self.chips: dict[str, QLabel] = {}
        for key in (*CHIP_STATUSES, "remaining", "full"):
            chip = QLabel()
            chip.setObjectName(f"count_{key}")
            self.chips[key] = chip
            head.addWidget(chip)
        head.addStretch(1)
        layout.addLayout(head)
        layout.addWidget(self._build_meeting_box())

        self.tabs = QTabWidget()
        from qoffice.ui.record_area import list_handlers  # 导入 / 下载模板 / 导出

        self.signups = ListArea(
            ctx.db, SIGNUPS, on_new=self.new_signup, on_edit=self.edit_signup,
            **list_handlers(self, "signups", _("Meeting sign-ups")),
            actions=[ListAction(_("Confirm"), lambda ids: self.set_status(ids, vocab.SU_CONFIRMED),
                                applies=lambda ids: self.move_problem(ids, vocab.SU_CONFIRMED)),
                     ListAction(_("Check in"), lambda ids: self.set_status(ids, vocab.SU_ATTENDED),
                                applies=lambda ids: self.move_problem(ids, vocab.SU_ATTENDED)),
                     ListAction(_("Absent"), lambda ids: self.set_status(ids, vocab.SU_ABSENT),
                                applies=lambda ids: self.move_problem(ids, vocab.SU_ABSENT)),
                     ListAction(_("Withdraw from the meeting…"), self.withdraw,
                                applies=lambda ids: self.move_problem(ids, vocab.SU_WITHDRAWN)),
                     ListAction(_("Turn into project"), self.to_project),
                     ListAction(_("Print sign-in sheet…"), lambda: self.print_signin_sheet(), needs_selection=False)],
            empty_text=_("No sign-ups yet. Click “New” to sign an enterprise up, or import the sign-up list."))
        self.print_button = self.signups.buttons["action5"]  # 打印签到表…
        self.checkin = ListArea(
            ctx.db, CHECKIN, on_edit=lambda sid: self.check_in([sid]),
            actions=[ListAction(_("Check in"), self.check_in)],
            empty_text=_("Nobody holds a place yet; sign-ups appear here once they are registered."))
        self.checkin.buttons["action0"].setObjectName("checkin_button")
        self.checkin.buttons["action0"].setMinimumWidth(120)
        hint = QLabel(_("Search by name, credit code or pinyin initials, then double-click the row or click "
                        "“Check in”."))
        hint.setWordWrap(True)
        checkin_page = QWidget()
        v = QVBoxLayout(checkin_page)
        v.addWidget(hint)
        v.addWidget(self.checkin, 1)
        self.tabs.addTab(self.signups, _("Sign-ups"))
        self.tabs.addTab(checkin_page, _("Check-in"))
        layout.addWidget(self.tabs, 1)
        self.list = self.signups
        self.signups.countsChanged.connect(self.statusText)
        self.meeting_job: Job | None = None  # the meeting's save (a retry after 保留我的修改 replaces it)
        self.status_job: Job | None = None
        self.promote_job: Job | None = None
        ctx.yearChanged.connect(self._year_changed)  # bound methods: cut when the area goes
        ctx.changed.connect(self._on_changes)
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(self.watches):
            self.refresh()

    def _year_changed(self, _year: int) -> None:
        self.refresh()

    # ---- the meeting -------------------------------------------------------------------------
    def _build_meeting_box(self) -> QGroupBox:
        box = QGroupBox(_("The meeting"))
        grid = QGridLayout(box)
        left, mid = QFormLayout(), QFormLayout()
        for form in (left, mid):
            form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.m_title = QLineEdit()
        self.m_title.setObjectName("m_title")
        self.m_date = date_edit()
        self.m_venue = QLineEdit()
        self.m_organiser = QLineEdit()
        self.m_capacity = QLineEdit()
        self.m_capacity.setObjectName("m_capacity")
        self.m_capacity.setValidator(QIntValidator(1, 100_000, self.m_capacity))
        self.m_capacity.setPlaceholderText(_("empty: no limit"))
        self.m_deadline = date_edit(optional=True)
        self.m_blank_rows = QSpinBox()  # a setting for every meeting: kept as soon as it changes
        self.m_blank_rows.setObjectName("m_blank_rows")
        self.m_blank_rows.setRange(0, settings_service.SIGNIN_BLANK_ROWS_MAX)
        self.m_blank_rows.setToolTip(_("Numbered blank rows after the sign-ups, for enterprises that turn up "
                                       "without signing up."))
        self.m_blank_rows.valueChanged.connect(self.set_blank_rows)
        for form, label, w, mandatory in ((left, N_("Title"), self.m_title, True),
                                          (left, N_("Date"), self.m_date, True),
                                          (left, N_("Venue"), self.m_venue, False),
                                          (left, ORGANISER, self.m_organiser, False),
                                          (mid, N_("Capacity"), self.m_capacity, False),
                                          (mid, N_("Sign-up deadline"), optional_date_row(self.m_deadline), False),
                                          (mid, N_("Blank rows on the sign-in sheet"), self.m_blank_rows, False)):
            text = QLabel(required(_(label)) if mandatory else _(label))
            text.setTextFormat(Qt.RichText)
            form.addRow(text, w)
        self.m_partners = QListWidget()
        self.m_partners.setObjectName("m_partners")
        self.m_partners.setMaximumHeight(110)
        right = QVBoxLayout()
        right.addWidget(QLabel(_("Partner institutions attending")))
        right.addWidget(self.m_partners)
        grid.addLayout(left, 0, 0)
        grid.addLayout(mid, 0, 1)
        grid.addLayout(right, 0, 2)
        grid.setColumnStretch(0, 4)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 4)
        bottom = QHBoxLayout()
        self.m_hint = QLabel()
        self.m_hint.setObjectName("m_hint")
        self.m_hint.setWordWrap(True)
        bottom.addWidget(self.m_hint, 1)
        self.m_save = QPushButton(_("Save meeting"))
        self.m_save.setObjectName("m_save")
        self.m_save.clicked.connect(self.save_meeting)
        bottom.addWidget(self.m_save)
        grid.addLayout(bottom, 1, 0, 1, 3)
        return box

    def refresh(self, *, reload_form: bool = False) -> None:
        """Show the year's meeting, its counts and sign-ups. The meeting form keeps what the clerk
        typed unless `reload_form` (采用他人的修改) or it shows another meeting now."""
        year = self.ctx.year
        with self.ctx.db.read_session() as s:
            meeting = meetings.meeting_for_year(s, year)
            counts = meeting_signups.counts(s, meeting) if meeting is not None else None
            needs_promotion = bool(counts and counts.waiting and counts.remaining)
            partners = [(p.id, p.name, p.type) for p in partner_service.all_partners(s)]
            attending = {p.id for p in meetings.meeting_partners(s, meeting)} if meeting else set()
            blank_rows = settings_service.signin_blank_rows(s)
            values = ({k: getattr(meeting, k) for k in meetings.MEETING_FIELDS} if meeting else None)
            meeting_id, version = (meeting.id, meeting.version) if meeting else (None, None)
        # The clerk's typing in the meeting form outlives a refresh (a sign-up elsewhere, another
        # clerk's change heard from the server); so does the version it was typed against, so that
        # saving it over a meeting changed meanwhile is still a conflict.
        keep_form = (not reload_form and self._typing() and (year, meeting_id) == getattr(self, "_loaded_key", None)
                     and self._form_state() != _state(values, attending))
        self.meeting_id = meeting_id
        if not keep_form:
            self.meeting_version = version  # a save of a meeting changed since is refused
        if needs_promotion and (self.promote_job is None or self.promote_job.finished):
            # A place freed behind the scenes (an enterprise was deleted) goes to the waiting list: an
            # operation, whose Changes refresh this area again.
            db, meeting_id = self.ctx.db, self.meeting_id
            self.promote_job = run_op(self, self.ctx, lambda: meetings.promote_freed_places(db, meeting_id))
        self.title.setText(_("Matchmaking meeting {year}").format(year=year))
        self.m_blank_rows.blockSignals(True)
        self.m_blank_rows.setValue(blank_rows)
        self.m_blank_rows.blockSignals(False)
        if not keep_form:
            self._fill_form(year, values, partners, attending)
        # 导入 / 下载模板 / 导出 work without a meeting (an import creates it from 对接会日期);
        # 新增 needs the meeting and says so.
        has_meeting = self.meeting_id is not None
        self.signups.buttons["new"].setEnabled(has_meeting)
        self.signups.buttons["new"].setToolTip("" if has_meeting else _(
            "Create this year's matchmaking meeting first (above), or import the sign-up list: the import "
            "creates the meeting from its 对接会日期."))
        self.print_button.setEnabled(has_meeting)
        self.print_button.setToolTip("" if has_meeting else _("Create this year's matchmaking meeting first."))
        self.checkin.setEnabled(has_meeting)
        for area in (self.signups, self.checkin):
            scope_list(area, SignUp.meeting_id == (self.meeting_id if self.meeting_id is not None else -1))
        self._show_counts(counts)

    def _fill_form(self, year: int, values: dict | None, partners, attending) -> None:
        """The meeting form shows the stored meeting (or a new one's defaults) and its partners."""
        if values:
            self.m_title.setText(values["title"] or "")
            set_date(self.m_date, values["date"])
            self.m_venue.setText(values["venue"] or "")
            self.m_organiser.setText(values["organiser"] or "")
            self.m_capacity.setText("" if values["capacity"] is None else str(values["capacity"]))
            set_date(self.m_deadline, values["deadline"])
            self.m_hint.setText("")
            self.m_save.setText(_("Save meeting"))
        else:
            self.m_title.setText(meetings.default_title(year))
            set_date(self.m_date, dt.date(year, 5, 20))
            for w in (self.m_venue, self.m_organiser, self.m_capacity):
                w.clear()
            set_date(self.m_deadline, None)
            self.m_hint.setText(_("There is no matchmaking meeting in {year} yet. Fill in the details and "
                                  "click “Create meeting”.").format(year=year))
            self.m_save.setText(_("Create meeting"))
        self.m_partners.clear()
        for pid, name, type_ in partners:
            item = QListWidgetItem(f"{name}（{type_}）")
            item.setData(Qt.UserRole, pid)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if pid in attending else Qt.Unchecked)
            self.m_partners.addItem(item)
        self._loaded_key = (year, self.meeting_id)
        self._loaded_form = self._form_state()
        self._meeting_base = self.meeting_values() | {"partner_ids": sorted(self.checked_partners())}

    def _form_state(self) -> tuple:
        return _state(self.meeting_values(), set(self.checked_partners()))

    def _typing(self) -> bool:
        """Has the clerk changed the meeting form since it was filled?"""
        return getattr(self, "_loaded_form", None) is not None and self._form_state() != self._loaded_form

    def _show_counts(self, c) -> None:
        if c is None:
            for chip in self.chips.values():
                chip.hide()
            return
        # One chip per status, named by the status word the rows show: each counts exactly those rows.
        numbers = {vocab.SU_REGISTERED: c.registered, vocab.SU_CONFIRMED: c.confirmed,
                   vocab.SU_ATTENDED: c.attended, vocab.SU_ABSENT: c.absent, vocab.SU_WAITING: c.waiting,
                   vocab.SU_WITHDRAWN: c.withdrawn}
        looks = {vocab.SU_ATTENDED: "ok", vocab.SU_WAITING: "warn"}
        for status in CHIP_STATUSES:
            n = numbers[status]
            chip = self.chips[status]
            badge(chip, f"{status} {n}", looks.get(status, "plain") if n else "plain")
            chip.setToolTip(_("Sign-ups with the status {status}").format(status=status))
            chip.setVisible(bool(n) or status not in (vocab.SU_ABSENT, vocab.SU_WITHDRAWN))
        self.chips["remaining"].setToolTip(_("Places are taken by 已报名, 已确认, 已签到 and 缺席; 候补 wait for one."))
        if c.capacity is None:
            badge(self.chips["remaining"], _("No limit on places"))
        else:
            badge(self.chips["remaining"], _("Places left {n} of {capacity}").format(n=c.remaining,
                                                                                    capacity=c.capacity))
        badge(self.chips["full"], _("Full") if c.capacity is not None and not c.remaining else "", "warn")
        self.counts = c

    def meeting_values(self) -> dict:
        capacity = self.m_capacity.text().strip()
        return {"year": self.ctx.year, "title": self.m_title.text(), "date": get_date(self.m_date),
                "venue": self.m_venue.text(), "organiser": self.m_organiser.text(),
                "capacity": int(capacity) if capacity else None, "deadline": get_date(self.m_deadline)}

    def checked_partners(self) -> list[int]:
        return [self.m_partners.item(i).data(Qt.UserRole) for i in range(self.m_partners.count())
                if self.m_partners.item(i).checkState() == Qt.Checked]

    def save_meeting(self) -> Job | None:
        """保存对接会 on the worker (services.meetings.save_meeting); nothing to ask first. A meeting
        saved by someone else since the form loaded it: the side-by-side, then as the clerk chose."""
        if self.meeting_job is not None and not self.meeting_job.finished:
            return None
        data, partner_ids = self.meeting_values(), self.checked_partners()
        db, meeting_id, version = self.ctx.db, self.meeting_id, self.meeting_version

        def done(saved: meetings.MeetingSaved) -> None:
            for w in saved.warnings:
                messages.warning(self, w)
            self._tell_promoted(saved.promoted)

        def failed(exc: KnownError) -> None:
            if isinstance(exc, StaleRecord):
                self._meeting_conflict(exc, data | {"partner_ids": partner_ids})
            else:
                messages.known_error(self, exc)

        self.meeting_job = run_op(self, self.ctx, lambda: meetings.save_meeting(
            db, meeting_id, data, partner_ids, expected_version=version), on_done=done, on_error=failed)
        return self.meeting_job

    def _meeting_conflict(self, exc: StaleRecord, typed: dict) -> None:
        from qoffice.ui import conflict_dialog

        labels = {"year": _("Year"), "title": _("Title"), "date": _("Date"), "venue": _("Venue"),
                  "organiser": _(ORGANISER), "capacity": _("Capacity"), "deadline": _("Sign-up deadline"),
                  "partner_ids": _("Partner institutions attending")}
        names = {self.m_partners.item(i).data(Qt.UserRole): self.m_partners.item(i).text()
                 for i in range(self.m_partners.count())}

        def text(key, value):
            if key == "partner_ids":
                return "、".join(names.get(p, str(p)) for p in sorted(value or ())) or conflict_dialog.value_text(None)
            return conflict_dialog.value_text(value)

        typed = typed | {"partner_ids": sorted(typed.get("partner_ids") or ())}
        if "partner_ids" in exc.stored:
            exc.stored["partner_ids"] = sorted(exc.stored["partner_ids"])
        choice = conflict_dialog.resolve(self, exc, typed, lambda k: labels.get(k, k), text,
                                         base=getattr(self, "_meeting_base", None))
        if choice == conflict_dialog.KEEP_MINE:
            self.meeting_version, self._meeting_base = exc.version, dict(exc.stored)
            self.save_meeting()  # the refused operation is over: save again, on purpose
        elif choice == conflict_dialog.TAKE_THEIRS:
            self.refresh(reload_form=True)  # the stored meeting and its partners, and their version

    def _tell_promoted(self, names: list[str]) -> None:
        if names:
            messages.info(self, _("Moved up from the waiting list: {names}").format(names="、".join(names)))

    # ---- sign-ups ----------------------------------------------------------------------------
    def _meeting(self, session) -> MatchmakingMeeting | None:
        return session.get(MatchmakingMeeting, self.meeting_id) if self.meeting_id is not None else None

    def new_signup(self) -> SignUpDialog | None:
        if self.meeting_id is None:
            messages.info(self, _("Save this year's meeting first."))
            return None
        return self._open_signup(None)

    def edit_signup(self, signup_id) -> SignUpDialog:
        return self._open_signup(signup_id)

    def _open_signup(self, signup_id) -> SignUpDialog:
        with self.ctx.db.read_session() as s:
            partners = [(p.id, f"{p.name}（{p.type}）") for p in partner_service.all_partners(s)]
            existing = None
            if signup_id is not None:
                su = s.get(SignUp, signup_id)
                existing = {"enterprise": s.get(Enterprise, su.enterprise_id).name, "need": su.need,
                            "version": su.version,
                            "partner_id": su.partner_id,
                            "attendees": [(a.name, a.post or "", a.phone or "") for a in su.attendees]}
        dlg = SignUpDialog(self, signup_id, partners, existing)
        dlg.version = existing["version"] if existing else None  # a save of a changed sign-up is refused
        dlg.base = self._signup_typed(dlg)  # the values loaded: who changed what, in a conflict
        self.dialog = dlg
        dlg.open()
        return dlg

    @staticmethod
    def _signup_typed(dlg: SignUpDialog) -> dict:
        """The sign-up dialog's values as its conflict dialog compares them with the stored ones."""
        return {"attendees": meeting_signups.people_line([meeting_signups.AttendeeIn(*row) for row in dlg.attendee_rows()]),
                "need": dlg.need.toPlainText(), "partner_id": dlg.partner.currentData()}

    def _save_signup(self, dlg: SignUpDialog) -> Job | bool:
        """Ask first (services.meetings.signup_questions), then save on the worker."""
        attendees = [meeting_signups.AttendeeIn(*row) for row in dlg.attendee_rows()]
        need = dlg.need.toPlainText()
        partner_id = dlg.partner.currentData()
        today = self.today()
        db, meeting_id = self.ctx.db, self.meeting_id
        new_signup = dlg.signup_id is None
        if new_signup:
            for question in meetings.signup_questions(db, meeting_id, today):
                if not messages.ask(dlg, question + "\n" + _("Take this sign-up all the same?")):
                    return False
        new_enterprise = ({"uscc": dlg.code.text(), "name": dlg.name.text()}
                          if new_signup and dlg.new_enterprise.isChecked() else None)

        def save() -> meetings.SignUpSaved:
            return meetings.save_signup(db, meeting_id, signup_id=dlg_signup_id, enterprise_id=enterprise_id,
                                        new_enterprise=new_enterprise, attendees=attendees, need=need,
                                        partner_id=partner_id, today=today, expected_version=version)

        dlg_signup_id, enterprise_id = dlg.signup_id, dlg.enterprise_id
        version = getattr(dlg, "version", None) if not new_signup else None

        def done(saved: meetings.SignUpSaved) -> None:
            for w in saved.warnings:
                messages.warning(self, w)
            self._tell_promoted(saved.promoted)
            self.signups.select_id(saved.signup_id)

        def failed(exc: KnownError) -> None:
            if isinstance(exc, StaleRecord):  # saved by someone else since the dialog was opened
                from qoffice.ui import conflict_dialog

                labels = {"need": _("Cooperation need"), "partner_id": _("Wanted partner"),
                          "attendees": _("Attendees")}

                def text(key, value):
                    if key == "partner_id" and value is not None:
                        return dlg.partner.itemText(max(dlg.partner.findData(value), 0))
                    return conflict_dialog.value_text(value)

                typed = {"attendees": meeting_signups.people_line(attendees), "need": need, "partner_id": partner_id}
                choice = conflict_dialog.resolve(dlg, exc, typed, lambda k: labels.get(k, k), text,
                                                 base=getattr(dlg, "base", None))
                if choice == conflict_dialog.KEEP_MINE:
                    dlg.version, dlg.base = exc.version, dict(exc.stored)
                    dlg.accept()  # save again (this job is over)
                elif choice == conflict_dialog.TAKE_THEIRS:
                    dlg.reject()
                    self._open_signup(dlg.signup_id)  # the stored sign-up, attendees included
            elif isinstance(exc, meeting_signups.DuplicateSignUp):
                messages.error(dlg, exc.message)
            elif isinstance(exc, enterprise_service.DuplicateCode):
                messages.error(dlg, exc.message + "\n" + _("Pick it from the file instead."))
            else:
                messages.known_error(dlg, exc)

        return run_op(dlg, self.ctx, save, on_done=done, on_error=failed)

    def set_status(self, ids, status: str, on_done=None) -> Job | None:
        """确认 / 签到 / 缺席 / 退出报名 on the worker (services.meetings.set_statuses); a question
        (退出报名) has been asked before. A refusal changes nothing and shows the list as it is now."""
        if not ids:
            return None
        db, ids = self.ctx.db, list(ids)

        def done(result: meetings.StatusSet) -> None:
            self._tell_promoted(result.promoted)
            if on_done is not None:
                on_done()

        def failed(exc: KnownError) -> None:
            messages.known_error(self, exc)
            self.refresh()  # e.g. another clerk took the last place meanwhile

        self.status_job = run_op(self, self.ctx, lambda: meetings.set_statuses(db, ids, status),
                                 on_done=done, on_error=failed)
        return self.status_job

    def move_problem(self, ids, status: str) -> str | None:
        """Why the status action cannot apply to the selected rows (its button is disabled), or None."""
        with self.ctx.db.read_session() as s:
            return meeting_signups.move_problem(s, [s.get(SignUp, i) for i in ids if s.get(SignUp, i) is not None], status)

    def withdraw(self, ids) -> Job | None:
        if not ids or not messages.ask(self, _("Withdraw the {n} selected sign-ups? The first on the waiting "
                                               "list takes each freed place.").format(n=len(ids))):
            return None
        return self.set_status(ids, vocab.SU_WITHDRAWN)

    def check_in(self, ids) -> Job | None:
        """签到 in one click; already checked-in rows stay as they are."""
        with self.ctx.db.read_session() as s:
            ids = [i for i in ids if s.get(SignUp, i).status != SU_ATTENDED]
        if not ids:
            return None
        # ready for the next name once it is done
        return self.set_status(ids, SU_ATTENDED, on_done=self.checkin.search_box.selectAll)

    def to_project(self, ids) -> Job:
        """转为项目: the operation's result has the new projects' ids in its changes."""
        db, ids = self.ctx.db, list(ids)

        def done(made: project_service.ProjectsMade) -> None:
            messages.info(self, _("Created the 产学研合作 project(s) {titles} at stage 培育; complete them under "
                                  "“Quality projects”.").format(titles="、".join(f"“{t}”" for t in made.titles)))

        self.job = run_op(self, self.ctx, lambda: project_service.projects_from_signups(db, ids), on_done=done)
        return self.job

    # ---- the sign-in sheet -------------------------------------------------------------------
    def _sheet(self) -> tuple[SheetInfo, list, int]:
        pending = getattr(self, "blank_rows_job", None)
        if pending is not None and not pending.finished:  # the blank rows just changed: kept first
            pending.wait()
        with self.ctx.db.read_session() as s:
            meeting = self._meeting(s)
            info = SheetInfo(meeting.title, meeting.date, meeting.venue, meeting.organiser)
            rows = meeting_signups.signin_rows(s, meeting)
            blank = settings_service.signin_blank_rows(s)
        return info, rows, blank

    def print_signin_sheet(self) -> int | None:
        """打印签到表: the print dialog (a printer, or the system's save-as-PDF), then the sheet with
        its blank rows for walk-ins. Returns the number of pages, or None."""
        if self.meeting_id is None:
            messages.info(self, _("Save this year's meeting first."))
            return None
        info, rows, blank = self._sheet()
        try:
            return signin_sheet.print_signin_sheet(info, rows, blank, self)
        except KnownError as exc:
            messages.known_error(self, exc)
            return None

    def save_signin_pdf(self, path: str | Path) -> Path | None:
        """The same sheet written straight to a PDF file (tests, and the CLI-minded)."""
        if self.meeting_id is None:
            return None
        info, rows, blank = self._sheet()
        path = Path(path)
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            signin_sheet.write_signin_pdf(path, info, rows, blank)
        except KnownError as exc:
            messages.known_error(self, exc)
            return None
        self.last_pdf = path
        return path

    def set_blank_rows(self, n: int) -> Job:
        db = self.ctx.db
        self.blank_rows_job = run_op(self, self.ctx, lambda: meetings.set_signin_blank_rows(db, n))
        return self.blank_rows_job
