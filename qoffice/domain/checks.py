"""The checks of a year's return: errors that stop the export and warnings that go into 校验.

Messages are return contents, so they are Chinese whatever the UI language (not passed through
_()). Each problem names the sheet and Excel row it is about, and the record (table + id) so the
GUI can open it for the clerk to fix.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from qoffice.domain import uscc, vocab
from qoffice.domain.money import RATE_SCALE
from qoffice.domain.returndata import (
    FIRST_DATA_ROW,
    S_AWARDS,
    S_COVER,
    S_ENTERPRISES,
    S_FORUMS,
    S_PROJECTS,
    S_SIGNUPS,
    S_SUMMARY,
    SHEETS,
    EnterpriseRec,
    FiguresRec,
    ReturnData,
)

MAX_FORUMS_PER_YEAR = 2
# The cover's settings: key → (row on 封面, what it is called there).
COVER_SETTINGS = {"office": (1, "填报单位"), "county": (2, "区县"), "operator": (4, "填报人"), "phone": (5, "联系电话")}  # "hold 1 to 2 quality exchange meetings or forums a year"

ERROR = "错误"
WARNING = "警告"

# Record tables a problem can point at (model table names; "setting" for the cover's settings).
T_ENTERPRISE = "enterprise"
T_FIGURES = "year_figures"
T_PROJECT = "project"
T_AWARD = "award"
T_FORUM = "forum"
T_MEETING = "meeting"
T_SIGNUP = "signup"
T_SETTING = "setting"


@dataclass(frozen=True)
class Problem:
    level: str  # 错误 / 警告
    sheet: str  # the return's sheet the problem is about
    row: int | None  # the Excel row in that sheet; None for a year-level or cover-level problem
    message: str  # Chinese, naming the enterprise or forum
    table: str | None = None  # the record to open: table name …
    record_id: int | str | None = None  # … and id (a setting's key for T_SETTING)

    def as_json(self) -> dict:
        return {"level": self.level, "sheet": self.sheet, "row": self.row, "message": self.message}


@dataclass(frozen=True)
class CheckResult:
    errors: list[Problem]
    warnings: list[Problem]


def _sort(problems: list[Problem]) -> list[Problem]:
    """By the order of the sheets, then row (year-level first); ties keep the order found."""
    return sorted(problems, key=lambda p: (SHEETS.index(p.sheet), p.row or 0))


def _who(ent: EnterpriseRec) -> str:
    name = ent.name or "（未填名称）"
    return f"“{name}”（{ent.uscc}）" if ent.uscc else f"“{name}”"


def _rate(value: Decimal) -> str:
    return format(value.normalize(), "f")


class _Places:
    """Where each record sits in the return (sheet, Excel row)."""

    def __init__(self, data: ReturnData):
        self.enterprise = {e.id: FIRST_DATA_ROW + i for i, e in enumerate(data.enterprise_rows())}
        self.projects = data.project_rows()
        self.project = {p.id: FIRST_DATA_ROW + i for i, p in enumerate(self.projects)}
        self.awards = data.award_rows()
        self.award = {a.id: FIRST_DATA_ROW + i for i, a in enumerate(self.awards)}
        self.forums = data.forum_rows()
        self.forum = {f.id: FIRST_DATA_ROW + i for i, f in enumerate(self.forums)}
        self.signups = data.signup_rows()
        self.signup = {s.id: FIRST_DATA_ROW + i for i, s in enumerate(self.signups)}
        # An enterprise not in 企业名录 (closed before Y) is still in the return through its records.
        self.first_ref: dict[int, tuple[str, int]] = {}
        for sheet, rows, index in ((S_PROJECTS, self.projects, self.project), (S_AWARDS, self.awards, self.award),
                                   (S_SIGNUPS, self.signups, self.signup)):
            for r in rows:
                self.first_ref.setdefault(r.enterprise_id, (sheet, index[r.id]))

    def of_enterprise(self, enterprise_id: int) -> tuple[str, int | None]:
        if enterprise_id in self.enterprise:
            return S_ENTERPRISES, self.enterprise[enterprise_id]
        return self.first_ref.get(enterprise_id, (S_ENTERPRISES, None))


def check(data: ReturnData) -> CheckResult:
    places = _Places(data)
    errors = _errors(data, places)
    warnings = _warnings(data, places)
    return CheckResult(_sort(errors), _sort(warnings))


# --- errors -----------------------------------------------------------------------------------------
def _errors(data: ReturnData, places: _Places) -> list[Problem]:
    out: list[Problem] = []

    def err(sheet, row, message, table=None, record_id=None):
        out.append(Problem(ERROR, sheet, row, message, table, record_id))

    cover = data.cover
    if not (cover.office or "").strip():
        err(S_COVER, 1, "封面的填报单位为空，请在设置中填写。", T_SETTING, "office")
    if not (cover.county or "").strip():
        err(S_COVER, 2, "封面的区县为空，请在设置中填写。", T_SETTING, "county")

    # The enterprises the return shows: 企业名录, and those its year-Y records point at, in the order
    # of their rows (a row of 企业名录, or of the first sheet that holds the enterprise's records).
    in_return = set(places.enterprise) | set(places.first_ref)
    in_return |= {f.enterprise_id for f in data.figures_of(data.year)}
    listed = places.enterprise
    referenced = {eid: row for eid, (_sheet, row) in places.first_ref.items()}
    live = data.live
    by_code: dict[str, list[EnterpriseRec]] = {}
    for eid in sorted(in_return, key=lambda i: listed.get(i) or referenced.get(i) or 0):
        ent = live(eid)
        if ent is None:
            continue
        sheet, row = places.of_enterprise(eid)
        code = ent.uscc
        if _valid_as_stored(code):
            problem = None
        else:
            code = uscc.normalize(code)
            problem = _code_problem(code) if code else None
        if not (ent.name or "").strip():
            err(sheet, row, f"统一社会信用代码为{code or '空'}的企业缺少企业名称。", T_ENTERPRISE, eid)
        if not code:
            err(sheet, row, f"企业{_who(ent)}缺少统一社会信用代码。", T_ENTERPRISE, eid)
        else:
            if problem:
                err(sheet, row, f"企业{_who(ent)}的统一社会信用代码无效：{problem}", T_ENTERPRISE, eid)
            by_code.setdefault(code, []).append(ent)
    # Codes are unique in the database, but two spellings of one code (case, full-width) are not.
    for code, ents in by_code.items():
        if len(ents) > 1:
            names = "、".join(f"“{e.name or ''}”" for e in ents)
            for ent in ents:
                sheet, row = places.of_enterprise(ent.id)
                err(sheet, row, f"统一社会信用代码{code}重复：{names}。", T_ENTERPRISE, ent.id)

    for year in (data.year, data.year - 1):
        for f in data.figures_of(year):
            if _figures_sound(f, rate_only=year != data.year):
                continue
            ent = data.live(f.enterprise_id)
            sheet, row = places.of_enterprise(f.enterprise_id)
            if year != data.year:
                # Y−1 only feeds row 10 and a warning: its loss rate is what must be sound.
                row = row if sheet == S_ENTERPRISES else None
                problems = _rate_problems(f)
            else:
                problems = _figures_problems(f)
            for message in problems:
                err(sheet, row, f"企业{_who(ent)}{year}年的年度数据：{message}", T_FIGURES, f.id)

    for p in places.projects:
        ent = data.live(p.enterprise_id)
        row = places.project[p.id]
        if not (p.title or "").strip():
            err(S_PROJECTS, row, f"企业{_who(ent)}的一个{p.type or ''}项目缺少项目名称。", T_PROJECT, p.id)
        if not (p.type or "").strip():
            err(S_PROJECTS, row, f"企业{_who(ent)}的项目“{p.title or ''}”缺少项目类型。", T_PROJECT, p.id)
    for a in places.awards:
        if not (a.award or "").strip():
            err(S_AWARDS, places.award[a.id], f"企业{_who(data.live(a.enterprise_id))}的获奖记录缺少奖项。",
                T_AWARD, a.id)
    for f in places.forums:
        if not (f.title or "").strip():
            err(S_FORUMS, places.forum[f.id], f"{f.date:%Y-%m-%d}的交流活动缺少名称。", T_FORUM, f.id)
    if places.signups and data.meeting is not None and data.meeting.date is None:
        err(S_SIGNUPS, None, f"{data.year}年对接会“{data.meeting.title or ''}”缺少日期。", T_MEETING, data.meeting.id)
    return out


_CODE_CHARACTERS = frozenset(uscc.CHARSET)
_MAX_RATE_E4 = 100 * int(RATE_SCALE)  # a loss rate of 100 %, as stored


def _valid_as_stored(code: str | None) -> bool:
    """A valid credit code already in normal form (as nearly every stored one is): eighteen of the
    code's own characters, right check character. Only the others go through normalize and
    _code_problem, which say what is wrong."""
    return (code is not None and len(code) == uscc.LENGTH and _CODE_CHARACTERS.issuperset(code)
            and code[17] == uscc.check_character(code[:17]))


def _code_problem(code: str) -> str | None:
    if len(code) != uscc.LENGTH:
        return f"应为18位，现为{len(code)}位。"
    for pos, ch in enumerate(code, start=1):
        if ch not in uscc.VALUES:
            return f"第{pos}位“{ch}”不是允许的字符。"
    expected = uscc.check_character(code[:17])
    if code[17] != expected:
        return f"校验位错误，最后一位应为{expected}，不是{code[17]}。"
    return None


def _figures_problems(f: FiguresRec) -> list[str]:
    out = []
    if (f.checked is None) != (f.passed is None):
        out.append("抽查批次和抽查合格批次须同时填写。")
    if f.checked is not None and f.checked < 0 or f.passed is not None and f.passed < 0:
        out.append("抽查批次不能为负数。")
    elif f.checked is not None and f.passed is not None and f.passed > f.checked:
        out.append(f"抽查合格批次（{f.passed}）大于抽查批次（{f.checked}）。")
    return out + _rate_problems(f)


def _figures_sound(f: FiguresRec, *, rate_only: bool = False) -> bool:
    """No problem in `f` (_figures_problems, or with rate_only _rate_problems, would find none),
    decided on the stored integers: most figures are sound, and only the others need messages."""
    rate = f.loss_rate_e4
    if rate is not None and not (isinstance(rate, int) and 0 <= rate <= _MAX_RATE_E4):
        return False
    if rate_only:
        return True
    checked, passed = f.checked, f.passed
    if checked is None or passed is None:
        return checked is None and passed is None
    return 0 <= passed <= checked


def _rate_problems(f: FiguresRec) -> list[str]:
    rate = f.loss_rate
    if rate is not None and not (0 <= rate <= 100):
        return [f"质量损失率{_rate(rate)}%不在0～100之间。"]
    return []


# --- warnings ---------------------------------------------------------------------------------------
def _warnings(data: ReturnData, places: _Places) -> list[Problem]:
    out: list[Problem] = []

    def warn(sheet, row, message, table=None, record_id=None):
        out.append(Problem(WARNING, sheet, row, message, table, record_id))

    year = data.year
    forums = data.forums_of_year()
    if not any(f.status == vocab.FORUM_HELD for f in forums):
        warn(S_FORUMS, None, f"{year}年没有举办质量交流会/论坛（每年应举办1至2场）。", T_FORUM, None)
    active = [f for f in places.forums if f.status != vocab.FORUM_CANCELLED]
    if len(active) > MAX_FORUMS_PER_YEAR:
        names = "、".join(f"“{f.title or ''}”" for f in active)
        warn(S_FORUMS, None, f"{year}年未取消的质量交流会/论坛有{len(active)}场（{names}），超过每年1至2场。",
             T_FORUM, None)

    for key, raw in sorted(data.bad_settings.items(), key=lambda kv: _setting_order(kv[0])):
        if key.startswith("target.") or key in COVER_SETTINGS:  # the others are not in the return
            warn(*_bad_setting(key, raw), T_SETTING, key)

    innovators = {p.enterprise_id for p in data.projects_of_year() if p.type == vocab.PT_INNOVATION}
    this_year = data.figures_by_enterprise(year)
    last_year = data.figures_by_enterprise(year - 1)
    benchmarking, with_cqo = data.benchmarking_ids(), data.cqo_ids()
    cover_county = (data.cover.county or "").strip()
    for ent in data.enterprise_rows():
        row = places.enterprise[ent.id]
        if ent.id in benchmarking:
            if ent.id not in innovators:
                warn(S_ENTERPRISES, row, f"市重点质量比对企业{_who(ent)}{year}年没有质量创新项目（每年至少应有1项）。",
                     T_ENTERPRISE, ent.id)
            now, before = this_year.get(ent.id), last_year.get(ent.id)
            if now is not None and before is not None and now.loss_rate is not None and before.loss_rate is not None \
                    and now.loss_rate >= before.loss_rate:
                warn(S_ENTERPRISES, row, f"市重点质量比对企业{_who(ent)}{year}年质量损失率{_rate(now.loss_rate)}%"
                     f"未低于{year - 1}年的{_rate(before.loss_rate)}%（应逐年下降）。", T_FIGURES, now.id)
        if ent.id in with_cqo and not (ent.cqo_phone or "").strip():
            warn(S_ENTERPRISES, row, f"企业{_who(ent)}的首席质量官{ent.cqo_name}没有联系电话。", T_ENTERPRISE, ent.id)
        county = (ent.county or "").strip()
        if not county:
            warn(S_ENTERPRISES, row, f"企业{_who(ent)}的区县为空。", T_ENTERPRISE, ent.id)
        elif cover_county and county != cover_county:
            warn(S_ENTERPRISES, row, f"企业{_who(ent)}的区县“{county}”与封面的区县“{cover_county}”不同。",
                 T_ENTERPRISE, ent.id)
    return out


# --- stored settings today's rules refuse ------------------------------------------------------------
def _setting_order(key: str) -> tuple[int, int]:
    if key.startswith("target."):
        return 1, int(key.split(".", 1)[1])
    return 0, COVER_SETTINGS.get(key, (99, ""))[0]


def _control(ch: str) -> bool:
    """As services.settings: C0/C1 controls and the line/paragraph separators."""
    return unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029"


def _shown(raw: str, limit: int = 30) -> str:
    """A stored value as visible text: control characters as \\xNN (the 校验 sheet cannot hold them)."""
    text = "".join(f"\\x{ord(ch):02x}" if _control(ch) else ch for ch in raw[:limit])
    return text + ("…" if len(raw) > limit else "")


def _bad_setting(key: str, raw: str) -> tuple[str, int | None, str]:
    """(sheet, row, message) of a warning about a stored setting the export could not use as it is."""
    if key.startswith("target."):
        n = int(key.split(".", 1)[1])
        return (S_SUMMARY, FIRST_DATA_ROW + n - 1,
                f"设置中指标{n}的目标值“{_shown(raw)}”无效（须为有限的普通数字，范围见设置），本表中该目标值和完成率留空；"
                f"请在设置中重新填写。")
    row, label = COVER_SETTINGS[key]
    if any(_control(ch) for ch in raw):
        return (S_COVER, row, f"设置中的{label}“{_shown(raw)}”含有控制字符，封面上已去掉这些字符；"
                              f"请在设置中重新填写。")
    return S_COVER, row, f"设置中的{label}过长（{len(raw)}个字），封面上照原样填写；请在设置中改短。"
