"""The credit code check (run on every row of an import) names the first bad character by
position and computes the check character by GB 32100-2015's weights.

The expected values here never come from qoffice.domain.uscc's own tables: the valid codes are
published ones (the standard's own example and codes of well-known companies, as printed in
their public filings), and `_standard_check` re-derives the check character from the text of
the standard, so a wrong weight, a wrong alphabet or a wrong modulus in the module fails here.
"""
import pytest

from qoffice.domain import uscc

# GB 32100-2015, 4.3 and appendix: the 31 characters in value order (no I, O, Z, S, V) and the
# weights of positions 1-17; check = 31 - (weighted sum mod 31), where 31 is written "0".
_STANDARD_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_STANDARD_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _standard_check(first17: str) -> str:
    total = sum(_STANDARD_ALPHABET.index(c) * w for c, w in zip(first17, _STANDARD_WEIGHTS, strict=True))
    return _STANDARD_ALPHABET[(31 - total % 31) % 31]


PUBLISHED = [
    "91350100M000100Y43",  # GB 32100-2015's example
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91440300192317458F",  # 比亚迪股份有限公司
    "9144030027939873X7",  # 中兴通讯股份有限公司
    "91520000214434146R",  # 中航重机股份有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert _standard_check(code[:17]) == code[17]  # the test's own reading of the standard agrees
    assert uscc.problem(code) is None
    assert uscc.is_valid(code)
    assert uscc.check_character(code[:17]) == code[17]
    assert uscc.make_valid(code[:17]) == code


def test_a_weighted_sum_divisible_by_31_gives_check_zero():
    # 31 - 0 is 31, written "0": the one case a missing final "mod 31" gets wrong.
    assert _standard_check("0" * 17) == "0"
    assert uscc.problem("0" * 18) is None
    assert uscc.check_character("0" * 17) == "0"


@pytest.mark.parametrize("code", PUBLISHED)
def test_every_other_last_character_is_refused_naming_the_right_one(code):
    for wrong in _STANDARD_ALPHABET.replace(code[17], ""):
        msg = uscc.problem(code[:17] + wrong)
        assert msg == f"统一社会信用代码校验位错误：最后一位应为 {code[17]}，而不是 {wrong}。"


# Literal invalid codes, each wrong in a different way, with the one message it must get.
INVALID = [
    ("", "统一社会信用代码为空。"),
    ("91350100M000100Y4", "统一社会信用代码应为18位，此代码为 17 位。"),  # check character left off
    ("9144030071526726XGX", "统一社会信用代码应为18位，此代码为 19 位。"),  # one too many
    ("91350100M000100Y44", "统一社会信用代码校验位错误：最后一位应为 3，而不是 4。"),  # wrong check character
    ("9144030071526727XG", "统一社会信用代码校验位错误：最后一位应为 H，而不是 G。"),  # one digit mistyped (6 → 7)
    ("914403009122038216", "统一社会信用代码校验位错误：最后一位应为 G，而不是 6。"),  # two digits swapped (19 → 91)
    ("91350100I000100Y43", "信用代码第 9 位“I”不是允许的字符（不使用 I、O、Z、S、V）。"),
    ("9144O30071526726XG", "信用代码第 5 位“O”不是允许的字符（不使用 I、O、Z、S、V）。"),  # letter O for zero
    ("91440300192317458S", "信用代码第 18 位“S”不是允许的字符（不使用 I、O、Z、S、V）。"),
    ("91440300-92317458F", "信用代码第 9 位“-”不是允许的字符（不使用 I、O、Z、S、V）。"),
]


@pytest.mark.parametrize("code, message", INVALID)
def test_invalid_codes_get_their_message(code, message):
    assert uscc.problem(code) == message
    assert not uscc.is_valid(code)


@pytest.mark.parametrize("code, pos, ch", [("91350100I000100Y43", 9, "I"), ("O1350100M000100Y43", 1, "O"),
                                           ("91350100M000100YZ3", 17, "Z"), ("91350100M00010OSV3", 15, "O")])
def test_the_first_forbidden_character_is_named_with_its_position(code, pos, ch):
    msg = uscc.problem(code)
    assert msg is not None and f"“{ch}”" in msg and str(pos) in msg


@pytest.mark.parametrize("raw", ["９１４４０３００７１５２６７２６ＸＧ", " 9144 0300 7152 6726 xg\t"])
def test_full_width_spaces_and_lower_case_are_normalised_first(raw):
    assert uscc.normalize(raw) == "9144030071526726XG"
    assert uscc.is_valid(raw)
