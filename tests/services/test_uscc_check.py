"""The credit code check (run on every row of an import) names the first bad character by
position and computes the check character by GB 32100's weights."""
import pytest

from qoffice.domain import uscc


@pytest.mark.parametrize("code, pos, ch", [("91350100I000100Y43", 9, "I"), ("O1350100M000100Y43", 1, "O"),
                                           ("91350100M000100YZ3", 17, "Z"), ("91350100M00010OSV3", 15, "O")])
def test_the_first_forbidden_character_is_named_with_its_position(code, pos, ch):
    msg = uscc.problem(code)
    assert msg is not None and f"“{ch}”" in msg and str(pos) in msg


def test_check_character_follows_the_weights():
    for first17 in ("91350100M000100Y4", "0" * 17, "Y" * 17, "123456789ABCDEFGH"):
        total = sum(uscc.VALUES[c] * w for c, w in zip(first17, uscc.WEIGHTS))
        expected = uscc.CHARSET[(31 - total % 31) % 31]
        assert uscc.check_character(first17) == expected
        assert uscc.problem(first17 + expected) is None
        wrong = next(c for c in uscc.CHARSET if c != expected)
        assert "校验" in uscc.problem(first17 + wrong)
