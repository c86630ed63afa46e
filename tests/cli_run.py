"""Running the `qoffice` command line in-process from a test (importable: pytest's pythonpath has tests/)."""
from __future__ import annotations

from qoffice.cli.main import main


def run(capsys, *argv) -> tuple[int, str, str]:
    """`qoffice ARGV…` in this process: (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line(err: str) -> str:
    """The one line a refusal prints: more lines, or a traceback, fail the test."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]
