"""Header row detection, synonyms, decorations, merged headings, units."""
from qoffice.excel.headers import detect_layout, normalize_header, split_unit
from qoffice.excel.kinds import KINDS
from qoffice.excel.readers import SheetData

ENT = KINDS["enterprises"]


def layout(rows, merges=()):
    return detect_layout(SheetData("s", rows, merges=list(merges)), ENT)


def test_header_row_is_the_one_naming_most_known_columns_after_title_rows():
    lay = layout([["2023年企业名单"], ["填报单位：某局", "", "日期"], ["统一社会信用代码", "企业名称", "区县"],
                  ["x", "y", "z"]])
    assert lay.header_row == 2
    assert lay.columns == {"uscc": [0], "name": [1], "county": [2]}


def test_ties_go_to_the_earliest_row():
    lay = layout([["企业名称", "区县"], ["企业名称", "区县"]])
    assert lay.header_row == 0


def test_only_first_ten_rows_are_searched():
    rows = [[f"说明{i}"] for i in range(10)] + [["统一社会信用代码", "企业名称"]]
    assert layout(rows) is None


def test_synonyms_and_decorations():
    headers = ["＊社会信用代码", "单位名称\n（必填）", "县（市、区）", "法人代表", "所属行业", "通讯地址", "手 机", "※企业(单位)名称"]
    lay = layout([headers])
    assert lay.columns["uscc"] == [0]
    assert lay.columns["name"] == [1, 7]
    assert lay.columns["county"] == [2]
    assert lay.columns["legal_rep"] == [3]
    assert lay.columns["trade"] == [4]
    assert lay.columns["address"] == [5]
    assert lay.columns["phone"] == [6]


def test_normalisation():
    assert normalize_header(" 投资额\n（元） ") == "投资额(元)"
    assert split_unit("投资额(元)") == ("投资额", "元")
    assert split_unit("企业名称(必填)") == ("企业名称", None)


def test_units_in_headers_are_kept_for_scaling():
    lay = detect_layout(SheetData("s", [["统一社会信用代码", "项目名称", "项目类型", "年度", "投资额(元)",
                                         "成果效益（万元）"]]), KINDS["projects"])
    assert lay.units[4] == "元" and lay.columns["investment"] == [4]
    assert lay.units[5] == "万元" and lay.columns["benefit"] == [5]


def test_merged_heading_over_sub_headings_combines():
    rows = [["统一社会信用代码", "企业名称", "首席质量官", "", ""],
            ["", "", "姓名", "职务", "电话"],
            ["91350100M000100Y43", "甲", "王五", "副总", "138"]]
    merges = [((0, 2), (0, 4)), ((0, 0), (1, 0)), ((0, 1), (1, 1))]
    lay = layout(rows, merges)
    assert lay.header_row == 1
    assert lay.columns == {"uscc": [0], "name": [1], "cqo_name": [2], "cqo_post": [3], "cqo_phone": [4]}


def test_unknown_columns_are_listed():
    lay = layout([["统一社会信用代码", "企业名称", "员工人数"]])
    assert [(c.col, c.text) for c in lay.unknown] == [(2, "员工人数")]
