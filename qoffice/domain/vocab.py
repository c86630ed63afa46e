"""The closed vocabularies of domain.md and return-format.md, defined once.

The words are data (they appear in the city's return and in clerks' files), so they stay Chinese
whatever the UI language. Order matters: it is the order of drop-downs and of the return's rows.
"""
from __future__ import annotations

# Enterprise status (经营状态); any but the first needs the year it took effect.
STATUS_ACTIVE = "在营"
ENTERPRISE_STATUSES = ("在营", "停产", "注销", "迁出")

# Industry groups and the trades that imply them (trades are an open list).
GROUP_EMERGING = "新兴产业"
GROUP_CHARACTERISTIC = "特色产业"
GROUP_TRADITIONAL = "传统产业"
GROUP_OTHER = "其他"
INDUSTRY_GROUPS = (GROUP_EMERGING, GROUP_CHARACTERISTIC, GROUP_TRADITIONAL, GROUP_OTHER)
TRADE_GROUPS: dict[str, str] = {
    "新能源": GROUP_EMERGING,
    "新材料": GROUP_EMERGING,
    "电子信息": GROUP_EMERGING,
    "海工船舶及配套": GROUP_CHARACTERISTIC,
    "精细化工": GROUP_CHARACTERISTIC,
    "锻压机械": GROUP_CHARACTERISTIC,
    "纺织家纺": GROUP_TRADITIONAL,
    "轻工": GROUP_TRADITIONAL,
}
KNOWN_TRADES = tuple(TRADE_GROUPS)

AWARDS = ("中国质量奖", "中国质量奖提名奖", "江苏省质量奖", "南通市市长质量奖", "县级质量奖")
AWARD_CHINA = "中国质量奖"
AWARD_JIANGSU = "江苏省质量奖"

PROJECT_TYPES = ("质量攻关", "质量改进", "QC课题成果", "质量创新", "产学研合作")
PT_TACKLING, PT_IMPROVEMENT, PT_QC, PT_INNOVATION, PT_COOPERATION = PROJECT_TYPES

STAGES = ("培育", "签约", "推进", "见效")
STAGE_CULTIVATED, STAGE_SIGNED, STAGE_ADVANCING, STAGE_EFFECTIVE = STAGES

PARTNER_TYPES = ("高等院校", "质量研究咨询机构", "科研院所", "行业协会", "企业", "其他")
SUBSIDY_PARTNER_TYPES = ("高等院校", "质量研究咨询机构")
PARTNER_TYPE_OTHER = "其他"

FORUM_STATUSES = ("计划", "已举办", "已取消")
FORUM_PLANNED, FORUM_HELD, FORUM_CANCELLED = FORUM_STATUSES

SIGNUP_STATUSES = ("已报名", "已确认", "已签到", "缺席", "已退出", "候补")
SU_REGISTERED, SU_CONFIRMED, SU_ATTENDED, SU_ABSENT, SU_WITHDRAWN, SU_WAITING = SIGNUP_STATUSES
# Statuses that take a place against the meeting's capacity (domain.md).
SIGNUP_COUNTS_AGAINST_CAPACITY = (SU_REGISTERED, SU_CONFIRMED, SU_ATTENDED, SU_ABSENT)

YES, NO = "是", "否"

# Counties are an open list: these are the defaults, editable in the settings.
DEFAULT_COUNTIES = (
    "崇川区", "通州区", "海门区", "海安市", "如皋市", "如东县", "启东市", "南通经济技术开发区",
)

CLOSED_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "enterprise_status": ENTERPRISE_STATUSES,
    "industry_group": INDUSTRY_GROUPS,
    "award": AWARDS,
    "project_type": PROJECT_TYPES,
    "stage": STAGES,
    "partner_type": PARTNER_TYPES,
    "forum_status": FORUM_STATUSES,
    "signup_status": SIGNUP_STATUSES,
    "yes_no": (YES, NO),
}


def order_key(vocabulary: tuple[str, ...], value: str | None) -> int:
    """Sort key: a word's position in its vocabulary; unknown words after all known ones."""
    try:
        return vocabulary.index(value)  # type: ignore[arg-type]
    except ValueError:
        return len(vocabulary)
