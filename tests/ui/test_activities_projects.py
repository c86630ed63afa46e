"""质量项目, 合作单位 and 获奖情况 driven through the real widgets: subsidy with its reason, 万元 kept
exact through the form, the stage pipeline and history, partner type change and merge, awards."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qoffice.db.models import AuditEntry, Partner, Project
from qoffice.services import enterprises as enterprise_service
from qoffice.services import partners as partner_service
from qoffice.services import projects as project_service
from qoffice.ui.awards import AwardsArea
from qoffice.ui.context import AppContext
from qoffice.ui.partners import PartnersArea
from qoffice.ui.projects import EnterpriseActivitiesPanel, ProjectsArea
from tests.ui.helpers import accept

pytestmark = pytest.mark.gui


@pytest.fixture
def data(db, builders):
    with db.session() as s:
        ent = builders.make_enterprise(s, name="南通海星电子股份有限公司")
        other = builders.make_enterprise(s, name="如皋市双马化工有限公司")
        uni = partner_service.create_partner(s, {"name": "南通大学", "type": "高等院校"})
        assoc = partner_service.create_partner(s, {"name": "南通市机械行业协会", "type": "行业协会"})
        return {"ent": ent.id, "other": other.id, "uni": uni.id, "assoc": assoc.id}


def cell(area, row, key):
    model = area.list.model
    return model.data(model.index(row, model.column_keys().index(key)))


@pytest.fixture
def projects_area(qtbot, db):
    w = ProjectsArea(AppContext(db, 2025))
    qtbot.addWidget(w)
    w.resize(1400, 700)
    w.show()
    return w


def new_project(area, ent, title, partner=None, wan=""):
    dlg = area.new()
    dlg.set_enterprise(ent)
    dlg.title.setText(title)
    dlg.type.setCurrentText("产学研合作")
    if partner is not None:
        dlg.partner.setCurrentIndex(dlg.partner.findData(partner))
    dlg.investment.setText(wan)
    return dlg


def test_subsidy_is_shown_with_its_reason(projects_area, answers, data, db):
    dlg = new_project(projects_area, data["ent"], "高性能电容器质量攻关", data["uni"], "50")
    assert dlg.subsidy.text() == "0 — 不资助：投资额未超过50万元"
    dlg.investment.setText("80")
    assert dlg.subsidy.text() == "24.00"
    accept(dlg)
    dlg = new_project(projects_area, data["ent"], "行业协会合作项目", data["assoc"], "120")
    assert "合作单位类型不符合资助条件" in dlg.subsidy.text()
    accept(dlg)
    rows = {cell(projects_area, r, "title"): r for r in range(projects_area.list.model.rowCount())}
    assert cell(projects_area, rows["高性能电容器质量攻关"], "subsidy") == "24.00"
    assert cell(projects_area, rows["行业协会合作项目"], "subsidy") == "0（合作单位类型不符合资助条件）"
    assert cell(projects_area, rows["行业协会合作项目"], "partner") == "南通市机械行业协会（行业协会）"


def test_four_decimal_wan_survives_opening_and_saving(projects_area, answers, data, db):
    with db.session() as s:
        pid = project_service.create_project(s, {
            "enterprise_id": data["ent"], "type": "产学研合作", "title": "刚过门槛的项目", "year": 2025,
            "partner_id": data["uni"], "investment_yuan": 500_001}).id
    projects_area.refresh()
    assert cell(projects_area, 0, "investment_yuan") == "50.0001"
    dlg = projects_area.edit(pid)
    assert dlg.investment.text() == "50.0001"
    assert dlg.subsidy.text() == "15.00"  # 30 % of 500,001 yuan = 150,000 yuan (half-up)
    dlg.benefit.setText("12.5")
    accept(dlg)
    with db.read_session() as s:
        p = s.get(Project, pid)
        assert (p.investment_yuan, p.benefit_yuan) == (500_001, 125_000)
    assert cell(projects_area, 0, "subsidy") == "15.00"


def test_stage_pipeline_counts_filter_and_history(qtbot, projects_area, answers, data, db):
    with db.session() as s:
        for i, stage in enumerate(("培育", "培育", "签约", "见效")):
            project_service.create_project(s, {"enterprise_id": data["ent"], "type": "质量改进",
                                               "title": f"项目{i}", "year": 2025, "stage": stage})
        project_service.create_project(s, {"enterprise_id": data["ent"], "type": "质量改进", "title": "去年的",
                                           "year": 2024, "stage": "推进"})
    projects_area.refresh()
    texts = [projects_area.stage_buttons[k].text() for k in (None, "培育", "签约", "推进", "见效")]
    assert texts == ["全部 4", "① 培育  2", "② 签约  1", "③ 推进  0", "④ 见效  1"]
    projects_area.stage_buttons["培育"].click()
    assert projects_area.list.model.rowCount() == 2
    assert projects_area.list.filter_boxes["stage"].currentData() == "培育"
    projects_area.list.table.selectRow(0)
    projects_area.list.buttons["action0"].click()  # 下一阶段, on the worker
    qtbot.waitUntil(lambda: [projects_area.stage_buttons[k].text() for k in ("培育", "签约")]
                    == ["① 培育  1", "② 签约  2"])
    with db.read_session() as s:
        moved = s.scalar(select(Project).where(Project.stage == "签约", Project.title.in_(["项目0", "项目1"])))
        pid = moved.id
    dlg = projects_area.edit(pid)
    steps = [dlg.history.item(r, 1).text() for r in range(dlg.history.rowCount())]
    assert steps == ["培育", "培育 → 签约"]


def test_deleted_enterprise_projects_leave_the_list(projects_area, answers, data, db):
    with db.session() as s:
        project_service.create_project(s, {"enterprise_id": data["other"], "type": "质量改进", "title": "甲",
                                           "year": 2025})
        project_service.create_project(s, {"enterprise_id": data["ent"], "type": "质量改进", "title": "乙",
                                           "year": 2025})
        enterprise_service.soft_delete(s, s.get(enterprise_service.Enterprise, data["other"]))
    projects_area.refresh()
    assert projects_area.list.model.total_count == 1 and cell(projects_area, 0, "title") == "乙"
    assert projects_area.stage_buttons[None].text() == "全部 1"


@pytest.fixture
def partners_area(qtbot, db):
    w = PartnersArea(AppContext(db, 2025))
    qtbot.addWidget(w)
    w.resize(1300, 600)
    w.show()
    return w


def test_partner_type_change_tells_whose_subsidy_follows(partners_area, answers, data, db):
    with db.session() as s:
        project_service.create_project(s, {"enterprise_id": data["ent"], "type": "产学研合作", "title": "协会项目",
                                           "year": 2025, "partner_id": data["assoc"], "investment_yuan": 1_000_000})
    partners_area.list.reload()
    dlg = partners_area.edit(data["assoc"])
    assert dlg.effect.text() == "此合作单位有 1 个项目。"
    dlg.type.setCurrentText("质量研究咨询机构")
    assert "协会项目 0.00 → 30.00 万元" in dlg.effect.text()  # shown before saving
    accept(dlg)
    assert answers[-1][0] == "info" and "协会项目 0.00 → 30.00 万元" in answers[-1][1]
    with db.read_session() as s:
        assert s.get(Partner, data["assoc"]).type == "质量研究咨询机构"
    row = partners_area.list.model.row_of_id(data["assoc"])
    assert cell(partners_area, row, "projects") == "1"


def test_partner_merge_from_the_gui(partners_area, answers, data, db):
    with db.session() as s:
        dup = partner_service.create_partner(s, {"name": "南通大学（啬园校区）", "type": "高等院校",
                                                 "contact": "陈老师"})
        project_service.create_project(s, {"enterprise_id": data["ent"], "type": "产学研合作", "title": "联合项目",
                                           "year": 2025, "partner_id": dup.id, "investment_yuan": 600_000})
        dup_id = dup.id
    partners_area.list.reload()
    assert partners_area.list.model.total_count == 3
    partners_area.list.select_id(data["uni"])
    partners_area.list.select_id(dup_id, clear=False)
    partners_area.list.buttons["action0"].click()  # 合并…
    dlg = partners_area.dialog
    dlg.keep_buttons[data["uni"]].setChecked(True)
    assert "南通大学（啬园校区）" in dlg.explain.text()
    answers.reply = False
    accept(dlg)  # the clerk says no at the confirmation: nothing merged
    assert dlg.isVisible()
    with db.read_session() as s:
        assert s.get(Partner, dup_id) is not None
    answers.reply = True
    accept(dlg)
    with db.read_session() as s:
        assert s.get(Partner, dup_id) is None
        kept = s.get(Partner, data["uni"])
        assert kept.contact == "陈老师"
        assert s.scalar(select(Project.partner_id).where(Project.title == "联合项目")) == data["uni"]
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "merge")) >= 2
    assert partners_area.list.model.total_count == 2
    assert cell(partners_area, partners_area.list.model.row_of_id(data["uni"]), "projects") == "1"


def test_awards_per_year_and_in_the_enterprise_editor(qtbot, answers, data, db):
    area = AwardsArea(AppContext(db, 2025))
    qtbot.addWidget(area)
    dlg = area.new()
    assert not dlg.save_button.isEnabled()
    dlg.set_enterprise(data["ent"])
    dlg.award.setCurrentText("江苏省质量奖")
    dlg.accept()
    assert dlg.job.wait() and not dlg.isVisible()  # saved on the worker
    dlg = area.new()
    dlg.set_enterprise(data["other"])
    dlg.award.setCurrentText("县级质量奖")
    dlg.year.setValue(2024)
    dlg.accept()
    assert dlg.job.wait() and not dlg.isVisible()
    assert area.list.model.rowCount() == 1  # the 2024 award is not in the 2025 list
    area.ctx.set_year(2024)
    assert area.list.model.rowCount() == 1 and cell(area, 0, "enterprise") == "如皋市双马化工有限公司"
    area.list.set_filter("award", "中国质量奖")
    assert area.list.model.rowCount() == 0
    with db.session() as s:
        project_service.create_project(s, {"enterprise_id": data["ent"], "type": "产学研合作", "title": "电容攻关",
                                           "year": 2025, "partner_id": data["uni"], "investment_yuan": 400_000})
    panel = EnterpriseActivitiesPanel(db)
    qtbot.addWidget(panel)
    panel.set_enterprise(data["ent"])
    assert panel.awards.rowCount() == 1 and panel.awards.item(0, 1).text() == "江苏省质量奖"
    assert panel.projects.item(0, 2).text() == "电容攻关"
    assert panel.projects.item(0, 6).text() == "0（投资额未超过50万元）"


def test_enterprise_editor_shows_projects_and_awards(qtbot, answers, data, db):
    from qoffice.services import awards as award_service
    from qoffice.ui.enterprise_editor import EnterpriseEditor

    with db.session() as s:
        award_service.create_award(s, data["ent"], "南通市市长质量奖", 2024)
        project_service.create_project(s, {"enterprise_id": data["ent"], "type": "质量攻关", "title": "焊接攻关",
                                           "year": 2025})
    editor = EnterpriseEditor(db, data["ent"])
    qtbot.addWidget(editor)
    titles = [editor.tabs.tabText(i) for i in range(editor.tabs.count())]
    assert "项目与获奖" in titles
    assert editor.activities.projects.item(0, 2).text() == "焊接攻关"
    assert editor.activities.awards.item(0, 1).text() == "南通市市长质量奖"
    assert editor.activities.awards_box.title() == "获奖情况（1）"
