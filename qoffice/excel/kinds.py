"""What each import kind's columns are: template header names (import-and-cli.md), required marks,
value types, vocabularies, the other names clerks use, and an example for the template.

The header names are Chinese data, not UI text: they are the same whatever the UI language.
"""
from __future__ import annotations

from dataclasses import dataclass

from qoffice.domain import vocab


@dataclass(frozen=True)
class Column:
    key: str  # field name in the parsed row
    header: str  # template header, without the * mark
    type: str = "text"  # text, multiline, code, phone, year, date, bool, int, money, rate, vocab, list
    required: bool = False
    vocabulary: tuple[str, ...] | None = None
    strict: bool = True  # closed vocabulary (drop-down refuses other words) or an open list
    synonyms: tuple[str, ...] = ()
    example: object = None
    note: str = ""  # the 填写说明 text
    width: int = 14


@dataclass(frozen=True)
class Kind:
    name: str
    title: str  # Chinese name of the record kind
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # fields that decide update vs create

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


EX_CODE = "91350100M000100Y43"  # GB 32100's own sample: a valid code
CODE = Column("uscc", "统一社会信用代码", "code", True, synonyms=("社会信用代码", "信用代码", "统一代码"),
              example=EX_CODE, note="18位统一社会信用代码，字母大小写均可", width=22)

ENTERPRISES = Kind("enterprises", "企业", (
    CODE,
    Column("name", "企业名称", required=True, synonyms=("单位名称", "企业(单位)名称", "公司名称", "企业单位名称"),
           example="南通示例机械有限公司", note="企业全称", width=28),
    Column("county", "区县", vocabulary=vocab.DEFAULT_COUNTIES, strict=False,
           synonyms=("所属区县", "县(市、区)", "县(市,区)", "县市区", "所在地区"), example="崇川区", note="所在区县"),
    Column("industry_group", "产业类别", "vocab", vocabulary=vocab.INDUSTRY_GROUPS, synonyms=("产业分类",),
           example="特色产业", note="新兴产业、特色产业、传统产业或其他；只填行业时按行业自动归类"),
    Column("trade", "行业", vocabulary=vocab.KNOWN_TRADES, strict=False, synonyms=("所属行业", "行业类别"),
           example="锻压机械", note="可从下拉中选，也可填写其他行业"),
    Column("high_energy", "高耗能企业", "bool", vocabulary=(vocab.YES, vocab.NO), example="否",
           note="是/否（也可写Y/N、√/×、1/0）"),
    Column("address", "地址", synonyms=("企业地址", "通讯地址", "单位地址"), example="南通市崇川区示例路1号", width=30),
    Column("legal_rep", "法定代表人", synonyms=("法人代表", "法人"), example="张三"),
    Column("contact", "联系人", synonyms=("联系人姓名",), example="李四"),
    Column("phone", "联系电话", "phone", synonyms=("电话", "联系方式", "手机", "手机号码", "联系人电话"),
           example="0513-85000000", note="固定电话或手机，按文本填写", width=16),
    Column("cqo_name", "首席质量官", synonyms=("首席质量官姓名",), example="王五"),
    Column("cqo_post", "首席质量官职务", example="副总经理"),
    Column("cqo_phone", "首席质量官电话", "phone", synonyms=("首席质量官联系电话", "首席质量官手机"),
           example="13800000000", width=16),
    Column("cqo_appointed", "首席质量官任命日期", "date", synonyms=("任命日期",), example="2023-04-23",
           note="日期，如2023-4-23、2023/04/23或2023年4月23日", width=18),
    Column("excellence_year", "卓越绩效导入年份", "year", synonyms=("导入卓越绩效年份",), example=2022,
           note="四位年份，如2022", width=18),
    Column("benchmark", "市重点质量比对企业", "bool", vocabulary=(vocab.YES, vocab.NO), example="是", width=18),
    Column("benchmark_since", "比对企业起始年份", "year", example=2023, width=16),
    Column("research_centre", "质量研究中心", "bool", vocabulary=(vocab.YES, vocab.NO), example="否"),
    Column("incentive_fund", "质量激励基金", "bool", vocabulary=(vocab.YES, vocab.NO), example="否"),
    Column("status", "经营状态", "vocab", vocabulary=vocab.ENTERPRISE_STATUSES, example="在营",
           note="在营、停产、注销或迁出；非在营须填状态变更年份"),
    Column("status_year", "状态变更年份", "year", example=None, note="经营状态不是在营时必填"),
    Column("note", "备注", "multiline", example="", width=30),
), key=("uscc",))

FIGURES = Kind("figures", "年度数据", (
    CODE,
    Column("year", "年度", "year", True, synonyms=("年份",), example=2023, note="四位年份"),
    Column("loss_rate", "质量损失率(%)", "rate", synonyms=("质量损失率",), example=1.25,
           note="百分数：1.25、1.25%或百分比格式单元格均表示1.25%", width=16),
    Column("checked", "抽查批次", "int", synonyms=("省级监督抽查批次", "监督抽查批次"), example=10),
    Column("passed", "抽查合格批次", "int", synonyms=("省级监督抽查合格批次", "合格批次"), example=10,
           note="不超过抽查批次；两项同填或同不填", width=16),
    Column("benefit", "质量成果效益(万元)", "money", synonyms=("质量成果效益", "质量成果绩效"), example=120.5,
           note="单位万元；也可在单元格内写“元”", width=20),
), key=("uscc", "year"))

PROJECTS = Kind("projects", "项目", (
    CODE,
    Column("title", "项目名称", required=True, synonyms=("课题名称", "成果名称"), example="冲压件质量攻关", width=28),
    Column("type", "项目类型", "vocab", True, vocab.PROJECT_TYPES, synonyms=("类型", "项目类别"), example="质量攻关"),
    Column("year", "年度", "year", True, synonyms=("年份",), example=2023),
    Column("partner", "合作单位", synonyms=("合作单位名称", "合作院校"), example="南通大学", width=24,
           note="按名称匹配合作单位名录；新名称自动加入名录"),
    Column("partner_type", "合作单位类型", "vocab", vocabulary=vocab.PARTNER_TYPES, example="高等院校", width=18,
           note="新合作单位未填类型时记为其他（不享受补助）"),
    Column("investment", "投资额(万元)", "money", synonyms=("投资额", "项目投资"), example=60, width=14),
    Column("stage", "阶段", "vocab", vocabulary=vocab.STAGES, synonyms=("项目阶段",), example="培育"),
    Column("benefit", "成果效益(万元)", "money", synonyms=("成果效益", "效益"), example=30, width=16),
), key=("uscc", "year", "title"))

AWARDS = Kind("awards", "获奖", (
    CODE,
    Column("award", "奖项", "vocab", True, vocab.AWARDS, synonyms=("奖项名称", "获奖名称"), example="江苏省质量奖",
           width=20),
    Column("year", "年度", "year", True, synonyms=("获奖年度", "获奖年份", "年份"), example=2023),
), key=("uscc", "award", "year"))

FORUMS = Kind("forums", "交流会", (
    Column("title", "名称", required=True, synonyms=("会议名称", "论坛名称", "交流会名称"),
           example="2023年质量交流会", width=26),
    Column("date", "日期", "date", True, synonyms=("举办日期", "会议日期"), example="2023-06-15"),
    Column("venue", "地点", synonyms=("举办地点", "会议地点"), example="县市场监管局会议室", width=20),
    Column("organiser", "主办单位", example="县质量工作领导小组办公室", width=22),
    Column("topic", "主题", synonyms=("会议主题",), example="卓越绩效模式推广", width=22),
    Column("speakers", "主讲人", example="赵六"),
    Column("status", "状态", "vocab", vocabulary=vocab.FORUM_STATUSES, example="已举办"),
    Column("cancel_reason", "取消原因", "multiline", synonyms=("取消理由",), example="",
           note="状态为已取消时填写；未填时照常导入并提示", width=22),
    Column("attendees", "参加企业", "list", example=EX_CODE,
           note="参加企业的统一社会信用代码，多个用、；，或换行分隔", width=30),
    Column("people", "参加人数", "int", synonyms=("人数",), example=40),
), key=("title", "date"))

PARTNERS = Kind("partners", "合作单位", (
    Column("name", "名称", required=True, synonyms=("合作单位", "合作单位名称", "单位名称"), example="南通大学", width=26),
    Column("type", "类型", "vocab", vocabulary=vocab.PARTNER_TYPES, synonyms=("单位类型", "合作单位类型"),
           example="高等院校"),
    Column("contact", "联系人", example="孙七"),
    Column("phone", "联系电话", "phone", synonyms=("电话", "联系方式", "手机"), example="0513-85010000", width=16),
    Column("note", "备注", "multiline", example="", width=26),
), key=("name",))

SIGNUPS = Kind("signups", "对接会报名", (
    Column("meeting_date", "对接会日期", "date", True, synonyms=("会议日期",), example="2023-09-20",
           note="对接会日期；该年度还没有对接会时按此日期新建"),
    CODE,
    Column("names", "参会人", "list", True, synonyms=("参会人员", "参会人姓名"), example="周八、吴九",
           note="多人用、；，或换行分隔"),
    Column("posts", "职务", "list", example="总经理、质量部长", note="与参会人一一对应"),
    Column("phones", "联系电话", "list", synonyms=("电话", "手机", "联系方式"), example="13800000001、13800000002",
           note="与参会人一一对应", width=26),
    Column("need", "合作需求", "multiline", example="冲压件疲劳寿命检测", width=26),
    Column("partner", "意向合作单位", synonyms=("意向单位",), example="南通大学", width=20),
    Column("status", "状态", "vocab", vocabulary=vocab.SIGNUP_STATUSES, synonyms=("报名状态",), example="已报名",
           note="空白为已报名（满员时候补）"),
    Column("meeting_title", "对接会名称", example="2023年质量产学研合作对接会", width=28),
    Column("signed_up_on", "报名日期", "date", synonyms=("报名时间",), example="2023-09-01",
           note="企业报名的日期；空白为导入当天"),
), key=("uscc", "meeting_year"))

KINDS: dict[str, Kind] = {k.name: k for k in (ENTERPRISES, FIGURES, PROJECTS, AWARDS, FORUMS, SIGNUPS, PARTNERS)}
