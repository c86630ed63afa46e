"""导出错误行: an import's rejected rows written back in the template's layout with 错误原因."""
from __future__ import annotations

from pathlib import Path

from qoffice.excel.kinds import KINDS
from qoffice.excel.list_export import write_error_rows


def write_error_report(result, path: Path | str) -> int:
    """The rejected rows of `result` (an ImportResult) in the template's layout plus 错误原因
    (excel.list_export writes it); returns the number of rows written."""
    return write_error_rows(path, KINDS[result.kind], [r for r in result.rows if r.status == "error"])
