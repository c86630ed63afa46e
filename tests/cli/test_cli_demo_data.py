"""`qoffice demo-data`: deterministic, refuses a non-empty DB, fills the whole domain consistently,
and is designed so that the current year's return has no errors and exactly three warnings."""
import datetime as dt
import json
import sqlite3
import subprocess
import sys
from collections import Counter

import pytest

from qoffice.cli.main import main
from qoffice.db.database import open_database
from qoffice.domain import enterprise as rules
from qoffice.domain import subsidy, uscc, vocab
from qoffice.domain.pinyin import initials
from qoffice.errors import Cancelled, UsageError
from qoffice.services import demo

TIME_COLUMNS = {"created_at", "updated_at", "deleted_at", "at"}


def dump(path):
    """Every table's rows, timestamps of the run itself left out (deleted_at kept as set / not set)."""
    con = sqlite3.connect(path)
    out = {}
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        exprs = [f"{c} IS NULL" if c in TIME_COLUMNS else c for c in cols]
        out[table] = con.execute(f"SELECT {', '.join(exprs)} FROM {table} ORDER BY 1").fetchall()
    con.close()
    return out


@pytest.fixture
def demo_db(tmp_path):
    """A 300-enterprise demo database made through the service with a fixed `today`."""
    def make(today=dt.date(2026, 11, 25), n=300, seed=7, name="demo.db"):
        path = tmp_path / name
        db = open_database(path, "create")
        with db.session() as s:
            demo.generate(s, enterprises=n, seed=seed, today=today)
        db.close()
        return path
    return make


def rows(path, sql, *params):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_same_seed_gives_the_same_data_across_processes(tmp_path, qoffice_home, capsys):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assert main(["--db", str(a), "demo-data", "--enterprises", "200", "--seed", "5"]) == 0
    # Another process (another hash seed) must produce the very same data.
    proc = subprocess.run([sys.executable, "-m", "qoffice", "--db", str(b), "demo-data", "--enterprises", "200",
                           "--seed", "5"], capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert dump(a) == dump(b)
    assert rows(a, "SELECT count(*) FROM enterprise") == [(200,)]


def test_different_seeds_give_different_data(demo_db):
    assert dump(demo_db(seed=1, name="x.db"))["enterprise"] != dump(demo_db(seed=2, name="y.db"))["enterprise"]


def test_refuses_a_db_with_records_unless_force(tmp_path, qoffice_home, capsys):
    path = tmp_path / "d.db"
    assert main(["--db", str(path), "demo-data", "--enterprises", "100", "--seed", "1"]) == 0
    before = dump(path)
    capsys.readouterr()
    assert main(["--db", str(path), "demo-data", "--enterprises", "120", "--json"]) == 2
    assert "--force" in json.loads(capsys.readouterr().out)["error"]
    assert dump(path) == before
    assert main(["--db", str(path), "demo-data", "--enterprises", "120", "--seed", "2", "--force", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["replaced"] is True and result["backup"]
    assert rows(path, "SELECT count(*) FROM enterprise") == [(120,)]
    # The backup holds the previous contents.
    assert rows(result["backup"], "SELECT count(*) FROM enterprise") == [(100,)]


def test_fills_settings_only_when_empty_and_marks_the_db_as_demo(tmp_path, qoffice_home, capsys):
    path = tmp_path / "s.db"
    assert main(["--db", str(path), "settings", "set", "operator", "王小明"]) == 0
    assert main(["--db", str(path), "demo-data", "--enterprises", "100", "--seed", "3"]) == 0
    settings = dict(rows(path, "SELECT key, value FROM setting"))
    assert "operator" not in settings  # the person's 填报人 is on this PC (services/personal.py), kept
    capsys.readouterr()
    assert main(["--db", str(path), "settings", "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["operator"] == "王小明"
    assert settings["county"] == demo.DEFAULT_COUNTY
    assert settings["office"] and settings["phone"]
    assert settings["demo"] == "1"


def test_uses_the_configured_county(tmp_path, qoffice_home, capsys):
    path = tmp_path / "c.db"
    main(["--db", str(path), "settings", "set", "county", "启东市"])
    main(["--db", str(path), "demo-data", "--enterprises", "100", "--seed", "3"])
    assert rows(path, "SELECT DISTINCT county FROM enterprise") == [("启东市",)]
    assert {c[2:8] for (c,) in rows(path, "SELECT uscc FROM enterprise")} == {"320681"}


def test_too_few_enterprises_is_a_usage_error(tmp_path, qoffice_home, capsys):
    assert main(["--db", str(tmp_path / "f.db"), "demo-data", "--enterprises", "3"]) == 2


def test_enterprises_are_plausible_and_valid(demo_db):
    path = demo_db()
    ents = rows(path, "SELECT uscc, name, name_initials, status, status_year, address, phone, legal_rep "
                      "FROM enterprise")
    codes = [e[0] for e in ents]
    assert len(set(codes)) == len(codes)
    assert all(uscc.problem(c) is None for c in codes)
    assert len({e[1] for e in ents}) == len(ents)
    assert all(e[1].endswith("公司") for e in ents)
    assert all(e[2] == initials(e[1]) for e in ents)
    assert all(rules.status_problem(e[3], e[4]) is None for e in ents)
    assert {e[3] for e in ents} == set(vocab.ENTERPRISE_STATUSES)
    assert all(e[5].startswith("如皋市") and e[5].endswith("号") for e in ents)
    assert all(e[6] and e[7] for e in ents)
    assert rows(path, "SELECT count(*) FROM enterprise WHERE deleted_at IS NOT NULL")[0][0] >= 1


def test_figures_obey_the_rules_and_cover_two_years(demo_db):
    path = demo_db()
    figs = rows(path, "SELECT year, loss_rate_e4, checked, passed FROM year_figures")
    assert {f[0] for f in figs} == {2025, 2026}
    for _year, rate, checked, passed in figs:
        assert rules.figures_problem(checked, passed, None if rate is None else rate / 10000) is None
    # No figures for a year in which the enterprise does not count.
    for status, status_year, year in rows(path, "SELECT e.status, e.status_year, f.year FROM year_figures f "
                                                "JOIN enterprise e ON e.id = f.enterprise_id"):
        assert rules.counts_for_year(deleted=False, status=status, status_year=status_year, year=year)


def test_every_type_at_every_stage_each_year_and_the_subsidy_edge(demo_db):
    path = demo_db()
    combos = set(rows(path, "SELECT year, type, stage FROM project"))
    for year in (2025, 2026):
        for type_ in vocab.PROJECT_TYPES:
            for stage in vocab.STAGES:
                assert (year, type_, stage) in combos
    decisions = [subsidy.decide(inv, ptype) for inv, ptype in
                 rows(path, "SELECT p.investment_yuan, pa.type FROM project p LEFT JOIN partner pa "
                            "ON pa.id = p.partner_id WHERE p.year = 2026")]
    assert any(d.qualifies for d in decisions)
    at_threshold = rows(path, "SELECT count(*) FROM project p JOIN partner pa ON pa.id = p.partner_id "
                              "WHERE p.investment_yuan = 500000 AND pa.type IN ('高等院校', '质量研究咨询机构') "
                              "AND p.year = 2026")[0][0]
    assert at_threshold >= 1
    assert rows(path, "SELECT count(*) FROM project WHERE signup_id IS NOT NULL")[0][0] >= 1


def test_partners_of_every_kind(demo_db):
    path = demo_db()
    names = dict(rows(path, "SELECT name, type FROM partner"))
    assert names["南通大学"] == "高等院校"
    assert names["江苏工程职业技术学院"] == "高等院校"
    assert set(names.values()) == set(vocab.PARTNER_TYPES)


@pytest.mark.parametrize("today", [dt.date(2026, 11, 25), dt.date(2026, 1, 1), dt.date(2026, 12, 31)])
def test_forums_follow_the_rules_whatever_today_is(demo_db, today):
    path = demo_db(today=today, n=100)
    forums = rows(path, "SELECT date, status, cancel_reason, people_count, id FROM forum")
    for year in (today.year - 1, today.year):
        mine = [f for f in forums if f[0].startswith(str(year))]
        assert sum(f[1] != "已取消" for f in mine) <= 2
        assert any(f[1] == "已举办" for f in mine)
        assert any(f[1] == "已取消" for f in mine)
    assert {f[1] for f in forums} == set(vocab.FORUM_STATUSES)
    for date, status, reason, people, fid in forums:
        if status == "已举办":
            assert dt.date.fromisoformat(date) <= today
            attended = rows(path, "SELECT count(*) FROM forum_attendance WHERE forum_id = ?", fid)[0][0]
            assert attended > 0 and people >= attended
        if status == "已取消":
            assert reason


@pytest.mark.parametrize("today", [dt.date(2026, 11, 25), dt.date(2026, 12, 31)])
def test_meetings_are_full_with_a_consistent_waiting_list(demo_db, today):
    path = demo_db(today=today)
    meetings = rows(path, "SELECT id, year, date, capacity, deadline FROM meeting ORDER BY year")
    assert [m[1] for m in meetings] == [today.year - 1, today.year]
    statuses = Counter()
    for mid, _year, date, capacity, deadline in meetings:
        assert dt.date.fromisoformat(date).year == _year
        assert deadline < date
        sus = rows(path, "SELECT status, waitlist_seq, signed_up_at, id FROM signup WHERE meeting_id = ? "
                         "ORDER BY signed_up_at", mid)
        statuses.update(s[0] for s in sus)
        taken = sum(s[0] in vocab.SIGNUP_COUNTS_AGAINST_CAPACITY for s in sus)
        waiting = [s for s in sus if s[0] == "候补"]
        assert waiting and taken == capacity  # a waiting list only exists when the meeting is full
        assert [w[1] for w in waiting] == list(range(1, len(waiting) + 1))  # in order of arrival
        assert sus[-len(waiting):] == waiting
        for s in sus:
            assert rows(path, "SELECT count(*) FROM attendee WHERE signup_id = ?", s[3])[0][0] >= 1
    assert set(statuses) == set(vocab.SIGNUP_STATUSES)
    # The current year's meeting is still ahead: nobody has checked in yet.
    current = rows(path, "SELECT DISTINCT s.status FROM signup s JOIN meeting m ON m.id = s.meeting_id "
                         "WHERE m.year = ?", today.year)
    assert {"已签到", "缺席"}.isdisjoint({s for (s,) in current})


def test_awards_include_a_nomination(demo_db):
    path = demo_db()
    awards = rows(path, "SELECT award, year FROM award")
    assert ("中国质量奖提名奖", 2026) in awards
    assert all(a in vocab.AWARDS for a, _y in awards)


def test_current_year_return_is_designed_for_exactly_three_warnings(demo_db):
    """The return's warnings (return-format.md, 校验) computed with the domain rules: exactly one
    benchmarking enterprise lacks a 质量创新 project, one has a loss rate that did not fall, one
    chief quality officer has no phone; every counted enterprise is in the cover's county."""
    path = demo_db(n=400)
    year = 2026
    county = dict(rows(path, "SELECT key, value FROM setting"))["county"]
    ents = rows(path, "SELECT id, county, status, status_year, deleted_at, benchmark, benchmark_since, cqo_name, "
                      "cqo_appointed, cqo_phone FROM enterprise")
    counted = [e for e in ents if rules.counts_for_year(deleted=e[4] is not None, status=e[2], status_year=e[3],
                                                        year=year)]
    assert all(e[1] == county for e in counted)
    bench = [e[0] for e in counted if rules.benchmarking_counts(benchmark=bool(e[5]), since=e[6], year=year)]
    assert len(bench) >= 4
    innovating = {eid for (eid,) in rows(path, "SELECT enterprise_id FROM project WHERE year = ? AND type = '质量创新'",
                                         year)}
    assert len([b for b in bench if b not in innovating]) == 1
    rate = {(eid, y): r for eid, y, r in rows(path, "SELECT enterprise_id, year, loss_rate_e4 FROM year_figures")}
    not_falling = [b for b in bench if rate.get((b, year)) is not None and rate.get((b, year - 1)) is not None
                   and rate[(b, year)] >= rate[(b, year - 1)]]
    assert len(not_falling) == 1
    cqo_no_phone = [e for e in counted if rules.cqo_counts(
        cqo_name=e[7], appointed=e[8] and dt.date.fromisoformat(e[8]), year=year) and not e[9]]
    assert len(cqo_no_phone) == 1
    settings = dict(rows(path, "SELECT key, value FROM setting"))
    assert settings["office"] and settings["county"]  # the cover's required fields


def test_progress_is_reported_and_cancel_writes_nothing(tmp_path):
    path = tmp_path / "p.db"
    db = open_database(path, "create")
    seen = []
    with db.session() as s:
        demo.generate(s, enterprises=100, seed=1, progress=lambda d, t, msg: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1]
    assert all(d <= t for d, t in seen)

    def cancel(done, total, message):
        raise Cancelled()

    other = open_database(tmp_path / "q.db", "create")
    with pytest.raises(Cancelled):
        with other.session() as s:
            demo.generate(s, enterprises=100, seed=1, progress=cancel)
    with other.read_session() as s:
        assert not demo.has_records(s)
    other.close()
    db.close()


def test_refusal_is_a_usage_error_in_the_service(tmp_path):
    db = open_database(tmp_path / "r.db", "create")
    with db.session() as s:
        demo.generate(s, enterprises=100, seed=1)
    with pytest.raises(UsageError):
        with db.session() as s:
            demo.generate(s, enterprises=100, seed=1)
    db.close()


def test_demo_database_passes_check(tmp_path, qoffice_home, capsys):
    path = tmp_path / "k.db"
    assert main(["--db", str(path), "demo-data", "--enterprises", "120", "--seed", "9"]) == 0
    assert main(["--db", str(path), "check"]) == 0


def test_current_year_return_really_exports_with_no_errors_and_three_warnings(tmp_path, qoffice_home, capsys):
    """End to end through the real `export-return` command."""
    path = tmp_path / "r.db"
    assert main(["--db", str(path), "demo-data", "--enterprises", "300", "--seed", "4"]) == 0
    capsys.readouterr()
    out = tmp_path / "return.xlsx"
    code = main(["--db", str(path), "export-return", "--year", str(dt.date.today().year), "-o", str(out), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result
    assert result["errors"] == []
    assert len(result["warnings"]) == 3
    assert out.exists()


def test_bulk_rows_read_back_through_the_orm_with_their_types(demo_db):
    from sqlalchemy import select

    from qoffice.db.models import Enterprise, Forum, SignUp

    db = open_database(demo_db(n=100), "existing", lock=False)
    with db.read_session() as s:
        ent = s.scalars(select(Enterprise).where(Enterprise.cqo_appointed.is_not(None))).first()
        assert isinstance(ent.cqo_appointed, dt.date) and isinstance(ent.created_at, dt.datetime)
        assert isinstance(ent.benchmark, bool)
        assert isinstance(s.scalars(select(Forum)).first().date, dt.date)
        assert isinstance(s.scalars(select(SignUp)).first().signed_up_at, dt.datetime)
        # The same SQL filters the ORM writes find bulk-written rows.
        assert s.scalar(select(Enterprise).where(Enterprise.created_at == ent.created_at).limit(1)) is not None
    db.close()
