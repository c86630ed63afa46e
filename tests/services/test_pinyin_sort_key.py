"""The pinyin sort key of names (enterprise.name_pinyin, partner.name_pinyin): full pinyin with tone
numbers from the shipped per-character table, kept on every write of a name."""
from __future__ import annotations

import unicodedata

from sqlalchemy import select

from qoffice.db.models import Enterprise, Partner
from qoffice.domain import pinyin
from qoffice.domain.pinyin import sort_key, syllable_of
from qoffice.services import enterprises, partners


def test_names_sort_as_wps_and_excel_sort_them():
    names = ["中天科技", "东方机械", "凯盛化工", "丰华纺织", "华强电子", "安达物流", "昂立教育", "阿里巴巴"]
    assert [n[0] for n in sorted(names, key=sort_key)] == ["阿", "安", "昂", "东", "丰", "华", "凯", "中"]


def test_key_spells_each_character_with_its_tone():
    assert sort_key("南通中远") == "nan2tong1zhong1yuan3"
    assert sort_key("ＡＢＣ-12 南通（集团）") == "abc12nan2tong1ji2tuan2"  # NFKC, punctuation dropped
    assert sort_key("") == sort_key(None) == ""
    # Within one syllable, the tones in order; a longer syllable after its prefix.
    assert sort_key("安") < sort_key("岸") < sort_key("昂")


def test_polyphones_take_their_reading_in_names():
    assert sort_key("长江") == "chang2jiang1"
    assert sort_key("厦门") == "xia4men2"
    assert sort_key("重庆")[:6] == "zhong4"


def test_table_matches_the_per_character_rule():
    name = "南通·中远（海运）有限公司ABC１２３㐀"
    assert sort_key(name) == "".join(syllable_of(ch) for ch in unicodedata.normalize("NFKC", name))


def test_runtime_does_not_need_pypinyin_for_table_characters(monkeypatch):
    def boom(_ch):
        raise AssertionError("pypinyin used for a character the table has")

    monkeypatch.setattr(pinyin, "_syllable_fallback", boom)
    monkeypatch.setattr(pinyin, "_key_translation", None)
    assert sort_key("南通海工船舶有限公司") == "nan2tong1hai3gong1chuan2bo2you3xian4gong1si1"


def test_a_character_missing_from_the_table_falls_back_to_pypinyin(monkeypatch):
    ch = "𠀀"  # CJK extension B: not in the shipped table
    assert ch not in pinyin._load_syllables()
    monkeypatch.setattr(pinyin, "_key_translation", None)
    assert sort_key(ch) and sort_key(ch)[-1] in "12345"


def test_every_write_of_a_name_keeps_the_key(db, builders):
    with db.session() as s:
        ent = builders.make_enterprise(s, name="中天科技有限公司")
        assert ent.name_pinyin == sort_key("中天科技有限公司")
        enterprises.update_enterprise(s, ent, {"name": "东方机械有限公司"})
        eid = ent.id
        p = partners.create_partner(s, {"name": "南通大学", "type": "高等院校"})
        partners.update_partner(s, p, {"name": "东南大学"})
        pid = p.id
    with db.read_session() as s:
        assert s.get(Enterprise, eid).name_pinyin == "dong1fang1ji1xie4you3xian4gong1si1"
        assert s.get(Partner, pid).name_pinyin == "dong1nan2da4xue2"


def test_demo_data_has_keys(db):
    from qoffice.services import demo

    with db.session() as s:
        demo.generate(s, enterprises=100, seed=3)
    with db.read_session() as s:
        rows = s.execute(select(Enterprise.name, Enterprise.name_pinyin)).all()
        rows += s.execute(select(Partner.name, Partner.name_pinyin)).all()
    assert rows and all(key == sort_key(name) for name, key in rows)
