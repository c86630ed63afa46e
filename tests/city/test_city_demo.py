"""`qoffice demo-data --level city`: seven counties received (one with warnings, one resubmitted),
the eighth missing, the plan period around the demo years."""
from __future__ import annotations

import json

import pytest

from qoffice.cli.main import main


@pytest.mark.slow
def test_city_demo(qoffice_home, capsys, tmp_path):
    assert main(["demo-data", "--level", "city", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    first, last = data["years"]
    assert last == first + 1 and data["missing"] == "南通经济技术开发区"
    assert sorted(data["received"].values()) == ["accepted"] * 6 + ["replaced"]
    assert main(["city", "status", "--year", str(last), "--json"]) == 0
    counties = json.loads(capsys.readouterr().out)["counties"]
    statuses = [c["status"] for c in counties]
    assert statuses.count("已报送") == 6 and statuses.count("已更新") == 1 and statuses[-1] == "未报送"
    from qoffice.db.database import open_database
    from qoffice.services import city, settings

    db = open_database(qoffice_home / "qoffice.db", "existing")
    try:
        with db.read_session() as s:
            rep = city.report(s, last)
            summary_warnings = [f for line in rep.lines for f in line.findings if f.sheet == "汇总"]
            # 通州区 edited its 汇总 by hand; 海门区's hand-edited draft was replaced by its real return
            assert {f.county for f in summary_warnings} == {"通州区"}
            assert not [f for line in rep.lines for f in line.findings if "晚于今天" in f.message]
            start, end, _t = settings.plan(s)
            assert start <= first and last <= end
            assert rep.totals.values[10] is not None  # both years received from every reporting county
            assert rep.ranking[0].rank == 1 and rep.ranking[-1].rank is None
    finally:
        db.close()
    assert main(["demo-data", "--level", "city"]) == 2  # already holds received returns
    capsys.readouterr()
    assert main(["city", "export", "--year", str(last), "-o", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counties_received"] == 7
