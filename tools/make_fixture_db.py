"""Build the committed fixture database of a schema revision: tests/fixtures/db/<rev>.db.

    .venv/bin/python tools/make_fixture_db.py            # every revision qoffice knows
    .venv/bin/python tools/make_fixture_db.py 0002       # one revision

The schema comes from Alembic (`upgrade <rev>` on an empty file), the data from plain SQL inserts
of representative rows in every table — not from the ORM, whose models follow the newest schema.
Rows name columns; a column the revision does not have yet is left out, and a required column the
rows below do not name gets a plain value of its type (the builder prints which), so a re-run after
a revision is regenerated needs no edit. A new revision that adds a table or a column worth
checking adds its rows/values to ROWS. tests/test_db_migrations.py upgrades each fixture to head
and checks every row survived.
"""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "fixtures" / "db"

TS = "2024-03-05 09:30:00.000000"
# Table → rows, parents before children. Awkward values on purpose: Chinese text, quotes, line
# breaks, a soft-deleted enterprise, NULLs, money at the subsidy boundary, loss rate scaled ×10^4.
ROWS: dict[str, list[dict]] = {
    "enterprise": [
        {"id": 1, "uscc": "91320602MA1MXXXX0X", "name": "南通示例精密机械有限公司", "name_initials": "ntsljmjxyxgs",
         "county": "崇川区", "address": "南通市崇川区工农路1号", "legal_rep": "张三", "contact": "李四",
         "phone": "0513-85123456", "industry_group": "先进制造业", "trade": "通用设备制造业",
         "high_energy": 0, "status": "在营", "status_year": None, "cqo_name": "王五", "cqo_post": "质量总监",
         "cqo_phone": "13800000000", "cqo_appointed": "2022-06-01", "excellence_year": 2021, "benchmark": 1,
         "benchmark_since": 2022, "research_centre": 1, "incentive_fund": 0,
         "note": "第一行\n第二行，含'单引号'与\"双引号\"", "created_at": TS, "updated_at": TS, "deleted_at": None,
         "name_pinyin": "nan2tong1shi4li4jing1mi4ji1xie4you3xian4gong1si1", "version": 7},
        {"id": 2, "uscc": "91320684MA2NYYYY1Y", "name": "海门已注销纺织厂", "name_initials": "hmyzxfzc",
         "county": "海门区", "high_energy": 1, "status": "注销", "status_year": 2023, "benchmark": 0,
         "research_centre": 0, "incentive_fund": 1, "created_at": TS, "updated_at": TS,
         "deleted_at": "2024-04-01 08:00:00.000000", "name_pinyin": "hai3men2yi3zhu4xiao1fang3zhi1chang3", "version": 2},
    ],
    "year_figures": [
        {"id": 1, "enterprise_id": 1, "year": 2023, "loss_rate_e4": 12500, "checked": 10, "passed": 9,
         "benefit_yuan": 1_250_000, "created_at": TS, "version": 3},
        {"id": 2, "enterprise_id": 1, "year": 2024, "loss_rate_e4": None, "checked": None, "passed": None,
         "benefit_yuan": None, "created_at": TS},
    ],
    "partner": [
        {"id": 1, "name": "南通大学", "name_initials": "ntdx", "type": "高校", "contact": "赵老师",
         "phone": "0513-85012345", "note": None, "created_at": TS,
         "name_pinyin": "nan2tong1da4xue2", "version": 4},
    ],
    "meeting": [
        {"id": 1, "year": 2024, "title": "2024年质量产学研合作对接会", "date": "2024-05-20", "venue": "南通国际会议中心",
         "organiser": "市质量办", "capacity": 2, "deadline": "2024-05-10", "created_at": TS, "version": 2},
    ],
    "meeting_partner": [{"meeting_id": 1, "partner_id": 1}],
    "signup": [
        {"id": 1, "meeting_id": 1, "enterprise_id": 1, "need": "精密加工质量提升", "partner_id": 1,
         "status": "已确认", "waitlist_seq": None, "signed_up_at": TS, "created_at": TS, "version": 5},
    ],
    "attendee": [
        {"id": 1, "signup_id": 1, "position": 0, "name": "王五", "post": "质量总监", "phone": "13800000000"},
        {"id": 2, "signup_id": 1, "position": 1, "name": "钱六", "post": None, "phone": None},
    ],
    "project": [
        {"id": 1, "enterprise_id": 1, "type": "产学研合作", "title": "高精度齿轮质量攻关", "year": 2024,
         "partner_id": 1, "investment_yuan": 500_001, "stage": "实施", "benefit_yuan": 80_000,
         "signup_id": 1, "created_at": TS, "version": 6},
    ],
    "award": [{"id": 1, "enterprise_id": 1, "award": "市长质量奖", "year": 2023, "created_at": TS, "version": 2}],
    "forum": [
        {"id": 1, "title": "首席质量官论坛", "date": "2024-06-18", "venue": "崇川区政务中心", "organiser": "市质量办",
         "topic": "卓越绩效模式", "speakers": "孙教授", "status": "已举办", "cancel_reason": None,
         "people_count": 85, "created_at": TS, "version": 3},
        {"id": 2, "title": "质量月专题讲座", "date": "2024-09-10", "status": "已取消",
         "cancel_reason": "台风停课", "created_at": TS},
    ],
    "forum_attendance": [{"forum_id": 1, "enterprise_id": 1}],
    "setting": [
        {"key": "county", "value": "崇川区"}, {"key": "office", "value": "南通市崇川区质量发展局"},
        {"key": "operator", "value": "周七"}, {"key": "phone", "value": "0513-83551234"},
        {"key": "target.1", "value": "12"},
    ],
    "import_batch": [
        {"id": 1, "kind": "enterprises", "source": "C:\\Users\\clerk\\Desktop\\企业名单.xlsx", "at": TS,
         "created": 2, "updated": 0, "rejected": 1, "undone_at": None, "operator": "周七", "unchanged": 3,
         "skipped": 1, "backup": "qoffice-event-20240305-093000-import.db"},
    ],
    "audit_log": [
        {"id": 1, "at": TS, "os_user": "clerk", "operator": "周七", "table_name": "enterprise", "record_id": 1,
         "enterprise_id": 1, "action": "create", "field": "name", "old": None, "new": "南通示例精密机械有限公司",
         "batch_id": 1},
        {"id": 2, "at": TS, "os_user": "clerk", "operator": "周七", "table_name": "enterprise", "record_id": 1,
         "enterprise_id": 1, "action": "update", "field": "phone", "old": "0513-85000000",
         "new": "0513-85123456", "batch_id": None},
    ],
    "return_submission": [
        {"id": 1, "year": 2024, "at": TS, "path": "C:\\报送\\2024年报表.xlsx", "copy_path": None,
         "indicators_json": "{\"1\": \"2\", \"2\": \"1.25\"}", "warnings": 1},
    ],
    # revision 0005: the city office (a received return, the one it replaced, a row, a finding)
    "city_return": [
        {"id": 1, "year": 2024, "county": "崇川区", "file_name": "崇川区_2024年度质量强企报表.xlsx", "sha256": "0" * 64,
         "content": b"PK\x03\x04 not a real workbook \x00\xff", "received_at": TS, "filled_date": "2025-01-10",
         "office": "崇川区质量办", "operator": "李四", "phone": "0513-81234567", "software_version": "1.0",
         "current": 0, "replaced_previous": 0, "superseded_at": TS, "withdrawn_at": None, "withdraw_reason": None,
         "summary_json": "{\"1\": \"2\"}", "warnings": 0},
        {"id": 2, "year": 2024, "county": "崇川区", "file_name": "崇川区 报表(改).xlsx", "sha256": "1" * 64,
         "content": b"\x00" * 10, "received_at": TS, "filled_date": "2025-01-12", "current": 1,
         "replaced_previous": 1, "withdrawn_at": TS, "withdraw_reason": "汇总表第2行与明细不符，请核对后重报",
         "summary_json": "{}", "warnings": 1},
    ],
    "city_return_row": [
        {"id": 1, "return_id": 2, "sheet": "企业名录", "row": 2,
         "data": "{\"统一社会信用代码\": \"91320602MA1MXXXX0X\", \"企业名称\": \"南通示例\\n精密\"}"},
    ],
    "city_finding": [
        {"id": 1, "return_id": 2, "level": "警告", "sheet": "汇总", "row": 3, "message": "汇总表第2行填报5，按明细计算为2"},
    ],
}


def _plain_value(decl_type: str, column: str, n: int):
    t = (decl_type or "").upper()
    if "INT" in t or "BOOL" in t:
        return 0
    if t == "DATE":
        return "2024-01-01"
    if "DATETIME" in t or "TIMESTAMP" in t:
        return TS
    return f"{column}-{n}"


def fill(con: sqlite3.Connection, rows: dict[str, list[dict]] = ROWS) -> list[str]:
    """Insert `rows` into the tables this revision has; returns notes on generic values used."""
    notes = []
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                        "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
    missing = sorted(set(tables) - set(rows))
    if missing:
        raise SystemExit(f"make_fixture_db: no representative rows for table(s) {missing}: add them to ROWS")
    for table, table_rows in rows.items():
        if table not in tables:
            continue
        info = con.execute(f'PRAGMA table_info("{table}")').fetchall()  # cid, name, type, notnull, dflt, pk
        cols = {c[1]: c for c in info}
        for n, row in enumerate(table_rows, 1):
            values = {k: v for k, v in row.items() if k in cols}
            for name, (_cid, _name, decl, notnull, default, pk) in cols.items():
                if name not in values and notnull and default is None and not (pk and "INT" in decl.upper()):
                    values[name] = _plain_value(decl, name, n)
                    notes.append(f"{table}.{name}")
            names = ", ".join(f'"{k}"' for k in values)
            marks = ", ".join("?" for _ in values)
            con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(values.values()))
    return sorted(set(notes))


def build(rev: str, out: Path | None = None) -> Path:
    from qoffice.db import sqlite as sq
    from qoffice.db.migrate import run_upgrade_in_place

    out = out or FIXTURES / f"{rev}.db"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".building")
    sq.remove_db_file(tmp)
    run_upgrade_in_place(tmp, rev)
    con = sqlite3.connect(tmp)
    try:
        con.execute("PRAGMA foreign_keys=ON")
        with con:
            notes = fill(con)
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise SystemExit(f"make_fixture_db: foreign key problems in {rev}: {problems}")
        con.execute("PRAGMA page_size=1024")  # small pages keep the committed file small
        con.execute("VACUUM")
    finally:
        con.close()
    tmp.replace(out)
    if notes:
        print(f"{out.name}: plain values used for {', '.join(notes)} (add real ones to ROWS)")
    print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: {out.stat().st_size} bytes")
    return out


def main(argv: list[str]) -> int:
    from qoffice.db.schema import KNOWN_REVISIONS

    for rev in argv or KNOWN_REVISIONS:
        build(rev)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
