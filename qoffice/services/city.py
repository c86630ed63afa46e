"""The city office's use cases (city.md): receive county returns, withdraw (退回), status, the city's
report (totals, completion, ranking) and its workbook.

Each received file is judged on its own and stored in its own transaction: the file's bytes and
original name, its rows as data, its findings — or nothing at all. After the commit the file is
also written, atomically, to received/{年度}/{区县}/ in the data folder for the clerk to open
(rewritten from the database when missing: ensure_received_files).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from qoffice.db.models import CityFinding, CityReturn, CityReturnRow, utcnow
from qoffice.domain import city
from qoffice.domain import indicators as ind
from qoffice.errors import DataProblems, UsageError
from qoffice.excel.outputs import StagedFile
from qoffice.i18n import _
from qoffice.progress import Progress
from qoffice.progress import report as report_progress
from qoffice.services import settings as settings_service
from qoffice.services.changes import Changes

RECEIVED_FOLDER = "received"
MAX_FILE_BYTES = 200 << 20  # a county return is a few MB at most
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')

ACCEPTED, REPLACED, UNCHANGED, REFUSED = "accepted", "replaced", "unchanged", "refused"


class NotCityLevel(UsageError):
    """City commands on a county-level database (exit 2)."""


class NothingReceived(DataProblems):
    """No county has a current return for the year (exit 1)."""


def require_city(source) -> None:
    if settings_service.level(source) != settings_service.LEVEL_CITY:
        raise NotCityLevel(_("This database is a county office's. To receive and add up county returns, set the "
                             "level first: qoffice settings set level city"))


# --- receiving ----------------------------------------------------------------------------------------
@dataclass
class Outcome:
    file: str  # the original base name
    status: str  # accepted | replaced | unchanged | refused
    county: str | None = None
    year: int | None = None
    errors: list[city.Finding] = field(default_factory=list)
    warnings: list[city.Finding] = field(default_factory=list)
    return_id: int | None = None
    newer_exists: bool = False  # refused only because the current return is newer (GUI asks)

    def as_json(self) -> dict:
        return {"file": self.file, "county": self.county, "year": self.year, "status": self.status,
                "errors": [f.as_json() for f in self.errors], "warnings": [f.as_json() for f in self.warnings]}


def _refused(name: str, message: str, sheet=None, row=None) -> Outcome:
    return Outcome(name, REFUSED, errors=[city.Finding(city.ERROR, sheet, row, message)])


def receive(db, paths: Iterable[Path | str], *, replace_newer: bool = False,
            today: dt.date | None = None) -> list[Outcome]:
    """Receive each file on its own (one bad file never stops the others)."""
    with db.read_session() as s:
        require_city(s)
    out = []
    for path in paths:
        try:
            out.append(receive_one(db, Path(path), replace_newer=replace_newer, today=today))
        except (OSError, UsageError) as exc:
            out.append(_refused(Path(path).name, _message(exc)))
        except Exception as exc:  # an unexpected error while reading one file refuses that file only
            import logging

            logging.getLogger(__name__).exception("receiving %s", path)
            out.append(_refused(Path(path).name, f"读取文件时出错（{type(exc).__name__}），未收取"))
    return out


@dataclass
class Received:
    outcomes: list[Outcome]
    changes: Changes


def receive_files(db, paths: Sequence[Path | str], *, replace_newer: bool = False) -> Received:
    """收取报表 as the GUI's operation: receive, with the city returns as its Changes when any was stored."""
    outcomes = receive(db, paths, replace_newer=replace_newer)
    stored = any(o.status in (ACCEPTED, REPLACED) for o in outcomes)
    return Received(outcomes, Changes.of("city_return") if stored else Changes())


def _message(exc: BaseException) -> str:
    return getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)


def read_file(path: Path) -> bytes:
    import stat

    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{path.name}不是普通文件")
    if st.st_size > MAX_FILE_BYTES:
        raise UsageError(f"{path.name}过大（{st.st_size // (1 << 20)} MB），不是年度报表")
    return path.read_bytes()


def receive_one(db, path: Path, *, replace_newer: bool = False, today: dt.date | None = None,
                content: bytes | None = None, name: str | None = None) -> Outcome:
    from qoffice.excel import city_reader

    name = name or path.name
    today = today or dt.date.today()
    try:
        content = read_file(path) if content is None else content
    except FileNotFoundError:
        return _refused(name, "文件不存在")
    except OSError as exc:
        return _refused(name, f"无法读取文件：{_message(exc)}")
    digest = hashlib.sha256(content).hexdigest()
    fr = city_reader.read(path)
    if fr.raw is None:
        return Outcome(name, REFUSED, errors=fr.errors, warnings=fr.warnings)
    with db.read_session() as s:
        counties = settings_service.counties(s)
    reading = city.read_return(fr.raw, counties, today=today)
    ret = reading.ret
    if ret is None:
        return Outcome(name, REFUSED, errors=reading.errors, warnings=fr.warnings + reading.warnings)
    outcome = Outcome(name, ACCEPTED, ret.county, ret.year)
    with db.session() as s:
        require_city(s)
        current = _current(s, ret.year, ret.county)
        if current is not None and current.sha256 == digest:
            outcome.status = UNCHANGED
            outcome.warnings = [city.Finding(city.NOTE, None, None, "已收到过相同文件，未作改动")]
            outcome.return_id = current.id
            return outcome
        if (current is not None and current.filled_date and ret.filled_date
                and ret.filled_date < current.filled_date and not replace_newer):
            outcome.status = REFUSED
            outcome.newer_exists = True
            outcome.errors = [city.Finding(
                city.ERROR, city.S_COVER, 6,
                f"此文件的填报日期{ret.filled_date.isoformat()}早于已收到的{current.filled_date.isoformat()}，"
                "未收取（确需以旧文件替换请使用 --replace-newer）")]
            return outcome
        prev = load_current(s, ret.year - 1, [ret.county]).get(ret.county)
        values = city.recompute(ret, prev)
        # in the order of the sheets they point at, then row (file-level ones first), as 校验 lists them
        findings = city.sort_findings(fr.warnings + reading.warnings + city.summary_findings(ret, prev, values))
        now = utcnow()
        if current is not None:
            current.current = False
            current.superseded_at = now
            outcome.status = REPLACED
        rec = CityReturn(year=ret.year, county=ret.county, file_name=name, sha256=digest, content=content,
                         received_at=now, filled_date=ret.filled_date, office=ret.office, operator=ret.operator,
                         phone=ret.phone, software_version=ret.software_version, current=True,
                         replaced_previous=current is not None,
                         summary_json=json.dumps({str(k): v for k, v in ret.summary.items()},
                                                 ensure_ascii=False, default=_jsonable),
                         warnings=len(findings))
        s.add(rec)
        s.flush()
        rid = rec.id
        dumps = json.JSONEncoder(ensure_ascii=False, default=_jsonable).encode
        # Each row as the list of its values in the contract's column order (city.COLUMNS).
        rows = [(rid, sheet, r.number, dumps([r.get(h) for h in city.COLUMNS[sheet]]))
                for sheet, sheet_rows in ret.rows.items() for r in sheet_rows]
        if rows:
            # executemany on the driver: the same statement a Core insert compiles, without its
            # per-row parameter dictionaries (40,000 rows of eight counties in one receive).
            # Bound parameters in the driver's own style (sqlite3: ?, psycopg on a server: %s).
            t, conn = CityReturnRow.__table__, s.connection()
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            conn.exec_driver_sql(f'INSERT INTO {t.name} (return_id, sheet, "row", data) VALUES ({", ".join([mark] * 4)})', rows)
        if findings:
            s.execute(insert(CityFinding), [{"return_id": rec.id, "level": f.level, "sheet": f.sheet, "row": f.row,
                                             "message": f.message} for f in findings])
        outcome.return_id = rec.id
        outcome.warnings = findings
        file_name, rid, year, county = rec.file_name, rec.id, rec.year, rec.county
    try:
        _write_received(year, county, _stored_name(db, rid, file_name, year, county), content)
    except Exception:  # the database holds the bytes: the copy is rewritten when missing
        pass
    return outcome


def _jsonable(v):
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    raise TypeError(f"not storable: {v!r}")


def _current(s: Session, year: int, county: str) -> CityReturn | None:
    return s.scalars(select(CityReturn).where(CityReturn.year == year, CityReturn.county == county,
                                              CityReturn.current.is_(True))).first()


# --- received/{年度}/{区县}/ ------------------------------------------------------------------------
def received_folder() -> Path:
    from qoffice.paths import data_home

    return data_home() / RECEIVED_FOLDER


def _safe(name: str) -> str:
    cleaned = _UNSAFE.sub("_", name).strip(" .") or "报表.xlsx"
    return cleaned[:150]


def _stored_name(db_or_session, rid: int, file_name: str, year: int, county: str) -> str:
    """The original name, or name(id) when an earlier return of the county and year had that name."""
    def count(s):
        return s.scalar(select(func.count()).select_from(CityReturn).where(
            CityReturn.year == year, CityReturn.county == county, CityReturn.file_name == file_name,
            CityReturn.id < rid))
    if isinstance(db_or_session, Session):
        earlier = count(db_or_session)
    else:
        with db_or_session.read_session() as s:
            earlier = count(s)
    safe = _safe(file_name)
    if not earlier:
        return safe
    p = Path(safe)
    return f"{p.stem}({rid}){p.suffix}"


def received_path(year: int, county: str, stored_name: str) -> Path:
    return received_folder() / str(year) / _safe(county) / stored_name


def _write_received(year: int, county: str, stored_name: str, content: bytes) -> Path:
    from qoffice.excel.outputs import StagedFile

    target = received_path(year, county, stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and target.read_bytes() == content:
        return target
    staged = StagedFile(target)
    try:
        staged.tmp.write_bytes(content)
        staged.ready()
        staged.place()
    except BaseException:
        staged.discard()
        raise
    staged.finish()
    return target


def file_of(session: Session, return_id: int) -> Path:
    """The received file on disk (rewritten from the database when missing)."""
    rec = session.get(CityReturn, return_id)
    name = _stored_name(session, rec.id, rec.file_name, rec.year, rec.county)
    path = received_path(rec.year, rec.county, name)
    if not path.is_file():
        _write_received(rec.year, rec.county, name, rec.content)
    return path


VIEW_FOLDER = ("temp", "received-view")


def view_folder() -> Path:
    from qoffice.paths import data_home

    return data_home().joinpath(*VIEW_FOLDER)


def view_of(session: Session, return_id: int, sheet: str | None, row: int | None) -> Path:
    """A copy of the received file that opens at `sheet` and `row` (a finding's place), written to
    temp/received-view/ in the data folder — never over the stored file. When the place cannot be
    set (no sheet, or the workbook cannot be rewritten), the received file itself."""
    from qoffice.excel import city_view

    rec = session.get(CityReturn, return_id)
    if rec is None or not sheet:
        return file_of(session, return_id)
    target = view_folder() / str(rec.year) / _safe(rec.county) / _safe(city_view.view_name(rec.file_name, sheet, row))
    try:
        return city_view.write_view(rec.content, target, sheet, row) or file_of(session, return_id)
    except Exception:  # noqa: BLE001 - an Excel that opens the file itself is still what the clerk asked for
        if target.is_file():  # that copy still open (and locked) in Excel: it already opens there
            return target
        import logging

        logging.getLogger(__name__).warning("view copy of return %s at %s!%s not written", return_id, sheet, row, exc_info=True)
        return file_of(session, return_id)


def ensure_received_files(session: Session) -> int:
    """Write back every received file missing from the data folder; returns how many."""
    n = 0
    for rid, name, year, county in session.execute(
            select(CityReturn.id, CityReturn.file_name, CityReturn.year, CityReturn.county)):
        path = received_path(year, county, _stored_name(session, rid, name, year, county))
        if not path.is_file():
            rec = session.get(CityReturn, rid)
            _write_received(year, county, path.name, rec.content)
            n += 1
    return n


# --- 退回 -------------------------------------------------------------------------------------------
def withdraw(session: Session, year: int, county: str, reason: str) -> CityReturn:
    require_city(session)
    reason = (reason or "").strip()
    if not reason:
        raise UsageError(_("Give the reason for sending the return back (--reason)."))
    current = _current(session, year, county)
    if current is None:
        raise UsageError(_("{county} has no current return for {year} to send back.").format(county=county,
                                                                                          year=year))
    current.current = False
    current.withdrawn_at = utcnow()
    current.withdraw_reason = reason
    session.flush()
    return current


def withdraw_return(db, year: int, county: str, reason: str) -> Changes:
    """退回 as the GUI's operation, in its own transaction."""
    return Changes.of("city_return", ids=[db.run_unit(lambda s: withdraw(s, year, county, reason).id)])


# --- loading -----------------------------------------------------------------------------------------
def _to_return(rec_fields, rows: Sequence[tuple[str, int, str]]) -> city.CountyReturn:
    (county, year, office, operator, phone, filled, software, summary_json) = rec_fields
    by_sheet: dict[str, list[city.Row]] = {name: [] for name in city.DETAIL_SHEETS + (city.S_CHECKS,)}
    # Stored values are already typed and clean (text stripped, codes normalised): only what JSON
    # cannot hold is turned back — Decimals (万元, rates) and dates, which it keeps as text.
    restore = {name: [(i, city.converter(h)) for i, h in enumerate(cols)
                      if h in city.WAN_COLUMNS or h in city.RATE_COLUMNS or h in city.DATE_COLUMNS]
               for name, cols in city.COLUMNS.items()}
    # One JSON document for all the rows: one parse instead of one per row (a return has ~10,000)
    parsed = json.loads("[" + ",".join(data for _sheet, _number, data in rows) + "]") if rows else []
    for (sheet, number, _data), stored in zip(rows, parsed):
        if isinstance(stored, list):  # the values in city.COLUMNS order
            for i, conv in restore.get(sheet, ()):
                v = stored[i]
                if v is not None:
                    stored[i] = conv(v)
            values = dict(zip(city.COLUMNS.get(sheet, ()), stored))
        else:  # a row stored as {header: value}
            values = {k: (city.converter(k)(v) if v is not None and v.__class__ is not int else v)
                      for k, v in stored.items()}
        by_sheet.setdefault(sheet, []).append(city.Row(number, values))
    summary = {}
    for k, v in json.loads(summary_json or "{}").items():
        try:
            summary[int(k)] = city.decimal(v) if v is not None else None
        except city.BadValue:
            summary[int(k)] = v
    return city.CountyReturn(county=county, year=year, office=office, operator=operator, phone=phone,
                             filled_date=filled, software_version=software, summary=summary, rows=by_sheet)


def load_current(session: Session, year: int, counties: Sequence[str] | None = None) -> dict[str, city.CountyReturn]:
    """county → the current return for `year` (as records, from the stored rows)."""
    q = select(CityReturn.id, CityReturn.county, CityReturn.year, CityReturn.office, CityReturn.operator,
               CityReturn.phone, CityReturn.filled_date, CityReturn.software_version, CityReturn.summary_json) \
        .where(CityReturn.year == year, CityReturn.current.is_(True))
    if counties is not None:
        q = q.where(CityReturn.county.in_(list(counties)))
    recs = session.execute(q).all()
    if not recs:
        return {}
    ids = [r[0] for r in recs]
    rows: dict[int, list] = {i: [] for i in ids}
    # Core on the session's connection: plain tuples, without the ORM's per-row loading (~55,000 rows)
    for rid, sheet, number, data in session.connection().execute(
            select(CityReturnRow.return_id, CityReturnRow.sheet, CityReturnRow.row, CityReturnRow.data)
            .where(CityReturnRow.return_id.in_(ids)).order_by(CityReturnRow.id)):
        rows[rid].append((sheet, number, data))
    return {r[1]: _to_return(r[1:], rows[r[0]]) for r in recs}


def load_return(session: Session, return_id: int) -> city.CountyReturn:
    """One stored return (current or not) as records."""
    r = session.execute(
        select(CityReturn.county, CityReturn.year, CityReturn.office, CityReturn.operator, CityReturn.phone,
               CityReturn.filled_date, CityReturn.software_version, CityReturn.summary_json)
        .where(CityReturn.id == return_id)).one()
    rows = session.execute(select(CityReturnRow.sheet, CityReturnRow.row, CityReturnRow.data)
                           .where(CityReturnRow.return_id == return_id).order_by(CityReturnRow.id)).all()
    return _to_return(tuple(r), rows)


def findings_of(session: Session, return_id: int, county: str | None = None) -> list[city.Finding]:
    return [city.Finding(level, sheet, row, message, county) for level, sheet, row, message in session.execute(
        select(CityFinding.level, CityFinding.sheet, CityFinding.row, CityFinding.message)
        .where(CityFinding.return_id == return_id).order_by(CityFinding.id))]


# --- status ------------------------------------------------------------------------------------------
@dataclass
class CountyStatus:
    county: str
    status: str  # 已报送 / 已更新 / 已退回 / 未报送
    received_at: dt.datetime | None = None
    file: str | None = None
    warnings: int = 0
    return_id: int | None = None  # the current return
    operator: str | None = None
    phone: str | None = None
    software_version: str | None = None
    submissions: int = 0  # 报送次数
    withdraw_reason: str | None = None

    def as_json(self) -> dict:
        from qoffice.excel.city_writer import local_time

        at = local_time(self.received_at)  # the clerk's local time, as the board and the workbook show it
        return {"county": self.county, "status": self.status,
                "received_at": at.isoformat(sep=" ", timespec="minutes") if at else None,
                "file": self.file, "warnings": self.warnings}


def status(session: Session, year: int) -> list[CountyStatus]:
    require_city(session)
    counties = settings_service.counties(session)
    recs = session.execute(
        select(CityReturn.id, CityReturn.county, CityReturn.current, CityReturn.replaced_previous,
               CityReturn.received_at, CityReturn.file_name, CityReturn.warnings, CityReturn.withdrawn_at,
               CityReturn.withdraw_reason, CityReturn.operator, CityReturn.phone, CityReturn.software_version)
        .where(CityReturn.year == year).order_by(CityReturn.id)).all()
    by_county: dict[str, list] = {}
    for r in recs:
        by_county.setdefault(r.county, []).append(r)
    out = []
    for county in counties:
        rs = by_county.get(county, [])
        cur = next((r for r in rs if r.current), None)
        last = rs[-1] if rs else None
        st = CountyStatus(county, city.ST_MISSING, submissions=len(rs))
        if cur is not None:
            st.status = city.ST_UPDATED if cur.replaced_previous else city.ST_RECEIVED
            st.received_at, st.file, st.warnings, st.return_id = cur.received_at, cur.file_name, cur.warnings, cur.id
            st.operator, st.phone, st.software_version = cur.operator, cur.phone, cur.software_version
        elif last is not None and last.withdrawn_at is not None:
            st.status = city.ST_WITHDRAWN
            st.received_at, st.file, st.withdraw_reason = last.received_at, last.file_name, last.withdraw_reason
            st.operator, st.phone, st.software_version = last.operator, last.phone, last.software_version
        out.append(st)
    return out


def last_contacts(session: Session) -> dict[str, tuple[str | None, str | None]]:
    """county → (联系电话, 填报人) of the last return received from it, whatever its year (催报)."""
    out: dict[str, tuple[str | None, str | None]] = {}
    for county, phone, operator in session.execute(
            select(CityReturn.county, CityReturn.phone, CityReturn.operator).order_by(CityReturn.id)):
        out[county] = (phone, operator)
    return out


def reminders(session: Session, year: int, deadline: dt.date) -> list[tuple[CountyStatus, str | None, str | None]]:
    """Counties that had not reported by `deadline` (no current return, or one received after it),
    with the phone and name from their last return."""
    from qoffice.excel.city_writer import local_time

    contacts = last_contacts(session)
    out = []
    for st in status(session, year):
        received = local_time(st.received_at)
        if st.return_id is None or (received is not None and received.date() > deadline):
            phone, operator = contacts.get(st.county, (None, None))
            out.append((st, phone, operator))
    return out


def history(session: Session, year: int | None = None) -> list[CityReturn]:
    q = select(CityReturn).order_by(CityReturn.id.desc())
    if year is not None:
        q = q.where(CityReturn.year == year)
    return list(session.scalars(q))


# --- the city's report -------------------------------------------------------------------------------
@dataclass
class CountyLine:
    county: str
    status: CountyStatus
    ret: city.CountyReturn | None
    values: dict | None  # exact, recomputed (None: not received)
    targets: dict[int, Decimal | None]
    assessment: city.Assessment
    findings: list[city.Finding]


@dataclass
class CityReport:
    year: int
    office: str | None
    counties: list[str]
    lines: list[CountyLine]
    totals: city.CityTotals
    city_targets: dict[int, Decimal | None]
    ranking: list[city.Assessment]
    plan_start: int
    plan_end: int
    plan_values: dict[int, object]
    plan_targets: dict[int, Decimal | None]

    @property
    def received(self) -> int:
        return sum(1 for line in self.lines if line.ret is not None)

    def county_findings(self) -> list[city.Finding]:
        return [f for line in self.lines for f in line.findings]

    def cross_findings(self) -> list[city.Finding]:
        return list(self.totals.cross) + list(self.totals.notes)


def report(session: Session, year: int) -> CityReport:
    require_city(session)
    counties = settings_service.counties(session)
    statuses = {st.county: st for st in status(session, year)}
    current = load_current(session, year)
    previous = load_current(session, year - 1)
    lines = []
    for county in counties:
        ret = current.get(county)
        targets = settings_service.county_targets(session, county)
        values = city.recompute(ret, previous.get(county)) if ret is not None else None
        st = statuses[county]
        found = findings_of(session, st.return_id, county) if st.return_id else []
        lines.append(CountyLine(county, st, ret, values, targets, city.assess(county, values, targets), found))
    totals = city.city_totals(year, current, previous, counties)
    start, end, plan_targets = settings_service.plan(session)
    by_year = {y: (current if y == year else load_current(session, y)) for y in range(start, min(year, end) + 1)}
    plan_values = city.plan_totals(by_year, counties, year, start, end)
    return CityReport(year=year, office=settings_service.get(session, "office"), counties=counties, lines=lines,
                      totals=totals, city_targets=settings_service.city_targets(session),
                      ranking=city.rank([line.assessment for line in lines]), plan_start=start, plan_end=end,
                      plan_values=plan_values, plan_targets=plan_targets)


# --- the city workbook -------------------------------------------------------------------------------
@dataclass
class ExportResult:
    path: Path
    counties_received: int
    warnings: int
    staged: StagedFile | None = None  # stage_export: the workbook written beside `path`, not yet in place


def default_filename(year: int) -> str:
    return f"全市{year}年度质量强企汇总表.xlsx"


def export(session: Session, year: int, target: Path | str, *, today: dt.date | None = None,
           progress: Progress = None) -> ExportResult:
    """The city workbook at `target` (a file, or a folder for the default name), written atomically."""
    result = stage_export(session, year, target, today=today, progress=progress)
    result.staged.place()
    result.staged.finish()
    return result


def stage_export(session: Session, year: int, target: Path | str, *, today: dt.date | None = None,
                 progress: Progress = None) -> ExportResult:
    """The city workbook written beside `target`, not yet in place (`staged`: the caller places it, or
    discards it). `progress` (each step's message, no count) may raise Cancelled: nothing is left then."""
    from qoffice.excel import city_writer

    report_progress(progress, 0, 0, _("Adding up the county returns…"))
    rep = report(session, year)
    if rep.received == 0:
        raise NothingReceived(_("No county has a current return for {year}: nothing to add up.").format(year=year))
    target = Path(target)
    if target.is_dir():
        target = target / default_filename(year)
    report_progress(progress, 0, 0, _("Writing the city workbook…"))
    staged = StagedFile(target)
    try:
        city_writer.write(staged.tmp, rep, today=today or dt.date.today())
        report_progress(progress, 0, 0, _("Writing the city workbook…"))  # cancelled meanwhile: nothing left
    except BaseException:
        staged.discard()
        raise
    return ExportResult(target, rep.received, len(rep.county_findings()) + len(rep.totals.cross), staged)


# --- what goes back to the counties -------------------------------------------------------------------
@dataclass
class Feedback:
    """反馈单: one county's findings, the 退回 reason if any, its 17 values beside its targets."""

    year: int
    county: str
    city_office: str | None
    line: CountyLine

    @property
    def status(self) -> CountyStatus:
        return self.line.status

    def rows(self) -> list[tuple]:
        """(序号, 指标, 单位, 数值, 目标值, 完成率, 达标) for the 17 indicators."""
        out = []
        values = self.line.values or {}
        for n, name, unit in ind.DEFINITIONS:
            exact, target = values.get(n), self.line.targets.get(n)
            met = city.meets(n, exact, target)
            out.append((n, name, unit, ind.present(n, exact), target, city.completion(n, exact, target),
                        None if met is None else ("是" if met else "否")))
        return out


def feedback(session: Session, year: int, county: str) -> Feedback:
    rep = report(session, year)
    line = next((x for x in rep.lines if x.county == county), None)
    if line is None:
        raise UsageError(_("{county} is not in the county list.").format(county=county))
    if line.status.status == city.ST_WITHDRAWN and line.status.return_id is None:
        # the withdrawn return's findings are what the county must fix
        last = session.scalars(select(CityReturn).where(CityReturn.year == year, CityReturn.county == county)
                               .order_by(CityReturn.id.desc())).first()
        if last is not None:
            line.findings = findings_of(session, last.id, county)
            ret = load_return(session, last.id)
            prev = load_current(session, year - 1, [county]).get(county)
            line.values = city.recompute(ret, prev)
    return Feedback(year, county, rep.office, line)


def export_feedback(session: Session, year: int, county: str, target: Path | str,
                    *, today: dt.date | None = None) -> Path:
    """The 反馈单 as .xlsx (the PDF is the GUI's and `city feedback -o X.pdf`: qoffice.ui.city_print)."""
    staged, _fb = stage_feedback(session, year, county, target, today=today)
    staged.place()
    staged.finish()
    return Path(staged.shown)


def stage_feedback(session: Session, year: int, county: str, target: Path | str,
                   *, today: dt.date | None = None) -> tuple[StagedFile, Feedback]:
    """The 反馈单 as .xlsx beside `target`, not yet in place (the GUI adds its PDF first), and its content."""
    from qoffice.excel import city_writer

    fb = feedback(session, year, county)
    target = Path(target)
    if target.is_dir():
        target = target / feedback_filename(year, county)
    staged = StagedFile(target)
    try:
        city_writer.write_feedback(staged.tmp, fb, today=today or dt.date.today())
    except BaseException:
        staged.discard()
        raise
    return staged, fb


def feedback_filename(year: int, county: str, suffix: str = ".xlsx") -> str:
    return f"{_safe(county)}_{year}年度报表审核反馈单{suffix}"
