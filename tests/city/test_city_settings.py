"""City settings (city.md "Level"): level, city targets with the policy's defaults, county targets,
the plan period — validated like the other targets."""
from __future__ import annotations

from decimal import Decimal

import pytest

from qoffice.errors import UsageError
from qoffice.services import settings as st


def test_defaults(db):
    with db.read_session() as s:
        assert st.level(s) == "county"
        t = st.city_targets(s)
        assert (t[1], t[2], t[3], t[4], t[8], t[10], t[11], t[5]) == (
            100, 100, 100, 100, 96, Decimal("-0.05"), 10000, None)
        assert st.plan(s) == (2013, 2017, {5: 100, 6: 3, 7: 4})
        assert st.county_targets(s, "崇川区") == {n: None for n in range(1, 18)}


def test_set_and_clear(db):
    with db.session() as s:
        assert st.set_value(s, "level", "city") == "city"
        assert st.set_value(s, "city.target.1", "") is None  # cleared: stays empty, not the default
        st.set_value(s, "county.target.崇川区.8", "95.5")
        st.set_value(s, "plan.end", "2020")
    with db.read_session() as s:
        assert st.level(s) == "city" and st.city_targets(s)[1] is None
        assert st.county_targets(s, "崇川区")[8] == Decimal("95.5")
        assert st.plan(s)[1] == 2020


@pytest.mark.parametrize("key, value", [("level", "province"), ("city.target.8", "101"), ("city.target.1", "abc"),
                                        ("county.target.崇川区.8", "NaN"), ("county.target.崇川区.18", "1"),
                                        ("plan.start", "13"), ("plan.target.5", "-1"), ("city.deadline", "1月5日")])
def test_refused(key, value):
    with pytest.raises(UsageError):
        st.validate(key, value)


def test_set_value_none_clears_a_setting(db):
    """settings.set_value(…, None) clears (it raised TypeError in has_control(None) before)."""
    with db.session() as s:
        st.set_value(s, "target.3", "7")
        assert st.set_value(s, "target.3", None) is None
    with db.read_session() as s:
        assert st.targets(s)[3] is None
