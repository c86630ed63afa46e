"""Bidi controls (U+202E right-to-left override and the others) and zero-width characters never
survive an import into a text field (issue 12): a name that shows as "南通甲公司" must be stored as
exactly that, or searches, sorting and the return's checks see something else than the clerk."""
import pytest
from sqlalchemy import select

from qoffice.db.models import Enterprise
from qoffice.excel.values import clean_text, split_list
from qoffice.services.imports import run_import

BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.parametrize("ch", BIDI + ZERO_WIDTH)
def test_clean_text_removes_bidi_and_zero_width_characters(ch):
    assert clean_text(f"南通{ch}甲{ch}公司") == "南通甲公司"
    assert clean_text(f"{ch}南通甲公司{ch}") == "南通甲公司"
    assert clean_text(f"第一行{ch}\n第二行", multiline=True) == "第一行\n第二行"
    assert split_list(f"张三{ch}、李四") == ["张三", "李四"]
    assert clean_text(ch) is None


def test_an_import_stores_names_without_them(db, files, builders):
    c1, c2 = builders.code(7101), builders.code(7102)
    p = files.csv(files.dir / "bidi.csv", [["统一社会信用代码", "企业名称", "联系人", "地址", "备注"],
                                           [c1, "南通\u202e司公限有甲", "张\u200b三", "\u2066通州区\u2069", "第一行\u200f"],
                                           [c2 + "\u202c", "南通乙\u2067公司", "", "", ""]])
    r = run_import(db, "enterprises", p)
    assert (r.created, r.rejected) == (2, 0), [e.message for e in r.errors]
    from types import SimpleNamespace

    with db.read_session() as s:
        got = {m["uscc"]: SimpleNamespace(**m) for m in s.execute(select(Enterprise.__table__)).mappings()}
    assert got[c1].name == "南通司公限有甲" and got[c1].contact == "张三"
    assert got[c1].address == "通州区" and got[c1].note == "第一行"
    assert got[c2].name == "南通乙公司"
