"""Lists of names sort in pinyin order (东 丰 华 凯 中), as WPS and Excel do — not by code point
(东 中 丰 凯 华): the enterprise list (its default order and a click on 企业名称), the picker, the
partner directory and the lists that show an enterprise's or partner's name."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from qoffice.services import awards, partners, projects
from qoffice.ui.listmodel import SqlListModel

pytestmark = pytest.mark.gui

NAMES = ["中天科技有限公司", "东方机械有限公司", "凯盛化工有限公司", "丰华纺织有限公司", "华强电子有限公司"]
PINYIN_ORDER = ["东方机械有限公司", "丰华纺织有限公司", "华强电子有限公司", "凯盛化工有限公司", "中天科技有限公司"]


@pytest.fixture
def filled(db, builders):
    ids = {}
    with db.session() as s:
        unis = [partners.create_partner(s, {"name": n.replace("有限公司", "研究院"), "type": "科研院所"})
                for n in NAMES]
        for n, uni in zip(NAMES, unis):
            ent = builders.make_enterprise(s, name=n)
            ids[n] = ent.id
            projects.create_project(s, {"enterprise_id": ent.id, "type": "产学研合作", "title": "合作",
                                        "year": 2024, "partner_id": uni.id})
            awards.create_award(s, ent.id, "县级质量奖", 2024)
    return ids


def column_texts(model, key: str) -> list[str]:
    col = model.column_keys().index(key)
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def sorted_model(db, definition, key: str, order=Qt.AscendingOrder):
    model = SqlListModel(db, definition)
    model.reload()
    model.sort(model.column_keys().index(key), order)
    return model


def test_enterprise_list_opens_in_pinyin_order_and_sorts_by_it(qtbot, db, filled):
    from qoffice.ui.enterprises import ENTERPRISES

    model = SqlListModel(db, ENTERPRISES)
    model.reload()  # the default view: the start SQL, no SQLAlchemy
    assert column_texts(model, "name") == PINYIN_ORDER
    model = sorted_model(db, ENTERPRISES, "name", Qt.DescendingOrder)
    assert column_texts(model, "name") == PINYIN_ORDER[::-1]
    model.set_query("有限")  # a search walks the same index in the same order
    assert column_texts(model, "name") == PINYIN_ORDER[::-1]


def test_picker_and_recycle_bin_sort_names_by_pinyin(qtbot, db, filled):
    from qoffice.ui.enterprise_picker import PICKER

    assert column_texts(sorted_model(db, PICKER, "name"), "name") == PINYIN_ORDER


def test_partner_directory_sorts_names_by_pinyin(qtbot, db, filled):
    from qoffice.ui.partners import PARTNERS

    model = sorted_model(db, PARTNERS, "name")
    assert column_texts(model, "name") == [n.replace("有限公司", "研究院") for n in PINYIN_ORDER]
    with db.read_session() as s:
        assert [p.name for p in partners.all_partners(s)] == [n.replace("有限公司", "研究院") for n in PINYIN_ORDER]


def test_project_and_award_lists_sort_enterprise_names_by_pinyin(qtbot, db, filled):
    from qoffice.ui.awards import AWARDS
    from qoffice.ui.projects import PROJECTS

    assert column_texts(sorted_model(db, PROJECTS, "enterprise"), "enterprise") == PINYIN_ORDER
    partner_texts = column_texts(sorted_model(db, PROJECTS, "partner"), "partner")
    assert [t.split("（")[0] for t in partner_texts] == [n.replace("有限公司", "研究院") for n in PINYIN_ORDER]
    assert column_texts(sorted_model(db, AWARDS, "enterprise"), "enterprise") == PINYIN_ORDER
