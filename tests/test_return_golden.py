"""The yearly return byte for byte: a demo county's two returns (each of its two years) against the
XML parts recorded when the writer's speed-ups were made (issue 14), so a change meant to make the
export faster cannot change a cell, a style, a width or a sheet's set-up without failing here.

Every part of the .xlsx is compared except docProps/core.xml (it holds the time of writing); the
cover's 软件版本 is pinned. A deliberate change of the return's content or of the demo data (or an
openpyxl upgrade that writes other XML) changes these digests: check the new file by eye (and
tests/test_return_export.py), then record the digests `_digests` prints.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import openpyxl
import pytest

from qoffice.domain.returndata import SHEETS
from qoffice.services import demo, returns

DEMO_TODAY = dt.date(2024, 6, 30)
EXPORT_DAY = dt.date(2024, 7, 1)
SAME_EVERY_YEAR = {
    "docProps/app.xml": "209fca6b00afe72a",
    "xl/theme/theme1.xml": "d15e8ebf78ef7b97",
    "xl/styles.xml": "2586d9cf007e0b98",
    "_rels/.rels": "ec869ae44fc833c2",
    "xl/workbook.xml": "f7c948ca3a92bbbd",
    "xl/_rels/workbook.xml.rels": "9f654330fb91b90f",
    "[Content_Types].xml": "a03d2a14176f1bcb",
}
SHEET_DIGESTS = {
    2023: ("555e14ebd466d6f8", "0eee458356561374", "61b921643061b22a", "b3f6cce14e032729", "74e014297d78917f",
           "f8ede0f8d2ad0fce", "60468ef12d668dd9", "e65053020b0597fe"),
    2024: ("3916330d6fe591a0", "29195ccf3de2647a", "09d61f95a2b122b2", "792d399f44c19a41", "8d720a3a955c76f9",
           "fec55032a68dc498", "14e902ea8f6a2ed6", "1b3f623bce70c4fa"),
}


def _digests(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {name: hashlib.sha256(zf.read(name)).hexdigest()[:16] for name in zf.namelist()
                if name != "docProps/core.xml"}


@pytest.fixture
def demo_db(db, monkeypatch):
    import qoffice

    monkeypatch.setattr(qoffice, "__version__", "0.0-golden")  # the cover's 软件版本
    with db.session() as s:
        demo.generate(s, enterprises=300, seed=7, today=DEMO_TODAY)
    return db


@pytest.mark.parametrize("year", sorted(SHEET_DIGESTS))
def test_demo_return_is_unchanged_byte_for_byte(demo_db, tmp_path, year):
    path = tmp_path / f"return-{year}.xlsx"
    with demo_db.session() as s:
        returns.export(s, year, path, today=EXPORT_DAY, record=False)
    expected = dict(SAME_EVERY_YEAR)
    expected.update({f"xl/worksheets/sheet{i}.xml": d for i, d in enumerate(SHEET_DIGESTS[year], start=1)})
    got = _digests(path)
    differ = sorted(name for name in expected.keys() | got.keys() if expected.get(name) != got.get(name))
    assert not differ, f"parts that changed: {differ}; now {got}"
    # The comparison covers a return with something in every sheet.
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        assert wb.sheetnames == list(SHEETS)
        assert all(len(list(wb[name].iter_rows(max_row=2))) == 2 for name in SHEETS)
    finally:
        wb.close()
