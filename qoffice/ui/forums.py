"""The 交流活动 area: the year's exchange forums as a timeline, the year's badge and the 超出
warning, plan/edit/cancel/mark held, and the attending enterprises."""
from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout
from sqlalchemy import func, select

from qoffice.db.models import Enterprise, Forum, ForumAttendance
from qoffice.domain import forums as rules
from qoffice.domain import vocab
from qoffice.errors import KnownError, StaleRecord
from qoffice.i18n import N_, _
from qoffice.services import forums as forum_service
from qoffice.ui import conflict_dialog, messages
from qoffice.ui.activity_widgets import (
    ORGANISER,
    WARNING_STYLE,
    FormDialog,
    badge,
    date_edit,
    get_date,
    set_date,
)
from qoffice.ui.enterprise_picker import EnterprisePicker
from qoffice.ui.listarea import ListAction
from qoffice.ui.listmodel import Column, Filter, ListDefinition, ListSql, SearchField, vocab_order
from qoffice.ui.operations import run_op
from qoffice.ui.record_area import RecordArea
from qoffice.ui.worker import Job

WEEKDAYS = "一二三四五六日"
STATUS_MARKS = {vocab.FORUM_PLANNED: "○", vocab.FORUM_HELD: "✓", vocab.FORUM_CANCELLED: "✕"}
BADGE_LOOKS = {rules.DONE: "ok", rules.SHORT: "bad", rules.SCHEDULED: "plain", rules.NONE: "warn"}

_ATTENDING = (select(func.count()).select_from(ForumAttendance)
              .join(Enterprise, Enterprise.id == ForumAttendance.enterprise_id)
              .where(ForumAttendance.forum_id == Forum.id, Enterprise.deleted_at.is_(None))
              .correlate(Forum).scalar_subquery())
_SELECT = select(Forum.id, Forum.date, Forum.title, Forum.venue, Forum.organiser, Forum.topic, Forum.speakers,
                 Forum.status, Forum.cancel_reason, Forum.people_count, _ATTENDING.label("attending"))
_REASON = list(_SELECT.selected_columns.keys()).index("cancel_reason")


def _date_text(value, _row) -> str:
    return f"{value.isoformat()}（周{WEEKDAYS[value.weekday()]}）" if value else ""


def _status_text(value, row) -> str:
    """✓ 已举办 / ○ 计划 / ✕ 已取消：原因 — a mark and the word, never colour alone."""
    text = f"{STATUS_MARKS.get(value, '')} {value}".strip()
    if value == vocab.FORUM_CANCELLED and row[_REASON]:
        text += f"：{row[_REASON]}"
    return text


FORUMS = ListDefinition(
    name="forums",
    fields=tuple(_SELECT.selected_columns.keys()),
    sql=lambda: ListSql(
        select=_SELECT,
        sorts={"status": vocab_order(Forum.status, vocab.FORUM_STATUSES)},
        search=[SearchField(Forum.title), SearchField(Forum.topic), SearchField(Forum.venue),
                SearchField(Forum.speakers)]),
    columns=[
        Column("date", N_("Date"), sortable=True, format=_date_text, width=150),
        Column("status", N_("Forum status"), sortable=True, format=_status_text, width=130),
        Column("title", N_("Title"), sortable=True, width=220),
        Column("venue", N_("Venue"), sortable=True, width=120),
        Column("organiser", ORGANISER, sortable=True, width=120),
        Column("topic", N_("Topic"), width=140),
        Column("speakers", N_("Speakers"), width=100),
        Column("people_count", N_("People"), sortable=True, width=60),
        Column("attending", N_("Enterprises attending"), width=90),
    ],
    search_hint=N_("Title / topic / venue / speakers"),
    filters=[Filter("status", N_("Forum status"), choices=vocab.FORUM_STATUSES,
                    all_title=N_("All forum statuses"))],
    default_sort=("date", "asc"),  # a timeline: the year from January on
)


def year_clause(year: int):
    return Forum.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31))


class ForumsArea(RecordArea):
    definition = FORUMS
    kind = "forums"
    export_title = N_("Forums")
    watches = ("forum", "enterprise")

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx, parent, on_new=self.new, on_edit=self.edit, on_delete=self.delete,
            actions=[ListAction(_("Cancel forum…"), self.cancel_selected, applies=self._cancel_problem),
                     ListAction(_("Mark as held…"), self.held_selected),
                     ListAction(_("Attending enterprises…"), self.attendance_selected)],
            delete_question=lambda ids: _("Delete the {n} selected forums? A forum that did not take place "
                                          "should be cancelled instead, so the record stays.").format(n=len(ids)),
            empty_text=_("No forums planned for this year. Click “New” to plan one; the policy asks for "
                         "1 to 2 a year."))
        self.today = dt.date.today  # tests pin the day
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("forums_title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        head.addWidget(self.title)
        self.badge = QLabel()
        self.badge.setObjectName("year_badge")
        head.addWidget(self.badge)
        self.warning = QLabel()
        self.warning.setObjectName("over_limit")
        self.warning.setStyleSheet(WARNING_STYLE + "font-weight: bold;")
        self.warning.setWordWrap(True)
        head.addWidget(self.warning, 1)
        head.addStretch(0)
        layout.addLayout(head)
        layout.addWidget(self.list, 1)
        self.refresh()

    # ---- showing ---------------------------------------------------------------------------
    def year_scope(self) -> list:
        return [year_clause(self.ctx.year)]

    def refresh(self) -> None:
        year = self.ctx.year
        self.title.setText(_("Forums of {year}").format(year=year))
        super().refresh()
        with self.ctx.db.read_session() as s:
            state = forum_service.year_state(s, year, self.today())
        badge(self.badge, state.badge, BADGE_LOOKS.get(state.kind, "plain"))
        self.badge.setToolTip(_("{held} held, {planned} planned").format(held=state.held, planned=state.planned))
        self.warning.setText(("⚠ " + state.warning) if state.warning else "")
        self.warning.setVisible(bool(state.warning))
        self.state = state

    # ---- plan and edit ---------------------------------------------------------------------
    def new(self) -> FormDialog:
        return self._open_form(None)

    def edit(self, forum_id) -> FormDialog:
        return self._open_form(forum_id)

    def _open_form(self, forum_id) -> FormDialog:
        dlg = FormDialog(_("Edit forum") if forum_id else _("Plan a forum"), self._save_form, self)
        dlg.forum_id = forum_id
        dlg.version = None  # what a save hands the service (a forum changed since is refused)
        dlg.w = {"title": QLineEdit(), "date": date_edit(), "venue": QLineEdit(), "organiser": QLineEdit(),
                 "topic": QLineEdit(), "speakers": QLineEdit()}
        dlg.w["speakers"].setPlaceholderText(_("Several names separated by 、"))
        for key, label, mandatory in (("title", N_("Title"), True), ("date", N_("Date"), True),
                                      ("venue", N_("Venue"), False), ("organiser", ORGANISER, False),
                                      ("topic", N_("Topic"), False), ("speakers", N_("Speakers"), False)):
            dlg.add_row(_(label), dlg.w[key], mandatory=mandatory)
        if forum_id is not None:
            with self.ctx.db.read_session() as s:
                forum = s.get(Forum, forum_id)
                for key in ("title", "venue", "organiser", "topic", "speakers"):
                    dlg.w[key].setText(getattr(forum, key) or "")
                set_date(dlg.w["date"], forum.date)
                dlg.version = forum.version
        else:
            today = self.today()
            set_date(dlg.w["date"], today if today.year == self.ctx.year else dt.date(self.ctx.year, 6, 1))
        dlg.base = self._form_data(dlg)  # the values loaded: who changed what, in a conflict
        dlg.check = lambda: "" if dlg.w["title"].text().strip() else _("Fill in: {fields}").format(fields=_("Title"))
        dlg.w["title"].textChanged.connect(dlg.validate)
        dlg.validate()
        dlg.resize(520, 320)
        self.dialog = dlg
        dlg.open()
        return dlg

    @staticmethod
    def _form_data(dlg) -> dict:
        data = {k: w.text() for k, w in dlg.w.items() if isinstance(w, QLineEdit)}
        data["date"] = get_date(dlg.w["date"])
        return data

    def _save_form(self, dlg) -> Job:
        data = self._form_data(dlg)
        db, forum_id, version, today = self.ctx.db, dlg.forum_id, dlg.version, self.today()

        def done(saved: forum_service.ForumSaved) -> None:
            for w in saved.warnings:
                messages.warning(self, w)
            self.list.select_id(saved.forum_id)

        def failed(exc: KnownError) -> None:
            if isinstance(exc, StaleRecord):  # saved by someone else since the form was opened
                self._form_conflict(dlg, exc, data)
            else:
                messages.known_error(dlg, exc)

        return run_op(dlg, self.ctx, lambda: forum_service.save_forum(db, forum_id, data, today=today,
                                                                      expected_version=version),
                      on_done=done, on_error=failed)

    def _form_conflict(self, dlg, exc: StaleRecord, data: dict) -> bool:
        """该记录已被他人修改: the stored and the typed values side by side, then as the clerk chose."""
        labels = {"title": _("Title"), "date": _("Date"), "venue": _("Venue"), "organiser": _(ORGANISER),
                  "topic": _("Topic"), "speakers": _("Speakers")}
        choice = conflict_dialog.resolve(dlg, exc, data, lambda k: labels.get(k, k), base=dlg.base)
        if choice == conflict_dialog.KEEP_MINE:
            dlg.version, dlg.base = exc.version, dict(exc.stored)
            dlg.accept()  # save again (the refused operation is over)
            return False
        if choice == conflict_dialog.TAKE_THEIRS:
            for key in ("title", "venue", "organiser", "topic", "speakers"):
                dlg.w[key].setText(exc.stored.get(key) or "")
            if exc.stored.get("date") is not None:
                set_date(dlg.w["date"], exc.stored["date"])
            dlg.version, dlg.base = exc.version, self._form_data(dlg)
        return False

    def delete(self, ids) -> Job:
        db = self.ctx.db
        return run_op(self, self.ctx, lambda: forum_service.delete_forums(db, ids))

    # ---- cancel, held, attendance ----------------------------------------------------------
    def _version(self, forum_id) -> tuple[int | None, dict]:
        """The forum's version and its status and reason, as a small form loads them."""
        with self.ctx.db.read_session() as s:
            forum = s.get(Forum, forum_id)
            if forum is None:
                return None, {}
            return forum.version, {"status": forum.status, "cancel_reason": forum.cancel_reason}

    def cancel_selected(self, ids) -> FormDialog | None:
        if not ids:
            return None
        dlg = FormDialog(_("Cancel forum"), lambda d: self._cancel(ids[0], d.reason_edit.toPlainText(), d), self,
                         save_text=_("Cancel the forum"))
        dlg.version, dlg.base = self._version(ids[0])  # a forum changed since (e.g. marked held) is not cancelled unasked
        dlg.reason_edit = QPlainTextEdit()
        dlg.reason_edit.setObjectName("cancel_reason")
        dlg.add_row(_("Reason"), dlg.reason_edit, mandatory=True)
        dlg.check = lambda: "" if dlg.reason_edit.toPlainText().strip() else _("Give the reason for cancelling.")
        dlg.reason_edit.textChanged.connect(dlg.validate)
        dlg.validate()
        self.dialog = dlg
        dlg.open()
        return dlg

    def _cancel_problem(self, ids) -> str | None:
        """An already cancelled forum cannot be cancelled again (its button is disabled, saying so)."""
        with self.ctx.db.read_session() as s:
            if any(s.get(Forum, i).status == vocab.FORUM_CANCELLED for i in ids if s.get(Forum, i) is not None):
                return _("This forum is already cancelled.")
        return None

    def _cancel(self, forum_id, reason: str, dlg) -> Job:
        db, version = self.ctx.db, dlg.version

        def failed(exc: KnownError) -> None:
            if not isinstance(exc, StaleRecord):
                return messages.known_error(dlg, exc)
            typed = {"status": vocab.FORUM_CANCELLED, "cancel_reason": reason}
            choice = self._resolve(dlg, exc, typed, dlg.base)
            if choice == conflict_dialog.KEEP_MINE:
                dlg.version, dlg.base = exc.version, dict(exc.stored)
                dlg.accept()  # cancel it all the same, on purpose
            elif choice == conflict_dialog.TAKE_THEIRS:
                dlg.reject()  # the forum stays as it is stored
                self.refresh()

        return run_op(dlg, self.ctx, lambda: forum_service.cancel_forum(db, forum_id, reason,
                                                                        expected_version=version),
                      on_error=failed)

    def _resolve(self, parent, exc: StaleRecord, typed: dict, base: dict | None) -> str:
        """The conflict dialog for the forum's small forms (cancel, held, attendance); `base`: what the form loaded."""
        labels = {"status": _("Forum status"), "cancel_reason": _("Reason"), "date": _("Held on"),
                  "people_count": _("Number of people"), "enterprise_ids": _("Attending enterprises")}

        def text(key, value):
            if key == "enterprise_ids":
                with self.ctx.db.read_session() as s:
                    names = [e.name for e in s.scalars(select(Enterprise).where(Enterprise.id.in_(value or ()))
                                                       .order_by(Enterprise.name_pinyin))]
                return "、".join(names) or conflict_dialog.value_text(None)
            return conflict_dialog.value_text(value)

        return conflict_dialog.resolve(parent, exc, typed, lambda k: labels.get(k, k), text, base=base)

    def held_selected(self, ids) -> FormDialog | None:
        if not ids:
            return None
        forum_id = ids[0]
        with self.ctx.db.read_session() as s:
            forum = s.get(Forum, forum_id)
            date, people, version = forum.date, forum.people_count, forum.version
            base = {"status": forum.status, "date": date, "people_count": people}
        dlg = FormDialog(_("Mark as held"), lambda d: self._held(forum_id, d), self)
        dlg.version, dlg.base = version, base  # the date and people shown are those of this version
        dlg.date_edit = date_edit()
        set_date(dlg.date_edit, min(date, self.today()))
        dlg.people = QLineEdit("" if people is None else str(people))
        dlg.people.setObjectName("people")
        dlg.people.setValidator(QIntValidator(0, 100_000, dlg.people))
        dlg.people.setPlaceholderText(_("may stay empty until known"))
        dlg.add_row(_("Held on"), dlg.date_edit, mandatory=True)
        dlg.add_row(_("Number of people"), dlg.people)

        def check() -> str:
            return rules.held_date_problem(get_date(dlg.date_edit), self.today()) or ""

        dlg.check = check
        dlg.date_edit.dateChanged.connect(dlg.validate)
        dlg.validate()
        self.dialog = dlg
        dlg.open()
        return dlg

    def _held(self, forum_id, dlg) -> Job:
        people = int(dlg.people.text()) if dlg.people.text().strip() else None
        db, date, today, version = self.ctx.db, get_date(dlg.date_edit), self.today(), dlg.version

        def done(saved: forum_service.ForumSaved) -> None:
            for w in saved.warnings:
                messages.warning(self, w)

        def failed(exc: KnownError) -> None:
            if not isinstance(exc, StaleRecord):
                return messages.known_error(dlg, exc)
            choice = self._resolve(dlg, exc, {"status": vocab.FORUM_HELD, "date": date, "people_count": people},
                                   dlg.base)
            if choice == conflict_dialog.KEEP_MINE:
                dlg.version, dlg.base = exc.version, dict(exc.stored)
                dlg.accept()  # save again, on purpose
            elif choice == conflict_dialog.TAKE_THEIRS:
                if exc.stored.get("date") is not None:
                    set_date(dlg.date_edit, min(exc.stored["date"], self.today()))
                stored_people = exc.stored.get("people_count")
                dlg.people.setText("" if stored_people is None else str(stored_people))
                dlg.version, dlg.base = exc.version, dict(exc.stored)

        return run_op(dlg, self.ctx, lambda: forum_service.mark_forum_held(db, forum_id, date, people, today=today,
                                                                           expected_version=version),
                      on_done=done, on_error=failed)

    def attendance_selected(self, ids, selected=None, version=None, base=None) -> EnterprisePicker | None:
        """参会企业: the picker with the attending enterprises ticked (or `selected`, the clerk's own
        ticks kept after a refused save, with the `version` they are against and the `base` list
        loaded with it)."""
        if not ids:
            return None
        forum_id = ids[0]
        with self.ctx.db.read_session() as s:
            forum = s.get(Forum, forum_id)
            current = [e.id for e in forum_service.attendance(s, forum)]
            title, loaded = forum.title, forum.version
        picker = EnterprisePicker(self.ctx.db, multi=True, selected=current if selected is None else selected,
                                  title=_("Enterprises attending “{title}”").format(title=title), parent=self)
        picker.job = None  # the operation 确定 started (tests wait for it)
        picker.version = loaded if version is None else version
        picker.base = sorted(current) if version is None else base
        picker.accepted.connect(lambda: setattr(picker, "job", self.set_attendance(
            forum_id, picker.selected_ids(), expected_version=picker.version, base=picker.base)))
        self.dialog = picker
        picker.open()
        return picker

    def set_attendance(self, forum_id, enterprise_ids, *, expected_version: int | None = None,
                       base: list | None = None) -> Job:
        """Save the attending enterprises. A forum changed since the picker loaded them (`base`): the
        side-by-side; 取消 opens the picker again with the clerk's ticks, 采用他人的修改 leaves the stored list."""
        db, ids = self.ctx.db, list(enterprise_ids)

        def failed(exc: KnownError) -> None:
            if not isinstance(exc, StaleRecord):
                return messages.known_error(self, exc)
            choice = self._resolve(self, exc, {"enterprise_ids": sorted(ids)},
                                   None if base is None else {"enterprise_ids": sorted(base)})
            if choice == conflict_dialog.KEEP_MINE:
                self.attendance_job = self.set_attendance(forum_id, ids, expected_version=exc.version,
                                                          base=exc.stored.get("enterprise_ids"))
            elif choice == conflict_dialog.CANCEL and not exc.deleted:
                self.attendance_selected([forum_id], selected=ids, version=expected_version, base=base)

        self.attendance_job = run_op(self, self.ctx, lambda: forum_service.set_forum_attendance(
            db, forum_id, ids, expected_version=expected_version), on_error=failed)
        return self.attendance_job
