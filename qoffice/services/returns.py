"""The yearly return (年度报表): load a year from the database, compute, check, write, and keep the
报送记录 (a copy of every exported file with its 17 numbers and the time).

Loading is set-based: one query per kind of record (enterprises, figures, projects, awards, forums,
attendance, the meeting, sign-ups, attendees), never a query per enterprise.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qoffice.db.models import (
    Attendee,
    Award,
    Enterprise,
    Forum,
    ForumAttendance,
    MatchmakingMeeting,
    Partner,
    Project,
    ReturnSubmission,
    SignUp,
    YearFigures,
    utcnow,
)
from qoffice.domain import checks as return_checks
from qoffice.domain import indicators as ind
from qoffice.domain.checks import Problem
from qoffice.domain.returndata import (
    AttendeeRec,
    AwardRec,
    Cover,
    EnterpriseRec,
    FiguresRec,
    ForumRec,
    MeetingRec,
    ProjectRec,
    ReturnData,
    SignUpRec,
)
from qoffice.errors import DataProblems, OutputNotWritable, UsageError
from qoffice.i18n import _
from qoffice.services import Progress
from qoffice.services import settings as settings_service
from qoffice.services.changes import Changes

RETURNS_FOLDER = "returns"
MIN_YEAR, MAX_YEAR = 1949, 2100  # as every year field of qoffice (services.enterprises)
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class ReturnHasErrors(DataProblems):
    """The checks found errors: nothing was written. `errors` and `warnings` are Problems."""

    def __init__(self, errors: list[Problem], warnings: list[Problem] | None = None):
        super().__init__(_("The return has {n} error(s) and was not exported; fix them first.").format(
            n=len(errors)))
        self.errors = errors
        self.warnings = warnings or []


@dataclass(frozen=True)
class ReturnPreview:
    """What the 年度报表 page shows: the 17 rows, and the problems with the record each is about."""

    year: int
    indicators: list[ind.IndicatorRow]
    errors: list[Problem]
    warnings: list[Problem]

    @property
    def can_export(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ExportResult:
    path: Path
    copy_path: Path | None
    submission_id: int | None  # None: not recorded (a viewer's export)
    indicators: list[ind.IndicatorRow]
    warnings: list[Problem]

    @property
    def changes(self) -> Changes:
        """What the export wrote into the database: a 报送记录, unless a viewer's export."""
        return Changes.of("return_submission") if self.submission_id is not None else Changes()


class _LoadedReturn(ReturnData):
    """ReturnData that works out each selection once.

    The checks, the indicators and the writer each ask for the same selections (企业名录's rows three
    times, a year's figures eleven times); over 100,000 enterprises that repetition cost seconds.
    The data is frozen after loading, so the answers cannot change; each call still gets its own
    list, because callers sort what they are given.
    """

    def _memo(self, key, compute):
        cache = self.__dict__.setdefault("_memo_cache", {})
        try:
            found = cache[key]
        except KeyError:
            found = cache[key] = compute()
        return list(found)

    def _memo_set(self, key, compute) -> frozenset:
        cache = self.__dict__.setdefault("_memo_cache", {})
        try:
            return cache[key]
        except KeyError:
            found = cache[key] = compute()  # frozen: shared, not copied
            return found

    def figures_of(self, year: int) -> list[FiguresRec]:
        return self._memo(("figures_of", year), lambda: ReturnData.figures_of(self, year))

    def figures_by_enterprise(self, year: int) -> dict[int, FiguresRec]:
        cache = self.__dict__.setdefault("_memo_cache", {})
        key = ("figures_by_enterprise", year)
        if key not in cache:
            cache[key] = ReturnData.figures_by_enterprise(self, year)
        return dict(cache[key])

    def benchmarking_ids(self) -> frozenset[int]:
        return self._memo_set("benchmarking_ids", lambda: ReturnData.benchmarking_ids(self))

    def cqo_ids(self) -> frozenset[int]:
        return self._memo_set("cqo_ids", lambda: ReturnData.cqo_ids(self))

    def projects_of_year(self) -> list[ProjectRec]:
        return self._memo("projects_of_year", lambda: ReturnData.projects_of_year(self))

    def awards_of_year(self) -> list[AwardRec]:
        return self._memo("awards_of_year", lambda: ReturnData.awards_of_year(self))

    def signups_of_year(self) -> list[SignUpRec]:
        return self._memo("signups_of_year", lambda: ReturnData.signups_of_year(self))

    def enterprise_rows(self) -> list[EnterpriseRec]:
        return self._memo("enterprise_rows", lambda: ReturnData.enterprise_rows(self))

    def project_rows(self) -> list[ProjectRec]:
        return self._memo("project_rows", lambda: ReturnData.project_rows(self))

    def award_rows(self) -> list[AwardRec]:
        return self._memo("award_rows", lambda: ReturnData.award_rows(self))

    def signup_rows(self) -> list[SignUpRec]:
        return self._memo("signup_rows", lambda: ReturnData.signup_rows(self))


# --- loading ------------------------------------------------------------------------------------------
def _live():
    return Enterprise.deleted_at.is_(None)


def load(session: Session, year: int, *, today: dt.date | None = None) -> ReturnData:
    """Year `year` as plain records (deleted enterprises and their records left out)."""
    from qoffice import __version__

    check_year(year)
    today = today or dt.date.today()
    cover_text = settings_service.without_controls  # a value an older version let in must not break the file
    cover = Cover(
        office=cover_text(settings_service.get(session, "office")),
        county=cover_text(settings_service.get(session, "county")),
        operator=cover_text(settings_service.get(session, "operator")),
        phone=cover_text(settings_service.get(session, "phone")),
        export_date=today,
        software_version=__version__,
    )
    enterprises = _load_enterprises(session)
    figures = _load_figures(session, year)

    E = Enterprise
    P = Project
    projects = tuple(ProjectRec(*row) for row in session.execute(
        select(P.id, P.enterprise_id, P.type, P.title, P.year, Partner.name, Partner.type, P.investment_yuan,
               P.stage, P.benefit_yuan)
        .join(E, E.id == P.enterprise_id).outerjoin(Partner, Partner.id == P.partner_id)
        .where(_live(), P.year == year).order_by(P.id)))

    A = Award
    awards = tuple(AwardRec(*row) for row in session.execute(
        select(A.id, A.enterprise_id, A.award, A.year).join(E, E.id == A.enterprise_id)
        .where(_live(), A.year == year).order_by(A.id)))

    forums = _load_forums(session, year)
    meeting, signups = _load_meeting(session, year)
    return _LoadedReturn(year=year, cover=cover, enterprises=enterprises, figures=figures, projects=projects,
                      awards=awards, forums=forums, meeting=meeting, signups=signups,
                      targets=settings_service.targets(session),
                      bad_settings=settings_service.invalid_stored(session))


def _raw_rows(session: Session, query):
    """The rows of a Core select straight from the DB-API cursor.

    The two big loads (100,000 enterprises, their figures for two years) hold only text, integers
    and ISO dates; SQLAlchemy's per-row result machinery cost more than the rest of the load, so
    the statement is compiled once by SQLAlchemy (names stay in step with the models) and run on
    the driver's own cursor.
    """
    session.flush()  # what the ORM's execute would autoflush
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    cursor = connection.connection.driver_connection.cursor()
    try:
        if compiled.positiontup is not None:  # qmark (SQLite)
            cursor.execute(str(compiled), tuple(params[name] for name in compiled.positiontup))
        else:  # named parameters (psycopg on PostgreSQL)
            cursor.execute(str(compiled), params)
        while chunk := cursor.fetchmany(5000):
            yield from chunk
    finally:
        cursor.close()


def _date(value) -> dt.date | None:
    """A Date column as the driver returns it on SQLite (ISO text) → date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def _load_enterprises(session: Session) -> dict[int, EnterpriseRec]:
    E = Enterprise
    query = (select(E.id, E.uscc, E.name, E.county, E.industry_group, E.trade, E.high_energy, E.legal_rep,
                    E.contact, E.phone, E.cqo_name, E.cqo_phone, E.cqo_appointed, E.excellence_year, E.benchmark,
                    E.benchmark_since, E.research_centre, E.status, E.status_year)
             .where(_live()).order_by(E.id))
    return {eid: EnterpriseRec(eid, code, name, county, group, trade, bool(high_energy), legal_rep, contact, phone,
                               cqo_name, cqo_phone, _date(cqo_appointed), excellence_year, bool(benchmark), since,
                               bool(centre), status, status_year, False)
            for (eid, code, name, county, group, trade, high_energy, legal_rep, contact, phone, cqo_name, cqo_phone,
                 cqo_appointed, excellence_year, benchmark, since, centre, status, status_year)
            in _raw_rows(session, query)}


def _load_figures(session: Session, year: int) -> tuple[FiguresRec, ...]:
    """Years Y and Y−1 of the live enterprises (Y−1 feeds row 10 and a warning)."""
    E, F = Enterprise, YearFigures
    query = (select(F.enterprise_id, F.year, F.loss_rate_e4, F.checked, F.passed, F.benefit_yuan, F.id)
             .join(E, E.id == F.enterprise_id).where(_live(), F.year.in_((year, year - 1))).order_by(F.id))
    return tuple(map(FiguresRec._make, _raw_rows(session, query)))


def _load_forums(session: Session, year: int) -> tuple[ForumRec, ...]:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = (Forum.date >= first) & (Forum.date <= last)
    attending: dict[int, list[int]] = {}
    for forum_id, enterprise_id in session.execute(
            select(ForumAttendance.forum_id, ForumAttendance.enterprise_id)
            .join(Forum, Forum.id == ForumAttendance.forum_id)
            .join(Enterprise, Enterprise.id == ForumAttendance.enterprise_id)
            .where(in_year, _live())):
        attending.setdefault(forum_id, []).append(enterprise_id)
    return tuple(
        ForumRec(fid, title, date, status, venue, organiser, topic, tuple(attending.get(fid, ())), people)
        for fid, title, date, status, venue, organiser, topic, people in session.execute(
            select(Forum.id, Forum.title, Forum.date, Forum.status, Forum.venue, Forum.organiser, Forum.topic,
                   Forum.people_count).where(in_year).order_by(Forum.id)))


def _load_meeting(session: Session, year: int) -> tuple[MeetingRec | None, tuple[SignUpRec, ...]]:
    row = session.execute(select(MatchmakingMeeting.id, MatchmakingMeeting.year, MatchmakingMeeting.title,
                                 MatchmakingMeeting.date).where(MatchmakingMeeting.year == year)).first()
    if row is None:
        return None, ()
    meeting = MeetingRec(*row)
    people: dict[int, list[AttendeeRec]] = {}
    for signup_id, name, post, phone in session.execute(
            select(Attendee.signup_id, Attendee.name, Attendee.post, Attendee.phone)
            .join(SignUp, SignUp.id == Attendee.signup_id)
            .join(Enterprise, Enterprise.id == SignUp.enterprise_id)
            .where(SignUp.meeting_id == meeting.id, _live())
            .order_by(Attendee.signup_id, Attendee.position, Attendee.id)):
        people.setdefault(signup_id, []).append(AttendeeRec(name, post, phone))
    signups = tuple(
        SignUpRec(sid, eid, status, at, need, partner, tuple(people.get(sid, ())))
        for sid, eid, status, at, need, partner in session.execute(
            select(SignUp.id, SignUp.enterprise_id, SignUp.status, SignUp.signed_up_at, SignUp.need, Partner.name)
            .join(Enterprise, Enterprise.id == SignUp.enterprise_id)
            .outerjoin(Partner, Partner.id == SignUp.partner_id)
            .where(SignUp.meeting_id == meeting.id, _live()).order_by(SignUp.id)))
    return meeting, signups


# --- preview, export, 报送记录 ---------------------------------------------------------------------------
@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused for the bulk work of a return, then put back as it was.

    Loading, checking and writing a large county's return allocate millions of short-lived objects,
    which reference counting frees; the collector's passes over them and over the loaded records
    find next to nothing and cost about a second at 100,000 enterprises (issue 14). As timeit does
    while it measures, the collector waits until the work is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def preview(session: Session, year: int, *, today: dt.date | None = None) -> ReturnPreview:
    with collector_paused():
        data = load(session, year, today=today)
        result = return_checks.check(data)
        return ReturnPreview(year, ind.compute(data), result.errors, result.warnings)


def default_filename(county: str | None, year: int) -> str:
    county = _UNSAFE_FILENAME.sub("_", (county or "").strip())
    return f"{county}_{year}年度质量强企报表.xlsx"


def output_path(target: Path | str, county: str | None, year: int) -> Path:
    """The file to write: `target` itself, or the default file name inside it when it is a folder
    (a link to a folder counts as the folder)."""
    target = Path(target)
    try:
        is_folder = target.is_dir()
    except OSError:  # a name too long, a loop of links: excel.outputs.check_output says what is wrong
        is_folder = False
    if is_folder:
        return target / default_filename(county, year)
    return target


def returns_folder() -> Path:
    from qoffice.paths import data_home

    return data_home() / RETURNS_FOLDER


def check_year(year: int) -> int:
    """A return's year: a four-digit year in the range every record of qoffice takes."""
    if not isinstance(year, int) or isinstance(year, bool) or not (MIN_YEAR <= year <= MAX_YEAR):
        raise UsageError(_("The year of a return must be between {lo} and {hi}, not {year}.").format(
            lo=MIN_YEAR, hi=MAX_YEAR, year=year))
    return year


def export_return(db, year: int, target: Path | str, *, progress: Progress = None,
                  record: bool = True) -> ExportResult:
    """export() in its own unit of work: the GUI's operation (qoffice.ui.operations.run_op); the
    result's `changes` say whether a 报送记录 was added."""
    with db.session() as session:
        return export(session, year, target, progress=progress, record=record)


def export(session: Session, year: int, target: Path | str, *, progress: Progress = None,
           today: dt.date | None = None, record: bool = True) -> ExportResult:
    """Check, then write the return, keep its copy and record it — all three or none.

    record=False (a viewer's export, 领导查看, who may not write to the database): the return is
    written and its copy kept, but no 报送记录 is added (submission_id None); the caller says so.

    Errors raise ReturnHasErrors and write nothing. The return is written beside the target first,
    its copy goes into the data folder's returns/, the 报送记录 is added, the return is renamed into
    place and the record committed here (so the caller's unit of work has nothing left to do);
    a failure at any step takes back the earlier ones: the old target is put back, the copy
    removed, the record rolled back, and OutputNotWritable (exit 2) says what failed.
    """
    from qoffice.excel import return_writer
    from qoffice.excel.outputs import check_output, protect_database

    check_year(year)
    if not str(target).strip():
        raise OutputNotWritable(_("No output file was given."))
    bind = session.get_bind()
    if getattr(getattr(bind, "dialect", None), "name", None) == "sqlite":  # a server's database has no file here
        db_file = getattr(getattr(bind, "url", None), "database", None)
        if db_file:
            protect_database(db_file)
    with collector_paused():
        data = load(session, year, today=today)
        path = output_path(target, data.cover.county, year)
        check_output(path)  # before the checks and the writing: a refused target costs nothing
        result = return_checks.check(data)
        if result.errors:
            raise ReturnHasErrors(result.errors, result.warnings)
        rows = ind.compute(data)
        staged = return_writer.stage(path, data, rows, result.warnings, progress=progress)
    copy_path: Path | None = None
    try:
        copy_path = _keep_copy(staged.tmp, Path(path).name, year)
        if not record:
            staged.place()
            staged.finish()
            return ExportResult(Path(path), copy_path, None, rows, result.warnings)
        submission = ReturnSubmission(year=year, at=utcnow(), path=str(staged.target),
                                      copy_path=str(copy_path),
                                      indicators_json=json.dumps(ind.as_json(rows), ensure_ascii=False),
                                      warnings=len(result.warnings))
        session.add(submission)
        session.flush()
        staged.place()
        try:
            session.commit()
        except Exception as exc:
            from sqlalchemy import exc as sa_exc

            if not isinstance(exc, sa_exc.DBAPIError):
                raise
            raise OutputNotWritable(_("The return could not be recorded in the database ({reason}); nothing "
                                      "was written.").format(reason=_db_reason(exc))) from exc
    except BaseException:
        staged.undo()
        if copy_path is not None:
            copy_path.unlink(missing_ok=True)
        raise
    staged.finish()
    return ExportResult(Path(path), copy_path, submission.id, rows, result.warnings)


def _db_reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0] if str(orig) else type(orig).__name__


def _keep_copy(written: Path, name: str, year: int) -> Path:
    """A copy in the data folder's returns/, so the clerk can answer the city's questions later.

    Whole or not at all: a copy that cannot be made completely (disk full, no permission) is
    removed and stops the export (OutputNotWritable), since the return must not go out unrecorded.
    """
    from qoffice.excel.outputs import copy_file

    folder = returns_folder()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    copy = folder / f"{year}_{stamp}_{name}"
    n = 1
    try:
        folder.mkdir(parents=True, exist_ok=True)
        while copy.exists():
            n += 1
            copy = folder / f"{year}_{stamp}-{n}_{name}"
        return copy_file(written, copy)
    except OSError as exc:
        from qoffice.excel.outputs import reason

        raise OutputNotWritable(_("Cannot keep a copy of the return in {folder}: {reason}; nothing was "
                                  "written.").format(folder=folder, reason=reason(exc))) from exc


@dataclass(frozen=True)
class Submission:
    id: int
    year: int
    at: dt.datetime  # UTC
    path: str
    copy_path: str | None
    indicators: dict[str, str | None]  # number → value text
    warnings: int

    @property
    def copy_exists(self) -> bool:
        return bool(self.copy_path) and Path(self.copy_path).exists()


def list_submissions(session: Session, year: int | None = None) -> list[Submission]:
    """Every exported return, newest first (optionally of one year)."""
    query = select(ReturnSubmission).order_by(ReturnSubmission.at.desc(), ReturnSubmission.id.desc())
    if year is not None:
        query = query.where(ReturnSubmission.year == year)
    out = []
    for s in session.scalars(query):
        try:
            numbers = json.loads(s.indicators_json or "{}")
        except ValueError:
            numbers = {}
        out.append(Submission(s.id, s.year, s.at, s.path, s.copy_path, numbers, s.warnings))
    return out
