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


def test_settings_show_lists_the_city_settings(qoffice_home, capsys):
    """settings show (text and --json): every declared option with a value or a default — level,
    city.target.N, plan.*, city.deadline once set — and the county targets set at the city."""
    import json

    from qoffice.cli.main import main

    for key, value in (("level", "city"), ("city.target.1", ""), ("city.target.5", "7"),
                       ("county.target.崇川区.8", "95.5"), ("plan.end", "2020"), ("city.deadline", "2025-01-31")):
        assert main(["settings", "set", key, value]) == 0
    capsys.readouterr()
    assert main(["settings", "show", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)["settings"]
    assert got["level"] == "city"
    assert got["city.target.1"] is None  # cleared: no target, not the policy's 100
    assert (got["city.target.2"], got["city.target.10"], got["city.target.5"]) == ("100", "-0.05", "7")
    assert "city.target.6" not in got  # no value and no default
    assert (got["plan.start"], got["plan.end"], got["plan.target.6"]) == ("2013", "2020", "3")
    assert got["city.deadline"] == "2025-01-31"
    assert got["county.target.崇川区.8"] == "95.5"
    assert got["signin.blank_rows"] == "5" and got["operator"] is None  # the county's, as before
    assert main(["settings", "show"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("county.target.崇川区.8"))
    assert "崇川区" in line.split(None, 1)[1] and line.endswith("95.5")
    assert any(x.startswith("plan.end") and x.endswith("2020") for x in out.splitlines())
    assert any(x.startswith("level ") and x.endswith("city") for x in out.splitlines())
