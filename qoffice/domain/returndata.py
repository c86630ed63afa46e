"""Plain records of one year's return (ReturnData) and the row order of its sheets.

The service loads these from the database; the indicators, the checks and the workbook writer
all read them, so the three agree on what the return holds and in which row each record sits.
Records of soft-deleted enterprises never count: every accessor here leaves them out.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from qoffice.domain import vocab
from qoffice.domain.enterprise import benchmarking_counts, counts_for_year, cqo_counts
from qoffice.domain.money import scaled_to_rate
from qoffice.domain.subsidy import SubsidyDecision, decide

FORMAT_VERSION = 1

# Sheet names, in the workbook's order (return-format.md).
S_COVER = "封面"
S_SUMMARY = "汇总"
S_ENTERPRISES = "企业名录"
S_PROJECTS = "质量项目"
S_AWARDS = "获奖情况"
S_FORUMS = "交流活动"
S_SIGNUPS = "对接会报名"
S_CHECKS = "校验"
SHEETS = (S_COVER, S_SUMMARY, S_ENTERPRISES, S_PROJECTS, S_AWARDS, S_FORUMS, S_SIGNUPS, S_CHECKS)

# Cover labels, rows 1–8 of 封面.
COVER_LABELS = ("填报单位", "区县", "年度", "填报人", "联系电话", "填报日期", "软件版本", "格式版本")

HEADERS: dict[str, tuple[str, ...]] = {
    S_SUMMARY: ("序号", "指标", "单位", "本年数值", "目标值", "完成率(%)"),
    S_ENTERPRISES: ("序号", "统一社会信用代码", "企业名称", "区县", "产业类别", "行业", "高耗能企业", "法定代表人",
                    "联系人", "联系电话", "首席质量官", "首席质量官电话", "卓越绩效导入年份", "市重点质量比对企业",
                    "质量研究中心", "质量损失率(%)", "抽查批次", "抽查合格批次", "质量成果效益(万元)"),
    S_PROJECTS: ("序号", "统一社会信用代码", "企业名称", "项目类型", "项目名称", "年度", "合作单位", "合作单位类型",
                 "投资额(万元)", "阶段", "资助金额(万元)", "成果效益(万元)"),
    S_AWARDS: ("序号", "统一社会信用代码", "企业名称", "奖项", "年度"),
    S_FORUMS: ("序号", "名称", "日期", "地点", "主办单位", "主题", "状态", "参加企业数", "参加人数"),
    S_SIGNUPS: ("序号", "对接会", "日期", "统一社会信用代码", "企业名称", "参会人", "职务", "联系电话", "合作需求",
                "意向合作单位", "状态"),
    S_CHECKS: ("序号", "级别", "表", "行", "说明"),
}

FIRST_DATA_ROW = 2  # row 1 holds the headers
LIST_SEPARATOR = "、"


# The two records a return holds one of per enterprise (100,000 of each in a large county) are named
# tuples: as immutable as the frozen dataclasses below, and built several times faster.
class EnterpriseRec(NamedTuple):
    id: int
    uscc: str | None
    name: str | None
    county: str | None = None
    industry_group: str | None = None
    trade: str | None = None
    high_energy: bool = False
    legal_rep: str | None = None
    contact: str | None = None
    phone: str | None = None
    cqo_name: str | None = None
    cqo_phone: str | None = None
    cqo_appointed: dt.date | None = None
    excellence_year: int | None = None
    benchmark: bool = False
    benchmark_since: int | None = None
    research_centre: bool = False
    status: str | None = vocab.STATUS_ACTIVE
    status_year: int | None = None
    deleted: bool = False


class FiguresRec(NamedTuple):
    enterprise_id: int
    year: int
    loss_rate_e4: int | None = None  # % × 10^4
    checked: int | None = None
    passed: int | None = None
    benefit_yuan: int | None = None
    id: int = 0

    @property
    def loss_rate(self) -> Decimal | None:
        return scaled_to_rate(self.loss_rate_e4)


@dataclass(frozen=True, slots=True)
class ProjectRec:
    id: int
    enterprise_id: int
    type: str | None
    title: str | None
    year: int
    partner_name: str | None = None
    partner_type: str | None = None
    investment_yuan: int | None = None
    stage: str | None = vocab.STAGE_CULTIVATED
    benefit_yuan: int | None = None

    def subsidy(self) -> SubsidyDecision:
        return decide(self.investment_yuan, self.partner_type)


@dataclass(frozen=True, slots=True)
class AwardRec:
    id: int
    enterprise_id: int
    award: str | None
    year: int


@dataclass(frozen=True, slots=True)
class ForumRec:
    id: int
    title: str | None
    date: dt.date | None
    status: str | None = vocab.FORUM_PLANNED
    venue: str | None = None
    organiser: str | None = None
    topic: str | None = None
    attending_ids: tuple[int, ...] = ()  # enterprises recorded as attending
    people_count: int | None = None


@dataclass(frozen=True, slots=True)
class MeetingRec:
    id: int
    year: int
    title: str | None
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class AttendeeRec:
    name: str | None
    post: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class SignUpRec:
    id: int
    enterprise_id: int
    status: str | None
    signed_up_at: dt.datetime | None = None  # the first sign-up time (kept on re-activation)
    need: str | None = None
    partner_name: str | None = None
    attendees: tuple[AttendeeRec, ...] = ()


@dataclass(frozen=True, slots=True)
class Cover:
    office: str | None  # 填报单位
    county: str | None  # 区县
    operator: str | None = None  # 填报人
    phone: str | None = None  # 联系电话
    export_date: dt.date | None = None  # 填报日期
    software_version: str = ""
    format_version: int = FORMAT_VERSION


@dataclass(frozen=True)
class ReturnData:
    """Everything one year's return is made of. `figures` may hold other years (Y−1 is needed for
    row 10 and a warning); the other record lists may too: every accessor filters by year."""

    year: int
    cover: Cover
    enterprises: Mapping[int, EnterpriseRec]
    figures: tuple[FiguresRec, ...] = ()
    projects: tuple[ProjectRec, ...] = ()
    awards: tuple[AwardRec, ...] = ()
    forums: tuple[ForumRec, ...] = ()
    meeting: MeetingRec | None = None
    signups: tuple[SignUpRec, ...] = ()  # the sign-ups to `meeting`
    targets: Mapping[int, Decimal | None] = field(default_factory=dict)
    # Stored settings today's rules refuse ({key: raw value}): the export leaves such a target empty
    # and writes a cover text without its control characters, and a warning says so.
    bad_settings: Mapping[str, str] = field(default_factory=dict)

    # --- which enterprises and records are in -------------------------------------------------
    def live(self, enterprise_id: int) -> EnterpriseRec | None:
        """The enterprise when it exists and is not deleted (its records are then in the return)."""
        ent = self.enterprises.get(enterprise_id)
        return None if ent is None or ent.deleted else ent

    def counts(self, ent: EnterpriseRec) -> bool:
        return counts_for_year(deleted=ent.deleted, status=ent.status, status_year=ent.status_year, year=self.year)

    def is_benchmarking(self, ent: EnterpriseRec) -> bool:
        """Counted in row 4 of 汇总 (and 是 in 企业名录's 市重点质量比对企业)."""
        return self.counts(ent) and benchmarking_counts(benchmark=ent.benchmark, since=ent.benchmark_since,
                                                        year=self.year)

    def has_cqo(self, ent: EnterpriseRec) -> bool:
        """Counted in row 17 of 汇总."""
        return self.counts(ent) and cqo_counts(cqo_name=ent.cqo_name, appointed=ent.cqo_appointed, year=self.year)

    def benchmarking_ids(self) -> frozenset[int]:
        """The enterprises is_benchmarking() holds for, as one set (the indicators, the checks and the
        writer each ask about every enterprise): those of enterprise_rows() that benchmark for Y."""
        year = self.year
        return frozenset(e.id for e in self.enterprise_rows() if e.benchmark
                         and benchmarking_counts(benchmark=e.benchmark, since=e.benchmark_since, year=year))

    def cqo_ids(self) -> frozenset[int]:
        """The enterprises has_cqo() holds for, as one set: those of enterprise_rows() whose chief
        quality officer counts for Y."""
        year = self.year
        return frozenset(e.id for e in self.enterprise_rows() if e.cqo_name
                         and cqo_counts(cqo_name=e.cqo_name, appointed=e.cqo_appointed, year=year))

    def figures_of(self, year: int) -> list[FiguresRec]:
        return [f for f in self.figures if f.year == year and self.live(f.enterprise_id) is not None]

    def figures_by_enterprise(self, year: int) -> dict[int, FiguresRec]:
        return {f.enterprise_id: f for f in self.figures_of(year)}

    def projects_of_year(self) -> list[ProjectRec]:
        return [p for p in self.projects if p.year == self.year and self.live(p.enterprise_id) is not None]

    def awards_of_year(self) -> list[AwardRec]:
        return [a for a in self.awards if a.year == self.year and self.live(a.enterprise_id) is not None]

    def forums_of_year(self) -> list[ForumRec]:
        return [f for f in self.forums if f.date is not None and f.date.year == self.year]

    def forum_attending(self, forum: ForumRec) -> int:
        return sum(1 for eid in set(forum.attending_ids) if self.live(eid) is not None)

    def signups_of_year(self) -> list[SignUpRec]:
        if self.meeting is None or self.meeting.year != self.year:
            return []
        return [s for s in self.signups if self.live(s.enterprise_id) is not None]

    # --- the sheets' rows, in the spec's order --------------------------------------------------
    def enterprise_rows(self) -> list[EnterpriseRec]:
        """企业名录: the enterprises that count for Y, by credit code, ties by creation order."""
        rows = [e for e in self.enterprises.values() if self.counts(e)]
        rows.sort(key=lambda e: (e.uscc or "", e.id))
        return rows

    def project_rows(self) -> list[ProjectRec]:
        rows = self.projects_of_year()
        rows.sort(key=lambda p: (self._code(p.enterprise_id), vocab.order_key(vocab.PROJECT_TYPES, p.type),
                                 p.type or "", p.title or "", p.id))
        return rows

    def award_rows(self) -> list[AwardRec]:
        rows = self.awards_of_year()
        rows.sort(key=lambda a: (self._code(a.enterprise_id), vocab.order_key(vocab.AWARDS, a.award),
                                 a.award or "", a.id))
        return rows

    def forum_rows(self) -> list[ForumRec]:
        rows = self.forums_of_year()
        rows.sort(key=lambda f: (f.date, f.title or "", f.id))
        return rows

    def signup_rows(self) -> list[SignUpRec]:
        rows = self.signups_of_year()
        rows.sort(key=lambda s: (s.signed_up_at or dt.datetime.max, s.id))
        return rows

    def _code(self, enterprise_id: int) -> str:
        ent = self.enterprises.get(enterprise_id)
        return (ent.uscc or "") if ent is not None else ""


def join_slots(values) -> str | None:
    """Join with 、 keeping empty slots, so names, posts and phones stay aligned; all empty → None."""
    parts = ["" if v is None else str(v) for v in values]
    if not any(parts):
        return None
    return LIST_SEPARATOR.join(parts)
