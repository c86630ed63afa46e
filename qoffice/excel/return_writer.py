"""The yearly return workbook (return-format.md, format version 1), streamed with openpyxl write-only.

The layout lives here and only here; what goes in (records, their order, the indicators and the
warnings) comes from qoffice.domain, so the writer holds no rule of its own. Sheet contents are
Chinese data, never passed through _().
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from qoffice.domain.checks import Problem
from qoffice.domain.indicators import MONEY_ROWS, TWO_DECIMALS, IndicatorRow
from qoffice.domain.returndata import (
    COVER_LABELS,
    HEADERS,
    S_AWARDS,
    S_CHECKS,
    S_COVER,
    S_ENTERPRISES,
    S_FORUMS,
    S_PROJECTS,
    S_SIGNUPS,
    S_SUMMARY,
    ReturnData,
    join_slots,
)
from qoffice.excel import cells
from qoffice.excel.cells import DATE, INT, PCT1, RATE, TEXT, WAN, YESNO
from qoffice.progress import Progress, report

# Column kinds and widths per data sheet, in header order.
LAYOUT: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    S_SUMMARY: ((INT, TEXT, TEXT, TEXT, TEXT, PCT1), (6, 30, 8, 12, 12, 12)),
    S_ENTERPRISES: ((INT, TEXT, TEXT, TEXT, TEXT, TEXT, YESNO, TEXT, TEXT, TEXT, TEXT, TEXT, INT, YESNO, YESNO,
                     RATE, INT, INT, WAN),
                    (7, 22, 36, 12, 10, 14, 11, 11, 10, 16, 11, 16, 17, 19, 13, 15, 10, 13, 19)),
    S_PROJECTS: ((INT, TEXT, TEXT, TEXT, TEXT, INT, TEXT, TEXT, WAN, TEXT, WAN, WAN),
                 (7, 22, 36, 12, 36, 7, 30, 17, 14, 7, 16, 16)),
    S_AWARDS: ((INT, TEXT, TEXT, TEXT, INT), (7, 22, 36, 20, 7)),
    S_FORUMS: ((INT, TEXT, DATE, TEXT, TEXT, TEXT, TEXT, INT, INT), (7, 30, 12, 24, 24, 30, 8, 11, 10)),
    S_SIGNUPS: ((INT, TEXT, DATE, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT),
                (7, 28, 12, 22, 36, 20, 20, 28, 36, 30, 8)),
    S_CHECKS: ((INT, TEXT, TEXT, INT, TEXT), (7, 7, 12, 7, 80)),
}
PROGRESS_EVERY = 2000


def write(path: Path | str, data: ReturnData, indicators: Sequence[IndicatorRow], warnings: Sequence[Problem],
          *, progress: Progress = None) -> Path:
    """Write the whole return to `path` atomically; returns the path."""
    staged = stage(path, data, indicators, warnings, progress=progress)
    staged.place()
    staged.finish()
    return Path(path)


def stage(path: Path | str, data: ReturnData, indicators: Sequence[IndicatorRow], warnings: Sequence[Problem],
          *, progress: Progress = None):
    """Write the whole return into a temp file beside `path` and return the excel.outputs.StagedFile
    (complete and flushed, not yet in place): the caller puts it in place with the 报送记录."""
    from openpyxl.utils.exceptions import IllegalCharacterError

    from qoffice.excel.outputs import check_output

    check_output(path)  # before the work: a refused target costs nothing
    try:
        wb = _build(data, indicators, warnings, progress, clean=False)
    except IllegalCharacterError:
        # A record holds a control character a worksheet cannot take (stored by an older version
        # or a hand edit; imports and forms take them out): write again, taking them out of every text.
        wb = _build(data, indicators, warnings, progress, clean=True)
    staged = cells.stage_workbook(wb, path)
    total = _row_total(data, warnings)
    report(progress, total, total, "")
    return staged


def _build(data: ReturnData, indicators, warnings, progress: Progress, *, clean: bool) -> Workbook:
    """The whole workbook, streamed into openpyxl's temp files (not saved yet)."""
    wb = Workbook(write_only=True)
    wb._qoffice_clean = clean  # read by _sheet: every text through CellWriter.text
    total = _row_total(data, warnings)
    done = [0]

    def tick(n: int = 1):
        done[0] += n
        if done[0] % PROGRESS_EVERY < n:
            report(progress, done[0], total, "")

    try:
        report(progress, 0, total, "")
        _cover(wb, data)
        _summary(wb, indicators)
        _enterprises(wb, data, tick)
        _projects(wb, data, tick)
        _awards(wb, data, tick)
        _forums(wb, data, tick)
        _signups(wb, data, tick)
        _checks(wb, warnings)
    except BaseException:  # Cancelled from the progress callback, or a bug: nothing is written
        cells.discard(wb)
        raise
    return wb


def _row_total(data: ReturnData, warnings) -> int:
    # Good enough for a progress bar without materialising every sheet twice.
    return max(1, len(data.enterprises) + len(data.projects) + len(data.awards) + len(data.forums)
               + len(data.signups) + len(warnings))


def _sheet(wb, title):
    kinds, widths = LAYOUT[title]
    return cells.start_sheet(wb, title, HEADERS[title], kinds, widths, clean=getattr(wb, "_qoffice_clean", False))


def _cover(wb, data: ReturnData) -> None:
    ws, w = cells.plain_sheet(wb, S_COVER, (14, 40))
    c = data.cover
    values = (w.text(c.office), w.text(c.county), data.year, w.text(c.operator), w.text(c.phone),
              w.date(c.export_date), w.text(c.software_version), int(c.format_version))
    for label, value in zip(COVER_LABELS, values):
        ws.append([label, value])


def _summary(wb, indicators: Sequence[IndicatorRow]) -> None:
    ws, w = _sheet(wb, S_SUMMARY)
    for r in indicators:
        decimals = r.number in TWO_DECIMALS or r.number in MONEY_ROWS
        fmt = cells.MONEY_FORMAT if decimals else None
        value = w.number(r.value if not decimals or r.value is None else cells.plain(r.value), fmt)
        target = None
        if r.target is not None:
            t = cells.plain(r.target)
            target = w.number(int(t) if t == t.to_integral_value() and not decimals else t, fmt)
        ws.append([r.number, r.name, r.unit, value, target, w.number(r.completion, cells.RATE_FORMAT_1)])


def _enterprises(wb, data: ReturnData, tick) -> None:
    ws, w = _sheet(wb, S_ENTERPRISES)
    figures = data.figures_by_enterprise(data.year)
    # Locals, not attribute look-ups: this loop runs once per enterprise of the county.
    append, row, get_figures = ws.append, w.row, figures.get
    cqo_ids, benchmarking_ids = data.cqo_ids(), data.benchmarking_ids()
    no_figures = (None, None, None, None)
    for n, e in enumerate(data.enterprise_rows(), start=1):
        eid = e.id
        f = get_figures(eid)
        cqo = eid in cqo_ids
        append(row((
            n, e.uscc, e.name, e.county, e.industry_group, e.trade, e.high_energy, e.legal_rep, e.contact, e.phone,
            e.cqo_name if cqo else None, e.cqo_phone if cqo else None, e.excellence_year, eid in benchmarking_ids,
            e.research_centre,
            *((f.loss_rate, f.checked, f.passed, f.benefit_yuan) if f else no_figures))))
        tick()


def _projects(wb, data: ReturnData, tick) -> None:
    ws, w = _sheet(wb, S_PROJECTS)
    for n, p in enumerate(data.project_rows(), start=1):
        e = data.enterprises[p.enterprise_id]
        ws.append(w.row((n, e.uscc, e.name, p.type, p.title, p.year, p.partner_name, p.partner_type,
                         p.investment_yuan, p.stage, p.subsidy().amount_yuan, p.benefit_yuan)))
        tick()


def _awards(wb, data: ReturnData, tick) -> None:
    ws, w = _sheet(wb, S_AWARDS)
    for n, a in enumerate(data.award_rows(), start=1):
        e = data.enterprises[a.enterprise_id]
        ws.append(w.row((n, e.uscc, e.name, a.award, a.year)))
        tick()


def _forums(wb, data: ReturnData, tick) -> None:
    ws, w = _sheet(wb, S_FORUMS)
    for n, f in enumerate(data.forum_rows(), start=1):
        ws.append(w.row((n, f.title, f.date, f.venue, f.organiser, f.topic, f.status, data.forum_attending(f),
                         f.people_count)))
        tick()


def _signups(wb, data: ReturnData, tick) -> None:
    ws, w = _sheet(wb, S_SIGNUPS)
    m = data.meeting
    for n, s in enumerate(data.signup_rows(), start=1):
        e = data.enterprises[s.enterprise_id]
        people = s.attendees
        ws.append(w.row((n, m.title, m.date, e.uscc, e.name, join_slots(a.name for a in people),
                         join_slots(a.post for a in people), join_slots(a.phone for a in people), s.need,
                         s.partner_name, s.status)))
        tick()


def _checks(wb, warnings: Sequence[Problem]) -> None:
    ws, w = _sheet(wb, S_CHECKS)
    for n, p in enumerate(warnings, start=1):
        ws.append(w.row((n, p.level, p.sheet, p.row, p.message)))

