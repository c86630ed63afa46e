"""Every setting is declared once (key, kind, default, translatable title, where it is kept) and read
through one function, as Picard declares its options."""
from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from qoffice.errors import UsageError
from qoffice.i18n import set_language
from qoffice.services import settings as st

SETTINGS_PY = Path(st.__file__)


def test_every_known_key_has_one_declaration_with_a_kind_and_a_translated_title():
    keys = st.ALL_KEYS + st.CITY_KEYS
    assert len(set(keys)) == len(keys)
    assert set(st.OPTIONS) == set(keys)
    set_language("zh_CN")
    for key in keys:
        opt = st.option(key)
        assert opt is not None and opt.key == key and opt.kind in st.KINDS
        assert opt.store in (st.DATABASE, st.USER)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in st.title(key)), (key, st.title(key))
    assert st.title("county.target.崇川区.3") == "崇川区指标3目标值"
    set_language("en")
    try:
        assert st.title("office") == "Reporting office" and st.title("plan.start") == "Plan start year"
    finally:
        set_language("zh_CN")


def test_a_persons_own_settings_are_declared_as_kept_per_user():
    """shared-db.md: UI language and 填报人 belong to a person, the rest to the office."""
    assert set(st.PERSONAL_KEYS) == {"language", "operator"}
    assert st.option("county").store == st.DATABASE


def test_a_family_member_is_declared_by_its_family_and_nothing_else_is():
    assert st.option("county.target.海门区.17").kind == "target"
    for bad in ("county.target.海门区.18", "county.target..3", "county.target.海门区.x", "target.18", "colour"):
        assert st.option(bad) is None
        with pytest.raises(UsageError):
            st.validate(bad, "1")


def test_validate_dispatches_on_the_declared_kind_not_on_the_key():
    """No if-chain over keys: validate() names no setting key (the kinds do the checking)."""
    tree = ast.parse(SETTINGS_PY.read_text(encoding="utf-8"))
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "validate")
    compared = [c for c in ast.walk(fn) if isinstance(c, ast.Compare) and any(
        isinstance(x, ast.Name) and x.id == "key" for x in [c.left, *c.comparators])]
    assert compared == []


@pytest.mark.parametrize("key, text, expected", [
    ("target.3", " 12.50 ", "12.5"), ("city.target.10", "-0.050", "-0.05"), ("county.target.崇川区.8", "0.0", "0"),
    ("signin.blank_rows", " 08 ", "8"), ("level", "city", "city"), ("plan.start", "2015", "2015"),
    ("city.deadline", "2026-03-01", "2026-03-01"), ("counties", "甲区，乙区、丙区", '["甲区", "乙区", "丙区"]'),
    ("office", "  质监站 ", "质监站"), ("language", "en", "en"), ("phone", "", None), ("county", None, None),
])
def test_each_kind_normalises(key, text, expected):
    assert st.validate(key, text) == expected


@pytest.mark.parametrize("key, text", [
    ("target.3", "abc"), ("signin.blank_rows", "101"), ("level", "province"), ("plan.end", "1900"),
    ("city.deadline", "2026/03/01"), ("language", "fr"), ("office", "x" * 201), ("county", "a\x0bb"),
    ("counties", '["a\\u000bb"]'),
])
def test_each_kind_refuses(key, text):
    with pytest.raises(UsageError):
        st.validate(key, text)


def test_one_read_gives_defaults_fallbacks_and_cleared_values(db):
    with db.session() as s:
        assert st.read(s, "signin.blank_rows") == 5 and st.read(s, "level") == "county"
        assert st.read(s, "city.target.10") == Decimal("-0.05")  # the policy's default, never set
        assert st.read(s, "plan.start") == 2013 and st.read(s, "target.1") is None
        assert st.read(s, "counties") is None and st.counties(s)  # the built-in county list
        st.set_value(s, "city.target.10", "")  # cleared: no target, not the default
        st.set_value(s, "plan.target.5", "")
        st.set_value(s, "signin.blank_rows", "")  # cleared: the default again
        st.set_value(s, "target.2", "7")
        assert st.read(s, "target.2") == Decimal("7")  # a unit of work sees its own change
        st.set_value(s, "counties", "[]")
    from qoffice.db.models import Setting

    with db.session() as s:  # values an older version or a hand edit left behind
        s.add(Setting(key="target.3", value="NaN"))
        s.add(Setting(key="level", value="province"))
        s.add(Setting(key="plan.end", value="later"))
    for source in (db, None):
        with db.read_session() as s:
            src = db if source is db else s
            assert st.read(src, "city.target.10") is None and st.plan(src)[2][5] is None
            assert st.read(src, "signin.blank_rows") == 5 and st.read(src, "target.2") == Decimal("7")
            assert st.read(src, "target.3") is None and st.level(src) == "county" and st.plan(src)[1] == 2017
            assert st.counties(src) == []
    with pytest.raises(KeyError):
        st.read(db, "colour")
