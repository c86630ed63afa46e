"""Measured work of the city office's benchmarks (bench/city_bench.py), each in its own process:
`python -m bench.city_jobs JOB ARGS…` prints one JSON line {"seconds": …, "maxrss_mb": …}.
Building the eight county returns is set-up, not measured."""
from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

from bench.jobs import _done

COUNTIES = ("崇川区", "通州区", "海门区", "海安市", "如皋市", "如东县", "启东市", "南通经济技术开发区")
YEAR = 2024


def make_files(folder: str, per_county: str = "5000") -> int:
    """Eight county returns of `per_county` enterprises each, written by qoffice's return writer
    (figures for Y and Y−1, projects, awards, forums, sign-ups; a few enterprises in two counties)."""
    from qoffice.domain import checks, indicators
    from qoffice.domain.returndata import (
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
    from qoffice.domain.uscc import make_valid
    from qoffice.excel import return_writer

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    n = int(per_county)
    r = random.Random(15)
    types = ("质量攻关", "质量改进", "QC课题成果", "质量创新", "产学研合作")
    stages = ("培育", "签约", "推进", "见效")
    partners = (("南通大学", "高等院校"), ("南通市质量技术研究院", "质量研究咨询机构"), ("某行业协会", "行业协会"))
    for ci, county in enumerate(COUNTIES):
        ents, figs, projects, awards, signups = {}, [], [], [], []
        for i in range(n):
            shared = i % 500 == 0  # every 500th enterprise is listed by every county
            eid = i + 1
            ents[eid] = EnterpriseRec(
                id=eid, uscc=make_valid(f"91320{9 if shared else ci}{i:011d}"), name=f"{county}测试企业{i}有限公司",
                county=county, industry_group="其他", trade="纺织家纺", legal_rep="张三", contact="李四",
                phone=f"0513-8{i:07d}", cqo_name="王五" if i % 7 == 0 else None,
                cqo_phone="13800000000" if i % 7 == 0 else None, excellence_year=YEAR if i % 40 == 0 else None,
                benchmark=i % 50 == 0, research_centre=i % 9 == 0)
            for y in (YEAR - 1, YEAR):
                checked = r.randrange(0, 6)
                figs.append(FiguresRec(enterprise_id=eid, year=y, loss_rate_e4=r.randrange(0, 40000),
                                       checked=checked or None, passed=r.randrange(0, checked + 1) if checked else None,
                                       benefit_yuan=r.randrange(0, 10_000_000), id=len(figs) + 1))
            if i % 3 == 0:
                p_name, p_type = partners[(i // 3) % 3]
                projects.append(ProjectRec(id=len(projects) + 1, enterprise_id=eid, type=types[i % 5],
                                           title=f"项目{i}", year=YEAR, partner_name=p_name, partner_type=p_type,
                                           investment_yuan=r.randrange(100_000, 2_000_000),
                                           stage=stages[i % 4], benefit_yuan=r.randrange(0, 500_000)))
            if i % 100 == 0:
                awards.append(AwardRec(id=len(awards) + 1, enterprise_id=eid, award="江苏省质量奖", year=YEAR))
            if i % 60 == 0:
                signups.append(SignUpRec(id=len(signups) + 1, enterprise_id=eid, status="已报名",
                                         signed_up_at=dt.datetime(YEAR, 4, 1, 9, 0) + dt.timedelta(minutes=i)))
        forums = (ForumRec(id=1, title="质量论坛", date=dt.date(YEAR, 6, 1), status="已举办"),)
        data = ReturnData(year=YEAR, cover=Cover(office=f"{county}质量办", county=county, operator="李四",
                                                 phone="0513-81234567", export_date=dt.date(YEAR + 1, 1, 10),
                                                 software_version="bench"),
                          enterprises=ents, figures=tuple(figs), projects=tuple(projects), awards=tuple(awards),
                          forums=forums, meeting=MeetingRec(id=1, year=YEAR, title="对接会", date=dt.date(YEAR, 5, 20)),
                          signups=tuple(signups))
        return_writer.write(out / f"{county}_{YEAR}年度质量强企报表.xlsx", data, indicators.compute(data),
                            checks.check(data).warnings)
    print(json.dumps({"files": len(COUNTIES)}))
    return 0


def _files(folder: str) -> list[Path]:
    return sorted(Path(folder).glob("*.xlsx"))


def receive(db_path: str, folder: str) -> int:
    """services.city.receive of the eight files into a new city database."""
    from qoffice.db.database import open_database
    from qoffice.excel import city_reader  # noqa: F401  (imported before the clock, as the floor's are)
    from qoffice.services import city
    from qoffice.services import settings as st

    db = open_database(db_path, "create")
    try:
        with db.session() as s:
            st.set_value(s, "level", "city")
        start = time.perf_counter()
        outcomes = city.receive(db, _files(folder), today=dt.date(YEAR + 1, 3, 1))
        seconds = time.perf_counter() - start
    finally:
        db.close()
    bad = [o.file for o in outcomes if o.status not in ("accepted", "replaced")]
    if bad:
        raise SystemExit(f"not received: {bad}")
    return _done(seconds, files=len(outcomes))


def receive_baseline(db_path: str, folder: str) -> int:
    """The floor: python-calamine reads every sheet of the same eight files and a SQLAlchemy Core
    insert stores their rows (one row per data row, its values as JSON), one transaction per file."""
    import python_calamine as pc
    from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, MetaData, String, Table, Text, create_engine

    engine = create_engine(f"sqlite:///{db_path}")
    meta = MetaData()
    files_t = Table("f", meta, Column("id", Integer, primary_key=True), Column("name", String),
                    Column("content", LargeBinary))
    rows_t = Table("r", meta, Column("id", Integer, primary_key=True), Column("f_id", ForeignKey("f.id")),
                   Column("sheet", String), Column("row", Integer), Column("data", Text))
    meta.create_all(engine)
    start = time.perf_counter()
    total = 0
    for path in _files(folder):
        content = path.read_bytes()
        wb = pc.CalamineWorkbook.from_path(str(path))
        sheets = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}
        with engine.begin() as conn:
            fid = conn.execute(files_t.insert().values(name=path.name, content=content)).inserted_primary_key[0]
            batch = [{"f_id": fid, "sheet": name, "row": i + 1, "data": json.dumps(row, ensure_ascii=False,
                                                                                  default=str)}
                     for name, rows in sheets.items() for i, row in enumerate(rows) if i > 0]
            conn.execute(rows_t.insert(), batch)
            total += len(batch)
    seconds = time.perf_counter() - start
    engine.dispose()
    return _done(seconds, rows=total)


def export(db_path: str, out: str) -> int:
    """services.city.export: the city workbook of the eight received returns."""
    start = time.perf_counter()
    from qoffice.db.database import open_database
    from qoffice.services import city

    db = open_database(db_path, "existing")
    try:
        with db.read_session() as s:
            result = city.export(s, YEAR, out, today=dt.date(YEAR + 1, 3, 1))
    finally:
        db.close()
    seconds = time.perf_counter() - start
    return _done(seconds, counties=result.counties_received)


JOBS = {"make-files": make_files, "receive": receive, "receive-baseline": receive_baseline, "export": export}

if __name__ == "__main__":
    sys.exit(JOBS[sys.argv[1]](*sys.argv[2:]))
