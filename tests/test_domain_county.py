"""Issue 13: a 区县 outside the county list is warned about, with the closest listed county offered."""
from __future__ import annotations

import pytest

from qoffice.domain import county
from qoffice.domain.vocab import DEFAULT_COUNTIES

LISTED = list(DEFAULT_COUNTIES)


@pytest.mark.parametrize("typed, expected", [
    ("如东", "如东县"),          # the suffix left off
    ("  如东县 ", "如东县"),     # a listed county, spaces around
    ("如东市", "如东县"),        # another suffix
    ("海门市", "海门区"),        # the old name (市 before 2020)
    ("崇川", "崇川区"),
    ("南通市如东县", "如东县"),  # the city in front
    ("如冬县", "如东县"),        # a typo
    ("开发区", "南通经济技术开发区"),
    ("ｈ海安市", "海安市"),      # a stray letter
])
def test_closest_listed_county(typed, expected):
    assert county.closest(typed, LISTED) == expected


@pytest.mark.parametrize("typed", ["", "   ", "东", "北京市朝阳区", "苏州工业园区"])
def test_nothing_close(typed):
    assert county.closest(typed, LISTED) is None


def test_listed_value_has_no_warning_and_others_do():
    assert county.outside_list(" 如东县", LISTED) is None
    assert county.outside_list("", LISTED) is None  # empty is not "outside"
    warning = county.outside_list("如东", LISTED)
    assert warning.value == "如东" and warning.suggestion == "如东县"
    assert "如东" in warning.message and "如东县" in warning.message
    far = county.outside_list("北京市朝阳区", LISTED)
    assert far.suggestion is None and "北京市朝阳区" in far.message


def test_the_office_list_is_what_counts():
    assert county.outside_list("如东", ["如东", "海安市"]) is None
    assert county.closest("海安", ["如东", "海安市"]) == "海安市"
