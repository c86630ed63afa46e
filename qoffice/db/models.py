"""SQLAlchemy 2 models for everything in domain.md.

Money is integer yuan (`*_yuan`), loss rates are integers scaled by 10^4 (`loss_rate_e4`):
SQLite has no exact decimal type. Soft-deleted enterprises keep their row with `deleted_at` set;
their records stay in the tables but leave every list, count and return.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from qoffice.domain.pinyin import sort_key

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def version_column() -> Mapped[int]:
    """Every record a clerk edits carries a version (revision 0004), the mapper's version_id_col:
    each ORM UPDATE of the row bumps it and checks the old one, and a form passes the version it
    loaded to the service, which refuses the save when the row has moved on (errors.StaleRecord).
    Writes that go around the ORM (bulk INSERT/UPDATE) set or bump it themselves. Declared last in
    each table: revision 0004 appended it."""
    return mapped_column(Integer, nullable=False, server_default=text("1"))


def pinyin_column() -> Mapped[str]:
    """The name's pinyin sort key (qoffice.domain.pinyin.sort_key), kept by the name's validator
    on every ORM write; bulk INSERTs fill it themselves (revision 0004)."""
    return mapped_column(String(1000), nullable=False, server_default=text("''"))


class Enterprise(Base):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # unique across deleted ones too
    name: Mapped[str] = mapped_column(String(200))
    name_initials: Mapped[str] = mapped_column(String(200), default="")  # pinyin initials, lower case
    county: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(300))
    legal_rep: Mapped[str | None] = mapped_column(String(50))
    contact: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(50))
    industry_group: Mapped[str | None] = mapped_column(String(20))
    trade: Mapped[str | None] = mapped_column(String(50))
    high_energy: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="在营")
    status_year: Mapped[int | None] = mapped_column(Integer)
    cqo_name: Mapped[str | None] = mapped_column(String(50))
    cqo_post: Mapped[str | None] = mapped_column(String(50))
    cqo_phone: Mapped[str | None] = mapped_column(String(50))
    cqo_appointed: Mapped[dt.date | None] = mapped_column(Date)
    excellence_year: Mapped[int | None] = mapped_column(Integer)
    benchmark: Mapped[bool] = mapped_column(Boolean, default=False)
    benchmark_since: Mapped[int | None] = mapped_column(Integer)
    research_centre: Mapped[bool] = mapped_column(Boolean, default=False)
    incentive_fund: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    name_pinyin: Mapped[str] = pinyin_column()
    version: Mapped[int] = version_column()

    figures: Mapped[list[YearFigures]] = relationship(back_populates="enterprise", cascade="all, delete-orphan")
    projects: Mapped[list[Project]] = relationship(back_populates="enterprise", cascade="all, delete-orphan")
    awards: Mapped[list[Award]] = relationship(back_populates="enterprise", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _name_set(self, _key, value):
        self.name_pinyin = sort_key(value)
        return value

    __table_args__ = (
        Index("ix_enterprise_initials", "name_initials"),
        Index("ix_enterprise_county", "county"),
        Index("ix_enterprise_group", "industry_group"),
        Index("ix_enterprise_status", "status"),
        # Live enterprises in pinyin name order with the searched columns (revisions 0002, 0004):
        # the list walks it and stops after a page, a search tests name/code/initials in the index
        # itself, and a count reads it instead of the wide table. deleted_at is in it so it covers
        # the condition.
        Index("ix_enterprise_live_search", "name_pinyin", "id", "name", "uscc", "name_initials", "deleted_at",
              sqlite_where=text("deleted_at IS NULL")),
        # Only the recycle bin's rows: a plain index on deleted_at made SQLite fetch almost every
        # row through it for "deleted_at IS NULL" (revision 0002 replaced ix_enterprise_deleted_at).
        Index("ix_enterprise_in_bin", "deleted_at", sqlite_where=text("deleted_at IS NOT NULL")),
    )


class YearFigures(Base):
    __tablename__ = "year_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    loss_rate_e4: Mapped[int | None] = mapped_column(Integer)  # % × 10^4
    checked: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[int | None] = mapped_column(Integer)
    benefit_yuan: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = version_column()

    enterprise: Mapped[Enterprise] = relationship(back_populates="figures")
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("enterprise_id", "year"), Index("ix_year_figures_year", "year"))


class Partner(Base):
    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_initials: Mapped[str] = mapped_column(String(200), default="")
    type: Mapped[str] = mapped_column(String(20), default="其他")
    contact: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    name_pinyin: Mapped[str] = pinyin_column()
    version: Mapped[int] = version_column()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_partner_name_pinyin", "name_pinyin"),)

    @validates("name")
    def _name_set(self, _key, value):
        self.name_pinyin = sort_key(value)
        return value


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    investment_yuan: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(10), default="培育")
    benefit_yuan: Mapped[int | None] = mapped_column(Integer)
    signup_id: Mapped[int | None] = mapped_column(ForeignKey("signup.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = version_column()

    enterprise: Mapped[Enterprise] = relationship(back_populates="projects")
    partner: Mapped[Partner | None] = relationship()
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("enterprise_id", "year", "title"),
        Index("ix_project_year", "year"),
    )


class Award(Base):
    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    award: Mapped[str] = mapped_column(String(30))
    year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = version_column()

    enterprise: Mapped[Enterprise] = relationship(back_populates="awards")
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("enterprise_id", "award", "year"), Index("ix_award_year", "year"))


class Forum(Base):
    __tablename__ = "forum"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[dt.date] = mapped_column(Date)
    venue: Mapped[str | None] = mapped_column(String(200))
    organiser: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(300))
    speakers: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="计划")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    people_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = version_column()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("title", "date"), Index("ix_forum_date", "date"))


class ForumAttendance(Base):
    __tablename__ = "forum_attendance"

    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True)


class MatchmakingMeeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)  # one meeting a year
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[dt.date] = mapped_column(Date)
    venue: Mapped[str | None] = mapped_column(String(200))
    organiser: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = version_column()

    __mapper_args__ = {"version_id_col": version}


class MeetingPartner(Base):
    __tablename__ = "meeting_partner"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True)


class SignUp(Base):
    __tablename__ = "signup"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    need: Mapped[str | None] = mapped_column(Text)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="已报名")
    waitlist_seq: Mapped[int | None] = mapped_column(Integer)  # order on the 候补 list
    signed_up_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)  # first sign-up time
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = version_column()

    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="signup", cascade="all, delete-orphan", order_by="Attendee.position")
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("meeting_id", "enterprise_id"),)


class Attendee(Base):
    __tablename__ = "attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(50))
    post: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(50))

    signup: Mapped[SignUp] = relationship(back_populates="attendees")


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class ImportBatch(Base):
    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # 导入记录 (revision 0006): who imported, the rows already on file / skipped, the backup made before it.
    operator: Mapped[str | None] = mapped_column(String(100))
    unchanged: Mapped[int] = mapped_column(Integer, default=0, nullable=False, server_default=text("0"))
    skipped: Mapped[int] = mapped_column(Integer, default=0, nullable=False, server_default=text("0"))
    backup: Mapped[str | None] = mapped_column(String(300))


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    os_user: Mapped[str | None] = mapped_column(String(100))
    operator: Mapped[str | None] = mapped_column(String(100))
    table_name: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int | None] = mapped_column(Integer)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)  # for 变更记录 per enterprise
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete, restore, merge, purge, undo
    field: Mapped[str | None] = mapped_column(String(50))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"), index=True)

    __table_args__ = (Index("ix_audit_log_record", "table_name", "record_id"),)


class ReturnSubmission(Base):
    """报送记录: every exported return — a copy of the file, its 17 numbers, the time."""

    __tablename__ = "return_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    path: Mapped[str] = mapped_column(String(1000))
    copy_path: Mapped[str | None] = mapped_column(String(1000))
    indicators_json: Mapped[str] = mapped_column(Text)
    warnings: Mapped[int] = mapped_column(Integer, default=0)


# --- the city office (市级汇总, city.md; revision 0005) ----------------------------------------------
class CityReturn(Base):
    """A county return received by the city office: the file (bytes and original name) and, in
    city_return_row, its rows — so the city's sums never re-read files and both survive backup and
    restore. One row per file accepted (or that replaced the current one); refused and identical
    files are not stored. `current` marks the return that counts for its county and year."""

    __tablename__ = "city_return"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    county: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    filled_date: Mapped[dt.date | None] = mapped_column(Date)  # 封面 填报日期
    office: Mapped[str | None] = mapped_column(String(200))
    operator: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(200))
    software_version: Mapped[str | None] = mapped_column(String(100))
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    replaced_previous: Mapped[bool] = mapped_column(Boolean, default=False)  # 已更新
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # 退回
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    summary_json: Mapped[str] = mapped_column(Text, default="{}")  # 汇总 本年数值 as the county wrote them
    warnings: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_city_return_year_county", "year", "county"),)


class CityReturnRow(Base):
    """One data row of a received return's detail sheet or 校验 (values by header, as JSON)."""

    __tablename__ = "city_return_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("city_return.id", ondelete="CASCADE"), index=True)
    sheet: Mapped[str] = mapped_column(String(20))
    row: Mapped[int] = mapped_column(Integer)  # the Excel row in the county's file
    data: Mapped[str] = mapped_column(Text)


class CityFinding(Base):
    """What receiving a return found (warnings and notes, the county's carried 校验 rows)."""

    __tablename__ = "city_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("city_return.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    sheet: Mapped[str | None] = mapped_column(String(50))
    row: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
