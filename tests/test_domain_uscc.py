import pytest

from qoffice.domain import uscc


def test_weights_are_powers_of_three_mod_31():
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_standard_sample_is_valid():
    assert uscc.problem("91350100M000100Y43") is None


def test_wrong_check_character_names_the_expected_one():
    msg = uscc.problem("91350100M000100Y49")
    assert msg is not None and "3" in msg and "9" in msg


@pytest.mark.parametrize("raw", [" 91350100m000100y43 ", "９１３５０１００Ｍ０００１００Ｙ４３", "9135 0100 M000 100Y43"])
def test_normalise_spaces_fullwidth_lowercase(raw):
    assert uscc.normalize(raw) == "91350100M000100Y43"
    assert uscc.is_valid(raw)


@pytest.mark.parametrize("code", ["", "9135010", "91350100M000100Y4", "91350100M000100Y433"])
def test_wrong_length_is_refused(code):
    assert uscc.problem(code) is not None


def test_forbidden_letters_named():
    msg = uscc.problem("91350100I000100Y43")
    assert msg is not None and "I" in msg


def test_message_is_chinese_by_default():
    assert "校验" in uscc.problem("91350100M000100Y49")


def test_make_valid_completes_check_character():
    assert uscc.make_valid("91350100M000100Y4") == "91350100M000100Y43"
