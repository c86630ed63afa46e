"""Lost updates (issue 13, "an edit silently undone"): every editable record has a version that every
write path bumps, and a save carrying the version its form loaded is refused once the record has moved
on — StaleRecord with the stored values — never a silent overwrite."""
from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import select

from qoffice.db.models import (
    Award,
    Enterprise,
    Forum,
    MatchmakingMeeting,
    Partner,
    Project,
    SignUp,
)
from qoffice.errors import StaleRecord
from qoffice.services import awards, enterprises, forums, imports, meeting_signups, meetings, partners, projects
from qoffice.services.meeting_signups import AttendeeIn


def version(db, model, rid) -> int:
    with db.read_session() as s:
        return s.get(model, rid).version


@pytest.fixture
def ent_id(db, builders):
    with db.session() as s:
        return builders.make_enterprise(s, name="南通示例机械有限公司").id


def test_two_windows_of_one_enterprise_the_second_save_is_refused(db, ent_id):
    """The reported case: A saves 联系人, B (opened before) saves another field → refused, 甲某 stays."""
    loaded = version(db, Enterprise, ent_id)  # both windows opened now
    with db.read_session() as s:
        form_b = {k: getattr(s.get(Enterprise, ent_id), k) for k in enterprises.EDITABLE_FIELDS}
    with db.session() as s:  # window A
        enterprises.update_enterprise(s, s.get(Enterprise, ent_id), form_b | {"contact": "甲某"},
                                      expected_version=loaded)
    with db.session() as s:  # window B, with the version it loaded
        with pytest.raises(StaleRecord) as err:
            enterprises.update_enterprise(s, s.get(Enterprise, ent_id), form_b | {"phone": "0513-85123456"},
                                          expected_version=loaded)
    assert err.value.message == "该记录已被他人修改。" or err.value.message.startswith("该记录已被他人修改")
    assert err.value.stored["contact"] == "甲某" and err.value.table == "enterprise"
    assert err.value.version == loaded + 1
    with db.read_session() as s:
        ent = s.get(Enterprise, ent_id)
        assert (ent.contact, ent.phone) == ("甲某", None)
    # "Keep mine": saving again with the stored version goes through.
    with db.session() as s:
        enterprises.update_enterprise(s, s.get(Enterprise, ent_id), form_b | {"phone": "0513-85123456"},
                                      expected_version=err.value.version)
    assert version(db, Enterprise, ent_id) == loaded + 2


def test_every_enterprise_write_path_bumps_the_version(db, ent_id, tmp_path):
    v = version(db, Enterprise, ent_id)
    with db.session() as s:
        enterprises.soft_delete(s, s.get(Enterprise, ent_id))
    assert version(db, Enterprise, ent_id) == v + 1
    with db.session() as s:
        enterprises.restore(s, s.get(Enterprise, ent_id))
    assert version(db, Enterprise, ent_id) == v + 2
    with db.read_session() as s:
        code = s.get(Enterprise, ent_id).uscc
    # The import (the CLI's and the wizard's): an update of an existing code, and a bulk-inserted new one.
    path = tmp_path / "企业.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["统一社会信用代码", "企业名称", "联系人"])
        w.writerow([code, "南通示例机械有限公司", "乙某"])
        from tests.conftest import code as new_code

        w.writerow([new_code(990001), "东台新建化工有限公司", "丙某"])
    result = imports.run_import(db, "enterprises", path)
    assert (result.created, result.updated, result.rejected) == (1, 1, 0), result.errors
    assert version(db, Enterprise, ent_id) == v + 3
    with db.read_session() as s:
        new = s.scalar(select(Enterprise).where(Enterprise.name == "东台新建化工有限公司"))
        assert new.version == 1 and new.name_pinyin == "dong1tai2xin1jian4hua4gong1you3xian4gong1si1"
    # 撤销本次导入 puts 联系人 back — a write like any other.
    with db.session() as s:
        imports.undo_batch(s, result.batch_id)
    with db.read_session() as s:
        ent = s.get(Enterprise, ent_id)
        assert ent.contact is None and ent.version == v + 4


def test_a_stale_import_update_loses_nothing_a_form_saved(db, ent_id, tmp_path):
    """A form opened before an import cannot then overwrite what the import wrote."""
    loaded = version(db, Enterprise, ent_id)
    with db.read_session() as s:
        code = s.get(Enterprise, ent_id).uscc
    path = tmp_path / "企业.csv"
    path.write_text(f"统一社会信用代码,企业名称,联系人\n{code},南通示例机械有限公司,乙某\n", encoding="utf-8")
    imports.run_import(db, "enterprises", path)
    with db.session() as s, pytest.raises(StaleRecord) as err:
        enterprises.update_enterprise(s, s.get(Enterprise, ent_id), {"name": "南通示例机械有限公司", "contact": ""},
                                      expected_version=loaded)
    assert err.value.stored["contact"] == "乙某"


def test_a_record_deleted_meanwhile_is_refused_as_deleted(db, builders):
    with db.session() as s:
        uni = partners.create_partner(s, {"name": "南通大学", "type": "高等院校"})
        pid, loaded = uni.id, uni.version
    with db.session() as s:
        s.delete(s.get(Partner, pid))
    from qoffice.services import versions

    with pytest.raises(StaleRecord) as err:
        versions.check(None, loaded, (), table="partner")
    assert err.value.deleted and "删除" in err.value.message


def test_stale_figures_refused(db, ent_id):
    with db.session() as s:
        row = enterprises.set_figures(s, ent_id, 2024, checked=10, passed=9, expected_version=0)
        loaded = row.version
    with db.session() as s:
        enterprises.set_figures(s, ent_id, 2024, checked=10, passed=10, expected_version=loaded)
    with db.session() as s, pytest.raises(StaleRecord) as err:
        enterprises.set_figures(s, ent_id, 2024, checked=12, passed=9, expected_version=loaded)
    assert err.value.stored["passed"] == 10
    # A form that saw no row for the year, while another window added one meanwhile.
    with db.session() as s:
        enterprises.set_figures(s, ent_id, 2023, checked=1, passed=1, expected_version=0)
    with db.session() as s, pytest.raises(StaleRecord):
        enterprises.set_figures(s, ent_id, 2023, checked=2, passed=2, expected_version=0)


def test_stale_project_refused(db, ent_id):
    with db.session() as s:
        p = projects.create_project(s, {"enterprise_id": ent_id, "type": "质量创新", "title": "精益生产改进",
                                        "year": 2024})
        pid, loaded = p.id, p.version
    with db.session() as s:
        projects.update_project(s, s.get(Project, pid), {"stage": "推进"}, expected_version=loaded)
    with db.session() as s, pytest.raises(StaleRecord) as err:
        projects.update_project(s, s.get(Project, pid), {"title": "精益生产改进二期"}, expected_version=loaded)
    assert err.value.stored["stage"] == "推进" and err.value.table == "project"
    with db.read_session() as s:
        assert s.get(Project, pid).title == "精益生产改进"


def test_stale_partner_refused_and_merge_bumps_moved_projects(db, ent_id):
    with db.session() as s:
        a = partners.create_partner(s, {"name": "南通大学", "type": "高等院校"})
        b = partners.create_partner(s, {"name": "南通大学（启东校区）", "type": "高等院校"})
        p = projects.create_project(s, {"enterprise_id": ent_id, "type": "产学研合作", "title": "合作",
                                        "year": 2024, "partner_id": b.id})
        aid, bid, pid, loaded, project_loaded = a.id, b.id, p.id, a.version, p.version
    with db.session() as s:
        partners.update_partner(s, s.get(Partner, aid), {"contact": "赵老师"}, expected_version=loaded)
    with db.session() as s, pytest.raises(StaleRecord) as err:
        partners.update_partner(s, s.get(Partner, aid), {"phone": "0513-1"}, expected_version=loaded)
    assert err.value.stored["contact"] == "赵老师"
    with db.session() as s:
        partners.merge(s, s.get(Partner, aid), s.get(Partner, bid))
    with db.session() as s, pytest.raises(StaleRecord):  # the merge moved the project's partner
        projects.update_project(s, s.get(Project, pid), {"title": "合作二"}, expected_version=project_loaded)


def test_stale_forum_refused_and_attendance_counts_as_a_change(db, ent_id):
    with db.session() as s:
        f, _w = forums.create_forum(s, {"title": "首席质量官论坛", "date": dt.date(2030, 6, 18)})
        fid, loaded = f.id, f.version
    with db.session() as s:
        forums.set_attendance(s, s.get(Forum, fid), [ent_id])
    with db.session() as s, pytest.raises(StaleRecord):
        forums.update_forum(s, s.get(Forum, fid), {"venue": "政务中心"}, expected_version=loaded)
    now = version(db, Forum, fid)
    assert now == loaded + 1
    with db.session() as s:
        forums.update_forum(s, s.get(Forum, fid), {"venue": "政务中心"}, expected_version=now)
    with db.session() as s, pytest.raises(StaleRecord) as err:
        forums.update_forum(s, s.get(Forum, fid), {"venue": "礼堂"}, expected_version=now)
    assert err.value.stored["venue"] == "政务中心"


def test_stale_meeting_and_signup_refused(db, ent_id):
    with db.session() as s:
        m = meetings.create_meeting(s, {"year": 2030, "date": dt.date(2030, 5, 20)})
        su = meeting_signups.sign_up(s, m, ent_id, [AttendeeIn("王五")]).signup
        mid, sid, m_loaded, su_loaded = m.id, su.id, m.version, su.version
    with db.session() as s:
        meetings.update_meeting(s, s.get(MatchmakingMeeting, mid), {"venue": "会议中心"}, expected_version=m_loaded)
    with db.session() as s, pytest.raises(StaleRecord) as err:
        meetings.update_meeting(s, s.get(MatchmakingMeeting, mid), {"capacity": 5}, expected_version=m_loaded)
    assert err.value.stored["venue"] == "会议中心"
    with db.session() as s:  # another window changes only the attendees
        meeting_signups.update_signup(s, s.get(SignUp, sid), attendees=[AttendeeIn("王五"), AttendeeIn("钱六")],
                               expected_version=su_loaded)
    with db.session() as s, pytest.raises(StaleRecord):
        meeting_signups.update_signup(s, s.get(SignUp, sid), need="精密加工", expected_version=su_loaded)
    with db.read_session() as s:
        assert [a.name for a in s.get(SignUp, sid).attendees] == ["王五", "钱六"]


def test_awards_have_a_version_too(db, ent_id):
    with db.session() as s:
        aid = awards.create_award(s, ent_id, "南通市市长质量奖", 2024).id
    assert version(db, Award, aid) == 1


def test_the_cli_import_bumps_the_version_a_form_loaded(builders, tmp_path, capsys):
    """`qoffice --db FILE import …` (an SQLite file of its own: the CLI opens it by its path)."""
    from qoffice.cli.main import main
    from qoffice.db.database import open_database

    db_path = tmp_path / "cli.db"
    db = open_database(db_path, "create")
    with db.session() as s:
        ent_id = builders.make_enterprise(s, name="南通示例机械有限公司").id
    loaded = version(db, Enterprise, ent_id)
    with db.read_session() as s:
        code = s.get(Enterprise, ent_id).uscc
    db.close()
    path = tmp_path / "企业.csv"
    path.write_text(f"统一社会信用代码,企业名称,联系人\n{code},南通示例机械有限公司,丁某\n", encoding="utf-8")
    assert main(["--db", str(db_path), "import", "enterprises", str(path)]) == 0, capsys.readouterr()
    again = open_database(db_path, "existing")
    try:
        assert version(again, Enterprise, ent_id) == loaded + 1
        with again.session() as s, pytest.raises(StaleRecord):
            enterprises.update_enterprise(s, s.get(Enterprise, ent_id), {"phone": "0513-1"}, expected_version=loaded)
    finally:
        again.close()
