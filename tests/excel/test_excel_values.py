"""Cell value parsers: the forms clerks really type."""
import datetime as dt
from decimal import Decimal

import pytest

from qoffice.excel import values as v


@pytest.mark.parametrize("raw", ["是", "Y", "y", "yes", "√", "1", 1, 1.0, True, " 是 "])
def test_yes_forms(raw):
    assert v.parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "no", "×", "0", 0, False])
def test_no_forms(raw):
    assert v.parse_bool(raw) is False


def test_bad_yes_no_is_a_chinese_problem():
    with pytest.raises(v.CellProblem) as exc:
        v.parse_bool("也许")
    assert "是" in exc.value.message


@pytest.mark.parametrize("raw", [2023, 2023.0, "2023", "2023年", "２０２３年", dt.date(2023, 5, 1)])
def test_years(raw):
    assert v.parse_year(raw) == 2023


@pytest.mark.parametrize("raw", ["23", "二〇二三", 2023.5, "1800"])
def test_bad_years(raw):
    with pytest.raises(v.CellProblem):
        v.parse_year(raw)


@pytest.mark.parametrize("raw", [dt.date(2023, 4, 23), dt.datetime(2023, 4, 23, 0, 0), "2023-4-23", "2023/04/23",
                                 "2023年4月23日", "2023.4.23", "20230423", "２０２３-４-２３"])
def test_dates(raw):
    assert v.parse_date(raw) == dt.date(2023, 4, 23)


@pytest.mark.parametrize("raw", ["2023-2-30", "四月", "45000"])
def test_bad_dates(raw):
    with pytest.raises(v.CellProblem):
        v.parse_date(raw)


def test_money_defaults_to_wan_and_header_unit_sets_scale():
    assert v.parse_money(12.5) == (125000, False)
    assert v.parse_money("12.5") == (125000, False)
    assert v.parse_money(5000, scale=Decimal(1)) == (5000, False)


def test_money_unit_in_cell_overrides_header():
    assert v.parse_money("3000元") == (3000, False)
    assert v.parse_money("3万", scale=Decimal(1)) == (30000, False)
    assert v.parse_money("1.5万元", scale=Decimal(1)) == (15000, False)
    assert v.parse_money("1,234.5元") == (1235, True)


def test_money_finer_than_yuan_is_rounded_half_up():
    assert v.parse_money("0.00005") == (1, True)  # 0.5 yuan → 1
    assert v.parse_money(0.00004) == (0, True)
    assert v.parse_money("1.00005万元") == (10001, True)


@pytest.mark.parametrize("raw", ["很多", "-5", "12美元"])
def test_bad_money(raw):
    with pytest.raises(v.CellProblem):
        v.parse_money(raw)


def test_rates_in_every_form_mean_the_same():
    assert v.parse_rate(1.25) == Decimal("1.25")
    assert v.parse_rate("1.25%") == Decimal("1.25")
    assert v.parse_rate("1.25％") == Decimal("1.25")
    assert v.parse_rate(0.0125, percent_cell=True) == Decimal("1.25")


def test_text_is_cleaned_of_full_width_and_control_characters():
    assert v.clean_text("  ＡＢＣ１２３\u3000公司\x07 ") == "ABC123 公司"
    assert v.clean_text("甲\n乙") == "甲 乙"
    assert v.clean_text("甲\r\n\x0b乙", multiline=True) == "甲\n乙"
    assert v.clean_text(13800000000.0) == "13800000000"
    assert v.clean_text("   ") is None


def test_text_over_excel_limit_is_a_problem():
    with pytest.raises(v.CellProblem):
        v.clean_text("字" * 32768)
    assert len(v.clean_text("字" * 32767)) == 32767


def test_list_split_before_control_characters_keeps_empty_slots():
    assert v.split_list("甲、乙;丙；丁,戊，己\n庚") == ["甲", "乙", "丙", "丁", "戊", "己", "庚"]
    assert v.split_list("经理、、主任") == ["经理", None, "主任"]
    assert v.split_list("甲\x07、乙") == ["甲", "乙"]


def test_vocabulary_words_after_cleanup():
    assert v.choose(" 在营 ", ("在营", "停产")) == "在营"
    assert v.choose("qc课题成果", ("QC课题成果",)) == "QC课题成果"
    with pytest.raises(v.CellProblem):
        v.choose("营业", ("在营", "停产"))


def test_whole_numbers():
    assert v.parse_int(10.0) == 10
    assert v.parse_int("12批次") == 12
    for bad in (1.5, "-1", "十"):
        with pytest.raises(v.CellProblem):
            v.parse_int(bad)


def test_all_clean_agrees_with_clean_text_wherever_the_cell_stands():
    """The many-cells test of the import's fast path (values.all_clean) never calls a cell clean that
    clean_text would change, whether it stands first, in the middle or last among clean cells."""
    from qoffice.excel.values import all_clean, clean_text

    clean = ["南通甲有限公司", "0513-8500000", "", "王五", "a b"]
    tricky = [" 前空格", "后空格 ", "两  空格", "\t制表", "换\n行", "全角Ａ１", "\u3000全角空格", "零宽\u200b",
              "方向\u202e", "\x00空字符", "行\u2028分隔", "\xa0不换行空格", "x" * 32768, "\x85下一行",
              "回车\r", "末尾换行\n", "干净"]
    assert all_clean(clean) and all_clean(clean[:-1]) and all_clean([]) and all_clean([""])
    for others in (clean, clean[:-1]):  # with and without white space in the clean cells
        for cell in tricky:
            changed = clean_text(cell) != cell if len(cell) <= 32767 else True
            for where in range(len(others) + 1):
                cells = others[:where] + [cell] + others[where:]
                assert all_clean(cells) == (not changed), (cell, where)
