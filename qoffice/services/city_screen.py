"""What the 市级汇总 screen (qoffice.ui.city) reads, and the files it writes from the database: each
function takes the Database and reads in its own read session, so the screen opens none itself.
The use cases are in qoffice.services.city (which takes a Session, for the CLI's one transaction).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from qoffice.errors import KnownError
from qoffice.excel.outputs import StagedFile
from qoffice.i18n import _
from qoffice.progress import Progress
from qoffice.progress import report as report_progress
from qoffice.services import city, city_targets
from qoffice.services import settings as settings_service


@dataclass(frozen=True)
class Received:
    """A received file as the 收取记录 tab lists it (plain values, read outside the session)."""

    id: int
    received_at: dt.datetime | None
    county: str
    file_name: str
    filled_date: dt.date | None
    current: bool
    withdrawn_at: dt.datetime | None
    withdraw_reason: str | None


@dataclass(frozen=True)
class Board:
    """Everything the screen shows, read in one read session (on the worker: the report of eight
    counties of 5,000 enterprises takes seconds)."""

    report: city.CityReport
    history: list[Received]
    deadline: str | None  # as stored (ISO date), None when not set
    targets: dict[str, dict[int, Decimal | None]]  # the 目标 tab: county → its 17 targets, then 全市
    late: list  # 催报: the counties late by deadline_date(deadline, year) (reminders)


def deadline_date(stored: str | None, year: int) -> dt.date:
    """The 催报 deadline: as stored, or 31 January of the next year."""
    try:
        return dt.date.fromisoformat(stored) if stored else dt.date(year + 1, 1, 31)
    except ValueError:
        return dt.date(year + 1, 1, 31)


def board(db, year: int) -> Board:
    """The screen's refresh: the city's report for `year`, its received files, the deadline, the
    targets table and the counties late by the deadline."""
    with db.read_session() as s:
        rep = city.report(s, year)
        history = [Received(r.id, r.received_at, r.county, r.file_name, r.filled_date, r.current, r.withdrawn_at,
                            r.withdraw_reason) for r in city.history(s, year)]
        deadline = settings_service.get(s, settings_service.DEADLINE)
        try:
            late = city.reminders(s, year, deadline_date(deadline, year))
        except KnownError:
            late = []
        return Board(rep, history, deadline, city_targets.target_table(s), late)


def reminders(db, year: int, deadline: dt.date) -> list:
    """催报: the counties late by `deadline`, with their last office phone and operator."""
    with db.read_session() as s:
        return city.reminders(s, year, deadline)


def targets_out(db, year: int, folder: Path | str, progress: Progress = None) -> list[Path]:
    """下发目标, all the counties' workbooks or none (services.city_targets.targets_out)."""
    with db.read_session() as s:
        return city_targets.targets_out(s, year, folder, progress=progress)


def export(db, year: int, target: Path | str, progress: Progress = None) -> city.ExportResult:
    """The city workbook written beside `target`, not yet in place (`.staged`: the screen places it
    unless the clerk cancelled meanwhile)."""
    with db.read_session() as s:
        return city.stage_export(s, year, target, progress=progress)


@dataclass
class StagedFeedback:
    """The 反馈单's .xlsx written beside its target, not yet in place (`staged`), and its content,
    which the screen lays out as the PDF that goes beside it before it places both."""

    staged: StagedFile
    feedback: city.Feedback


def feedback(db, year: int, county: str, target: Path | str, progress: Progress = None) -> StagedFeedback:
    report_progress(progress, 0, 0, _("Writing the feedback…"))
    with db.read_session() as s:
        staged, fb = city.stage_feedback(s, year, county, target)
    return StagedFeedback(staged, fb)


def summary(db, year: int) -> city.CityReport:
    """The city's report, for 全市汇总 and 考核排名 on paper (laid out by the screen)."""
    with db.read_session() as s:
        return city.report(s, year)


def received_file(db, return_id: int, sheet: str | None = None, row: int | None = None) -> Path:
    """The received file on disk, or a copy that opens at a finding's sheet and row."""
    with db.read_session() as s:
        return city.view_of(s, return_id, sheet, row) if sheet else city.file_of(s, return_id)
