"""Bounded memory: the return is streamed, so writing four times the rows does not take four times
the memory (a smoke test of write-only mode; no timing)."""
from __future__ import annotations

import datetime as dt
import gc
import tracemalloc

import pytest

from qoffice.domain import checks, indicators
from qoffice.domain.returndata import Cover, EnterpriseRec, FiguresRec, ProjectRec, ReturnData
from qoffice.domain.uscc import make_valid
from qoffice.excel import return_writer

Y = 2023


def _data(n: int) -> ReturnData:
    ents = {i: EnterpriseRec(i, make_valid(f"9132060{i:010d}"), f"南通测试企业{i}有限公司", "崇川区", "新兴产业", "新材料",
                             False, "张三", "李四", "0513-80000000", "王五", "13800000000", None, Y, i % 20 == 0)
            for i in range(1, n + 1)}
    figures = tuple(FiguresRec(i, Y, 12345, 10, 9, 1_234_567, i) for i in range(1, n + 1))
    projects = tuple(ProjectRec(i, i, "质量攻关", f"项目{i}", Y, "南通大学", "高等院校", 600_000, "签约", 10)
                     for i in range(1, n + 1, 2))
    return ReturnData(Y, Cover("办", "崇川区", export_date=dt.date(2024, 1, 2)), ents, figures, projects)


def _peak_while_writing(n: int, path) -> int:
    data = _data(n)
    rows = indicators.compute(data)
    warnings = checks.check(data).warnings
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        return_writer.write(path, data, rows, warnings)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - base


@pytest.mark.slow
def test_writing_is_streamed(tmp_path):
    small = _peak_while_writing(500, tmp_path / "small.xlsx")
    large = _peak_while_writing(2_000, tmp_path / "large.xlsx")
    # A workbook kept in memory grows by several KB per row (19 cell objects a row): 1,500 more rows
    # would add well over 8 MB. Streamed, only the per-sheet row lists grow (a few bytes a row).
    assert large - small < 2 * 1024 * 1024, (small, large)
