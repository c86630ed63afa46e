"""Pinyin initials (the search column name_initials): one str.translate per name over a table
filled per character must give what the per-character rule gives."""
import unicodedata

import pytest

from qoffice.domain.pinyin import initial_of, initials


def _reference(name: str | None) -> str:
    return "".join(initial_of(ch) for ch in unicodedata.normalize("NFKC", name or ""))


@pytest.mark.parametrize("name", [
    "南通中远海运", "ＡＢＣ１２３机械公司", "南通·中远（海运）有限公司", "Hello World 2023", "如皋市3D打印厂",
    "㐀㐁", "𠀀𪚥龘", "ⅣⅫ", "①号车间", "é ß Å", "", None, "\t\n ", "重庆长安", "银行行长",
])
def test_initials_match_the_per_character_rule(name):
    assert initials(name) == _reference(name)


def test_ascii_kept_lower_case_and_punctuation_dropped():
    assert initials("ＡＢＣ-12 南通（集团）") == "abc12ntjt"


def test_a_character_missing_from_the_table_gets_pypinyins_letter_every_time():
    from pypinyin import Style, pinyin

    ch = "㐀"  # CJK extension A: not in the shipped table (U+4E00–U+9FA5)
    expected = pinyin(ch, style=Style.FIRST_LETTER)[0][0][:1].lower()
    assert expected.isalpha()
    assert initials(ch) == expected and initials(ch + ch) == expected * 2


def test_the_table_holds_no_character_twice_with_different_letters():
    from qoffice.paths import resources_dir

    seen: dict[str, str] = {}
    for line in (resources_dir() / "pinyin" / "initials.txt").read_text(encoding="utf-8").splitlines():
        letter, _, chars = line.partition("\t")
        assert len(letter) == 1 and letter.isascii() and letter.islower()
        for ch in chars:
            assert seen.setdefault(ch, letter) == letter


def test_known_names():
    assert initials("南通中远海运") == "ntzyhy"
    assert initials("如皋市3D打印厂") == "rgs3ddyc"
