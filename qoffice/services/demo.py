"""Plausible demo data for the whole domain — one Nantong county over two years — in bulk.

Written with SQLAlchemy Core bulk inserts (100,000 enterprises in seconds), straight into the
tables, so the data must obey every rule by construction: valid credit codes, figures with
passed ≤ checked, a full matchmaking meeting whose waiting list is consistent with its capacity,
held forums not dated in the future. The current year's return is designed to export with no
errors and exactly three warnings: one benchmarking enterprise without a 质量创新 project, one
benchmarking enterprise whose loss rate did not fall, one chief quality officer without a phone.
Deterministic for a given seed and `today`.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from itertools import accumulate

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qoffice.db import models as m
from qoffice.db.bulk import insert_rows
from qoffice.domain import vocab
from qoffice.domain.pinyin import initials, sort_key
from qoffice.domain.uscc import make_valid
from qoffice.errors import UsageError
from qoffice.i18n import _
from qoffice.services import Progress, report
from qoffice.services import settings as settings_service

MIN_ENTERPRISES = 100  # enough for two full matchmaking meetings with waiting lists
MAX_ENTERPRISES = 1_000_000
DEFAULT_ENTERPRISES = 1000
DEFAULT_COUNTY = "如皋市"
DEMO_SETTING = "demo"  # "1" marks a demo database; the GUI's title then says 【演示数据】
_CHUNK = 10_000

# Administrative division codes (characters 3–8 of a credit code) and towns of each county.
REGION_CODES = {
    "崇川区": "320602", "通州区": "320612", "海门区": "320614", "海安市": "320685",
    "如皋市": "320682", "如东县": "320623", "启东市": "320681", "南通经济技术开发区": "320691",
}
TOWNS = {
    "崇川区": ("和平桥街道", "任港街道", "新城桥街道", "虹桥街道", "学田街道", "钟秀街道", "观音山街道",
            "狼山镇街道", "幸福街道", "陈桥街道", "秦灶街道", "唐闸镇街道"),
    "通州区": ("金沙街道", "西亭镇", "二甲镇", "东社镇", "三余镇", "十总镇", "骑岸镇", "五接镇", "兴仁镇",
            "石港镇", "刘桥镇", "平潮镇", "张芝山镇", "川姜镇"),
    "海门区": ("海门街道", "三厂街道", "三星镇", "常乐镇", "悦来镇", "四甲镇", "余东镇", "正余镇", "包场镇",
            "临江镇"),
    "海安市": ("海安街道", "城东镇", "曲塘镇", "李堡镇", "角斜镇", "南莫镇", "墩头镇", "白甸镇", "雅周镇"),
    "如皋市": ("如城街道", "城北街道", "白蒲镇", "林梓镇", "下原镇", "九华镇", "石庄镇", "长江镇", "吴窑镇",
            "江安镇", "搬经镇", "磨头镇", "丁堰镇", "东陈镇"),
    "如东县": ("掘港街道", "城中街道", "洋口镇", "长沙镇", "大豫镇", "栟茶镇", "曹埠镇", "岔河镇", "双甸镇",
            "马塘镇", "河口镇", "袁庄镇", "丰利镇"),
    "启东市": ("汇龙镇", "南阳镇", "北新镇", "王鲍镇", "合作镇", "海复镇", "近海镇", "寅阳镇", "惠萍镇",
            "东海镇", "吕四港镇"),
    "南通经济技术开发区": ("竹行街道", "小海街道", "中兴街道", "新开街道"),
}
GENERIC_TOWNS = ("城东街道", "城西街道", "开发区", "工业园区", "新城街道")
ROADS = ("人民路", "工业路", "兴业路", "通港路", "长江路", "黄海路", "宁海路", "创业路", "科技大道", "经一路",
         "纬二路", "园区路", "富民路", "建设路", "振兴路", "开发大道", "通扬路", "海港路", "益寿路", "福寿路")

STEM_FIRST = "恒华金通海鑫荣盛宏瑞祥泰嘉天中永新东联国润亿光远富隆凯安百博德昌信诚正合大佳星"
STEM_SECOND = "力达源丰发利邦宇辉和鼎茂升晟泽顺兴康业锐腾龙阳威旺翔科众"
# Trade → (share of enterprises, words a company name uses, products for project titles).
TRADES = {
    "纺织家纺": (18, ("纺织", "家纺", "织造", "服饰", "家用纺织品"), ("色织面料", "床上用品", "功能性面料", "纱线")),
    "锻压机械": (12, ("锻压机床", "机械制造", "锻压设备", "液压机械", "精密机械"),
             ("数控折弯机", "液压机", "锻件", "伺服压力机")),
    "海工船舶及配套": (10, ("船舶重工", "海洋工程", "船舶配件", "船用设备", "重工"),
                ("船用舾装件", "海工平台模块", "船用阀门", "甲板机械")),
    "精细化工": (9, ("化工", "精细化工", "生物化工", "涂料", "化学"), ("涂料树脂", "医药中间体", "助剂", "胶粘剂")),
    "电子信息": (9, ("电子科技", "信息技术", "微电子", "智能科技", "通信设备"),
             ("光通信器件", "电路板", "智能传感器", "线缆组件")),
    "新材料": (8, ("新材料科技", "复合材料", "高分子材料", "特种材料", "纳米科技"),
            ("碳纤维复合材料", "改性塑料", "特种合金", "功能薄膜")),
    "新能源": (7, ("新能源科技", "光伏科技", "储能技术", "风电设备", "电池材料"),
            ("光伏组件", "储能电池", "风电叶片", "逆变器")),
    "轻工": (15, ("包装", "家具", "工艺品", "日用品", "塑业"), ("包装纸箱", "实木家具", "塑料制品", "日用五金")),
    # Trades outside the list are kept as written under 其他 (domain.md).
    "食品": (6, ("食品", "粮油", "调味品"), ("速冻食品", "食用油", "酱菜")),
    "建材": (6, ("建材", "新型建材", "混凝土"), ("商品混凝土", "加气砌块", "保温板")),
}
HIGH_ENERGY_TRADES = ("精细化工", "锻压机械", "纺织家纺", "新材料", "建材")
SUFFIXES = (("有限公司", 70), ("股份有限公司", 10), ("有限责任公司", 8), ("集团有限公司", 4), ("科技有限公司", 8))

SURNAMES = "陈张王朱顾陆施季缪曹徐黄周吴沈钱葛丁杨冯许孙刘李蔡瞿倪范成严姜邱汤赵宋袁胡郭何高林"
GIVEN = "建国明华伟军平勇强红丽敏静芳燕霞梅兰英玲辉峰斌涛杰磊鹏宇浩晨洁婷雪琴云飞海波春秋东新志文进荣林德兵刚健亮俊凯锋娟萍洪锦晓卫"
MOBILE_PREFIXES = ("139", "138", "137", "136", "135", "150", "151", "152", "158", "159", "182", "187",
                   "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "189", "177")
CQO_POSTS = ("质量总监", "副总经理", "总工程师", "质量部经理", "总经理")
ATTENDEE_POSTS = ("总经理", "副总经理", "技术总监", "质量部经理", "研发部主任", "总工程师", "生产部长", "质量工程师")

PARTNERS = (
    ("南通大学", "高等院校"), ("江苏工程职业技术学院", "高等院校"), ("南通职业大学", "高等院校"),
    ("南通科技职业学院", "高等院校"), ("江苏航运职业技术学院", "高等院校"), ("南京工业大学", "高等院校"),
    ("江南大学", "高等院校"), ("江苏省质量和标准化研究院", "质量研究咨询机构"),
    ("南通市质量发展研究中心", "质量研究咨询机构"), ("上海质量管理科学研究院", "质量研究咨询机构"),
    ("南通卓越质量管理咨询有限公司", "质量研究咨询机构"), ("南通市产品质量监督检验所", "科研院所"),
    ("江苏省纺织研究所", "科研院所"), ("南通市质量协会", "行业协会"), ("南通市纺织工业协会", "行业协会"),
    ("南通市船舶行业协会", "行业协会"), ("南通通海船舶设计有限公司", "企业"), ("南通市生产力促进中心", "其他"),
)
SUBSIDY_PARTNERS = tuple(i for i, (_n, t) in enumerate(PARTNERS) if t in vocab.SUBSIDY_PARTNER_TYPES)

PROJECT_TITLES = {
    "质量攻关": ("{p}关键质量问题攻关", "{p}一致性提升攻关", "{p}早期失效质量攻关"),
    "质量改进": ("降低{p}不良率改进项目", "{p}过程能力提升改进", "{p}交付质量改进"),
    "QC课题成果": ("提高{p}一次交检合格率", "降低{p}返工率", "缩短{p}生产换型时间"),
    "质量创新": ("{p}质量管理创新", "{p}在线检测技术创新", "{p}质量追溯体系创新"),
    "产学研合作": ("{p}关键技术联合攻关", "{p}可靠性联合研究", "{p}新工艺产学研合作"),
}
NEEDS = ("希望在{p}检测方法上得到高校指导", "寻求{p}工艺优化的技术支持", "计划与院校共建{p}质量实验室",
         "需要{p}可靠性试验方面的合作", "希望引进{p}方向的质量管理人才")


@dataclass
class DemoSummary:
    seed: int
    county: str
    years: tuple[int, int]
    counts: dict[str, int] = field(default_factory=dict)
    replaced: bool = False


def has_records(session: Session) -> bool:
    """True when any record table holds a row (settings do not count)."""
    for model in (m.Enterprise, m.Partner, m.Forum, m.MatchmakingMeeting, m.Project, m.Award, m.YearFigures):
        if session.scalar(select(func.count()).select_from(model)):
            return True
    return False


def clear_records(session: Session) -> None:
    """Remove every record (settings stay) — `demo-data --force` replaces a database's contents."""
    for model in (m.Attendee, m.SignUp, m.MeetingPartner, m.MatchmakingMeeting, m.ForumAttendance, m.Forum,
                  m.Award, m.Project, m.YearFigures, m.AuditEntry, m.ImportBatch, m.ReturnSubmission,
                  m.Partner, m.Enterprise):
        session.execute(delete(model))


def generate(session: Session, *, enterprises: int = DEFAULT_ENTERPRISES, seed: int | None = None,
             force: bool = False, today: dt.date | None = None, progress: Progress = None) -> DemoSummary:
    """Fill the database with demo data; refuses one that holds records unless `force` (then replaces)."""
    if not MIN_ENTERPRISES <= enterprises <= MAX_ENTERPRISES:
        raise UsageError(_("The number of enterprises must be between {lo} and {hi}.").format(
            lo=MIN_ENTERPRISES, hi=MAX_ENTERPRISES))
    replaced = False
    if has_records(session):
        if not force:
            raise UsageError(_("The database already holds records; demo data goes only into an empty "
                               "database. Use --force to replace its contents with demo data."))
        clear_records(session)
        replaced = True
    if seed is None:
        seed = random.SystemRandom().randrange(1, 1_000_000)
    builder = _Builder(session, enterprises, seed, today or dt.date.today(), progress)
    summary = builder.run()
    summary.replaced = replaced
    return summary


def _setting(session: Session, key: str) -> str | None:
    row = session.get(m.Setting, key)
    return row.value if row is not None and row.value else None


def _put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(m.Setting, key)
    if row is None:
        session.add(m.Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()


class _Builder:
    def __init__(self, session: Session, n: int, seed: int, today: dt.date, progress: Progress):
        self.s = session
        self.conn = session.connection()
        self.n = n
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today
        self.year = today.year
        self.prev = today.year - 1
        self.progress = progress
        self.now = dt.datetime.now().replace(microsecond=0)
        self.county = _setting(session, "county") or DEFAULT_COUNTY
        self.region = REGION_CODES.get(self.county, "320600")
        self.towns = TOWNS.get(self.county, GENERIC_TOWNS)
        short = self.county.removesuffix("市").removesuffix("区").removesuffix("县")
        self.places = (short, short, short, "南通", "南通", "江苏", "") + tuple(
            t.removesuffix("街道").removesuffix("镇") for t in self.towns[:6])
        self.counts: dict[str, int] = {}
        self._total = 2 * n + 10
        self._done = 0

    # -- small generators ------------------------------------------------------------------
    def person(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"0513-8{self.rng.randrange(10**7):07d}"

    def phone(self) -> str:
        return self.mobile() if self.rng.random() < 0.6 else self.landline()

    def code(self, i: int) -> str:
        """A valid, unique credit code for enterprise number i (a bijection keeps codes unique)."""
        charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        if i % 3 == 0:  # an old-style organisation code: 8 digits + its own GB 11714 check
            digits = f"{(i * 7919 + self.seed * 104729) % 10**8:08d}"
            total = sum(int(d) * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2)))
            c9 = 11 - total % 11
            org = digits + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
        else:  # the newer "MA…" organisation part
            v = (i * 2_654_435_761 + self.seed * 40_503) % 31**7
            chars = []
            for _i in range(7):
                v, rem = divmod(v, 31)
                chars.append(charset[rem])
            org = "MA" + "".join(reversed(chars))
        return make_valid("91" + self.region + org)

    def tick(self, amount: int, message: str) -> None:
        self._done += amount
        report(self.progress, min(self._done, self._total), self._total, message)

    def insert(self, model, rows: list[dict]) -> None:
        if rows:
            insert_rows(self.conn, model.__table__, rows)
        self.counts[model.__tablename__] = self.counts.get(model.__tablename__, 0) + len(rows)

    def next_id(self, model) -> int:
        return (self.s.scalar(select(func.max(model.id))) or 0) + 1

    # -- the whole run -----------------------------------------------------------------------
    def run(self) -> DemoSummary:
        report(self.progress, 0, self._total, _("Writing demo enterprises…"))
        self.enterprises()
        self.figures()
        self.partners()
        self.forums()
        self.meetings()
        self.projects()
        self.awards()
        self.settings()
        self.tick(10, _("Demo data written."))
        return DemoSummary(self.seed, self.county, (self.prev, self.year), dict(self.counts))

    def enterprises(self) -> None:
        r = self.rng
        trades = list(TRADES)
        trade_weights = list(accumulate(TRADES[t][0] for t in trades))
        suffixes = [s for s, _w in SUFFIXES]
        suffix_weights = list(accumulate(w for _s, w in SUFFIXES))
        stems = [a + b for a in STEM_FIRST for b in STEM_SECOND if a != b]
        cache: dict[str, str] = {}

        def ini(part: str) -> str:  # initials are per character, so parts can be cached
            got = cache.get(part)
            if got is None:
                got = cache[part] = initials(part)
            return got

        keys: dict[str, str] = {}

        def key(part: str) -> str:  # so is the pinyin sort key
            got = keys.get(part)
            if got is None:
                got = keys[part] = sort_key(part)
            return got

        first_id = self.next_id(m.Enterprise)
        # Roles are drawn up front from positions, so each kind exists whatever N is.
        n_closed, n_deleted = max(4, self.n // 80), 3
        n_bench, n_cqo = max(6, self.n // 50), max(5, self.n * 7 // 100)
        picked = r.sample(range(self.n), n_closed + n_deleted + n_bench + n_cqo)
        role: dict[int, str] = {}
        for k in picked[:n_closed]:
            role[k] = "closed"
        for k in picked[n_closed:n_closed + n_deleted]:
            role[k] = "deleted"
        for k in picked[n_closed + n_deleted:n_closed + n_deleted + n_bench]:
            role[k] = "bench"
        cqo_positions = picked[n_closed + n_deleted + n_bench:]
        for k in cqo_positions:
            role[k] = "cqo"
        bench_positions = sorted(k for k, v in role.items() if v == "bench")
        for k in bench_positions[: n_bench // 2]:
            role[k] = "bench+cqo"  # half the benchmarkers have a chief quality officer too
        no_phone_position = sorted(cqo_positions)[len(cqo_positions) // 2]

        names: set[str] = set()
        self.active: list[int] = []  # ids of enterprises that count for both years
        self.trade_of: dict[int, str] = {}
        self.closed_in_year: list[int] = []  # closed during the current year: count for the previous only
        self.benchmarks: list[int] = []
        closures = 0
        cqos = 0
        rows = []
        for k in range(self.n):
            eid = first_id + k
            trade = r.choices(trades, cum_weights=trade_weights)[0]
            while True:
                place, stem = r.choice(self.places), r.choice(stems)
                word, suffix = r.choice(TRADES[trade][1]), r.choices(suffixes, cum_weights=suffix_weights)[0]
                if suffix == "科技有限公司" and word.endswith("科技"):
                    suffix = "有限公司"
                name = place + stem + word + suffix
                if name not in names:
                    names.add(name)
                    break
            town = r.choice(self.towns)
            row = dict(
                id=eid, uscc=self.code(eid), name=name, name_initials=ini(place) + ini(stem) + ini(word) + ini(suffix),
                name_pinyin=key(place) + key(stem) + key(word) + key(suffix),
                county=self.county, address=f"{self.county}{town}{r.choice(ROADS)}{r.randrange(1, 300)}号",
                legal_rep=self.person(), contact=self.person(), phone=self.phone(),
                industry_group=vocab.TRADE_GROUPS.get(trade, vocab.GROUP_OTHER), trade=trade,
                high_energy=trade in HIGH_ENERGY_TRADES and r.random() < 0.2,
                status=vocab.STATUS_ACTIVE, status_year=None,
                cqo_name=None, cqo_post=None, cqo_phone=None, cqo_appointed=None,
                excellence_year=None, benchmark=False, benchmark_since=None,
                research_centre=r.random() < 0.04, incentive_fund=r.random() < 0.03, note=None,
                created_at=self.now, updated_at=self.now, deleted_at=None,
            )
            self.trade_of[eid] = trade
            kind = role.get(k)
            if kind == "closed":
                variant = closures % 4
                closures += 1
                if variant == 0:
                    row.update(status="注销", status_year=self.year, note=f"{self.year}年办理注销登记")
                    self.closed_in_year.append(eid)
                elif variant == 1:
                    row.update(status="注销", status_year=self.prev - r.randrange(0, 3))
                elif variant == 2:
                    row.update(status="停产", status_year=self.prev)
                else:
                    row.update(status="迁出", status_year=self.year, note="整体搬迁至外县")
                    self.closed_in_year.append(eid)
            elif kind == "deleted":
                row["deleted_at"] = self.now - dt.timedelta(days=3 + k % 20)  # in the 回收站
            else:
                self.active.append(eid)
                if r.random() < 0.03:
                    row["excellence_year"] = r.choice((self.year, self.year, self.prev, 2018, 2020, 2022))
                if kind in ("bench", "bench+cqo"):
                    self.benchmarks.append(eid)
                    row.update(benchmark=True,
                               benchmark_since=None if r.random() < 0.15 else r.randrange(self.year - 6, self.year + 1))
                if kind in ("cqo", "bench+cqo"):
                    cqos += 1
                    appointed = None
                    if r.random() < 0.9:
                        appointed = dt.date(r.randrange(2014, self.year + 1), r.randrange(1, 13), r.randrange(1, 29))
                        if appointed > self.today:
                            appointed = self.today - dt.timedelta(days=r.randrange(1, 60))
                    row.update(cqo_name=self.person(), cqo_post=r.choice(CQO_POSTS), cqo_appointed=appointed,
                               cqo_phone=None if k == no_phone_position else self.mobile())
                    if k == no_phone_position:
                        self.cqo_without_phone = eid
            rows.append(row)
            if len(rows) == _CHUNK:
                self.insert(m.Enterprise, rows)
                rows = []
                self.tick(_CHUNK, _("Writing demo enterprises…"))
        self.insert(m.Enterprise, rows)
        self.tick(len(rows), _("Writing demo enterprises…"))
        self.counts["benchmark"] = len(self.benchmarks)
        self.counts["cqo"] = cqos

    def figures(self) -> None:
        """Yearly figures for both years; benchmarking enterprises' loss rates fall (but one)."""
        r = self.rng
        first_id = self.next_id(m.YearFigures)
        bench = set(self.benchmarks)
        self.bench_rate_rises = self.benchmarks[len(self.benchmarks) // 3]
        rows = []
        done = 0

        def figure_row(eid: int, year: int, rate: int | None) -> dict:
            checked = passed = benefit = None
            if r.random() < 0.4:
                checked = r.randrange(1, 7)
                passed = checked - (1 if r.random() < 0.05 else 0)
            if r.random() < 0.35:
                benefit = r.randrange(2, 300) * 10_000 + (r.randrange(0, 10_000) if r.random() < 0.3 else 0)
            return dict(id=first_id + len(rows), enterprise_id=eid, year=year, loss_rate_e4=rate,
                        checked=checked, passed=passed, benefit_yuan=benefit, created_at=self.now)

        for eid in self.active + self.closed_in_year:
            in_bench = eid in bench
            if in_bench or r.random() < 0.7:
                prev_rate = r.randrange(3000, 35_000) if (in_bench or r.random() < 0.9) else None
                rows.append(figure_row(eid, self.prev, prev_rate))
                if eid not in self.closed_in_year:
                    if in_bench:
                        rate = prev_rate + 1200 if eid == self.bench_rate_rises else prev_rate - r.randrange(300, 2500)
                    elif prev_rate is not None:
                        rate = max(500, prev_rate + r.randrange(-3000, 1500))
                    else:
                        rate = r.randrange(3000, 35_000)
                    rows.append(figure_row(eid, self.year, rate))
            done += 1
            if len(rows) >= _CHUNK:
                self.insert(m.YearFigures, rows)
                first_id += len(rows)
                rows = []
                self.tick(done, _("Writing yearly figures…"))
                done = 0
        self.insert(m.YearFigures, rows)
        self.tick(done + (self.n - len(self.active) - len(self.closed_in_year)), _("Writing yearly figures…"))

    def partners(self) -> None:
        r = self.rng
        first_id = self.next_id(m.Partner)
        rows = []
        for k, (name, type_) in enumerate(PARTNERS):
            rows.append(dict(id=first_id + k, name=name, name_initials=initials(name), name_pinyin=sort_key(name), type=type_,
                             contact=self.person(), phone=self.landline() if r.random() < 0.6 else self.mobile(),
                             note=None, created_at=self.now))
        self.partner_ids = [row["id"] for row in rows]
        self.partner_type = {row["id"]: row["type"] for row in rows}
        self.insert(m.Partner, rows)

    def forums(self) -> None:
        """Per year: held, planned and cancelled forums — never more than two not cancelled."""
        r = self.rng
        venue = f"{self.county}行政中心第三会议室"
        organiser = f"{self.county}质量工作领导小组办公室"
        y, p = self.year, self.prev
        held_this_year = min(dt.date(y, 4, 23), self.today)
        planned = max(dt.date(y, 9, 26), self.today + dt.timedelta(days=21))
        if planned.year != y:
            planned = dt.date(y, 12, 31)
        plan = [
            (f"{p}年质量强企交流会", dt.date(p, 5, 16), "已举办", "卓越绩效管理模式导入经验交流", "南通大学 顾建华教授", None),
            ("首席质量官履职能力提升论坛", dt.date(p, 10, 24), "已举办", "首席质量官制度与质量责任落实",
             "江苏省质量和标准化研究院 陈志刚研究员", None),
            ("质量比对提升现场推进会", dt.date(p, 12, 12), "已取消", "重点企业质量比对提升", None,
             "与全市安全生产大检查时间冲突，改至次年举办"),
            (f"{y}年质量强企交流会", held_this_year, "已举办", "质量比对提升与质量损失率控制",
             "上海质量管理科学研究院 沈立新高级工程师、南通大学 季红教授", None),
            ("质量创新成果现场观摩会", dt.date(y, 7, 10), "已取消", "质量创新成果现场观摩", None,
             "因高温天气及企业生产任务繁重，经商议取消"),
            ("QC小组成果发布与交流论坛", planned, "计划", "QC小组活动成果发布", "南通市质量协会 专家组", None),
        ]
        first_id = self.next_id(m.Forum)
        rows, attendance = [], []
        for k, (title, date, status, topic, speakers, reason) in enumerate(plan):
            fid = first_id + k
            people = None
            if status == "已举办":
                chosen = sorted(r.sample(self.active, min(len(self.active), r.randrange(20, 46))))
                attendance += [{"forum_id": fid, "enterprise_id": eid} for eid in chosen]
                people = len(chosen) + r.randrange(5, 30)
            rows.append(dict(id=fid, title=title, date=date, venue=venue, organiser=organiser, topic=topic,
                             speakers=speakers, status=status, cancel_reason=reason, people_count=people,
                             created_at=self.now))
        self.insert(m.Forum, rows)
        self.insert(m.ForumAttendance, attendance)

    def meetings(self) -> None:
        """Last year's meeting (held) and this year's (upcoming), each full with a waiting list."""
        r = self.rng
        y, p = self.year, self.prev
        upcoming = max(dt.date(y, 6, 18), self.today + dt.timedelta(days=14))
        if upcoming.year != y:
            upcoming = dt.date(y, 12, 30)
        first_meeting = self.next_id(m.MatchmakingMeeting)
        self.signup_id = self.next_id(m.SignUp)
        self.attendee_id = self.next_id(m.Attendee)
        meetings, links, signups, attendees = [], [], [], []
        # (year, date, capacity, statuses of those holding a place, withdrawn, waiting)
        specs = [
            (p, dt.date(p, 6, 18), 40, ["已签到"] * 34 + ["缺席"] * 6, 3, 2),
            (y, upcoming, 30, ["已报名"] * 18 + ["已确认"] * 12, 2, 3),
        ]
        self.attended_signups: list[dict] = []
        uni_partners = [pid for pid in self.partner_ids if self.partner_type[pid] in ("高等院校", "质量研究咨询机构", "科研院所")]
        for k, (year, date, capacity, taking, withdrawn, waiting) in enumerate(specs):
            mid = first_meeting + k
            deadline = date - dt.timedelta(days=5)
            meetings.append(dict(id=mid, year=year, title=f"{year}年质量产学研合作对接会", date=date,
                                 venue=f"{self.county}科技创业园报告厅",
                                 organiser=f"{self.county}质量工作领导小组办公室、南通大学", capacity=capacity,
                                 deadline=deadline, created_at=self.now))
            attending = sorted(r.sample(uni_partners, 6))
            links += [{"meeting_id": mid, "partner_id": pid} for pid in attending]
            who = r.sample(self.active, len(taking) + withdrawn + waiting)
            # Arrival order: the withdrawn signed up early and left before the list filled (so no one
            # was due a promotion), then the places filled, then the waiting list.
            statuses = ["已退出"] * withdrawn + taking + ["候补"] * waiting
            early = statuses[: withdrawn + len(taking) // 2]
            r.shuffle(early)
            statuses[: len(early)] = early
            start = dt.datetime.combine(deadline - dt.timedelta(days=25), dt.time(9, 0))
            seq = 0
            for j, (eid, status) in enumerate(zip(who, statuses)):
                if status == "候补":
                    seq += 1
                sid = self.signup_id
                self.signup_id += 1
                at = start + dt.timedelta(hours=11 * j, minutes=r.randrange(0, 50))
                product = r.choice(TRADES[self.trade_of[eid]][2])
                row = dict(id=sid, meeting_id=mid, enterprise_id=eid, need=r.choice(NEEDS).format(p=product),
                           partner_id=r.choice(attending) if r.random() < 0.8 else None, status=status,
                           waitlist_seq=seq if status == "候补" else None, signed_up_at=at, created_at=at)
                signups.append(row)
                if status == "已签到":
                    self.attended_signups.append(row)
                for pos in range(r.choice((1, 1, 1, 2, 2, 3))):
                    attendees.append(dict(id=self.attendee_id, signup_id=sid, position=pos, name=self.person(),
                                          post=None if (pos == 1 and r.random() < 0.3) else r.choice(ATTENDEE_POSTS),
                                          phone=self.mobile()))
                    self.attendee_id += 1
        self.insert(m.MatchmakingMeeting, meetings)
        self.insert(m.MeetingPartner, links)
        self.insert(m.SignUp, signups)
        self.insert(m.Attendee, attendees)

    def projects(self) -> None:
        """Projects of every type at every stage in both years; subsidised ones and some at exactly 50万."""
        r = self.rng
        first_id = self.next_id(m.Project)
        rows: list[dict] = []
        taken: set[tuple[int, int, str]] = set()
        no_innovation = self.benchmarks[(2 * len(self.benchmarks)) // 3]
        if no_innovation == self.bench_rate_rises:  # keep the two warnings on different enterprises
            no_innovation = self.benchmarks[-1]
        self.no_innovation = no_innovation
        others = [eid for eid in self.active if eid != no_innovation]

        def add(eid, type_, year, stage, partner=None, investment=None, benefit=None, signup=None):
            product = r.choice(TRADES[self.trade_of[eid]][2])
            for template in r.sample(PROJECT_TITLES[type_], len(PROJECT_TITLES[type_])):
                title = template.format(p=product)
                if (eid, year, title) not in taken:
                    break
            else:
                title = f"{template.format(p=product)}（二期）"
                if (eid, year, title) in taken:
                    return
            taken.add((eid, year, title))
            if benefit is None and stage == "见效":
                benefit = r.randrange(5, 500) * 10_000 + (r.randrange(0, 10_000) if r.random() < 0.3 else 0)
            rows.append(dict(id=first_id + len(rows), enterprise_id=eid, type=type_, title=title, year=year,
                             partner_id=partner, investment_yuan=investment, stage=stage, benefit_yuan=benefit,
                             signup_id=signup, created_at=self.now))

        def investment() -> int:
            return r.randrange(5, 300) * 10_000 + (r.randrange(0, 10_000) if r.random() < 0.25 else 0)

        for year in (self.prev, self.year):
            # Every type at every stage, at least once a year.
            for type_ in vocab.PROJECT_TYPES:
                for stage in vocab.STAGES:
                    partner = r.choice(self.partner_ids) if type_ == "产学研合作" or r.random() < 0.3 else None
                    add(r.choice(others), type_, year, stage, partner, investment())
            # The subsidy edge: exactly 500,000 yuan with a qualifying partner does not qualify.
            for type_ in ("产学研合作", "质量攻关"):
                add(r.choice(others), type_, year, r.choice(vocab.STAGES), self.partner_ids[SUBSIDY_PARTNERS[0]],
                    500_000)
            # Subsidised: more than 500,000 with a university or quality institute.
            for _k in range(3 + self.n // 2000):
                add(r.choice(others), "产学研合作", year, r.choice(vocab.STAGES),
                    self.partner_ids[r.choice(SUBSIDY_PARTNERS)], r.randrange(51, 400) * 10_000 + r.choice((0, 0, 5000)))
            # Every benchmarking enterprise owes a 质量创新 project a year (but one, this year).
            for eid in self.benchmarks:
                if year == self.year and eid == no_innovation:
                    continue
                add(eid, "质量创新", year, r.choice(vocab.STAGES), None, investment() if r.random() < 0.6 else None)
            for type_, share in (("质量攻关", 100), ("质量改进", 100), ("QC课题成果", 70), ("产学研合作", 250)):
                for _k in range(self.n // share):
                    partner = None
                    if type_ == "产学研合作" or r.random() < 0.2:
                        partner = r.choice(self.partner_ids)
                    add(r.choice(others), type_, year, r.choice(vocab.STAGES), partner,
                        investment() if type_ != "QC课题成果" or r.random() < 0.3 else None)
        # Last year's meeting led to projects (the one-step 转为项目).
        for su in self.attended_signups[:6]:
            stage = r.choice(vocab.STAGES[1:])
            add(su["enterprise_id"], "产学研合作", self.prev, stage, su["partner_id"] or self.partner_ids[0],
                investment(), signup=su["id"])
        self.insert(m.Project, rows)

    def awards(self) -> None:
        r = self.rng
        strong = sorted(set(self.benchmarks) - {self.no_innovation, self.bench_rate_rises})
        pool = strong if len(strong) >= 10 else list(self.active)
        plan = {
            self.prev: (("江苏省质量奖", 1), ("南通市市长质量奖", 2), ("县级质量奖", 6)),
            self.year: (("江苏省质量奖", 1), ("中国质量奖提名奖", 1), ("南通市市长质量奖", 2), ("县级质量奖", 5)),
        }
        rows = []
        first_id = self.next_id(m.Award)
        for year, items in plan.items():
            chosen = r.sample(pool, sum(k for _a, k in items))
            for award, k in items:
                for _i in range(k):
                    rows.append(dict(id=first_id + len(rows), enterprise_id=chosen.pop(), award=award, year=year,
                                     created_at=self.now))
        self.insert(m.Award, rows)

    def settings(self) -> None:
        """区县, 填报单位, 填报人, 联系电话 when empty (so a demo return exports at once), and the demo mark."""
        defaults = {"county": self.county, "office": f"{self.county}质量工作领导小组办公室",
                    "operator": self.person(), "phone": self.landline()}
        for key, value in defaults.items():
            if not settings_service.get(self.s, key):  # the person's own 填报人 (on this PC) counts too
                _put_setting(self.s, key, value)
        _put_setting(self.s, DEMO_SETTING, "1")
