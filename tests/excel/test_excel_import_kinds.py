"""Importing figures, projects, awards, forums, partners and sign-ups."""
import datetime as dt

from sqlalchemy import select

from qoffice.db.models import Award, Forum, ForumAttendance, MatchmakingMeeting, Partner, Project, SignUp, YearFigures
from qoffice.services.imports import run_import

C1 = "91350100M000100Y43"


def rows_of(db, model):
    from types import SimpleNamespace

    with db.read_session() as s:
        return [SimpleNamespace(**m) for m in s.execute(select(model.__table__).order_by(model.__table__.c[
            list(model.__table__.primary_key.columns)[0].name])).mappings()]


def ent(db, builders, code=C1, **kw):
    with db.session() as s:
        return builders.make_enterprise(s, uscc=code, **kw).id


# figures ---------------------------------------------------------------------------------------

def test_figures_rates_in_every_form_and_percent_cells(db, files, builders):
    ids = [ent(db, builders, builders.code(500 + i)) for i in range(3)]
    codes = [builders.code(500 + i) for i in range(3)]
    p = files.xlsx(files.dir / "f.xlsx", [["统一社会信用代码", "年度", "质量损失率(%)", "抽查批次", "抽查合格批次", "质量成果效益(万元)"],
                                          [codes[0], "2023年", 1.25, 10, 9, "3000元"],
                                          [codes[1], 2023, "1.25%", None, None, 1.5],
                                          [codes[2], 2023, 0.0125, None, None, None]], formats={"C4": "0.00%"})
    r = run_import(db, "figures", p)
    assert (r.created, r.rejected) == (3, 0)
    figs = {f.enterprise_id: f for f in rows_of(db, YearFigures)}
    assert [figs[i].loss_rate_e4 for i in ids] == [12500, 12500, 12500]
    assert figs[ids[0]].benefit_yuan == 3000 and figs[ids[1]].benefit_yuan == 15000
    assert not any("1" in (w.message or "") and w.row is None for w in r.warnings)


def test_rates_below_one_warn_where_formats_are_invisible(db, files, builders):
    ent(db, builders)
    p = files.csv(files.dir / "r.csv", [["统一社会信用代码", "年度", "质量损失率"], [C1, 2023, "0.0125"]])
    r = run_import(db, "figures", p)
    assert r.created == 1
    assert any(w.row is None and w.column == "质量损失率(%)" for w in r.warnings)


def test_figures_update_keeps_what_the_file_leaves_empty(db, files, builders):
    ent(db, builders)
    run_import(db, "figures", files.csv(files.dir / "a.csv", [["统一社会信用代码", "年度", "抽查批次", "抽查合格批次", "质量成果效益(万元)"],
                                                              [C1, 2023, 10, 9, 2]]))
    r = run_import(db, "figures", files.csv(files.dir / "b.csv", [["统一社会信用代码", "年度", "质量损失率(%)"], [C1, 2023, 0.5]]))
    assert (r.created, r.updated) == (0, 1)
    f = rows_of(db, YearFigures)[0]
    assert (f.checked, f.passed, f.benefit_yuan, f.loss_rate_e4) == (10, 9, 20000, 5000)


def test_figures_rules_and_unknown_code_are_row_errors(db, files, builders):
    ent(db, builders)
    p = files.csv(files.dir / "e.csv", [["统一社会信用代码", "年度", "抽查批次", "抽查合格批次"],
                                        [C1, 2023, 5, 9], [builders.code(999), 2023, 1, 1], [C1, 2024, 3, None]])
    r = run_import(db, "figures", p)
    assert r.rejected == 3 and r.created == 0
    assert {e.row for e in r.errors} == {2, 3, 4}


def test_amount_finer_than_yuan_is_rounded_with_a_warning(db, files, builders):
    ent(db, builders)
    r = run_import(db, "figures", files.csv(files.dir / "m.csv", [["统一社会信用代码", "年度", "质量成果效益(万元)"],
                                                                  [C1, 2023, "1.23456"]]))
    assert rows_of(db, YearFigures)[0].benefit_yuan == 12346
    assert any(w.column == "质量成果效益(万元)" and "12346" in w.message for w in r.warnings)


# projects --------------------------------------------------------------------------------------

PROJ = ["统一社会信用代码", "项目名称", "项目类型", "年度", "合作单位", "合作单位类型", "投资额(元)", "阶段"]


def test_projects_with_partners_header_unit_and_cell_unit(db, files, builders):
    ent(db, builders)
    p = files.csv(files.dir / "p.csv", [PROJ, [C1, "攻关一", "质量攻关", 2023, "南通大学", "高等院校", "600000", "签约"],
                                        [C1, "改进二", "质量改进", 2023, "新咨询所", "", "50万", ""]])
    r = run_import(db, "projects", p)
    assert (r.created, r.rejected) == (2, 0)
    projects = {x.title: x for x in rows_of(db, Project)}
    assert projects["攻关一"].investment_yuan == 600000 and projects["攻关一"].stage == "签约"
    assert projects["改进二"].investment_yuan == 500000
    partners = {x.name: x.type for x in rows_of(db, Partner)}
    assert partners == {"南通大学": "高等院校", "新咨询所": "其他"}
    assert any(w.column == "合作单位" and w.row == 3 for w in r.warnings)
    r2 = run_import(db, "projects", files.csv(files.dir / "p2.csv", [PROJ, [C1, "攻关一", "质量攻关", 2023, "", "", "", "推进"]]))
    assert r2.updated == 1
    assert {x.title: x for x in rows_of(db, Project)}["攻关一"].investment_yuan == 600000


def test_error_rows_of_a_yuan_file_keep_their_amounts_when_imported_again(db, files, builders):
    """The error file has the template's 投资额(万元) header: a bare amount from a 元 column goes
    back with 元 written after it, or it would come back 10,000 times too large."""
    from openpyxl import load_workbook

    from qoffice.services.imports import write_error_report

    ent(db, builders)
    p = files.csv(files.dir / "y.csv", [PROJ, [C1, "攻关一", "质量攻关", "二〇二三", "", "", "600000", ""],
                                        [C1, "改进二", "质量改进", "明年", "", "", "50万", ""]])
    r = run_import(db, "projects", p)
    assert r.rejected == 2
    out = files.dir / "errors.xlsx"
    assert write_error_report(r, out) == 2
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    amounts = [row[header.index("投资额(万元)")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert amounts == ["600000元", "50万"]
    for row in ws.iter_rows(min_row=2):
        row[next(i for i, h in enumerate(header) if h.startswith("年度"))].value = 2023
    wb = ws.parent
    wb.save(out)
    again = run_import(db, "projects", out)
    assert (again.created, again.rejected) == (2, 0)
    assert sorted(x.investment_yuan for x in rows_of(db, Project)) == [500000, 600000]


def test_project_partner_type_contradicting_directory_is_a_row_error(db, files, builders):
    ent(db, builders)
    with db.session() as s:
        s.add(Partner(name="南通大学", type="高等院校"))
    r = run_import(db, "projects", files.csv(files.dir / "c.csv", [PROJ, [C1, "甲", "质量攻关", 2023, "南通大学", "企业", "", ""]]))
    assert r.rejected == 1 and r.errors[0].column == "合作单位类型"
    assert rows_of(db, Project) == []


# awards ----------------------------------------------------------------------------------------

def test_awards_create_and_existing_counted_as_unchanged(db, files, builders):
    ent(db, builders)
    p = files.csv(files.dir / "a.csv", [["统一社会信用代码", "奖项", "年度"], [C1, "江苏省质量奖", "2023年"], [C1, "市长奖", 2023]])
    r = run_import(db, "awards", p)
    assert (r.created, r.rejected) == (1, 1) and r.errors[0].column == "奖项"
    r2 = run_import(db, "awards", p)
    assert (r2.updated, r2.unchanged) == (0, 1) and len(rows_of(db, Award)) == 1


# forums ----------------------------------------------------------------------------------------

def test_forums_with_attending_enterprises(db, files, builders):
    a, b = ent(db, builders), ent(db, builders, builders.code(601))
    p = files.csv(files.dir / "f.csv", [["名称", "日期", "状态", "参加企业", "参加人数"],
                                        ["质量论坛", "2023/6/15", "已举办", f"{C1}、{builders.code(601).lower()}", 40]])
    r = run_import(db, "forums", p)
    assert r.created == 1
    forum = rows_of(db, Forum)[0]
    assert forum.date == dt.date(2023, 6, 15) and forum.people_count == 40
    assert {x.enterprise_id for x in rows_of(db, ForumAttendance)} == {a, b}
    r = run_import(db, "forums", files.csv(files.dir / "g.csv", [["名称", "日期", "参加企业"],
                                                                 ["质量论坛", "2023-06-15", builders.code(999)]]))
    assert r.rejected == 1 and r.errors[0].column == "参加企业"


# partners --------------------------------------------------------------------------------------

def test_partners_match_by_name_and_type_conflict(db, files):
    p = files.csv(files.dir / "p.csv", [["名称", "类型", "联系电话"], ["南通大学", "高等院校", "0513-1"], ["某协会", "", ""]])
    r = run_import(db, "partners", p)
    assert (r.created, r.rejected) == (2, 0)
    assert {x.name: x.type for x in rows_of(db, Partner)} == {"南通大学": "高等院校", "某协会": "其他"}
    r = run_import(db, "partners", files.csv(files.dir / "q.csv", [["名称", "类型", "联系人"],
                                                                   ["南通大学 ", "", "孙七"], ["某协会", "企业", ""]]))
    assert (r.updated, r.rejected) == (1, 1)
    assert {x.name: x.contact for x in rows_of(db, Partner)}["南通大学"] == "孙七"


# sign-ups --------------------------------------------------------------------------------------

SU = ["对接会日期", "统一社会信用代码", "参会人", "职务", "联系电话", "状态"]


def test_signups_beyond_capacity_become_waiting_in_file_order(db, files, builders):
    codes = [builders.code(700 + i) for i in range(3)]
    for c in codes:
        ent(db, builders, c)
    with db.session() as s:
        s.add(MatchmakingMeeting(year=2023, title="对接会", date=dt.date(2023, 9, 20), capacity=2,
                                 deadline=dt.date(2023, 9, 1)))
    p = files.csv(files.dir / "s.csv", [SU] + [["2023-9-20", c, "周八、吴九", "经理、", "1、2", "已确认"] for c in codes])
    r = run_import(db, "signups", p)
    assert (r.created, r.rejected) == (3, 0)
    statuses = [x.status for x in rows_of(db, SignUp)]
    assert statuses == ["已确认", "已确认", "候补"]
    assert any(w.row == 4 and "候补" in w.message for w in r.warnings)
    assert any(w.row == 2 for w in r.warnings)  # the deadline has passed: a warning, not a refusal


def test_signup_new_year_gets_a_meeting_and_wrong_date_is_row_error(db, files, builders):
    ent(db, builders)
    r = run_import(db, "signups", files.csv(files.dir / "a.csv", [SU, ["2024-9-20", C1, "周八", "", "", ""]]))
    assert r.created == 1
    m = rows_of(db, MatchmakingMeeting)[0]
    assert m.year == 2024 and m.title == "2024年质量产学研合作对接会"
    r = run_import(db, "signups", files.csv(files.dir / "b.csv", [SU, ["2024-9-21", C1, "周八", "", "", ""]]))
    assert r.rejected == 1 and r.errors[0].column == "对接会日期"


def test_signup_post_list_longer_than_names_is_a_row_error(db, files, builders):
    ent(db, builders)
    r = run_import(db, "signups", files.csv(files.dir / "c.csv", [SU, ["2023-9-20", C1, "周八", "经理、主任", "", ""]]))
    assert r.rejected == 1 and r.errors[0].column == "职务"
    assert rows_of(db, SignUp) == []


def test_undo_of_signup_and_figures_imports_removes_what_they_created(db, files, builders):
    from qoffice.services.imports import undo_batch

    ent(db, builders)
    r1 = run_import(db, "figures", files.csv(files.dir / "f.csv", [["统一社会信用代码", "年度", "抽查批次", "抽查合格批次"],
                                                                   [C1, 2023, 4, 4]]))
    r2 = run_import(db, "signups", files.csv(files.dir / "s.csv", [SU + ["意向合作单位"],
                                                                   ["2025-9-20", C1, "周八", "", "", "", "新大学"]]))
    assert r2.created == 1
    with db.session() as s:
        undo_batch(s, r2.batch_id)
        undo_batch(s, r1.batch_id)
    assert rows_of(db, SignUp) == [] and rows_of(db, MatchmakingMeeting) == []
    assert rows_of(db, Partner) == [] and rows_of(db, YearFigures) == []


def test_undo_of_a_signup_update_puts_the_attendees_back_with_posts_and_phones(db, files, builders):
    from qoffice.db.models import Attendee, AuditEntry
    from qoffice.services.imports import undo_batch
    from qoffice.services.meeting_signups import attendees_text

    ent(db, builders)
    first = run_import(db, "signups", files.csv(files.dir / "a.csv", [SU, ["2025-9-20", C1, "周八、吴九", "经理、主任",
                                                                           "13800000001、13800000002", ""]]))
    assert first.created == 1

    def people():
        return [(a.name, a.post, a.phone) for a in sorted(rows_of(db, Attendee), key=lambda a: a.position)]

    before = people()
    assert before == [("周八", "经理", "13800000001"), ("吴九", "主任", "13800000002")]
    # Same names, one phone changed: still a change the audit keeps (and undo reverts).
    phone = run_import(db, "signups", files.csv(files.dir / "b.csv", [SU, ["2025-9-20", C1, "周八、吴九", "经理、主任",
                                                                           "13800000001、13900000009", ""]]))
    assert phone.updated == 1 and people()[1] == ("吴九", "主任", "13900000009")
    with db.session() as s:
        undo_batch(s, phone.batch_id)
    assert people() == before
    other = run_import(db, "signups", files.csv(files.dir / "c.csv", [SU, ["2025-9-20", C1, "郑十", "", "", ""]]))
    assert other.updated == 1 and people() == [("郑十", None, None)]
    with db.session() as s:
        undo_batch(s, other.batch_id)
    assert people() == before
    with db.session() as s:
        changes = [e.old for e in s.scalars(select(AuditEntry).where(AuditEntry.field == "attendees",
                                                                     AuditEntry.action == "update"))]
    assert attendees_text(next(c for c in changes if c)) == "周八（经理，13800000001）、吴九（主任，13800000002）"
    assert attendees_text("周八、吴九") == "周八、吴九"  # entries written before lists were kept whole
